package dev.weft.bench;

import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.multiverse.api.GlobalStmInstance;
import org.multiverse.api.TxnExecutor;
import org.multiverse.api.callables.TxnBooleanCallable;
import org.multiverse.api.callables.TxnLongCallable;
import org.multiverse.api.exceptions.RetryTimeoutException;
import org.multiverse.api.references.TxnLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;
import scala.concurrent.stm.japi.STM;

/**
 * A producer and a consumer hand items to each other through a one-slot channel: the cost of a
 * blocking handoff, where every item makes one thread wait for the other and wake it. Each
 * {@link Group @Group} is one implementation, with one producer thread and one consumer thread:
 *
 * <ul>
 *   <li>{@code weft}: a {@link LongRef} slot; put calls {@code retryFor} while it is full, take
 *       while it is empty;</li>
 *   <li>{@code scalaStm}: a {@code Ref.View<Long>} slot with {@code STM.retryFor};</li>
 *   <li>{@code multiverse}: a {@code TxnLong} slot with {@code Txn.retry()} in an executor built
 *       with a retry timeout (its blocking retry works from Java: see
 *       {@code /work/shared/notes/peers.md}; its broken {@code orElse} is not used);</li>
 *   <li>{@code synchronousQueue}: {@link SynchronousQueue} timed {@code offer}/{@code poll};</li>
 *   <li>{@code arrayBlockingQueue}: {@code ArrayBlockingQueue(1)} timed {@code offer}/{@code poll}.</li>
 * </ul>
 *
 * <p><b>Reading the score.</b> Each call of a put method hands over one item and each call of a
 * take method receives one, so the per-method scores ({@code weft:weftPut}, {@code weft:weftTake})
 * are handoffs/µs; JMH's group score is their sum, i.e. twice the handoff rate.
 *
 * <p><b>Why no iteration can hang.</b> JMH ends an iteration thread by thread: the last thread
 * to finish its measured call leaves at once, while the other may be blocked waiting for it (a
 * put on a full slot, a take on an empty one) and would wait forever with an unbounded
 * {@code retry()} or {@code put}/{@code take}. So every wait here is bounded by {@link #WAIT}
 * (1 ms): {@code retryFor} (Weft, ScalaSTM), the executor's retry timeout (Multiverse, which
 * throws {@link RetryTimeoutException}), the timed {@code offer}/{@code poll} (queues). A wait that
 * times out makes the attempt report "nothing handed over", and the benchmark method tries again
 * unless {@link Control#stopMeasurement} is set; after the measurement it gives up instead, so a
 * thread left alone leaves within about 1 ms. During the measurement a timeout only happens
 * when the other thread was descheduled for longer than 1 ms; it costs one extra transaction and
 * no handoff is lost or counted twice. Bounded waits are used by every implementation alike, so
 * the comparison stays fair (and {@code retryFor} only adds a clock read to {@code retry()}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class RetryPingPongBenchmark {

    /** The longest single wait; see the class comment. */
    static final Duration WAIT = Duration.ofMillis(1);
    static final long WAIT_NANOS = WAIT.toNanos();
    static final long WAIT_MILLIS = WAIT.toMillis();

    /** Slot values of the STM channels. */
    static final long EMPTY = 0L, ITEM = 1L;

    /** The item of the queue channels (a cached box: no allocation per put). */
    static final Long QUEUE_ITEM = ITEM;

    @State(Scope.Group)
    public static class WeftChannel {
        final LongRef slot = new LongRef(EMPTY);
        /** Puts {@link #ITEM}; false when the slot stayed full for {@link #WAIT}. */
        final BooleanSupplier put = () -> {
            if (slot.get() != EMPTY) {
                Stm.retryFor(WAIT);
                return false;
            }
            slot.set(ITEM);
            return true;
        };
        /** Takes the item; {@link #EMPTY} when the slot stayed empty for {@link #WAIT}. */
        final LongSupplier take = () -> {
            long item = slot.get();
            if (item == EMPTY) {
                Stm.retryFor(WAIT);
                return EMPTY;
            }
            slot.set(EMPTY);
            return item;
        };
    }

    @State(Scope.Group)
    public static class ScalaStmChannel {
        final scala.concurrent.stm.Ref.View<Long> slot = STM.newRef(EMPTY);
        final Callable<Boolean> put = () -> {
            if (slot.get() != EMPTY) {
                STM.retryFor(WAIT_MILLIS);
                return false;
            }
            slot.set(ITEM);
            return true;
        };
        final Callable<Long> take = () -> {
            Long item = slot.get();
            if (item == EMPTY) {
                STM.retryFor(WAIT_MILLIS);
                return EMPTY;
            }
            slot.set(EMPTY);
            return item;
        };
    }

    @State(Scope.Group)
    public static class MultiverseChannel {
        final TxnLong slot = org.multiverse.api.StmUtils.newTxnLong(EMPTY);
        /** Blocking allowed (the default); a transaction blocked longer than WAIT throws. */
        final TxnExecutor executor = GlobalStmInstance.getGlobalStmInstance().newTxnFactoryBuilder()
                .setTimeoutNs(WAIT_NANOS)
                .newTxnExecutor();
        final TxnBooleanCallable put = tx -> {
            if (slot.get(tx) != EMPTY) {
                tx.retry();
            }
            slot.set(tx, ITEM);
            return true;
        };
        final TxnLongCallable take = tx -> {
            long item = slot.get(tx);
            if (item == EMPTY) {
                tx.retry();
            }
            slot.set(tx, EMPTY);
            return item;
        };

        boolean tryPut() {
            try {
                return executor.execute(put);
            } catch (RetryTimeoutException timedOut) {
                return false;
            }
        }

        long tryTake() {
            try {
                return executor.execute(take);
            } catch (RetryTimeoutException timedOut) {
                return EMPTY;
            }
        }
    }

    @State(Scope.Group)
    public static class SynchronousQueueChannel {
        final BlockingQueue<Long> queue = new SynchronousQueue<>();
    }

    @State(Scope.Group)
    public static class ArrayBlockingQueueChannel {
        final BlockingQueue<Long> queue = new ArrayBlockingQueue<>(1);
    }

    // ------------------------------------------------------------------ Weft

    @Benchmark
    @Group("weft")
    @GroupThreads(1)
    public boolean weftPut(WeftChannel channel, Control control) {
        while (!Stm.atomicBoolean(channel.put)) {
            if (control.stopMeasurement) {
                return false;
            }
        }
        return true;
    }

    @Benchmark
    @Group("weft")
    @GroupThreads(1)
    public long weftTake(WeftChannel channel, Control control) {
        long item;
        while ((item = Stm.atomicLong(channel.take)) == EMPTY) {
            if (control.stopMeasurement) {
                break;
            }
        }
        return item;
    }

    // ------------------------------------------------------------------ ScalaSTM

    @Benchmark
    @Group("scalaStm")
    @GroupThreads(1)
    public boolean scalaStmPut(ScalaStmChannel channel, Control control) {
        while (!STM.atomic(channel.put)) {
            if (control.stopMeasurement) {
                return false;
            }
        }
        return true;
    }

    @Benchmark
    @Group("scalaStm")
    @GroupThreads(1)
    public long scalaStmTake(ScalaStmChannel channel, Control control) {
        long item;
        while ((item = STM.atomic(channel.take)) == EMPTY) {
            if (control.stopMeasurement) {
                break;
            }
        }
        return item;
    }

    // ------------------------------------------------------------------ Multiverse

    @Benchmark
    @Group("multiverse")
    @GroupThreads(1)
    public boolean multiversePut(MultiverseChannel channel, Control control) {
        while (!channel.tryPut()) {
            if (control.stopMeasurement) {
                return false;
            }
        }
        return true;
    }

    @Benchmark
    @Group("multiverse")
    @GroupThreads(1)
    public long multiverseTake(MultiverseChannel channel, Control control) {
        long item;
        while ((item = channel.tryTake()) == EMPTY) {
            if (control.stopMeasurement) {
                break;
            }
        }
        return item;
    }

    // ------------------------------------------------------------------ java.util.concurrent

    @Benchmark
    @Group("synchronousQueue")
    @GroupThreads(1)
    public boolean synchronousQueuePut(SynchronousQueueChannel channel, Control control)
            throws InterruptedException {
        return offer(channel.queue, control);
    }

    @Benchmark
    @Group("synchronousQueue")
    @GroupThreads(1)
    public Long synchronousQueueTake(SynchronousQueueChannel channel, Control control)
            throws InterruptedException {
        return poll(channel.queue, control);
    }

    @Benchmark
    @Group("arrayBlockingQueue")
    @GroupThreads(1)
    public boolean arrayBlockingQueuePut(ArrayBlockingQueueChannel channel, Control control)
            throws InterruptedException {
        return offer(channel.queue, control);
    }

    @Benchmark
    @Group("arrayBlockingQueue")
    @GroupThreads(1)
    public Long arrayBlockingQueueTake(ArrayBlockingQueueChannel channel, Control control)
            throws InterruptedException {
        return poll(channel.queue, control);
    }

    private static boolean offer(BlockingQueue<Long> queue, Control control) throws InterruptedException {
        while (!queue.offer(QUEUE_ITEM, WAIT_NANOS, TimeUnit.NANOSECONDS)) {
            if (control.stopMeasurement) {
                return false;
            }
        }
        return true;
    }

    private static Long poll(BlockingQueue<Long> queue, Control control) throws InterruptedException {
        Long item;
        while ((item = queue.poll(WAIT_NANOS, TimeUnit.NANOSECONDS)) == null) {
            if (control.stopMeasurement) {
                break;
            }
        }
        return item;
    }
}
