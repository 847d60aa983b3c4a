package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@code drainTo} of the blocking views ({@link TBoundedQueue}, {@link TDeque}): an element leaves
 * the queue only once the target has accepted it, each {@code add} happens once, and a drain from
 * one Weft queue into another is atomic.
 */
class DrainTest {
    /** The two blocking views, each made empty. */
    private static List<Supplier<BlockingQueue<Integer>>> views() {
        return List.of(
                () -> new TBoundedQueue<Integer>(1_000_000).asBlockingQueue(),
                () -> new TDeque<Integer>().asBlockingDeque());
    }

    /** A collection whose add throws {@code refusal} on the {@code refuseAt}-th call (1-based), every time it comes round. */
    private static final class Refusing extends AbstractCollection<Integer> {
        final List<Integer> accepted = new ArrayList<>();
        final int refuseEvery;
        final RuntimeException refusal = new IllegalStateException("refused");
        int calls;

        Refusing(int refuseEvery) {
            this.refuseEvery = refuseEvery;
        }

        @Override
        public boolean add(Integer e) {
            if (++calls % refuseEvery == 0) {
                throw refusal;
            }
            return accepted.add(e);
        }

        @Override
        public Iterator<Integer> iterator() {
            return accepted.iterator();
        }

        @Override
        public int size() {
            return accepted.size();
        }
    }

    @Test
    void anElementTheTargetRefusesStaysFirstWithEveryOneAfterIt() {
        for (Supplier<BlockingQueue<Integer>> make : views()) {
            BlockingQueue<Integer> queue = make.get();
            for (int i = 1; i <= 10; i++) {
                queue.add(i);
            }
            Refusing target = new Refusing(4);
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> queue.drainTo(target));
            assertSame(target.refusal, thrown, queue.getClass().getName());
            assertEquals(List.of(1, 2, 3), target.accepted, queue.getClass().getName());
            assertEquals(List.of(4, 5, 6, 7, 8, 9, 10), new ArrayList<>(queue), queue.getClass().getName());
            assertEquals(4, target.calls, "each add happens once: " + queue.getClass().getName());
            // The rest drains on: the next refusal comes at the 8th call, for element 7.
            assertThrows(IllegalStateException.class, () -> queue.drainTo(target, 100));
            assertEquals(List.of(1, 2, 3, 4, 5, 6), target.accepted);
            assertEquals(List.of(7, 8, 9, 10), new ArrayList<>(queue));
        }
    }

    @Test
    void aFullWeftTargetTakesWhatFitsAndTheRestStays() {
        for (Supplier<BlockingQueue<Integer>> make : views()) {
            BlockingQueue<Integer> queue = make.get();
            for (int i = 1; i <= 10; i++) {
                queue.add(i);
            }
            BlockingQueue<Integer> small = new TBoundedQueue<Integer>(4).asBlockingQueue();
            small.add(0);
            assertThrows(IllegalStateException.class, () -> queue.drainTo(small, 8));
            assertEquals(List.of(0, 1, 2, 3), new ArrayList<>(small));
            assertEquals(List.of(4, 5, 6, 7, 8, 9, 10), new ArrayList<>(queue));
        }
    }

    @Test
    void badArgumentsTakeNothing() {
        for (Supplier<BlockingQueue<Integer>> make : views()) {
            BlockingQueue<Integer> queue = make.get();
            queue.add(1);
            queue.add(2);
            assertThrows(NullPointerException.class, () -> queue.drainTo(null));
            assertThrows(NullPointerException.class, () -> queue.drainTo(null, 1));
            assertThrows(IllegalArgumentException.class, () -> queue.drainTo(queue));
            assertThrows(IllegalArgumentException.class, () -> queue.drainTo(queue, 1));
            List<Integer> target = new ArrayList<>();
            assertEquals(0, queue.drainTo(target, 0));
            assertEquals(0, queue.drainTo(target, -5));
            assertEquals(List.of(), target);
            assertEquals(List.of(1, 2), new ArrayList<>(queue));
            assertEquals(2, queue.drainTo(target));
            assertEquals(List.of(1, 2), target);
            assertTrue(queue.isEmpty());
        }
    }

    @Test
    void insideATransactionTheDrainRollsBackWithIt() {
        for (Supplier<BlockingQueue<Integer>> make : views()) {
            BlockingQueue<Integer> queue = make.get();
            queue.add(1);
            queue.add(2);
            List<Integer> target = new ArrayList<>();
            RuntimeException failure = new IllegalStateException("after the drain");
            assertSame(failure, assertThrows(IllegalStateException.class, () -> atomic(() -> {
                assertEquals(2, queue.drainTo(target));
                assertTrue(queue.isEmpty());
                throw failure;
            })));
            assertEquals(List.of(1, 2), new ArrayList<>(queue), "the takes rolled back");
            assertEquals(List.of(1, 2), target, "the target is not transactional");
        }
    }

    /**
     * Producers offer tokens, a poller takes some, a drainer drains batches into a target that
     * refuses every 7th add: every token ends exactly once in the poller's list, the target or the
     * queue, the target got each add call once (refused ones included, so calls = accepted +
     * refusals), and each drain that returned returned what it added.
     */
    @Test
    void everyTokenEndsOnceWhileDrainsRaceOffersAndPolls() {
        for (Supplier<BlockingQueue<Integer>> make : views()) {
            BlockingQueue<Integer> queue = make.get();
            int perProducer = Scale.of(20_000);
            long seed = System.nanoTime();
            List<Integer> polled = new ArrayList<>();
            Refusing target = new Refusing(7);
            AtomicLong refusals = new AtomicLong();
            AtomicLong returned = new AtomicLong();
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicLong producersLeft = new AtomicLong(2);
            Racers.run(seed,
                    thread -> produce(queue, 0, perProducer, producersLeft, producing),
                    thread -> produce(queue, 1, perProducer, producersLeft, producing),
                    thread -> {
                        // the drainer goes first: on a busy machine the poller could otherwise take every
                        // token before the drainer ran, and the drains would test nothing
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        while (returned.get() == 0 || refusals.get() == 0) {
                            assertTrue(System.nanoTime() - deadline < 0,
                                    "the drainer neither moved nor was refused within 60 s (seed " + seed + ")");
                            Thread.yield();
                        }
                        while (producing.get() || !queue.isEmpty()) {
                            Integer token = queue.poll();
                            if (token != null) {
                                polled.add(token);
                            }
                        }
                    },
                    thread -> {
                        SplittableRandom random = new SplittableRandom(seed);
                        while (producing.get() || !queue.isEmpty()) {
                            int before = target.accepted.size();
                            try {
                                int moved = queue.drainTo(target, 1 + random.nextInt(8));
                                assertEquals(before + moved, target.accepted.size(), "a drain returns what it moved");
                                returned.addAndGet(moved);
                            } catch (IllegalStateException e) {
                                assertSame(target.refusal, e);
                                refusals.incrementAndGet();
                            }
                        }
                    });
            List<Integer> all = new ArrayList<>(polled);
            all.addAll(target.accepted);
            all.addAll(queue);
            all.sort(null);
            assertEquals(2 * perProducer, all.size(), "tokens kept (seed " + seed + ")");
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i, all.get(i), "each token once (seed " + seed + ")");
            }
            assertTrue(returned.get() > 0, "drains that were not refused moved something");
            assertEquals(target.accepted.size() + refusals.get(), target.calls, "one add call per element offered to the target");
            assertTrue(target.accepted.size() > 0 && refusals.get() > 0, "the drainer moved and was refused");
        }
    }

    /**
     * Two drainers, a poller and a producer on one queue: drains (irrevocable transactions) wait
     * only for each other, never for ever, and every token still ends once.
     */
    @Test
    void concurrentDrainsFinishAndTakeEachTokenOnce() {
        for (Supplier<BlockingQueue<Integer>> make : views()) {
            BlockingQueue<Integer> queue = make.get();
            int tokens = Scale.of(20_000);
            long seed = System.nanoTime();
            List<List<Integer>> taken = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicLong producersLeft = new AtomicLong(1);
            Racers.run(seed,
                    thread -> produce(queue, 0, tokens, producersLeft, producing),
                    thread -> {
                        while (producing.get() || !queue.isEmpty()) {
                            queue.drainTo(taken.get(0), 2);
                        }
                    },
                    thread -> {
                        while (producing.get() || !queue.isEmpty()) {
                            queue.drainTo(taken.get(1), 3);
                        }
                    },
                    thread -> {
                        while (producing.get() || !queue.isEmpty()) {
                            Integer token = queue.poll();
                            if (token != null) {
                                taken.get(2).add(token);
                            }
                        }
                    });
            List<Integer> all = new ArrayList<>();
            taken.forEach(all::addAll);
            all.sort(null);
            assertEquals(tokens, all.size(), "tokens kept (seed " + seed + ")");
            for (int i = 0; i < tokens; i++) {
                assertEquals(2 * i, all.get(i), "each token once (seed " + seed + ")");
            }
        }
    }

    private static void produce(
            BlockingQueue<Integer> queue, int producer, int perProducer, AtomicLong left, AtomicBoolean producing) {
        for (int i = 0; i < perProducer; i++) {
            queue.add(2 * i + producer);
        }
        if (left.decrementAndGet() == 0) {
            producing.set(false);
        }
    }

    /**
     * Tokens move back and forth between a deque and a bounded queue by drains (each way) while
     * an observer counts both in one transaction: it must always see all of them. A drain that
     * took in one transaction and added in another would show the tokens in neither.
     */
    @Test
    void aDrainFromOneWeftQueueIntoAnotherIsAtomic() {
        TDeque<Integer> deque = new TDeque<>();
        TBoundedQueue<Integer> bounded = new TBoundedQueue<>(1_000);
        int tokens = 50;
        for (int i = 0; i < tokens; i++) {
            deque.asBlockingDeque().add(i);
        }
        int rounds = Scale.of(2_000);
        long seed = System.nanoTime();
        AtomicBoolean moving = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        Racers.run(seed,
                thread -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    for (int r = 0; r < rounds; r++) {
                        Collection<Integer> to = r % 2 == 0 ? bounded.asBlockingQueue() : deque.asBlockingDeque();
                        BlockingQueue<Integer> from = r % 2 == 0 ? deque.asBlockingDeque() : bounded.asBlockingQueue();
                        from.drainTo(to, 1 + random.nextInt(tokens));
                    }
                    moving.set(false);
                },
                thread -> {
                    while (moving.get()) {
                        int total = atomic(() -> deque.size() + bounded.size());
                        if (total != tokens) {
                            seen.add(String.valueOf(total));
                        }
                    }
                });
        assertEquals(List.of(), new ArrayList<>(seen), "totals other than " + tokens + " (seed " + seed + ")");
        assertEquals(tokens, atomic(() -> deque.size() + bounded.size()));
    }
}
