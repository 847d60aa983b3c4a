package dev.weft.bench;

import clojure.lang.ISeq;
import clojure.lang.LockingTransaction;
import clojure.lang.IMapEntry;
import clojure.lang.PersistentTreeMap;
import java.util.NavigableMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link SortedMapBenchmark}'s mix with navigation instead of lookups: each read is a
 * {@code floorKey} or a {@code ceilingKey} (by the parity of the key's index) of a key drawn as
 * there, half of the keys being present, on the same four implementations and states
 * ({@code clojure}: the first entry of {@link PersistentTreeMap#seqFrom} in the dereferenced map,
 * without a transaction, as its lookups).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class SortedMapNavigationBenchmark {

    @Benchmark
    public Integer weft(SortedMapBenchmark.WeftSortedMap state, KeyMix mix) {
        mix.next();
        return apply(state.map, mix);
    }

    @Benchmark
    public Object clojure(SortedMapBenchmark.ClojureCaller caller) throws Exception {
        KeyMix mix = caller.mix;
        mix.next();
        return switch (mix.op) {
            case KeyMix.GET -> {
                ISeq from = ((PersistentTreeMap) caller.map.deref()).seqFrom(mix.key, (mix.index & 1) != 0);
                yield from == null ? null : ((IMapEntry) from.first()).key();
            }
            case KeyMix.PUT -> LockingTransaction.runInTransaction(caller.put);
            default -> LockingTransaction.runInTransaction(caller.remove);
        };
    }

    @Benchmark
    public Integer concurrentSkipListMap(SortedMapBenchmark.SkipListState state, KeyMix mix) {
        mix.next();
        return apply(state.map, mix);
    }

    @Benchmark
    public Integer lockedTreeMap(SortedMapBenchmark.LockedTreeMap state, KeyMix mix) {
        mix.next();
        state.lock.lock();
        try {
            return apply(state.map, mix);
        } finally {
            state.lock.unlock();
        }
    }

    /** A floor or ceiling of the drawn key (by its index's parity), or the drawn update. */
    static Integer apply(NavigableMap<Integer, Integer> map, KeyMix mix) {
        return switch (mix.op) {
            case KeyMix.GET -> (mix.index & 1) == 0 ? map.floorKey(mix.key) : map.ceilingKey(mix.key);
            case KeyMix.PUT -> map.put(mix.key, mix.value);
            default -> map.remove(mix.key);
        };
    }
}
