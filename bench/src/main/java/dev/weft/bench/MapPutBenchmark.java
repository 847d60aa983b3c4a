package dev.weft.bench;

import clojure.lang.IPersistentMap;
import clojure.lang.LockingTransaction;
import clojure.lang.Ref;
import dev.weft.collections.TMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.multiverse.api.StmUtils;
import org.multiverse.api.callables.TxnCallable;
import org.multiverse.api.collections.TxnMap;
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
 * {@link MapBenchmark}'s mix with puts for updates (no removes), so that Multiverse's map can run
 * it: its only map, {@code NaiveTxnHashMap}, throws {@code TodoException} from {@code remove} in
 * 0.7.0. {@code update} percent of the operations are puts of a uniformly drawn key (about half
 * insert at first; once every key is present they all replace), each writing a value object other
 * than the one it replaces ({@link KeyMix#value}), the rest gets. Each call is its
 * own transaction: Weft's {@code TMap} view, ScalaSTM's {@code TMap.View}, Multiverse's map inside
 * {@code StmUtils.atomic} (its callables made once per thread, so no lambda is allocated per
 * call), a Clojure ref holding a persistent map, and {@code ConcurrentHashMap} as the baseline.
 * Run it with {@code -p update=10,50 -p keyRange=1024} (the key-range and update parameters are
 * {@link MapKeys}'s).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class MapPutBenchmark {

    @State(Scope.Benchmark)
    public static class WeftMap {
        final ConcurrentMap<Integer, Integer> map = new TMap<Integer, Integer>().asMap();

        @Setup
        public void setup(MapKeys keys) {
            MapBenchmark.fill(map, keys);
        }
    }

    @Benchmark
    public Integer weft(WeftMap state, KeyMix mix) {
        mix.next();
        return mix.op == KeyMix.GET ? state.map.get(mix.key) : state.map.put(mix.key, mix.value);
    }

    @State(Scope.Benchmark)
    public static class ScalaStmMap {
        final scala.concurrent.stm.TMap.View<Integer, Integer> map = STM.newTMap();

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
    public Object scalaStm(ScalaStmMap state, KeyMix mix) {
        mix.next();
        return mix.op == KeyMix.GET ? state.map.get(mix.key) : state.map.put(mix.key, mix.value);
    }

    @State(Scope.Benchmark)
    public static class MultiverseMap {
        final TxnMap<Integer, Integer> map = StmUtils.newTxnHashMap();

        @Setup
        public void setup(MapKeys keys) {
            StmUtils.atomic(() -> {
                for (int i = 0; i < keys.keyRange; i++) {
                    if (keys.initiallyPresent[i]) {
                        map.put(keys.keys[i], keys.keys[i]);
                    }
                }
            });
        }
    }

    @State(Scope.Thread)
    public static class MultiverseCaller {
        KeyMix mix;
        TxnCallable<Integer> get;
        TxnCallable<Integer> put;

        @Setup
        public void setup(MultiverseMap state, KeyMix mix) {
            TxnMap<Integer, Integer> map = state.map;
            this.mix = mix;
            get = tx -> map.get(tx, mix.key);
            put = tx -> map.put(tx, mix.key, mix.value);
        }
    }

    @Benchmark
    public Integer multiverse(MultiverseCaller caller) {
        KeyMix mix = caller.mix;
        mix.next();
        return StmUtils.atomic(mix.op == KeyMix.GET ? caller.get : caller.put);
    }

    @State(Scope.Benchmark)
    public static class ClojureMap {
        Ref map;

        @Setup
        public void setup(MapKeys keys) {
            MapBenchmark.ClojureMap filled = new MapBenchmark.ClojureMap();
            filled.setup(keys);
            map = filled.map;
        }
    }

    @State(Scope.Thread)
    public static class ClojureCaller {
        KeyMix mix;
        Ref map;
        Callable<Object> put;

        @Setup
        public void setup(ClojureMap state, KeyMix mix) {
            Ref ref = state.map;
            this.mix = mix;
            this.map = ref;
            put = () -> {
                IPersistentMap current = (IPersistentMap) ref.deref();
                Object previous = current.valAt(mix.key);
                ref.set(current.assoc(mix.key, mix.value));
                return previous;
            };
        }
    }

    @Benchmark
    public Object clojure(ClojureCaller caller) throws Exception {
        KeyMix mix = caller.mix;
        mix.next();
        return mix.op == KeyMix.GET ? ((IPersistentMap) caller.map.deref()).valAt(mix.key)
                : LockingTransaction.runInTransaction(caller.put);
    }

    @State(Scope.Benchmark)
    public static class ConcurrentHashMapState {
        final ConcurrentMap<Integer, Integer> map = new ConcurrentHashMap<>();

        @Setup
        public void setup(MapKeys keys) {
            MapBenchmark.fill(map, keys);
        }
    }

    @Benchmark
    public Integer concurrentHashMap(ConcurrentHashMapState state, KeyMix mix) {
        mix.next();
        return mix.op == KeyMix.GET ? state.map.get(mix.key) : state.map.put(mix.key, mix.value);
    }
}
