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

/**
 * Every thread adds one to the same shared counter: a hot spot. Run with {@code -t 1} and
 * {@code -t 2}; at two threads every update touches the one contended location.
 *
 * <ul>
 *   <li>{@code weftCommute}: {@code atomic(() -> c.commuteAdd(1))}, a blind update applied at
 *       commit, so two such transactions never conflict with each other;</li>
 *   <li>{@code weftIncrement}: {@code atomic(() -> c.increment())}, a read-modify-write that
 *       conflicts with every concurrent increment;</li>
 *   <li>{@code weftOneOp}: {@code c.atomic().incrementAndGet()}, the one-operation transaction;</li>
 *   <li>{@code weftCounter}: {@code TCounter.atomic().increment()}, Weft's striped counter: a
 *       one-operation commute onto the calling thread's stripe, {@code LongAdder}'s counterpart
 *       (its total is still read in one transaction, consistent with every other ref);</li>
 *   <li>{@code weftCounterInTransaction}: {@code atomic(() -> counter.increment())}, the same
 *       commute inside a transaction;</li>
 *   <li>{@code clojureCommute}: {@code commute} inside {@code LockingTransaction.runInTransaction};</li>
 *   <li>{@code multiverseCommute}: {@code TxnLong.commute(tx, inc)} in {@code StmUtils.atomic}
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

    @State(Scope.Benchmark)
    public static class WeftState {
        final LongRef counter = new LongRef();
        final LongRef.Atomic view = counter.atomic();
        final Runnable commute = () -> counter.commuteAdd(1);
        final Runnable increment = counter::increment;
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
    public void weftIncrement(WeftState s) {
        Stm.atomic(s.increment);
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
        StmUtils.atomic(s.commute);
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
