package dev.weft.collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import dev.weft.stm.TxnOptions;
import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A polled node must not keep the nodes after it reachable (TQueue's invariant 3). A node polled
 * long ago that the garbage collector has promoted stays in memory until an old-generation
 * collection, and if it still pointed to its successor it would keep every node offered after it
 * alive through every young collection: the whole backlog copied again and again (GC nepotism;
 * hundreds of milliseconds of GC per second in the two-pair queue benchmark). The test plays the
 * promoted node: it holds a sentinel that was polled long ago, polls a few thousand elements past
 * it, and checks that the elements became garbage, all but the few before the next marked node.
 */
class QueueRetentionTest {
    private static final int ELEMENTS = 4_000;
    /** TQueue marks one polled node in RETIRE_EVERY (32); a held node keeps fewer reachable. */
    private static final int MOST_KEPT = 32;

    /** The sentinel a queue's head holds now (white-box: TQueue.head is private). */
    private static Object sentinel(TQueue<?> queue) throws ReflectiveOperationException {
        Field head = TQueue.class.getDeclaredField("head");
        head.setAccessible(true);
        return Barrier.peekObject((TxnCell) head.get(queue));
    }

    private static TQueue<?> queueOf(TBoundedQueue<?> bounded) throws ReflectiveOperationException {
        Field queue = TBoundedQueue.class.getDeclaredField("queue");
        queue.setAccessible(true);
        return (TQueue<?>) queue.get(bounded);
    }

    /**
     * An offer outside a transaction leaves the tail on the node it linked after when that was
     * the tail (it swings it every other time), so after one offer and one poll the tail is the
     * polled, marked sentinel (the first poll always marks): the next offer, in a transaction or
     * not, must walk on from the head instead of failing or appending to the dead node.
     */
    @Test
    void offersBehindATailLeftOnAMarkedNodeGoOnFromTheHead() {
        TQueue<String> queue = new TQueue<>();
        Queue<String> view = queue.asQueue();
        view.offer("a"); // the tail stays on the sentinel
        assertEquals("a", view.poll()); // the first poll: the old sentinel, still the tail, is marked
        view.offer("b"); // outside: meets the marked node, goes on from the head
        assertEquals("b", view.peek());
        assertEquals("b", view.poll());
        view.offer("c");
        assertEquals("c", view.poll());
        Stm.atomic(() -> queue.offer("d")); // in a transaction: last() from the tail, then from the head
        view.offer("e");
        assertEquals(List.of("d", "e"), new ArrayList<>(view));
        assertEquals("d", Stm.atomic(queue::poll));
        assertEquals("e", view.poll());
        assertTrue(view.isEmpty());
        assertEquals(0, view.size());

        TQueue<String> fresh = new TQueue<>();
        fresh.asQueue().offer("f");
        assertEquals("f", fresh.asQueue().poll()); // the tail is again the marked old sentinel
        Stm.atomic(() -> fresh.offer("g")); // the transaction's walk from the tail meets the mark
        fresh.asQueue().offer("h");
        assertEquals(List.of("g", "h"), new ArrayList<>(fresh.asQueue()));

        TBoundedQueue<String> bounded = new TBoundedQueue<>(4);
        java.util.concurrent.BlockingQueue<String> blocking = bounded.asBlockingQueue();
        for (String element : List.of("p", "q", "r", "s", "t", "u", "v", "w", "x")) {
            assertTrue(blocking.offer(element));
            assertEquals(element, blocking.poll());
        }
        assertTrue(blocking.offer("y"));
        assertTrue(Stm.atomic(() -> bounded.offer("z")));
        assertEquals(List.of("y", "z"), new ArrayList<>(blocking));
        assertEquals(2, blocking.size());
    }

    /**
     * Marking a polled node is optional, so an outside poll never waits for it: an irrevocable
     * transaction that reserved the old sentinel (its offer walked there from the tail, without
     * reading the head) must not hold up a poll that moves the head past it.
     */
    @Test
    void anOutsidePollDoesNotWaitForAnIrrevocableTransactionThatReservedTheNodeItLeaves()
            throws Exception {
        TQueue<String> queue = new TQueue<>();
        queue.asQueue().offer("a"); // the tail stays on the sentinel, which the first poll marks
        CountDownLatch reserved = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TxnOptions irrevocably = TxnOptions.DEFAULT.withIrrevocable(true);
        Thread irrevocable = new Thread(() -> Stm.atomic(irrevocably, () -> {
            queue.offer("b"); // walks from the tail: the sentinel, then "a"
            reserved.countDown();
            awaitQuietly(release);
        }));
        irrevocable.start();
        try {
            assertTrue(reserved.await(10, TimeUnit.SECONDS));
            FutureTask<String> poll = new FutureTask<>(queue.asQueue()::poll);
            Thread poller = new Thread(poll);
            poller.start();
            assertEquals("a", poll.get(10, TimeUnit.SECONDS),
                    "the poll waited for the irrevocable transaction");
        } finally {
            release.countDown();
            irrevocable.join();
        }
        assertEquals(List.of("b"), new ArrayList<>(queue.asQueue()));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"queue outside transactions", "queue in transactions",
            "bounded queue outside transactions", "bounded queue in transactions"})
    void aPolledNodeKeepsOnlyAFewNodesAfterItReachable(String kind) throws Exception {
        boolean bounded = kind.startsWith("bounded");
        boolean inTransactions = kind.endsWith("in transactions");
        TQueue<Object> plain = new TQueue<>();
        TBoundedQueue<Object> limited = new TBoundedQueue<>(ELEMENTS + 1);
        Queue<Object> view = bounded ? limited.asBlockingQueue() : plain.asQueue();
        TQueue<?> engine = bounded ? queueOf(limited) : plain;
        Function<Queue<Object>, Object> poll = inTransactions
                ? q -> Stm.atomic(() -> bounded ? limited.poll() : plain.poll())
                : Queue::poll;

        for (int i = 0; i < 5; i++) { // past the first poll, which always marks its node
            view.offer("before");
            assertEquals("before", poll.apply(view));
        }
        view.offer("first");
        Object held = sentinel(engine); // polled below, then kept: the "promoted" node
        List<WeakReference<Object>> elements = new ArrayList<>();
        for (int i = 0; i < ELEMENTS; i++) {
            Object element = new Object();
            elements.add(new WeakReference<>(element));
            view.offer(element);
        }
        assertEquals("first", poll.apply(view));
        for (int i = 0; i < ELEMENTS; i++) {
            assertTrue(poll.apply(view) != null, "element " + i + " missing");
        }
        assertTrue(view.isEmpty());

        int reachable = ELEMENTS;
        for (int attempt = 0; attempt < 20 && reachable > MOST_KEPT; attempt++) {
            System.gc();
            Thread.sleep(20);
            reachable = 0;
            for (WeakReference<Object> element : elements) {
                if (element.get() != null) {
                    reachable++;
                }
            }
        }
        assertTrue(reachable <= MOST_KEPT, kind + ": a node polled long ago still keeps " + reachable
                + " of " + ELEMENTS + " polled elements reachable");
        Reference.reachabilityFence(held); // the held node stays reachable up to here
    }
}
