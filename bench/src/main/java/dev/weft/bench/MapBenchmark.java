package dev.weft.bench;

import clojure.lang.IPersistentMap;
import clojure.lang.ITransientMap;
import clojure.lang.LockingTransaction;
import clojure.lang.PersistentHashMap;
import clojure.lang.Ref;
import dev.weft.collections.TMap;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
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
import scala.concurrent.stm.japi.STM;

/**
 * A Synchrobench-style hash map: each operation is a get, put or remove of a uniformly random key
 * ({@link KeyMix}; {@code update} percent puts and removes, key ranges 2^10 and 2^20, half the keys
 * present at the start), as one single-operation call on a map shared by all threads:
 *
 * <ul>
 *   <li>{@code weft}: {@link TMap#asMap()}, each call one transaction;</li>
 *   <li>{@code scalaStm}: ScalaSTM's {@code TMap.View} ({@code STM.newTMap()}), each call atomic;</li>
 *   <li>{@code clojure}: a {@link Ref} holding a {@link PersistentHashMap}: a get derefs it
 *       without a transaction (the map is immutable), an update is a transaction that sets the
 *       ref to the changed map;</li>
 *   <li>{@code concurrentHashMap} and {@code synchronizedHashMap}
 *       ({@link Collections#synchronizedMap} over a {@link HashMap}): the baselines.</li>
 * </ul>
 *
 * <p>Multiverse is left out: its only map, {@code NaiveTxnHashMap} ({@code StmUtils.newTxnHashMap()}),
 * throws {@code TodoException} from {@code remove} in 0.7.0, so it cannot run this mix.
 *
 * <p>Puts write preallocated values ({@link KeyDraw#value}) that differ from the value they
 * replace, so no operation allocates a value and no put of a present key is a no-op; what an
 * implementation allocates per operation is its own. (Until session 7 puts wrote the key itself,
 * so a put of a present key rewrote the same object, which {@code TMap} finishes as a read.)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class MapBenchmark {

    // ------------------------------------------------------------------ Weft

    @State(Scope.Benchmark)
    public static class WeftMap {
        final ConcurrentMap<Integer, Integer> map = new TMap<Integer, Integer>().asMap();

        @Setup
        public void setup(MapKeys keys) {
            for (int i = 0; i < keys.keyRange; i++) {
                if (keys.initiallyPresent[i]) {
                    map.put(keys.keys[i], keys.keys[i]);
                }
            }
        }
    }

    @Benchmark
    public Integer weft(WeftMap state, KeyMix mix) {
        mix.next();
        return apply(state.map, mix);
    }

    // ------------------------------------------------------------------ ScalaSTM

    @State(Scope.Benchmark)
    public static class ScalaStmMap {
        final scala.concurrent.stm.TMap.View<Integer, Integer> map = STM.newTMap();

        @Setup
        public void setup(MapKeys keys) {
            fillScala(map, keys);
        }
    }

    /** {@link #fill} for ScalaSTM's map view, which is not a {@code java.util.Map}. */
    static void fillScala(scala.concurrent.stm.TMap.View<Integer, Integer> map, MapKeys keys) {
        for (int i = 0; i < keys.keyRange; i++) {
            if (keys.initiallyPresent[i]) {
                map.put(keys.keys[i], keys.keys[i]);
            }
        }
    }

    @Benchmark
    public Object scalaStm(ScalaStmMap state, KeyMix mix) {
        mix.next();
        scala.concurrent.stm.TMap.View<Integer, Integer> map = state.map;
        return switch (mix.op) {
            case KeyMix.GET -> map.get(mix.key);
            case KeyMix.PUT -> map.put(mix.key, mix.value);
            default -> map.remove(mix.key);
        };
    }

    // ------------------------------------------------------------------ Clojure

    @State(Scope.Benchmark)
    public static class ClojureMap {
        Ref map;

        @Setup
        public void setup(MapKeys keys) {
            ITransientMap filling = PersistentHashMap.EMPTY.asTransient();
            for (int i = 0; i < keys.keyRange; i++) {
                if (keys.initiallyPresent[i]) {
                    filling = filling.assoc(keys.keys[i], keys.keys[i]);
                }
            }
            map = new Ref(filling.persistent());
        }
    }

    @State(Scope.Thread)
    public static class ClojureCaller {
        KeyMix mix;
        Ref map;
        Callable<Object> put;
        Callable<Object> remove;

        @Setup
        public void setup(ClojureMap state, KeyMix mix) {
            Ref ref = state.map;
            this.mix = mix;
            this.map = ref;
            put = clojurePut(ref, mix);
            remove = clojureRemove(ref, mix);
        }
    }

    /**
     * The body of a Clojure put of {@code mix}'s current key and value into the map {@code ref}
     * holds, for {@code LockingTransaction.runInTransaction}; made once per thread, so no lambda
     * is allocated per call. Returns the previous value.
     */
    static Callable<Object> clojurePut(Ref ref, KeyDraw mix) {
        return () -> {
            IPersistentMap current = (IPersistentMap) ref.deref();
            Object previous = current.valAt(mix.key);
            ref.set(current.assoc(mix.key, mix.value));
            return previous;
        };
    }

    /**
     * As {@link #clojurePut}, for a remove of {@code mix}'s current key. A remove of an absent key
     * (values are never null) writes nothing: setting the ref anyway would take its write lock and
     * conflict with every other updater, where Weft's map finishes such a remove as a read
     * (until session 18 it set the ref anyway, handicapping Clojure's update rows).
     */
    static Callable<Object> clojureRemove(Ref ref, KeyDraw mix) {
        return () -> {
            IPersistentMap current = (IPersistentMap) ref.deref();
            Object previous = current.valAt(mix.key);
            if (previous != null) {
                ref.set(current.without(mix.key));
            }
            return previous;
        };
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

    // ------------------------------------------------------------------ baselines

    @State(Scope.Benchmark)
    public static class ConcurrentHashMapState {
        final ConcurrentMap<Integer, Integer> map = new ConcurrentHashMap<>();

        @Setup
        public void setup(MapKeys keys) {
            fill(map, keys);
        }
    }

    @Benchmark
    public Integer concurrentHashMap(ConcurrentHashMapState state, KeyMix mix) {
        mix.next();
        return apply(state.map, mix);
    }

    @State(Scope.Benchmark)
    public static class SynchronizedHashMapState {
        final Map<Integer, Integer> map = Collections.synchronizedMap(new HashMap<>());

        @Setup
        public void setup(MapKeys keys) {
            fill(map, keys);
        }
    }

    @Benchmark
    public Integer synchronizedHashMap(SynchronizedHashMapState state, KeyMix mix) {
        mix.next();
        return apply(state.map, mix);
    }

    static void fill(Map<Integer, Integer> map, MapKeys keys) {
        for (int i = 0; i < keys.keyRange; i++) {
            if (keys.initiallyPresent[i]) {
                map.put(keys.keys[i], keys.keys[i]);
            }
        }
    }

    static Integer apply(Map<Integer, Integer> map, KeyMix mix) {
        return switch (mix.op) {
            case KeyMix.GET -> map.get(mix.key);
            case KeyMix.PUT -> map.put(mix.key, mix.value);
            default -> map.remove(mix.key);
        };
    }
}
