package dev.weft.collections;

import com.google.common.collect.testing.QueueTestSuiteBuilder;
import com.google.common.collect.testing.TestStringQueueGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link TDeque#asBlockingDeque()} passes Guava's {@code Queue} contract suite from each end: as a
 * FIFO queue (add at the back, take from the front), as a LIFO stack ({@code push}/{@code pop} at
 * the front, {@link Collections#asLifoQueue}), and reversed (add at the front, take from the back,
 * iterate with {@code descendingIterator}). Guava's testlib has no {@code Deque} suite; these three
 * cover every end-specific method of the view between them. Each suite runs on the default chunks
 * and on chunks of two slots, where the few elements of a testlib case already cross chunks.
 */
class TDequeContractTest {
    private static final CollectionFeature[] FEATURES = {
        CollectionFeature.GENERAL_PURPOSE, CollectionFeature.KNOWN_ORDER, CollectionFeature.ALLOWS_NULL_QUERIES
    };

    /**
     * @param addsAtHead whether the face adds where it takes (a stack): then the elements are
     *                   added last to first, so that the first comes out first, as testlib expects
     */
    private static Stream<DynamicNode> queueSuite(String name, int chunkShift, Function<Deque<String>, Queue<String>> face,
            boolean addsAtHead) {
        return Testlib.tests(QueueTestSuiteBuilder.using(new TestStringQueueGenerator() {
                    @Override
                    protected Queue<String> create(String[] elements) {
                        Queue<String> queue = face.apply(new TDeque<String>(chunkShift).asBlockingDeque());
                        List<String> inOrder = new ArrayList<>(List.of(elements));
                        if (addsAtHead) {
                            Collections.reverse(inOrder);
                        }
                        queue.addAll(inOrder);
                        return queue;
                    }
                })
                .named(name + ", chunks of " + (1 << chunkShift))
                .withFeatures(FEATURES)
                .withFeatures(CollectionSize.ANY)
                .createTestSuite());
    }

    @TestFactory
    Stream<DynamicNode> asFifoQueueFrontToBack() {
        return Stream.concat(queueSuite("TDeque.asBlockingDeque", TDeque.DEFAULT_CHUNK_SHIFT, d -> d, false),
                queueSuite("TDeque.asBlockingDeque", 1, d -> d, false));
    }

    @TestFactory
    Stream<DynamicNode> asLifoStackAtTheFront() {
        return Stream.concat(queueSuite("asLifoQueue of TDeque", TDeque.DEFAULT_CHUNK_SHIFT, Collections::asLifoQueue, true),
                queueSuite("asLifoQueue of TDeque", 1, Collections::asLifoQueue, true));
    }

    @TestFactory
    Stream<DynamicNode> reversedAsFifoQueueBackToFront() {
        return Stream.concat(queueSuite("TDeque reversed", TDeque.DEFAULT_CHUNK_SHIFT, Reversed::new, false),
                queueSuite("TDeque reversed", 1, Reversed::new, false));
    }

    /**
     * The deque seen from the back: offers at the front, polls and peeks at the back, iterates
     * last to first. Every method is one call of the view, so each is one transaction.
     */
    static final class Reversed extends AbstractQueue<String> {
        private final Deque<String> deque;

        Reversed(Deque<String> deque) {
            this.deque = deque;
        }

        @Override
        public boolean offer(String e) {
            return deque.offerFirst(e);
        }

        @Override
        public String poll() {
            return deque.pollLast();
        }

        @Override
        public String peek() {
            return deque.peekLast();
        }

        @Override
        public String remove() {
            return deque.removeLast();
        }

        @Override
        public String element() {
            return deque.getLast();
        }

        @Override
        public boolean remove(Object o) {
            return deque.removeLastOccurrence(o);
        }

        @Override
        public boolean contains(Object o) {
            return deque.contains(o);
        }

        @Override
        public Iterator<String> iterator() {
            return deque.descendingIterator();
        }

        @Override
        public int size() {
            return deque.size();
        }

        @Override
        public void clear() {
            deque.clear();
        }
    }
}
