package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Spliterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class QueuesTest {
    /** Takes one element from a TQueue; {@code window} runs where a broken consumer is not atomic. */
    @FunctionalInterface
    interface Consumer {
        Long take(TQueue<Long> queue, Runnable window);
    }

    /** Producer p offered {@code p * STRIDE + i} for i in {@code 0 .. perProducer-1}. */
    static final long STRIDE = 1_000_000_000L;

    static final Consumer ATOMIC_POLL = (queue, window) -> queue.asQueue().poll();

    /** Broken: looks at the head in one transaction and removes it in another. */
    static final Consumer PEEK_THEN_POLL = (queue, window) -> {
        Long head = queue.asQueue().peek();
        if (head != null) {
            window.run();
            queue.asQueue().poll();
        }
        return head;
    };

    /**
     * Two producers offer increasing numbers while two consumers take them; every element must be
     * taken exactly once, and each producer's elements in the order offered. Each consumer's window
     * lets the other side take one element right there.
     */
    static void assertEachElementTakenOnceInOrder(Consumer consumer, long seed) {
        TQueue<Long> queue = new TQueue<>();
        int perProducer = Scale.of(20_000);
        Queue<Long> takenByWindow = new ConcurrentLinkedQueue<>();
        List<List<Long>> taken = List.of(new ArrayList<>(), new ArrayList<>());
        AtomicInteger remaining = new AtomicInteger(2 * perProducer);
        Racers.Body producer = thread -> {
            for (long i = 0; i < perProducer; i++) {
                long element = thread * STRIDE + i;
                atomic(() -> queue.offer(element));
            }
        };
        Racers.Body consumerBody = thread -> {
            List<Long> mine = taken.get(thread - 2);
            while (remaining.get() > 0) {
                Long e = consumer.take(queue, () -> {
                    Long other = queue.asQueue().poll();
                    if (other != null) {
                        takenByWindow.add(other);
                        remaining.decrementAndGet();
                    }
                });
                if (e != null) {
                    mine.add(e);
                    remaining.decrementAndGet();
                }
            }
        };
        Racers.run(seed, producer, producer, consumerBody, consumerBody);
        List<Long> elsewhere = new ArrayList<>(takenByWindow);
        elsewhere.addAll(queue.asQueue());
        assertEachTakenOnceInOrder(taken, elsewhere, 2, perProducer, seed);
    }

    /**
     * Every element of {@code producers} producers is in exactly one of the consumers' lists
     * ({@code taken}) or in {@code elsewhere}, and each consumer took each producer's elements in
     * the order offered.
     */
    static void assertEachTakenOnceInOrder(List<List<Long>> taken, List<Long> elsewhere, int producers,
            int perProducer, long seed) {
        List<Long> all = new ArrayList<>(elsewhere);
        for (List<Long> mine : taken) {
            long[] last = new long[producers];
            Arrays.fill(last, -1);
            for (long e : mine) {
                int p = (int) (e / STRIDE);
                assertTrue(e > last[p], "out of order: " + e + " after " + last[p] + " (seed " + seed + ")");
                last[p] = e;
            }
            all.addAll(mine);
        }
        all.sort(Comparator.naturalOrder());
        List<Long> expected = new ArrayList<>();
        for (long p = 0; p < producers; p++) {
            for (long i = 0; i < perProducer; i++) {
                expected.add(p * STRIDE + i);
            }
        }
        assertEquals(expected, all, "elements lost or taken twice (seed " + seed + ")");
    }

    @Test
    void concurrentProducersAndConsumersTakeEachElementOnceInOrder() {
        assertEachElementTakenOnceInOrder(ATOMIC_POLL, System.nanoTime());
    }

    @Test
    void brokenTwinPeekThenPollInTwoTransactionsIsCaught() {
        long seed = System.nanoTime();
        assertThrows(AssertionFailedError.class, () -> assertEachElementTakenOnceInOrder(PEEK_THEN_POLL, seed),
                "seed " + seed);
    }

    /**
     * The view's one-cell fast path (offers and polls outside transactions) mixed with
     * transactional offers and with removals of the last element, which unlink it and move the
     * tail back while one-cell offers link behind it and swing the tail: every element is taken or
     * removed exactly once, each producer's in order, and the queue still works afterwards.
     */
    @Test
    void oneCellOffersAndPollsStayExactlyOnceAgainstTransactionsAndRemovals() {
        long seed = System.nanoTime();
        TQueue<Long> queue = new TQueue<>();
        Queue<Long> view = queue.asQueue();
        int perProducer = Scale.of(20_000);
        Queue<Long> removed = new ConcurrentLinkedQueue<>();
        List<List<Long>> taken = List.of(new ArrayList<>(), new ArrayList<>());
        AtomicInteger remaining = new AtomicInteger(3 * perProducer);
        Racers.Body oneCellProducer = thread -> {
            for (long i = 0; i < perProducer; i++) {
                view.offer(i);
            }
        };
        Racers.Body transactionalProducer = thread -> {
            for (long i = 0; i < perProducer; i++) {
                long element = STRIDE + i;
                atomic(() -> queue.offer(element));
            }
        };
        Racers.Body offerThenRemove = thread -> { // its element is usually the last one
            for (long i = 0; i < perProducer; i++) {
                Long element = 2 * STRIDE + i;
                view.offer(element);
                if (view.remove(element)) {
                    removed.add(element);
                    remaining.decrementAndGet();
                }
            }
        };
        Racers.Body consumer = thread -> {
            List<Long> mine = taken.get(thread - 3);
            while (remaining.get() > 0) {
                Long e = view.poll();
                if (e != null) {
                    mine.add(e);
                    remaining.decrementAndGet();
                }
            }
        };
        Racers.run(seed, oneCellProducer, transactionalProducer, offerThenRemove, consumer, consumer);
        assertEquals(0, view.size(), "left over: " + view + " (seed " + seed + ")");
        assertEachTakenOnceInOrder(taken, List.copyOf(removed), 3, perProducer, seed);
        view.offer(7L);
        atomic(() -> queue.offer(8L));
        view.offer(9L);
        assertEquals(List.of(7L, 8L, 9L), List.copyOf(view), "seed " + seed);
        assertEquals(7L, view.poll());
        assertEquals(List.of(8L, 9L), atomic(() -> List.of(queue.poll(), queue.poll())));
        assertNull(view.poll());
    }

    @Test
    void aHandOverBetweenQueuesIsAllOrNothing() {
        TQueue<String> inbox = new TQueue<>(), done = new TQueue<>();
        inbox.asQueue().add("job");
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            done.offer(inbox.poll().toUpperCase());
            throw new DeliberateFailure();
        }));
        assertEquals(List.of("job"), List.copyOf(inbox.asQueue()));
        assertTrue(done.asQueue().isEmpty());
        atomic(() -> done.offer(inbox.poll().toUpperCase()));
        assertEquals(List.of("JOB"), List.copyOf(done.asQueue()));
        assertEquals(0, inbox.asQueue().size());
        assertThrows(IllegalStateException.class, () -> inbox.offer("outside"));
    }

    @Test
    void priorityQueuePollsInOrderAgreeingWithPriorityQueue() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        TPriorityQueue<Integer> queue = new TPriorityQueue<>(Comparator.reverseOrder());
        java.util.PriorityQueue<Integer> model = new java.util.PriorityQueue<>(Comparator.reverseOrder());
        for (int step = 0; step < Scale.of(20_000); step++) {
            if (random.nextInt(3) > 0) {
                int e = random.nextInt(1_000);
                model.add(e);
                queue.asQueue().add(e);
            } else {
                assertEquals(model.poll(), queue.asQueue().poll(), "step " + step + " (seed " + seed + ")");
            }
        }
        assertEquals(model.size(), queue.asQueue().size());
        int size = model.size();
        List<Integer> drained = Stm.atomic(() -> {
            List<Integer> out = new ArrayList<>();
            for (Integer e; (e = queue.poll()) != null; ) {
                out.add(e);
            }
            return out;
        });
        List<Integer> expected = new ArrayList<>();
        while (!model.isEmpty()) {
            expected.add(model.poll());
        }
        assertEquals(expected, drained);
        assertEquals(size, drained.size());
        assertNull(queue.asQueue().peek());
    }

    @Test
    void longArraySlotsAreIndependentCellsAndTheSumIsConsistent() {
        TLongArray array = new TLongArray(16);
        long seed = System.nanoTime();
        int moves = Scale.of(20_000);
        array.atomic().set(0, 1_000);
        Racers.Body mover = thread -> {
            Random random = new Random(seed + thread);
            for (int i = 0; i < moves; i++) {
                int from = random.nextInt(16), to = random.nextInt(16);
                atomic(() -> {
                    array.addAndGet(from, -1);
                    array.addAndGet(to, 1);
                });
            }
        };
        Racers.Body auditor = thread -> {
            for (int i = 0; i < moves / 10; i++) {
                assertEquals(1_000, array.atomic().sum(), "seed " + seed);
            }
        };
        Racers.run(seed, mover, mover, auditor);
        assertEquals(1_000, array.atomic().sum());
        long before = array.atomic().get(3);
        assertEquals(before + 5, array.atomic().addAndGet(3, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> array.atomic().get(16));
    }

    /**
     * Streams over every queue view while another thread polls and offers (99 or 100 elements at
     * every moment): a stream sees one snapshot and never fails. ({@code AbstractCollection}'s
     * spliterator promised SIZED with a size() of another moment: "End size .. is less than
     * fixed size ..".) FIFO views' spliterators are ORDERED, the priority queue's are not.
     */
    @Test
    void streamsOverQueueViewsSurviveConcurrentChanges() throws Exception {
        List<Queue<Integer>> views = List.of(new TQueue<Integer>().asQueue(),
                new TBoundedQueue<Integer>(1_000).asBlockingQueue(),
                new TDeque<Integer>().asBlockingDeque(),
                new TPriorityQueue<Integer>(Comparator.naturalOrder()).asQueue());
        for (Queue<Integer> view : views) {
            for (int i = 0; i < 100; i++) {
                view.offer(i);
            }
            AtomicBoolean running = new AtomicBoolean(true);
            Thread changer = new Thread(() -> {
                while (running.get()) {
                    view.offer(view.poll());
                }
            });
            changer.start();
            try {
                long end = System.nanoTime() + 200_000_000L;
                for (int streams = 0; streams < 100 || System.nanoTime() < end; streams++) {
                    int length = view.stream().toArray().length;
                    assertTrue(length == 99 || length == 100, view.getClass().getName() + ": " + length);
                    long count = view.stream().count();
                    assertTrue(count == 99 || count == 100, view.getClass().getName() + ": " + count);
                }
            } finally {
                running.set(false);
                changer.join();
            }
            boolean fifo = !(view == views.get(3));
            assertEquals(fifo, (view.spliterator().characteristics() & Spliterator.ORDERED) != 0,
                    view.getClass().getName() + " ORDERED");
        }
    }

    /**
     * Regression (session 19): a queue's iterator made inside a nested scope copies what that
     * scope sees, its own offers included; once the scope rolled back, those elements were never
     * in the queue, and the iterator must not hand them out (they could reach the enclosing
     * transaction's writes). TQueue, TBoundedQueue (its view's iterator is TQueue's) and
     * TPriorityQueue: ConcurrentModificationException from next() and remove(); an iterator made
     * in a scope that committed goes on.
     */
    @Test
    void anIteratorMadeInARolledBackScopeRefuses() {
        List<Queue<Integer>> views = List.of(new TQueue<Integer>().asQueue(),
                new TBoundedQueue<Integer>(10).asBlockingQueue(), new TPriorityQueue<Integer>(Comparator.naturalOrder()).asQueue());
        for (Queue<Integer> view : views) {
            view.add(1);
            String name = view.getClass().getName();
            atomic(() -> {
                AtomicReference<Iterator<Integer>> made = new AtomicReference<>();
                assertThrows(DeliberateFailure.class, () -> atomic(() -> {
                    view.add(99);
                    made.set(view.iterator());
                    throw new DeliberateFailure();
                }), name);
                assertEquals(List.of(1), List.copyOf(view), name);
                assertThrows(ConcurrentModificationException.class, made.get()::next, name + ": handed out a rolled-back element");
                assertThrows(ConcurrentModificationException.class, made.get()::remove, name);
                Iterator<Integer> committed = atomic(() -> view.iterator());
                assertEquals(1, committed.next(), name);
            });
            assertEquals(List.of(1), List.copyOf(view), name);
        }
    }
}
