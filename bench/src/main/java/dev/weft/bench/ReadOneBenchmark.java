package dev.weft.bench;

import clojure.lang.LockingTransaction;
import clojure.lang.Ref;
import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * A transaction that reads one shared ref: the fixed cost of a read-only transaction (begin, one
 * read barrier, commit). Every thread reads the same ref, so nothing conflicts.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReadOneBenchmark {
    /** A Multiverse call site's executor (see {@link MultiverseSite}). */
    private static final TxnExecutor MULTIVERSE_SITE = MultiverseSite.executor();


    @State(Scope.Benchmark)
    public static class WeftState {
        final LongRef ref = new LongRef(1);
        final LongSupplier body = ref::get;
    }

    @State(Scope.Benchmark)
    public static class MultiverseState {
        final TxnLong ref = StmUtils.newTxnLong(1);
        final TxnLongCallable body = ref::get;
    }

    @State(Scope.Benchmark)
    public static class ScalaStmState {
        final scala.concurrent.stm.Ref.View<Long> ref = STM.newRef(1L);
        final Callable<Long> body = ref::get;
    }

    @State(Scope.Benchmark)
    public static class ClojureState {
        final Ref ref = new Ref(1L);
        final Callable<Object> body = ref::deref;
    }

    @State(Scope.Benchmark)
    public static class AtomicLongState {
        final AtomicLong value = new AtomicLong(1);
    }

    @State(Scope.Benchmark)
    public static class LockState {
        final ReentrantLock lock = new ReentrantLock();
        long value = 1; // guarded by lock
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
    public long atomicLong(AtomicLongState s) {
        return s.value.get();
    }

    @Benchmark
    public long lock(LockState s) {
        s.lock.lock();
        try {
            return s.value;
        } finally {
            s.lock.unlock();
        }
    }
}
