package dev.weft.bench;

import clojure.java.api.Clojure;
import clojure.lang.IPersistentMap;
import clojure.lang.LockingTransaction;
import clojure.lang.PersistentTreeMap;
import clojure.lang.Ref;
import dev.weft.collections.TSortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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

/**
 * A Synchrobench-style sorted map: the get/put/remove mix of {@link MapBenchmark} on
 * {@link TSortedMap#asMap()} ({@code weft}), a {@link Ref} holding a Clojure
 * {@link PersistentTreeMap} ({@code clojure}: reads deref without a transaction, updates are a
 * transaction each), {@link ConcurrentSkipListMap} and a {@link TreeMap} behind a
 * {@link ReentrantLock} ({@code lockedTreeMap}). ScalaSTM and Multiverse ship no sorted map.
 * {@link SortedMapScanBenchmark} replaces the gets by range scans.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class SortedMapBenchmark {

    @State(Scope.Benchmark)
    public static class WeftSortedMap {
        final ConcurrentNavigableMap<Integer, Integer> map = new TSortedMap<Integer, Integer>().asMap();

        @Setup
        public void setup(MapKeys keys) {
            MapBenchmark.fill(map, keys);
        }
    }

    @Benchmark
    public Integer weft(WeftSortedMap state, KeyMix mix) {
        mix.next();
        return MapBenchmark.apply(state.map, mix);
    }

    /** A Clojure sorted map in a ref, filled (and its thread's update bodies built) once. */
    @State(Scope.Benchmark)
    public static class ClojureSortedMap {
        Ref map;

        @Setup
        public void setup(MapKeys keys) {
            // Start Clojure's runtime first: a PersistentTreeMap created before RT's static
            // initializer has run makes RT's own loading of clojure.core fail.
            Clojure.var("clojure.core", "sorted-map");
            IPersistentMap filling = PersistentTreeMap.EMPTY;
            for (int i = 0; i < keys.keyRange; i++) {
                if (keys.initiallyPresent[i]) {
                    filling = filling.assoc(keys.keys[i], keys.keys[i]);
                }
            }
            map = new Ref(filling);
        }
    }

    @State(Scope.Thread)
    public static class ClojureCaller {
        KeyMix mix;
        Ref map;
        Callable<Object> put;
        Callable<Object> remove;

        @Setup
        public void setup(ClojureSortedMap state, KeyMix mix) {
            Ref ref = state.map;
            this.mix = mix;
            this.map = ref;
            put = MapBenchmark.clojurePut(ref, mix);
            remove = MapBenchmark.clojureRemove(ref, mix);
        }
    }

    @Benchmark
    public Object clojure(ClojureCaller caller) throws Exception {
        KeyMix mix = caller.mix;
        mix.next();
        return switch (mix.op) {
            case KeyMix.GET -> ((IPersistentMap) caller.map.deref()).valAt(mix.key);
            case KeyMix.PUT -> LockingTransaction.runInTransaction(caller.put);
            default -> LockingTransaction.runInTransaction(caller.remove);
        };
    }

    @State(Scope.Benchmark)
    public static class SkipListState {
        final ConcurrentSkipListMap<Integer, Integer> map = new ConcurrentSkipListMap<>();

        @Setup
        public void setup(MapKeys keys) {
            MapBenchmark.fill(map, keys);
        }
    }

    @Benchmark
    public Integer concurrentSkipListMap(SkipListState state, KeyMix mix) {
        mix.next();
        return MapBenchmark.apply(state.map, mix);
    }

    @State(Scope.Benchmark)
    public static class LockedTreeMap {
        final ReentrantLock lock = new ReentrantLock();
        final TreeMap<Integer, Integer> map = new TreeMap<>(); // guarded by lock

        @Setup
        public void setup(MapKeys keys) {
            MapBenchmark.fill(map, keys);
        }
    }

    @Benchmark
    public Integer lockedTreeMap(LockedTreeMap state, KeyMix mix) {
        mix.next();
        state.lock.lock();
        try {
            return MapBenchmark.apply(state.map, mix);
        } finally {
            state.lock.unlock();
        }
    }
}
