package dev.weft.bench;

import clojure.lang.LockingTransaction;
import clojure.lang.Ref;
import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.multiverse.api.StmUtils;
import org.multiverse.api.TxnExecutor;
import org.multiverse.api.callables.TxnLongCallable;
import org.multiverse.api.references.TxnLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import scala.concurrent.stm.japi.STM;

/**
 * A transaction that sums two shared refs: the smallest read that needs a transaction (two reads
 * that must come from one state). No writers, so nothing conflicts. There is no AtomicLong
 * variant: two AtomicLong reads are not atomic together.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReadTwoBenchmark {
    /** A Multiverse call site's executor (see {@link MultiverseSite}). */
    private static final TxnExecutor MULTIVERSE_SITE = MultiverseSite.executor();


    @State(Scope.Benchmark)
    public static class WeftState {
        final LongRef a = new LongRef(1);
        final LongRef b = new LongRef(2);
        final LongSupplier body = () -> a.get() + b.get();
    }

    @State(Scope.Benchmark)
    public static class MultiverseState {
        final TxnLong a = StmUtils.newTxnLong(1);
        final TxnLong b = StmUtils.newTxnLong(2);
        final TxnLongCallable body = tx -> a.get(tx) + b.get(tx);
    }

    @State(Scope.Benchmark)
    public static class ScalaStmState {
        final scala.concurrent.stm.Ref.View<Long> a = STM.newRef(1L);
        final scala.concurrent.stm.Ref.View<Long> b = STM.newRef(2L);
        final Callable<Long> body = () -> a.get() + b.get();
    }

    @State(Scope.Benchmark)
    public static class ClojureState {
        final Ref a = new Ref(1L);
        final Ref b = new Ref(2L);
        final Callable<Object> body = () -> (Long) a.deref() + (Long) b.deref();
    }

    @State(Scope.Benchmark)
    public static class LockState {
        final ReentrantLock lock = new ReentrantLock();
        long a = 1; // guarded by lock
        long b = 2; // guarded by lock
    }

    @Benchmark
    public long weft(WeftState s) {
        return Stm.atomicLong(s.body);
    }

    @Benchmark
    public long multiverse(MultiverseState s) {
        return MULTIVERSE_SITE.execute(s.body);
    }

    @Benchmark
    public long scalaStm(ScalaStmState s) {
        return STM.atomic(s.body);
    }

    @Benchmark
    public long clojure(ClojureState s) throws Exception {
        return (Long) LockingTransaction.runInTransaction(s.body);
    }

    @Benchmark
    public long lock(LockState s) {
        s.lock.lock();
        try {
            return s.a + s.b;
        } finally {
            s.lock.unlock();
        }
    }
}
