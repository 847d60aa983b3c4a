package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Two threads push at opposite ends of a {@link TDeque} while two pop at opposite ends and an
 * auditor reads it whole. Invariants: every element pushed is popped exactly once (none lost, none
 * twice), and every state the auditor sees is the front pusher's elements, newest first, followed
 * by the back pusher's, oldest first (each pusher reaches only its own end, so they never mix).
 * The twin pops by peeking in one transaction and polling in another, and must be caught.
 */
class TDequeConcurrencyTest {
    static final long BACK = 1_000_000_000L; // the back pusher's elements are BACK + i, the front's i

    /** Pops one element at the front or the back; {@code window} runs where a broken pop is not atomic. */
    @FunctionalInterface
    interface Popper {
        Long pop(TDeque<Long> deque, boolean front, Runnable window);
    }

    static final Popper ATOMIC_POLL = (deque, front, window) ->
            front ? deque.asBlockingDeque().pollFirst() : deque.asBlockingDeque().pollLast();

    /** Broken: looks at the end in one transaction and removes it in another. */
    static final Popper PEEK_THEN_POLL = (deque, front, window) -> {
        Long seen = front ? deque.asBlockingDeque().peekFirst() : deque.asBlockingDeque().peekLast();
        if (seen != null) {
            window.run();
            if (front) {
                deque.asBlockingDeque().pollFirst();
            } else {
                deque.asBlockingDeque().pollLast();
            }
        }
        return seen;
    };

    /** Fails unless {@code state} is front elements descending, then back elements ascending. */
    static void assertShape(List<Long> state, String where) {
        int i = 0;
        for (; i < state.size() && state.get(i) < BACK; i++) {
            assertTrue(i == 0 || state.get(i) < state.get(i - 1), "front elements out of order at " + i + ": " + where);
        }
        for (int first = i; i < state.size(); i++) {
            assertTrue(state.get(i) >= BACK, "a front element behind a back element at " + i + ": " + where);
            assertTrue(i == first || state.get(i) > state.get(i - 1), "back elements out of order at " + i + ": " + where);
        }
    }

    static void assertEachElementPoppedOnce(Popper popper, int chunkShift, long seed) {
        TDeque<Long> deque = new TDeque<>(chunkShift);
        int perPusher = Scale.of(10_000);
        List<List<Long>> popped = List.of(new ArrayList<>(), new ArrayList<>());
        Queue<Long> poppedByWindow = new ConcurrentLinkedQueue<>();
        AtomicInteger remaining = new AtomicInteger(2 * perPusher);
        Racers.Body pusher = thread -> {
            for (long i = 0; i < perPusher; i++) {
                if (thread == 0) {
                    deque.asBlockingDeque().offerFirst(i);
                } else {
                    deque.asBlockingDeque().offerLast(BACK + i);
                }
            }
        };
        Racers.Body popperBody = thread -> {
            boolean front = thread == 2;
            List<Long> mine = popped.get(thread - 2);
            while (remaining.get() > 0) {
                Long e = popper.pop(deque, front, () -> {
                    Long other = front ? deque.asBlockingDeque().pollFirst() : deque.asBlockingDeque().pollLast();
                    if (other != null) {
                        poppedByWindow.add(other);
                        remaining.decrementAndGet();
                    }
                });
                if (e != null) {
                    mine.add(e);
                    remaining.decrementAndGet();
                }
            }
        };
        Racers.Body auditor = thread -> {
            for (int audit = 0; remaining.get() > 0 && audit < perPusher / 10; audit++) {
                assertShape(List.copyOf(deque.asBlockingDeque()), "seed " + seed);
                String broken = Stm.atomic(deque::brokenInvariant);
                assertNull(broken, "seed " + seed);
            }
        };
        Racers.run(seed, pusher, pusher, popperBody, popperBody, auditor);
        List<Long> all = new ArrayList<>();
        popped.forEach(all::addAll);
        all.addAll(poppedByWindow);
        all.addAll(deque.asBlockingDeque());
        Collections.sort(all);
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < perPusher; i++) {
            expected.add(i);
        }
        for (long i = 0; i < perPusher; i++) {
            expected.add(BACK + i);
        }
        assertEquals(expected, all, "elements lost or popped twice (chunks of " + (1 << chunkShift) + ", seed " + seed + ")");
        assertNull(atomic(deque::brokenInvariant));
    }

    @Test
    void pushersAndPoppersAtBothEndsSeeEachElementOnce() {
        long seed = System.nanoTime();
        assertEachElementPoppedOnce(ATOMIC_POLL, 1, seed);
        assertEachElementPoppedOnce(ATOMIC_POLL, TDeque.DEFAULT_CHUNK_SHIFT, seed);
    }

    @Test
    void brokenTwinPeekThenPollInTwoTransactionsIsCaught() {
        long seed = System.nanoTime();
        assertThrows(AssertionFailedError.class, () -> assertEachElementPoppedOnce(PEEK_THEN_POLL, 1, seed),
                "seed " + seed);
    }

    @Test
    void theShapeCheckCatchesMixedEnds() {
        assertShape(List.of(3L, 1L, 0L, BACK, BACK + 4), "a correct state");
        assertThrows(AssertionFailedError.class, () -> assertShape(List.of(1L, BACK, 0L), "mixed"));
        assertThrows(AssertionFailedError.class, () -> assertShape(List.of(0L, 1L), "front ascending"));
        assertThrows(AssertionFailedError.class, () -> assertShape(List.of(BACK + 1, BACK), "back descending"));
    }
}
