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
import org.openjdk.jmh.annotations.Param;
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
 * than the one it replaces ({@link KeyDraw#value}), the rest gets. Each call is its
 * own transaction: Weft's {@code TMap} view, ScalaSTM's {@code TMap.View}, Multiverse's map inside
 * {@code StmUtils.atomic} (its callables made once per thread, so no lambda is allocated per
 * call), a Clojure ref holding a persistent map, and {@code ConcurrentHashMap} as the baseline.
 * It runs at 1,024 keys only (its own {@link PutKeys}, not {@link MapKeys}): at 2^20 keys
 * Multiverse's naive map and a full preset's time budget both give out, and 0 % puts is
 * {@link MapBenchmark}'s read-only mix.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class MapPutBenchmark {

    /** The key space (1,024 keys, about half present at the start) and the share of puts. */
    @State(Scope.Benchmark)
    public static class PutKeys {
        static final int KEYS = 1024;

        /** Percent of operations that are puts (the same parameter name as MapKeys's, so a preset pins both). */
        @Param({"10", "50"})
        public int update;

        final MapKeys keys = new MapKeys();

        @Setup
        public void setup() {
            keys.keyRange = KEYS;
            keys.update = update;
            keys.setup();
        }
    }

    /** One thread's draws ({@link KeyDraw}) over {@link PutKeys}, where every update is a put. */
    @State(Scope.Thread)
    public static class PutMix extends KeyDraw {
        @Setup
        public void setup(PutKeys keys) {
            init(keys.keys, true);
        }
    }

    @State(Scope.Benchmark)
    public static class WeftMap {
        final ConcurrentMap<Integer, Integer> map = new TMap<Integer, Integer>().asMap();

        @Setup
        public void setup(PutKeys keys) {
            MapBenchmark.fill(map, keys.keys);
        }
    }

    @Benchmark
    public Integer weft(WeftMap state, PutMix mix) {
        mix.next();
        return mix.op == KeyMix.GET ? state.map.get(mix.key) : state.map.put(mix.key, mix.value);
    }

    @State(Scope.Benchmark)
    public static class ScalaStmMap {
        final scala.concurrent.stm.TMap.View<Integer, Integer> map = STM.newTMap();

        @Setup
        public void setup(PutKeys keys) {
            MapBenchmark.fillScala(map, keys.keys);
        }
    }

    @Benchmark
    public Object scalaStm(ScalaStmMap state, PutMix mix) {
        mix.next();
        return mix.op == KeyMix.GET ? state.map.get(mix.key) : state.map.put(mix.key, mix.value);
    }

    @State(Scope.Benchmark)
    public static class MultiverseMap {
        final TxnMap<Integer, Integer> map = StmUtils.newTxnHashMap();

        @Setup
        public void setup(PutKeys put) {
            StmUtils.atomic(() -> MapBenchmark.fill(map, put.keys)); // TxnMap is a java.util.Map
        }
    }

    @State(Scope.Thread)
    public static class MultiverseCaller {
        PutMix mix;
        TxnCallable<Integer> get;
        TxnCallable<Integer> put;

        @Setup
        public void setup(MultiverseMap state, PutMix mix) {
            TxnMap<Integer, Integer> map = state.map;
            this.mix = mix;
            get = tx -> map.get(tx, mix.key);
            put = tx -> map.put(tx, mix.key, mix.value);
        }
    }

    @Benchmark
    public Integer multiverse(MultiverseCaller caller) {
        // StmUtils.atomic's default executor, not a per-site one (MultiverseSite): on a
        // speculative per-site executor NaiveTxnHashMap throws NullPointerException from its own
        // code (seen in PeerEquivalenceTest, session 18)
        PutMix mix = caller.mix;
        mix.next();
        return StmUtils.atomic(mix.op == KeyMix.GET ? caller.get : caller.put);
    }

    @State(Scope.Benchmark)
    public static class ClojureMap {
        Ref map;

        @Setup
        public void setup(PutKeys keys) {
            MapBenchmark.ClojureMap filled = new MapBenchmark.ClojureMap();
            filled.setup(keys.keys);
            map = filled.map;
        }
    }

    @State(Scope.Thread)
    public static class ClojureCaller {
        PutMix mix;
        Ref map;
        Callable<Object> put;

        @Setup
        public void setup(ClojureMap state, PutMix mix) {
            Ref ref = state.map;
            this.mix = mix;
            this.map = ref;
            put = MapBenchmark.clojurePut(ref, mix);
        }
    }

    @Benchmark
    public Object clojure(ClojureCaller caller) throws Exception {
        PutMix mix = caller.mix;
        mix.next();
        return mix.op == KeyMix.GET ? ((IPersistentMap) caller.map.deref()).valAt(mix.key)
                : LockingTransaction.runInTransaction(caller.put);
    }

    @State(Scope.Benchmark)
    public static class ConcurrentHashMapState {
        final ConcurrentMap<Integer, Integer> map = new ConcurrentHashMap<>();

        @Setup
        public void setup(PutKeys keys) {
            MapBenchmark.fill(map, keys.keys);
        }
    }

    @Benchmark
    public Integer concurrentHashMap(ConcurrentHashMapState state, PutMix mix) {
        mix.next();
        return mix.op == KeyMix.GET ? state.map.get(mix.key) : state.map.put(mix.key, mix.value);
    }
}
