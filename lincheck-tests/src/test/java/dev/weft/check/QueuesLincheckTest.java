package dev.weft.check;

import static dev.weft.check.BlockingScenario.call;
import static dev.weft.stm.Stm.atomic;

import dev.weft.collections.TBoundedQueue;
import dev.weft.collections.TPriorityQueue;
import dev.weft.collections.TQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * The non-blocking operations of the queues are linearizable: {@link TQueue}'s {@code Queue} view
 * against an {@link ArrayDeque}, {@link TBoundedQueue}'s {@code BlockingQueue} view (capacity 2:
 * {@code offer} refuses when full) against a bounded {@code ArrayDeque}, and
 * {@link TPriorityQueue}'s view against a {@link PriorityQueue}; each with a two-element poll in
 * one transaction. The blocking ones are in {@link BlockingCollectionsLincheckTest}.
 */
class QueuesLincheckTest {
    static final int CAPACITY = 2;

    @Param(name = "element", gen = IntGen.class, conf = "1:3")
    public static class QueueView {
        final TQueue<Integer> queue = new TQueue<>();
        final Queue<Integer> view = queue.asQueue();

        @Operation
        public boolean offer(@Param(name = "element") int element) {
            return view.offer(element);
        }

        @Operation
        public Integer poll() {
            return view.poll();
        }

        @Operation
        public Integer peek() {
            return view.peek();
        }

        @Operation
        public int size() {
            return view.size();
        }

        @Operation
        public boolean isEmpty() {
            return view.isEmpty();
        }

        /** Two polls in one transaction: never interleaved with another consumer. */
        @Operation
        public String pollTwo() {
            return atomic(() -> queue.poll() + "," + queue.poll());
        }
    }

    /**
     * The view's one-cell operations outside transactions ({@code offer}, {@code poll},
     * {@code peek}, {@code isEmpty}) against transactions on the same queue: an offer in a
     * transaction (walks a lagging tail) and {@code remove(Object)} (moves the head, or unlinks a
     * node and writes the tail). Every pair of them interleaves under the model checker.
     */
    @Param(name = "element", gen = IntGen.class, conf = "1:2")
    public static class QueueOneCellView {
        final TQueue<Integer> queue = new TQueue<>();
        final Queue<Integer> view = queue.asQueue();

        @Operation
        public boolean offer(@Param(name = "element") int element) {
            return view.offer(element);
        }

        @Operation
        public Integer poll() {
            return view.poll();
        }

        @Operation
        public Integer peek() {
            return view.peek();
        }

        @Operation
        public boolean isEmpty() {
            return view.isEmpty();
        }

        @Operation
        public boolean remove(@Param(name = "element") int element) {
            return view.remove(element);
        }

        @Operation
        public boolean offerInTransaction(@Param(name = "element") int element) {
            return atomic(() -> queue.offer(element));
        }
    }

    /** Broken twin: {@code poll} peeks in one transaction and removes the element in another. */
    @Param(name = "element", gen = IntGen.class, conf = "1:3")
    public static class PeekThenRemoveQueue {
        final Queue<Integer> view = new TQueue<Integer>().asQueue();

        @Operation
        public boolean offer(@Param(name = "element") int element) {
            return view.offer(element);
        }

        @Operation
        public Integer poll() {
            Integer head = view.peek();
            if (head != null) {
                view.remove(head); // another poll may have taken it since: both return it
            }
            return head;
        }
    }

    /** The sequential FIFO of {@link QueueView}, {@link BoundedQueueView} and the twins; unbounded by default. */
    public static class FifoSpec {
        private final ArrayDeque<Integer> queue = new ArrayDeque<>();
        private final int capacity;

        public FifoSpec() {
            this(Integer.MAX_VALUE);
        }

        FifoSpec(int capacity) {
            this.capacity = capacity;
        }

        public boolean offer(int element) {
            if (queue.size() == capacity) {
                return false;
            }
            return queue.offer(element);
        }

        public Integer poll() {
            return queue.poll();
        }

        public Integer peek() {
            return queue.peek();
        }

        public int size() {
            return queue.size();
        }

        public boolean isEmpty() {
            return queue.isEmpty();
        }

        public int remainingCapacity() {
            return capacity - queue.size();
        }

        public String pollTwo() {
            return queue.poll() + "," + queue.poll();
        }

        public boolean remove(int element) {
            return queue.removeFirstOccurrence(element);
        }

        public boolean offerInTransaction(int element) {
            return offer(element);
        }

        public String drainTwo() {
            List<Integer> target = new ArrayList<>();
            for (Integer e; target.size() < 2 && (e = queue.poll()) != null; ) {
                target.add(e);
            }
            return target.size() + ":" + target;
        }
    }

    public static class BoundedFifoSpec extends FifoSpec {
        public BoundedFifoSpec() {
            super(CAPACITY);
        }
    }

    @Param(name = "element", gen = IntGen.class, conf = "1:3")
    public static class BoundedQueueView {
        final TBoundedQueue<Integer> queue = new TBoundedQueue<>(CAPACITY);
        final BlockingQueue<Integer> view = queue.asBlockingQueue();

        @Operation
        public boolean offer(@Param(name = "element") int element) {
            return view.offer(element);
        }

        @Operation
        public Integer poll() {
            return view.poll();
        }

        @Operation
        public Integer peek() {
            return view.peek();
        }

        @Operation
        public int size() {
            return view.size();
        }

        @Operation
        public int remainingCapacity() {
            return view.remainingCapacity();
        }

        @Operation
        public String pollTwo() {
            return atomic(() -> queue.poll() + "," + queue.poll());
        }

        @Operation
        public boolean remove(@Param(name = "element") int element) {
            return view.remove(element);
        }
    }

    /**
     * The bounded view's {@code drainTo} (of up to two) against offers and polls. Stress only:
     * a drain outside a transaction is irrevocable, and the engine's irrevocable token is a
     * {@code ReentrantLock}, which Lincheck 3.7's model checker reports as a hang when two drains
     * meet; with real threads they never hang ({@code DrainTest.concurrentDrainsFinishAndTakeEachTokenOnce}).
     */
    @Param(name = "element", gen = IntGen.class, conf = "1:3")
    public static class DrainingBoundedQueue {
        final BlockingQueue<Integer> view = new TBoundedQueue<Integer>(CAPACITY).asBlockingQueue();

        @Operation
        public boolean offer(@Param(name = "element") int element) {
            return view.offer(element);
        }

        @Operation
        public Integer poll() {
            return view.poll();
        }

        @Operation
        public String drainTwo() {
            List<Integer> target = new ArrayList<>();
            return view.drainTo(target, 2) + ":" + target;
        }
    }

    /**
     * Broken twin of a bounded queue: {@code offer} checks for room in one transaction and
     * appends (to an unbounded {@link TQueue}) in another, so two offers can overfill it.
     */
    @Param(name = "element", gen = IntGen.class, conf = "1:3")
    public static class CheckRoomThenOfferQueue {
        final Queue<Integer> view = new TQueue<Integer>().asQueue();

        @Operation
        public boolean offer(@Param(name = "element") int element) {
            if (view.size() >= CAPACITY) {
                return false;
            }
            return view.offer(element);
        }

        @Operation
        public Integer poll() {
            return view.poll();
        }

        @Operation
        public int size() {
            return view.size();
        }
    }

    @Param(name = "element", gen = IntGen.class, conf = "1:4")
    public static class PriorityQueueView {
        final TPriorityQueue<Integer> queue = new TPriorityQueue<>();
        final Queue<Integer> view = queue.asQueue();

        @Operation
        public boolean offer(@Param(name = "element") int element) {
            return view.offer(element);
        }

        @Operation
        public Integer poll() {
            return view.poll();
        }

        @Operation
        public Integer peek() {
            return view.peek();
        }

        @Operation
        public int size() {
            return view.size();
        }

        @Operation
        public String pollTwo() {
            return atomic(() -> queue.poll() + "," + queue.poll());
        }
    }

    /** Broken twin: {@code poll} peeks at the minimum in one transaction and removes it in another. */
    @Param(name = "element", gen = IntGen.class, conf = "1:4")
    public static class PeekThenRemovePriorityQueue {
        final Queue<Integer> view = new TPriorityQueue<Integer>().asQueue();

        @Operation
        public boolean offer(@Param(name = "element") int element) {
            return view.offer(element);
        }

        @Operation
        public Integer poll() {
            Integer least = view.peek();
            if (least != null) {
                view.remove(least);
            }
            return least;
        }
    }

    /** The sequential specification of {@link PriorityQueueView}: a {@link PriorityQueue}. */
    public static class PriorityQueueSpec {
        private final PriorityQueue<Integer> queue = new PriorityQueue<>();

        public boolean offer(int element) {
            return queue.offer(element);
        }

        public Integer poll() {
            return queue.poll();
        }

        public Integer peek() {
            return queue.peek();
        }

        public int size() {
            return queue.size();
        }

        public String pollTwo() {
            return queue.poll() + "," + queue.poll();
        }
    }

    @Test
    void queueViewIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(FifoSpec.class).check(QueueView.class);
    }

    @Test
    void queueViewIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(FifoSpec.class).check(QueueView.class);
    }

    @Test
    void oneCellOperationsAreLinearizableWithTransactionsUnderModelChecking() {
        CollectionLincheck.modelChecking().invocationsPerIteration(4 * 25 * WeftLincheck.scale())
                .sequentialSpecification(FifoSpec.class).check(QueueOneCellView.class);
    }

    /**
     * The races the one-cell path must survive, each explored interleaving by interleaving: an
     * offer linking behind the last node while a transaction unlinks it; an offer swinging the
     * tail onto a node unlinked after it linked it (a swing that compared values would succeed
     * and strand the tail on a removed node); an offer in flight behind a removed node the tail
     * still points to, then a transactional offer walking from the tail; a one-cell poll against
     * the removal of the first element.
     *
     * <p>Checked by hand against four broken variants of TQueue: a tail swing that compares values
     * (the second scenario hangs), an unlink that leaves the removed node's successor null (the
     * first loses 3), removal of the first element by unlinking instead of moving the head (caught
     * here and by the random scenarios), and an unlink that writes the tail only when it removes
     * the last node (the third: caught at {@code weft.test.scale} 10, so by {@code -Pstress},
     * which runs 20, not at the default 1).
     */
    @Test
    void oneCellOperationsSurviveRemovalsAtEitherEnd() {
        Class<QueueOneCellView> queue = QueueOneCellView.class;
        WeftLincheck.checkScenarios(queue, FifoSpec.class, List.of(
                BlockingScenario.of(queue).before(call("offer", 1), call("offer", 2))
                        .thread(call("offer", 3)).thread(call("remove", 2))
                        .after(call("poll"), call("poll"), call("poll")).build(),
                BlockingScenario.of(queue).before(call("offer", 1))
                        .thread(call("offer", 2), call("offer", 3)).thread(call("remove", 2))
                        .after(call("poll"), call("poll"), call("poll")).build(),
                BlockingScenario.of(queue).before(call("offer", 1), call("offer", 2))
                        .thread(call("offer", 3)).thread(call("remove", 2), call("offerInTransaction", 4))
                        .after(call("poll"), call("poll"), call("poll"), call("poll")).build(),
                BlockingScenario.of(queue).before(call("offer", 1), call("offer", 2))
                        .thread(call("poll"), call("peek")).thread(call("remove", 1), call("isEmpty"))
                        .after(call("poll"), call("poll")).build()));
    }

    /**
     * The first poll of a queue marks the node it leaves behind as polled (so that a promoted
     * polled node keeps no chain of successors reachable), and the tail may still point to that
     * node: an offer outside a transaction, or in one, that starts from the tail meets the mark
     * and must go on from the head. Interleaving by interleaving: offers racing with the first
     * poll, with the tail left behind on the marked node by an offer that linked behind the tail
     * without swinging it (the unbounded view's offers swing it every other time).
     *
     * <p>Checked by hand against two broken variants of TQueue, each caught here: an offer
     * outside a transaction that walks into the mark as if it were a node, and a transactional
     * offer whose walk from the tail stops at the mark (it fails on a null last node).
     */
    @Test
    void offersMeetingAPolledNodeGoOnFromTheHead() {
        Class<QueueOneCellView> queue = QueueOneCellView.class;
        WeftLincheck.checkScenarios(queue, FifoSpec.class, List.of(
                BlockingScenario.of(queue).before(call("offer", 1))
                        .thread(call("poll"), call("offer", 2)).thread(call("offer", 3))
                        .after(call("poll"), call("poll"), call("poll")).build(),
                BlockingScenario.of(queue).before(call("offer", 1))
                        .thread(call("poll")).thread(call("offerInTransaction", 2), call("offer", 3))
                        .after(call("poll"), call("poll"), call("poll")).build()));
    }

    /**
     * The bounded view's offers swing the tail right after their link, so the tail is left on
     * the marked node only in the window between another producer's link and its swing, when
     * the first poll takes the element just linked: a second producer reading the tail then must
     * move it to the head, not onto the mark. Checked by hand against a broken
     * offerCountedOutside that helps the tail onto whatever successor it finds (the mark too):
     * caught here.
     */
    @Test
    void boundedOffersMeetingAPolledNodeMoveTheTailToTheHead() {
        Class<BoundedQueueView> queue = BoundedQueueView.class;
        WeftLincheck.checkScenarios(queue, BoundedFifoSpec.class, List.of(
                BlockingScenario.of(queue)
                        .thread(call("offer", 1)).thread(call("poll"), call("offer", 2))
                        .after(call("poll"), call("poll"), call("size")).build()));
    }

    @Test
    void oneCellOperationsAreLinearizableWithTransactionsUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(FifoSpec.class).check(QueueOneCellView.class);
    }

    @Test
    void pollOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> CollectionLincheck.twin(FifoSpec.class).check(PeekThenRemoveQueue.class));
    }

    @Test
    void boundedQueueViewIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(BoundedFifoSpec.class).check(BoundedQueueView.class);
    }

    @Test
    void boundedQueueViewIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(BoundedFifoSpec.class).check(BoundedQueueView.class);
    }

    @Test
    void boundedQueueDrainsAreLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(BoundedFifoSpec.class).check(DrainingBoundedQueue.class);
    }

    /**
     * The races of the bounded view's one-commit offers and polls (outside transactions an offer
     * links and numbers its node in one commit on the last node, a poll moves the head in the
     * same commit as its count), interleaving by interleaving: two offers racing for the last
     * place; an offer that finds the queue full by its producers' stale copy of the consumers'
     * count while a poll frees a place; offers against a transaction that takes two elements and
     * reads the counts; offers against removals of the last element (the node before it takes
     * its number) and of the first.
     *
     * <p>Checked by hand against broken variants, each caught by at least one scenario: (session
     * 9, when the count of offers was a cell of its own) without the second look at the count's
     * stamp before the link, and with the count added in a second operation after the link;
     * (session 13) with the node before an unlinked last node keeping its own number.
     */
    @Test
    void boundedOneCommitOperationsKeepTheirCounts() {
        Class<BoundedQueueView> queue = BoundedQueueView.class;
        WeftLincheck.checkScenarios(queue, BoundedFifoSpec.class, List.of(
                BlockingScenario.of(queue).before(call("offer", 1))
                        .thread(call("offer", 2)).thread(call("offer", 3), call("size"))
                        .after(call("poll"), call("poll"), call("poll")).build(),
                BlockingScenario.of(queue).before(call("offer", 1), call("offer", 2), call("poll"), call("offer", 1))
                        .thread(call("poll"), call("size")).thread(call("offer", 3), call("remainingCapacity"))
                        .after(call("poll"), call("poll"), call("poll")).build(),
                BlockingScenario.of(queue).before(call("offer", 1))
                        .thread(call("offer", 2), call("offer", 3)).thread(call("pollTwo"), call("size"))
                        .after(call("poll"), call("poll"), call("size")).build(),
                BlockingScenario.of(queue).before(call("offer", 1), call("offer", 2))
                        .thread(call("remove", 2)).thread(call("offer", 3), call("size"))
                        .after(call("poll"), call("poll"), call("poll"), call("size")).build(),
                BlockingScenario.of(queue).before(call("offer", 1), call("offer", 2))
                        .thread(call("remove", 1), call("offer", 1)).thread(call("offer", 3), call("remainingCapacity"))
                        .after(call("poll"), call("poll"), call("poll"), call("size")).build()));
    }

    @Test
    void offerThatChecksRoomInASeparateTransactionIsCaught() {
        ExpectedViolation.assertCaught(
                () -> CollectionLincheck.twin(BoundedFifoSpec.class).check(CheckRoomThenOfferQueue.class));
    }

    @Test
    void priorityQueueViewIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(PriorityQueueSpec.class).check(PriorityQueueView.class);
    }

    @Test
    void priorityQueueViewIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(PriorityQueueSpec.class).check(PriorityQueueView.class);
    }

    @Test
    void priorityPollOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(
                () -> CollectionLincheck.twin(PriorityQueueSpec.class).check(PeekThenRemovePriorityQueue.class));
    }
}
