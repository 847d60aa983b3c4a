package dev.weft.bench;

import clojure.lang.LockingTransaction;
import clojure.lang.Ref;
import dev.weft.refs.LongRef;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.multiverse.api.StmUtils;
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
 * Incrementing one shared ref with each STM's one-operation API, outside any transaction: the
 * AtomicLong-style use of a transactional ref. Weft: {@code ref.atomic().incrementAndGet()};
 * Multiverse: {@code atomicIncrementAndGet(1)}; ScalaSTM: {@code STM.increment} on a
 * {@code Ref.View} outside {@code atomic}. Clojure has no single-operation update, so it runs a
 * full {@code runInTransaction} with {@code alter} (the same as in {@link IncrementOneBenchmark}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class SingleOpIncrementBenchmark {

    @State(Scope.Benchmark)
    public static class WeftState {
        final LongRef ref = new LongRef();
    }

    @State(Scope.Benchmark)
    public static class MultiverseState {
        final TxnLong ref = StmUtils.newTxnLong(0);
    }

    @State(Scope.Benchmark)
    public static class ScalaStmState {
        final scala.concurrent.stm.Ref.View<Long> ref = STM.newRef(0L);
    }

    @State(Scope.Benchmark)
    public static class ClojureState {
        final Ref ref = new Ref(0L);
        final Callable<Object> body = () -> ref.alter(IncrementOneBenchmark.CLOJURE_INC, null);
    }

    @State(Scope.Benchmark)
    public static class AtomicLongState {
        final AtomicLong value = new AtomicLong();
    }

    @State(Scope.Benchmark)
    public static class LockState {
        final ReentrantLock lock = new ReentrantLock();
        long value; // guarded by lock
    }

    @Benchmark
    public long weft(WeftState s) {
        return s.ref.atomic().incrementAndGet();
    }

    @Benchmark
    public long multiverse(MultiverseState s) {
        return s.ref.atomicIncrementAndGet(1);
    }

    @Benchmark
    public void scalaStm(ScalaStmState s) {
        STM.increment(s.ref, 1L);
    }

    @Benchmark
    public Object clojure(ClojureState s) throws Exception {
        return LockingTransaction.runInTransaction(s.body);
    }

    @Benchmark
    public long atomicLong(AtomicLongState s) {
        return s.value.incrementAndGet();
    }

    @Benchmark
    public long lock(LockState s) {
        s.lock.lock();
        try {
            return ++s.value;
        } finally {
            s.lock.unlock();
        }
    }
}
