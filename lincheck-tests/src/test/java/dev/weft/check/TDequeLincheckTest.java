package dev.weft.check;

import static dev.weft.stm.Stm.atomic;

import dev.weft.collections.TDeque;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * The non-blocking operations of {@link TDeque}'s {@code BlockingDeque} view are linearizable
 * against an {@link ArrayDeque}, with two in-transaction operations composed of two calls each (a
 * poll at both ends, and a rotation from the front to the back). A new deque's ends start at a
 * chunk's edge, so even these short scenarios cross chunks in both directions. The blocking
 * {@code takeFirst}/{@code takeLast} are left out: Lincheck reports waits with {@code retry()} as
 * hung now and then (see {@link BlockingCollectionsLincheckTest}); {@code TDequeTest} checks them.
 */
class TDequeLincheckTest {

    @Param(name = "element", gen = IntGen.class, conf = "1:3")
    public static class DequeView {
        final TDeque<Integer> deque = new TDeque<>();
        final BlockingDeque<Integer> view = deque.asBlockingDeque();

        @Operation
        public boolean offerFirst(@Param(name = "element") int element) {
            return view.offerFirst(element);
        }

        @Operation
        public boolean offerLast(@Param(name = "element") int element) {
            return view.offerLast(element);
        }

        @Operation
        public Integer pollFirst() {
            return view.pollFirst();
        }

        @Operation
        public Integer pollLast() {
            return view.pollLast();
        }

        @Operation
        public Integer peekFirst() {
            return view.peekFirst();
        }

        @Operation
        public Integer peekLast() {
            return view.peekLast();
        }

        @Operation
        public int size() {
            return view.size();
        }

        @Operation
        public boolean isEmpty() {
            return view.isEmpty();
        }

        @Operation
        public boolean removeLastOccurrence(@Param(name = "element") int element) {
            return view.removeLastOccurrence(element);
        }

        /** A poll at each end in one transaction: never interleaved with another change. */
        @Operation
        public String pollBoth() {
            return atomic(() -> deque.pollFirst() + "," + deque.pollLast());
        }

        /** Moves the first element to the back in one transaction; returns it. */
        @Operation
        public Integer rotate() {
            return atomic(() -> {
                Integer first = deque.pollFirst();
                if (first != null) {
                    deque.offerLast(first);
                }
                return first;
            });
        }
    }

    /**
     * The view's {@code drainTo} (of up to two, from the front) against offers and polls at both
     * ends. Stress only, as {@code QueuesLincheckTest.DrainingBoundedQueue} says why.
     */
    @Param(name = "element", gen = IntGen.class, conf = "1:3")
    public static class DrainingDeque {
        final BlockingDeque<Integer> view = new TDeque<Integer>().asBlockingDeque();

        @Operation
        public boolean offerFirst(@Param(name = "element") int element) {
            return view.offerFirst(element);
        }

        @Operation
        public boolean offerLast(@Param(name = "element") int element) {
            return view.offerLast(element);
        }

        @Operation
        public Integer pollLast() {
            return view.pollLast();
        }

        @Operation
        public String drainTwo() {
            List<Integer> target = new ArrayList<>();
            return view.drainTo(target, 2) + ":" + target;
        }
    }

    /** Broken twin: {@code pollLast} peeks in one transaction and removes the element in another. */
    @Param(name = "element", gen = IntGen.class, conf = "1:3")
    public static class PeekThenRemoveDeque {
        final BlockingDeque<Integer> view = new TDeque<Integer>().asBlockingDeque();

        @Operation
        public boolean offerFirst(@Param(name = "element") int element) {
            return view.offerFirst(element);
        }

        @Operation
        public boolean offerLast(@Param(name = "element") int element) {
            return view.offerLast(element);
        }

        @Operation
        public Integer pollLast() {
            Integer last = view.peekLast();
            if (last != null) {
                view.removeLastOccurrence(last); // another poll may have taken it since: both return it
            }
            return last;
        }
    }

    /** The sequential specification of {@link DequeView} and the twin: an {@link ArrayDeque}. */
    public static class DequeSpec {
        private final ArrayDeque<Integer> deque = new ArrayDeque<>();

        public boolean offerFirst(int element) {
            return deque.offerFirst(element);
        }

        public boolean offerLast(int element) {
            return deque.offerLast(element);
        }

        public Integer pollFirst() {
            return deque.pollFirst();
        }

        public Integer pollLast() {
            return deque.pollLast();
        }

        public Integer peekFirst() {
            return deque.peekFirst();
        }

        public Integer peekLast() {
            return deque.peekLast();
        }

        public int size() {
            return deque.size();
        }

        public boolean isEmpty() {
            return deque.isEmpty();
        }

        public boolean removeLastOccurrence(int element) {
            return deque.removeLastOccurrence(element);
        }

        public String pollBoth() {
            return deque.pollFirst() + "," + deque.pollLast();
        }

        public Integer rotate() {
            Integer first = deque.pollFirst();
            if (first != null) {
                deque.offerLast(first);
            }
            return first;
        }

        public String drainTwo() {
            List<Integer> target = new ArrayList<>();
            for (Integer e; target.size() < 2 && (e = deque.pollFirst()) != null; ) {
                target.add(e);
            }
            return target.size() + ":" + target;
        }
    }

    @Test
    void dequeViewIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(DequeSpec.class).check(DequeView.class);
    }

    @Test
    void dequeViewIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(DequeSpec.class).check(DequeView.class);
    }

    @Test
    void drainsAreLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(DequeSpec.class).check(DrainingDeque.class);
    }

    @Test
    void pollLastOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> CollectionLincheck.twin(DequeSpec.class).check(PeekThenRemoveDeque.class));
    }
}
