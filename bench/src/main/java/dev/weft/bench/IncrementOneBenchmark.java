package dev.weft.bench;

import clojure.lang.AFn;
import clojure.lang.IFn;
import clojure.lang.LockingTransaction;
import clojure.lang.Ref;
import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.multiverse.api.StmUtils;
import org.multiverse.api.TxnExecutor;
import org.multiverse.api.callables.TxnVoidCallable;
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
 * A transaction that increments one shared ref with each library's own increment call: the fixed
 * cost of a small updating transaction (begin, write, lock, clock, publish). Weft's
 * {@code LongRef.increment()} and Multiverse's {@code TxnLong.increment(tx)} are commutes (the
 * addition is applied at commit without a read, so two of them never conflict); ScalaSTM's
 * {@code STM.increment} (a {@code transform}) and Clojure's {@code alter} read and write the ref,
 * so with two threads each of their transactions conflicts with the other thread's and the t=2
 * numbers measure their contention handling too. The like-for-like peer of the two commutes is
 * Multiverse; {@link CommuteHotSpotBenchmark} sets commutes against commutes (Clojure's
 * {@code commute}) and shows Weft's read-modify-write. (Until session 18 this comment said that
 * every transaction here reads, writes and conflicts.)
 *
 * <p>{@code weft} passes a body built once; {@code weftInlineLambda} writes
 * {@code atomic(() -> s.ref.increment())} as a caller naturally would, which captures {@code s}
 * and so may allocate a lambda per call: the difference is the cost of that capture.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class IncrementOneBenchmark {
    /** A Multiverse call site's executor (see {@link MultiverseSite}). */
    private static final TxnExecutor MULTIVERSE_SITE = MultiverseSite.executor();


    /** Clojure's {@code inc} for boxed longs. */
    static final IFn CLOJURE_INC = new AFn() {
        @Override
        public Object invoke(Object value) {
            return (Long) value + 1;
        }
    };

    @State(Scope.Benchmark)
    public static class WeftState {
        final LongRef ref = new LongRef();
        final Runnable body = ref::increment;
    }

    @State(Scope.Benchmark)
    public static class MultiverseState {
        final TxnLong ref = StmUtils.newTxnLong(0);
        final TxnVoidCallable body = ref::increment;
    }

    @State(Scope.Benchmark)
    public static class ScalaStmState {
        final scala.concurrent.stm.Ref.View<Long> ref = STM.newRef(0L);
        final Runnable body = () -> STM.increment(ref, 1L);
    }

    @State(Scope.Benchmark)
    public static class ClojureState {
        final Ref ref = new Ref(0L);
        final Callable<Object> body = () -> ref.alter(CLOJURE_INC, null);
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
    public void weft(WeftState s) {
        Stm.atomic(s.body);
    }

    @Benchmark
    public void weftInlineLambda(WeftState s) {
        Stm.atomic(() -> s.ref.increment());
    }

    @Benchmark
    public void multiverse(MultiverseState s) {
        MULTIVERSE_SITE.execute(s.body);
    }

    @Benchmark
    public void scalaStm(ScalaStmState s) {
        STM.atomic(s.body);
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
