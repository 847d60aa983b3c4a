package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.testing.QueueTestSuiteBuilder;
import com.google.common.collect.testing.TestStringQueueGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import dev.weft.stm.Stm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

/** The collections built on {@code retry}: TBoundedQueue, TSemaphore, TLatch, TPromise, and orElse. */
class BlockingTest {
    @TestFactory
    Stream<DynamicNode> boundedQueueViewIsAFifoQueue() {
        return Testlib.tests(QueueTestSuiteBuilder.using(new TestStringQueueGenerator() {
                    @Override
                    protected Queue<String> create(String[] elements) {
                        Queue<String> queue = new TBoundedQueue<String>(100).asBlockingQueue();
                        Collections.addAll(queue, elements);
                        return queue;
                    }
                })
                .named("TBoundedQueue.asBlockingQueue")
                .withFeatures(CollectionFeature.GENERAL_PURPOSE, CollectionFeature.KNOWN_ORDER, CollectionSize.ANY)
                .createTestSuite());
    }

    // ------------------------------------------------------------------ bounded queue

    /**
     * The count of elements ever offered lives in the last node (TQueue's counted queues): an
     * element removed from the end or the middle stays counted, as removed, so size and room
     * stay exact, outside transactions and in them.
     */
    @Test
    void removingTheLastOrAMiddleElementKeepsSizeAndRoomExact() {
        BlockingQueue<String> queue = new TBoundedQueue<String>(3).asBlockingQueue();
        assertTrue(queue.offer("a") && queue.offer("b") && queue.offer("c"));
        assertTrue(queue.remove("c")); // the last node: the one before it takes its number
        assertEquals(2, queue.size());
        assertEquals(1, queue.remainingCapacity());
        assertTrue(queue.offer("d"));
        assertFalse(queue.offer("e"), "a full queue took a fourth element");
        assertEquals(List.of("a", "b", "d"), new ArrayList<>(queue));
        assertTrue(queue.remove("b")); // the middle
        assertEquals(2, queue.size());
        assertTrue(atomic(() -> queue.offer("f")));
        assertFalse(atomic(() -> queue.offer("g")));
        assertTrue(atomic(() -> queue.remove("f") && queue.remove("d"))); // the last node twice
        assertEquals(List.of("a"), new ArrayList<>(queue));
        assertEquals(1, atomic(queue::size));
        assertEquals("a", queue.poll());
        assertEquals(0, queue.size());
        assertEquals(3, queue.remainingCapacity());
        assertTrue(queue.offer("h") && queue.offer("i") && queue.offer("j"));
        assertFalse(queue.offer("k"));
        queue.clear();
        assertEquals(0, queue.size());
        assertTrue(queue.offer("l") && atomic(() -> queue.offer("m")) && queue.offer("n"));
        assertFalse(queue.offer("o"));
        assertEquals(List.of("l", "m", "n"), new ArrayList<>(queue));
    }

    /** Adds one element; {@code window} runs where a broken producer is not atomic. */
    @FunctionalInterface
    interface Producer {
        void add(TBoundedQueue<Integer> queue, int element, Runnable window) throws InterruptedException;
    }

    static final Producer PUT = (queue, element, window) -> queue.asBlockingQueue().put(element);

    /**
     * Broken: checks for room in one transaction, then adds in another without the check (it
     * reaches past the capacity check, as a buggy implementation would).
     */
    static final Producer CHECK_THEN_ADD = (queue, element, window) -> {
        if (queue.asBlockingQueue().remainingCapacity() > 0) {
            window.run();
            uncheckedAdd(queue, element);
        }
    };

    /** Adds without any capacity check: only for the broken twin. */
    private static void uncheckedAdd(TBoundedQueue<Integer> queue, int element) {
        try {
            var field = TBoundedQueue.class.getDeclaredField("queue");
            field.setAccessible(true);
            @SuppressWarnings("unchecked")
            TQueue<Integer> inner = (TQueue<Integer>) field.get(queue);
            inner.asQueue().add(element);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A queue one short of full; the window fills it; the producer's add must not overfill it. */
    static void assertCapacityNeverExceeded(Producer producer) throws InterruptedException {
        int capacity = 4;
        TBoundedQueue<Integer> queue = new TBoundedQueue<>(capacity);
        for (int i = 0; i < capacity - 1; i++) {
            queue.asBlockingQueue().put(i);
        }
        producer.add(queue, 100, () -> Stm.atomic(() -> queue.offer(99)));
        int size = queue.asBlockingQueue().size();
        assertTrue(size <= capacity, "the queue holds " + size + " > capacity " + capacity);
    }

    @Test
    void aFullQueueNeverTakesMore() throws InterruptedException {
        assertCapacityNeverExceeded(PUT);
        TBoundedQueue<Integer> queue = new TBoundedQueue<>(2);
        assertTrue(queue.asBlockingQueue().offer(1));
        assertTrue(queue.asBlockingQueue().offer(2));
        assertFalse(queue.asBlockingQueue().offer(3));
        assertFalse(queue.asBlockingQueue().offer(3, 1, TimeUnit.MILLISECONDS));
        assertEquals(0, queue.asBlockingQueue().remainingCapacity());
        assertThrows(IllegalStateException.class, () -> queue.asBlockingQueue().add(3));
    }

    @Test
    void brokenTwinCheckThenAddIsCaught() {
        assertThrows(AssertionFailedError.class, () -> assertCapacityNeverExceeded(CHECK_THEN_ADD));
    }

    @Test
    void producersAndConsumersPassEveryElementOnceInOrderThroughABoundedQueue() {
        long seed = System.nanoTime();
        int capacity = 8;
        int perProducer = Scale.of(5_000);
        BlockingQueue<Integer> queue = new TBoundedQueue<Integer>(capacity).asBlockingQueue();
        List<List<Integer>> taken = List.of(new ArrayList<>(), new ArrayList<>());
        Racers.Body producer = p -> {
            for (int i = 0; i < perProducer; i++) {
                queue.put(p * 1_000_000 + i);
            }
        };
        Racers.Body consumer = c -> {
            for (int i = 0; i < perProducer; i++) {
                taken.get(c - 2).add(queue.take());
                assertTrue(queue.size() <= capacity, "over capacity (seed " + seed + ")");
            }
        };
        Racers.run(seed, producer, producer, consumer, consumer);
        List<Integer> all = new ArrayList<>();
        for (List<Integer> mine : taken) {
            int[] last = {-1, -1};
            for (int e : mine) {
                assertTrue(e > last[e / 1_000_000], "out of order (seed " + seed + ")");
                last[e / 1_000_000] = e;
            }
            all.addAll(mine);
        }
        Collections.sort(all);
        List<Integer> expected = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            for (int i = 0; i < perProducer; i++) {
                expected.add(p * 1_000_000 + i);
            }
        }
        assertEquals(expected, all, "seed " + seed);
    }

    // ------------------------------------------------------------------ orElse over two queues

    /**
     * Takes from either of two empty queues on another thread; once that thread has either blocked
     * (its attempt rolled back into the wait) or finished, an element arrives in the second queue.
     */
    static Integer takeFromEitherAfterItWaits(Supplier<Integer> takeFromEither, TBoundedQueue<Integer> second)
            throws InterruptedException {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread taker = new Thread(() -> {
            try {
                result.set(Stm.atomic(takeFromEither));
            } catch (RuntimeException e) {
                result.set(e);
            }
        });
        taker.start();
        awaitParkedOrDone(taker);
        second.asBlockingQueue().add(7);
        taker.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(taker.isAlive(), "the taker did not wake up");
        assertEquals(7, result.get(), "the taker did not wait for an element");
        return (Integer) result.get();
    }

    /**
     * Waits until {@code thread} is parked without a timeout (a transaction blocked in retry) or
     * has ended. Coordination by observing the thread's state, not by sleeping.
     */
    static void awaitParkedOrDone(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TERMINATED) {
            assertTrue(System.nanoTime() < deadline, thread.getName() + " neither blocked nor finished");
            Thread.yield();
        }
    }

    @Test
    void takeFromEitherQueueWaitsForTheFirstElementOfEither() throws InterruptedException {
        TBoundedQueue<Integer> a = new TBoundedQueue<>(4), b = new TBoundedQueue<>(4);
        assertEquals(7, takeFromEitherAfterItWaits(() -> Stm.orElse(a::take, b::take), b));
        a.asBlockingQueue().add(1);
        b.asBlockingQueue().add(2);
        assertEquals(1, Stm.atomic(() -> Stm.orElse(a::take, b::take)), "the first alternative comes first");
        assertEquals(2, Stm.atomic(() -> Stm.orElse(a::take, b::take)));
    }

    @Test
    void brokenTwinPollingEitherQueueDoesNotWait() {
        TBoundedQueue<Integer> a = new TBoundedQueue<>(4), b = new TBoundedQueue<>(4);
        Supplier<Integer> pollEither = () -> {
            Integer e = a.poll();
            return e != null ? e : b.poll();
        };
        assertThrows(AssertionFailedError.class, () -> takeFromEitherAfterItWaits(pollEither, b));
    }

    // ------------------------------------------------------------------ semaphore, latch, promise

    /**
     * Takes one permit. {@code window} runs while the permit is held; a broken acquire runs it
     * between its read and its write.
     */
    @FunctionalInterface
    interface Permits {
        void acquire(Runnable window);
    }

    static Permits weft() {
        TSemaphore semaphore = new TSemaphore(1);
        return window -> {
            semaphore.atomic().acquire();
            window.run();
        };
    }

    /** Broken: reads the permits in one transaction and writes one less in another. */
    static Permits readThenWrite() {
        dev.weft.refs.LongRef permits = new dev.weft.refs.LongRef(1);
        return window -> {
            long p = permits.atomic().get();
            if (p == 0) {
                throw new IllegalStateException("the broken semaphore cannot wait");
            }
            window.run();
            permits.atomic().set(p - 1);
        };
    }

    /**
     * One permit. While the first acquirer is inside its window, a second thread acquires; the
     * first goes on once the second holds a permit or is blocked waiting. Only one may hold it.
     */
    static void assertMutualExclusion(Supplier<Permits> factory) {
        Permits permits = factory.get();
        AtomicInteger holders = new AtomicInteger();
        Thread second = new Thread(() -> {
            permits.acquire(() -> { });
            holders.incrementAndGet();
        }, "second-acquirer");
        second.setDaemon(true); // with a correct semaphore it stays blocked
        permits.acquire(() -> {
            second.start();
            awaitParkedOrDone(second);
        });
        holders.incrementAndGet();
        assertEquals(1, holders.get(), "two holders of one permit");
    }

    @Test
    void aSemaphoreAdmitsNoMoreHoldersThanPermits() {
        assertMutualExclusion(BlockingTest::weft);
        TSemaphore semaphore = new TSemaphore(2);
        assertTrue(semaphore.atomic().tryAcquire(2, Duration.ZERO));
        assertFalse(semaphore.atomic().tryAcquire(1, Duration.ofMillis(1)));
        semaphore.atomic().release(2);
        assertEquals(2, semaphore.atomic().availablePermits());
    }

    @Test
    void brokenTwinCheckThenTakeAdmitsTwoHolders() {
        assertThrows(AssertionFailedError.class, () -> assertMutualExclusion(BlockingTest::readThenWrite));
    }

    @Test
    void aLatchOpensWhenCountedDownAndAPromiseDeliversItsValue() throws InterruptedException {
        TLatch latch = new TLatch(2);
        TPromise<String> promise = new TPromise<>();
        AtomicReference<String> seen = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            latch.atomic().await();
            seen.set(promise.atomic().await());
        });
        waiter.start();
        latch.atomic().countDown();
        assertFalse(latch.atomic().await(Duration.ofMillis(1)));
        atomic(() -> {
            latch.countDown();
            promise.complete("done");
        });
        waiter.join(TimeUnit.SECONDS.toMillis(60));
        assertEquals("done", seen.get());
        assertFalse(promise.atomic().complete("again"), "a promise completes once");
        TPromise<String> never = new TPromise<>();
        assertNull(never.atomic().await(Duration.ofMillis(1)));
        assertEquals("done", Stm.atomic(() -> Stm.orElse(never::await, promise::await)));
    }

    /**
     * A transaction that retries until a key is present wakes when a view call outside any
     * transaction puts it (the maps' one-commit writes wake waiters like a transaction's commit).
     */
    @Test
    void aRetryOnAMissingKeyWakesOnAOneCommitPut() throws InterruptedException {
        TMap<Integer, String> hash = new TMap<>();
        TSortedMap<Integer, String> sorted = new TSortedMap<>();
        for (int i = 0; i < 100; i++) { // past the root leaf: the waiter reads a path of cells
            hash.asMap().put(i, "x");
            sorted.asMap().put(i, "x");
        }
        assertEquals("hash", awaitKeyThenPut(() -> hash.get(500), () -> hash.asMap().put(500, "hash")));
        assertEquals("sorted", awaitKeyThenPut(() -> sorted.get(500), () -> sorted.asMap().put(500, "sorted")));
    }

    /** Starts a waiter for {@code read} to be non-null, lets it block, runs {@code put}; the waiter's result. */
    private static String awaitKeyThenPut(Supplier<String> read, Runnable put) throws InterruptedException {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread waiter = new Thread(() -> seen.set(Stm.atomic(() -> {
            String value = read.get();
            if (value == null) {
                Stm.retry();
            }
            return value;
        })), "key-waiter");
        waiter.start();
        awaitParkedOrDone(waiter);
        assertEquals(null, seen.get(), "the waiter did not wait");
        put.run();
        waiter.join(60_000);
        assertFalse(waiter.isAlive(), "the one-commit put did not wake the waiter");
        return seen.get();
    }

    /**
     * The bounded queue's view offers and polls outside transactions in one commit each; a take
     * waiting on the empty queue wakes on such an offer, and a put waiting on the full queue on
     * such a poll (each waiter is a blocking view call, parked in retry).
     */
    @Test
    void waitersOnABoundedQueueWakeOnOneCommitOffersAndPolls() throws InterruptedException {
        BlockingQueue<Integer> queue = new TBoundedQueue<Integer>(2).asBlockingQueue();
        AtomicReference<Object> taken = new AtomicReference<>();
        Thread taker = new Thread(() -> {
            try {
                taken.set(queue.take());
            } catch (InterruptedException e) {
                taken.set(e);
            }
        }, "taker");
        taker.start();
        awaitParkedOrDone(taker);
        assertNull(taken.get(), "the taker did not wait");
        assertTrue(queue.offer(1));
        taker.join(60_000);
        assertFalse(taker.isAlive(), "the one-commit offer did not wake the taker");
        assertEquals(1, taken.get());

        assertTrue(queue.offer(2));
        assertTrue(queue.offer(3));
        Thread putter = new Thread(() -> {
            try {
                queue.put(4);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, "putter");
        putter.start();
        awaitParkedOrDone(putter);
        assertEquals(List.of(2, 3), new ArrayList<>(queue), "the putter did not wait");
        assertEquals(2, queue.poll());
        putter.join(60_000);
        assertFalse(putter.isAlive(), "the one-commit poll did not wake the putter");
        assertEquals(List.of(3, 4), new ArrayList<>(queue));
    }

    /**
     * Producers and consumers offering and polling outside transactions (one commit each, link or
     * head move together with its count) while checker transactions walk the list: the list's
     * length always equals the counted size, and never exceeds the capacity.
     */
    @Test
    void oneCommitOffersAndPollsKeepTheCountsWithTheListWithinTheCapacity() {
        long seed = System.nanoTime();
        int capacity = 4;
        int operations = Scale.of(20_000);
        TBoundedQueue<Integer> bounded = new TBoundedQueue<>(capacity);
        BlockingQueue<Integer> queue = bounded.asBlockingQueue();
        AtomicInteger offered = new AtomicInteger();
        AtomicInteger polled = new AtomicInteger();
        AtomicInteger running = new AtomicInteger(4); // producers and consumers; checkers run until they end
        Racers.Body producer = p -> {
            for (int i = 0; i < operations; i++) {
                if (queue.offer(i)) {
                    offered.incrementAndGet();
                }
            }
            running.decrementAndGet();
        };
        Racers.Body consumer = c -> {
            for (int i = 0; i < operations; i++) {
                if (queue.poll() != null) {
                    polled.incrementAndGet();
                }
            }
            running.decrementAndGet();
        };
        Racers.Body checker = k -> {
            while (running.get() > 0) {
                int[] walkedAndCounted = atomic(() -> {
                    int walked = 0;
                    for (Integer ignored : queue) { // the iterator's snapshot joins this transaction
                        walked++;
                    }
                    return new int[] {walked, bounded.size()};
                });
                assertEquals(walkedAndCounted[0], walkedAndCounted[1], "list and counts differ (seed " + seed + ")");
                assertTrue(walkedAndCounted[0] <= capacity, "over capacity (seed " + seed + ")");
            }
        };
        Racers.run(seed, producer, producer, consumer, consumer, checker);
        assertEquals(offered.get() - polled.get(), queue.size(), "seed " + seed);
        assertEquals(queue.size(), new ArrayList<>(queue).size(), "seed " + seed);
    }
}
