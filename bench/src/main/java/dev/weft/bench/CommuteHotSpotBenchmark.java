package dev.weft.bench;

import clojure.lang.LockingTransaction;
import clojure.lang.Ref;
import dev.weft.collections.TCounter;
import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.multiverse.api.StmUtils;
import org.multiverse.api.TxnExecutor;
import org.multiverse.api.callables.TxnVoidCallable;
import org.multiverse.api.functions.Functions;
import org.multiverse.api.functions.LongFunction;
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
 * Every thread adds one to the same shared counter: a hot spot. Run with {@code -t 1} and
 * {@code -t 2}; at two threads every update touches the one contended location.
 *
 * <ul>
 *   <li>{@code weftCommute}: {@code atomic(() -> c.commuteAdd(1))}, a blind update applied at
 *       commit, so two such transactions never conflict with each other;</li>
 *   <li>{@code weftReadModifyWrite}: {@code atomic(() -> c.set(c.get() + 1))}, the read and
 *       write that commute replaces, which conflicts with every concurrent one (no peer runs it
 *       here; {@link IncrementOneBenchmark} compares it with ScalaSTM's and Clojure's
 *       read-modify-writes). Until session 18 this row was {@code weftIncrement},
 *       {@code atomic(() -> c.increment())}, described as a read-modify-write although
 *       {@code increment()} is a commute since session 4;</li>
 *   <li>{@code weftOneOp}: {@code c.atomic().incrementAndGet()}, the one-operation transaction,
 *       compared with {@code multiverseOneOp} ({@code TxnLong.atomicIncrementAndGet(1)}) and
 *       {@code scalaStmOneOp} ({@code STM.increment} outside a transaction);</li>
 *   <li>{@code weftCounter}: {@code TCounter.atomic().increment()}, Weft's striped counter: a
 *       one-operation commute onto the calling thread's stripe, {@code LongAdder}'s counterpart
 *       (its total is still read in one transaction, consistent with every other ref);</li>
 *   <li>{@code weftCounterInTransaction}: {@code atomic(() -> counter.increment())}, the same
 *       commute inside a transaction (no peer has a striped counter: these two rows have no
 *       peer ratio);</li>
 *   <li>{@code clojureCommute}: {@code commute} inside {@code LockingTransaction.runInTransaction};</li>
 *   <li>{@code multiverseCommute}: {@code TxnLong.commute(tx, inc)} on a per-site executor ({@link MultiverseSite})
 *       (Multiverse's own commute; ScalaSTM's Java API has none);</li>
 *   <li>{@code longAdder} and {@code atomicLong}: the {@code java.util.concurrent} baselines.</li>
 * </ul>
 *
 * <p>Every body is built once and held in a field, so no call allocates a lambda.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class CommuteHotSpotBenchmark {
    /** A Multiverse call site's executor (see {@link MultiverseSite}). */
    private static final TxnExecutor MULTIVERSE_SITE = MultiverseSite.executor();


    @State(Scope.Benchmark)
    public static class WeftState {
        final LongRef counter = new LongRef();
        final LongRef.Atomic view = counter.atomic();
        final Runnable commute = () -> counter.commuteAdd(1);
        final Runnable readModifyWrite = () -> counter.set(counter.get() + 1);
    }

    @State(Scope.Benchmark)
    public static class CounterState {
        final TCounter counter = new TCounter();
        final TCounter.Atomic view = counter.atomic();
        final Runnable increment = counter::increment;
    }

    @State(Scope.Benchmark)
    public static class ClojureState {
        final Ref counter = new Ref(0L);
        final Callable<Object> commute = () -> counter.commute(IncrementOneBenchmark.CLOJURE_INC, null);
    }

    @State(Scope.Benchmark)
    public static class MultiverseState {
        static final LongFunction INC = Functions.incLongFunction();
        final TxnLong counter = StmUtils.newTxnLong(0);
        final TxnVoidCallable commute = tx -> counter.commute(tx, INC);
    }

    @State(Scope.Benchmark)
    public static class ScalaStmState {
        final scala.concurrent.stm.Ref.View<Long> counter = STM.newRef(0L);
    }

    @State(Scope.Benchmark)
    public static class LongAdderState {
        final LongAdder counter = new LongAdder();
    }

    @State(Scope.Benchmark)
    public static class AtomicLongState {
        final AtomicLong counter = new AtomicLong();
    }

    @Benchmark
    public void weftCommute(WeftState s) {
        Stm.atomic(s.commute);
    }

    @Benchmark
    public void weftReadModifyWrite(WeftState s) {
        Stm.atomic(s.readModifyWrite);
    }

    @Benchmark
    public long weftOneOp(WeftState s) {
        return s.view.incrementAndGet();
    }

    @Benchmark
    public void weftCounter(CounterState s) {
        s.view.increment();
    }

    @Benchmark
    public void weftCounterInTransaction(CounterState s) {
        Stm.atomic(s.increment);
    }

    @Benchmark
    public Object clojureCommute(ClojureState s) throws Exception {
        return LockingTransaction.runInTransaction(s.commute);
    }

    @Benchmark
    public void multiverseCommute(MultiverseState s) {
        MULTIVERSE_SITE.execute(s.commute);
    }

    @Benchmark
    public long multiverseOneOp(MultiverseState s) {
        return s.counter.atomicIncrementAndGet(1);
    }

    @Benchmark
    public void scalaStmOneOp(ScalaStmState s) {
        STM.increment(s.counter, 1L);
    }

    @Benchmark
    public void longAdder(LongAdderState s) {
        s.counter.increment();
    }

    @Benchmark
    public long atomicLong(AtomicLongState s) {
        return s.counter.incrementAndGet();
    }
}
