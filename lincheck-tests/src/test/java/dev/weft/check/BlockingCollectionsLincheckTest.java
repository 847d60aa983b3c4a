package dev.weft.check;

import static dev.weft.check.BlockingScenario.call;
import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.orElse;
import static dev.weft.stm.Stm.retry;

import dev.weft.collections.TBoundedQueue;
import dev.weft.collections.TQueue;
import java.util.ArrayDeque;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Blocking collection operations, on hand-written scenarios in which every wait is eventually
 * satisfied (Lincheck 3.7 reports a Java operation that waits with nothing to wake it as hung; see
 * {@link BlockingOperationsTest}):
 *
 * <ul>
 *   <li>take from whichever of two queues has an element, the first preferred, with
 *       {@link dev.weft.stm.Stm#orElse}: over two {@link TQueue}s (poll, and {@code retry()} when
 *       empty) and over two {@link TBoundedQueue}s ({@code take}); the twin polls the first queue
 *       in one transaction and waits on the second in another;</li>
 *   <li>{@link TBoundedQueue}'s {@code put} and {@code take} at capacity 1, which wait while it is
 *       full or empty.</li>
 * </ul>
 *
 * <p>The model checker explores the interleavings of the waits, wake-ups and commits inside each
 * scenario; where the real structure would wait, the specification returns {@link #EMPTY} or
 * false, which the structure never returns, so orders in which an operation would have to wait
 * are rejected.
 */
class BlockingCollectionsLincheckTest {
    static final long EMPTY = Long.MIN_VALUE;

    /** Two {@link TQueue}s; {@code takeEither} waits until either has an element. */
    public static class EitherQueue {
        final TQueue<Long> first = new TQueue<>();
        final TQueue<Long> second = new TQueue<>();

        @Operation
        public boolean putFirst(long value) {
            return first.asQueue().offer(value);
        }

        @Operation
        public boolean putSecond(long value) {
            return second.asQueue().offer(value);
        }

        @Operation(blocking = true)
        public long takeEither() {
            return atomic(() -> orElse(() -> take(first), () -> take(second)));
        }

        static Long take(TQueue<Long> queue) {
            Long value = queue.poll();
            if (value == null) {
                retry();
            }
            return value;
        }
    }

    /** The same over two {@link TBoundedQueue}s and their own {@code take}. */
    public static class EitherBoundedQueue {
        final TBoundedQueue<Long> first = new TBoundedQueue<>(2);
        final TBoundedQueue<Long> second = new TBoundedQueue<>(2);

        @Operation
        public boolean putFirst(long value) {
            return first.asBlockingQueue().offer(value);
        }

        @Operation
        public boolean putSecond(long value) {
            return second.asBlockingQueue().offer(value);
        }

        @Operation(blocking = true)
        public long takeEither() {
            return atomic(() -> orElse(first::take, second::take));
        }
    }

    /**
     * Broken twin: polls the first queue in one transaction and, finding it empty, waits on the
     * second in another; meanwhile the first may have received an element, which a take from
     * either queue must prefer.
     */
    public static class SplitEitherQueue extends EitherQueue {
        @Override
        @Operation(blocking = true)
        public long takeEither() {
            Long value = first.asQueue().poll();
            return value != null ? value : atomic(() -> take(second));
        }
    }

    /** The sequential specification: two FIFOs; a take with both empty would wait, so returns {@link #EMPTY}. */
    public static class EitherQueueSpec {
        private final ArrayDeque<Long> first = new ArrayDeque<>();
        private final ArrayDeque<Long> second = new ArrayDeque<>();

        public boolean putFirst(long value) {
            return first.offer(value);
        }

        public boolean putSecond(long value) {
            return second.offer(value);
        }

        public long takeEither() {
            Long value = first.isEmpty() ? second.poll() : first.poll();
            return value == null ? EMPTY : value;
        }
    }

    /** A {@link TBoundedQueue} of capacity 1: put waits while it is full, take while it is empty. */
    public static class OneSlotQueue {
        final TBoundedQueue<Long> queue = new TBoundedQueue<>(1);

        @Operation(blocking = true)
        public boolean put(long value) {
            atomic(() -> queue.put(value));
            return true;
        }

        @Operation(blocking = true)
        public long take() {
            return atomic(() -> queue.take());
        }

        @Operation
        public int size() {
            return queue.asBlockingQueue().size();
        }
    }

    /** The sequential one-slot FIFO; a put that would wait returns false, a take {@link #EMPTY}. */
    public static class OneSlotQueueSpec {
        private Long slot;

        public boolean put(long value) {
            if (slot != null) {
                return false;
            }
            slot = value;
            return true;
        }

        public long take() {
            if (slot == null) {
                return EMPTY;
            }
            long value = slot;
            slot = null;
            return value;
        }

        public int size() {
            return slot == null ? 0 : 1;
        }
    }

    private static List<ExecutionScenario> eitherScenarios(Class<?> structure) {
        return List.of(
                // the taker may start before both puts; it must then get the first queue's element
                BlockingScenario.of(structure).thread(call("takeEither"))
                        .thread(call("putFirst", 1L), call("putSecond", 2L)).after(call("takeEither")).build(),
                BlockingScenario.of(structure).thread(call("takeEither")).thread(call("takeEither"))
                        .thread(call("putSecond", 3L), call("putFirst", 4L)).build());
    }

    private static List<ExecutionScenario> oneSlotScenarios() {
        return List.of(
                BlockingScenario.of(OneSlotQueue.class).before(call("put", 1L))
                        .thread(call("put", 2L), call("size")).thread(call("take"), call("take")).build(),
                BlockingScenario.of(OneSlotQueue.class)
                        .thread(call("put", 3L), call("take")).thread(call("put", 4L), call("take")).build());
    }

    @Test
    void takeFromEitherOfTwoQueuesPrefersTheFirstAndWaitsForBoth() {
        WeftLincheck.checkScenarios(EitherQueue.class, EitherQueueSpec.class, eitherScenarios(EitherQueue.class));
    }

    @Test
    void takeFromEitherOfTwoBoundedQueuesPrefersTheFirstAndWaitsForBoth() {
        WeftLincheck.checkScenarios(EitherBoundedQueue.class, EitherQueueSpec.class,
                eitherScenarios(EitherBoundedQueue.class));
    }

    @Test
    void takeFromEitherSplitIntoTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> WeftLincheck.checkScenarios(SplitEitherQueue.class,
                EitherQueueSpec.class, eitherScenarios(SplitEitherQueue.class)));
    }

    /**
     * Regression test. Lincheck runs every check on new threads, so each check creates new
     * transaction descriptors. Their statistics counters used to be registered in a
     * {@code ConcurrentHashMap} (plus a {@code Cleaner}): when the map resized, in the first
     * transaction of a new thread around the sixth check, the model checker saw the resize loop as
     * an active lock and reported the execution as hung, then "Non-determinism found" because the
     * replay did not resize. The hang was never in the wait protocol. The counters are now pushed
     * onto a lock-free list (see {@code TxnCounters}); 30 repeated checks passed, and this test
     * repeats past the old failure point.
     */
    @Test
    void retryWaitNeverHangsWhenTheSameScenarioIsCheckedRepeatedly() {
        ExecutionScenario handOff = eitherScenarios(EitherQueue.class).get(0);
        for (int check = 0; check < 6 * WeftLincheck.scale(); check++) {
            WeftLincheck.checkScenarios(EitherQueue.class, EitherQueueSpec.class, List.of(handOff));
        }
    }

    @Test
    void boundedQueuePutAndTakeWaitAndAreLinearizable() {
        WeftLincheck.checkScenarios(OneSlotQueue.class, OneSlotQueueSpec.class, oneSlotScenarios());
    }
}
