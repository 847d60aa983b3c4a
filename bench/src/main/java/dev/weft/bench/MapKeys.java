package dev.weft.bench;

import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The key space and operation mix of the Synchrobench-style map benchmarks
 * ({@link MapBenchmark}, {@link SortedMapBenchmark}, {@link SortedMapScanBenchmark}): keys
 * {@code 0 .. keyRange-1}, boxed once here so that no benchmark allocates a key per operation,
 * about half of them present at the start, and {@code update} percent of the operations changing
 * the map (half puts, half removes, so the size stays near half the range).
 */
@State(Scope.Benchmark)
public class MapKeys {
    /** Percent of operations that are updates; the report charts throughput against it. */
    @Param({"0", "10", "50"})
    public int update;

    /** The number of distinct keys: 2^10 (fits in cache) and 2^20. */
    @Param({"1024", "1048576"})
    public int keyRange;

    /** {@code keys[i] == i}, preallocated. */
    Integer[] keys;

    /** {@link KeyDraw#VALUES} distinct Integer objects (above the boxing cache) for puts to write. */
    Integer[] values;

    /** Whether key i is in the map at the start: a fixed random half. */
    boolean[] initiallyPresent;

    @Setup
    public void setup() {
        keys = new Integer[keyRange];
        initiallyPresent = new boolean[keyRange];
        values = new Integer[KeyDraw.VALUES];
        for (int i = 0; i < values.length; i++) {
            values[i] = Integer.valueOf(1_000_000 + i); // outside the cache: a new object each
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < keyRange; i++) {
            keys[i] = i;
            initiallyPresent[i] = random.nextBoolean();
        }
    }

    /** The boxed key {@code i}, or the last key when {@code i} is past the range. */
    Integer keyAtMost(int i) {
        return keys[Math.min(i, keyRange - 1)];
    }
}
