package dev.weft.bench;

import clojure.lang.IMapEntry;
import clojure.lang.ISeq;
import clojure.lang.LockingTransaction;
import clojure.lang.PersistentTreeMap;
import dev.weft.stm.Stm;
import java.util.NavigableMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Range scans against updates on the maps of {@link SortedMapBenchmark}: {@code update} percent
 * of the operations put or remove a random key, the others sum the values of the keys in
 * {@code [key, key + }{@value #WIDTH}{@code )}, about {@value #WIDTH}/2 entries. Each scan reads one
 * consistent state where the implementation offers one: Weft in one transaction, Clojure from
 * one deref'ed immutable map, the locked {@code TreeMap} under its lock;
 * {@code ConcurrentSkipListMap}'s iteration is only weakly consistent, so its scans are the cheaper
 * guarantee.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class SortedMapScanBenchmark {
    /** Keys in one scanned range. */
    static final int WIDTH = 64;

    /** One thread's scan bounds and the Weft scan body that reads them, built once. */
    @State(Scope.Thread)
    public static class Scan {
        MapKeys keys;
        NavigableMap<Integer, Integer> weftMap;
        Integer from;
        Integer to;
        final LongSupplier weftScan = () -> sum(weftMap, from, to);

        @Setup
        public void setup(MapKeys keys) {
            this.keys = keys;
        }

        /** Draws the next operation into {@code mix}; for a scan, sets the bounds. */
        void next(KeyMix mix) {
            mix.next();
            from = mix.key;
            to = keys.keyAtMost(mix.index + WIDTH);
        }
    }

    static long sum(NavigableMap<Integer, Integer> map, Integer from, Integer to) {
        long sum = 0;
        for (Integer value : map.subMap(from, true, to, false).values()) {
            sum += value;
        }
        return sum;
    }

    @Benchmark
    public void weft(SortedMapBenchmark.WeftSortedMap state, KeyMix mix, Scan scan, Blackhole sink) {
        scan.next(mix);
        if (mix.op == KeyMix.GET) {
            scan.weftMap = state.map;
            sink.consume(Stm.atomicLong(scan.weftScan)); // the whole range in one transaction
        } else {
            sink.consume(MapBenchmark.apply(state.map, mix));
        }
    }

    @Benchmark
    public void clojure(SortedMapBenchmark.ClojureCaller caller, Scan scan, Blackhole sink) throws Exception {
        scan.next(caller.mix); // the key the caller's update bodies read
        switch (caller.mix.op) {
            case KeyMix.GET -> {
                PersistentTreeMap map = (PersistentTreeMap) caller.map.deref();
                long sum = 0;
                int to = scan.to;
                for (ISeq entries = map.seqFrom(scan.from, true); entries != null; entries = entries.next()) {
                    IMapEntry entry = (IMapEntry) entries.first();
                    if ((Integer) entry.key() >= to) {
                        break;
                    }
                    sum += (Integer) entry.val();
                }
                sink.consume(sum);
            }
            case KeyMix.PUT -> sink.consume(LockingTransaction.runInTransaction(caller.put));
            default -> sink.consume(LockingTransaction.runInTransaction(caller.remove));
        }
    }

    @Benchmark
    public void concurrentSkipListMap(SortedMapBenchmark.SkipListState state, KeyMix mix, Scan scan, Blackhole sink) {
        scan.next(mix);
        if (mix.op == KeyMix.GET) {
            sink.consume(sum(state.map, scan.from, scan.to));
        } else {
            sink.consume(MapBenchmark.apply(state.map, mix));
        }
    }

    @Benchmark
    public void lockedTreeMap(SortedMapBenchmark.LockedTreeMap state, KeyMix mix, Scan scan, Blackhole sink) {
        scan.next(mix);
        state.lock.lock();
        try {
            if (mix.op == KeyMix.GET) {
                sink.consume(sum(state.map, scan.from, scan.to));
            } else {
                sink.consume(MapBenchmark.apply(state.map, mix));
            }
        } finally {
            state.lock.unlock();
        }
    }
}
