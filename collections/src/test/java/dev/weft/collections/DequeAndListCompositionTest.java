package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Transactions over a {@link TDeque} and a {@link TList} together: a move from one to the other is
 * all or nothing, every observer sees each element in exactly one of them while movers run, and a
 * move waits for an element with {@code takeFirst}. Each checker has a twin fed a mover that uses
 * two transactions, which it must catch.
 */
class DequeAndListCompositionTest {
    /** Moves the deque's first element to the end of the list. */
    @FunctionalInterface
    interface Mover {
        /**
         * @param between called between the take and the append by movers that are not atomic
         *                (a correct mover never calls it)
         */
        void move(TDeque<Integer> from, TList<Integer> to, Runnable between);
    }

    static final Mover ATOMIC = (from, to, between) -> atomic(() -> to.add(from.takeFirst()));

    /** Broken: takes in one transaction and appends in another. */
    static final Mover TWO_TRANSACTIONS = (from, to, between) -> {
        Integer e;
        try {
            e = from.asBlockingDeque().takeFirst();
        } catch (InterruptedException interrupted) {
            throw new IllegalStateException(interrupted);
        }
        between.run();
        to.asList().add(e);
    };

    /** A move whose second half fails leaves both collections as they were. */
    static void assertFailedMoveChangesNothing(Mover mover) {
        TDeque<Integer> deque = new TDeque<>();
        TList<Integer> list = new TList<>();
        deque.asBlockingDeque().addAll(List.of(1, 2));
        list.asList().add(0);
        assertThrows(DeliberateFailure.class, () -> mover.move(deque, list, () -> {
            throw new DeliberateFailure();
        }));
        assertEquals(List.of(1, 2), List.copyOf(deque.asBlockingDeque()), "the deque changed although the move failed");
        assertEquals(List.of(0), list.asList(), "the list changed although the move failed");
    }

    @Test
    void aMoveFromADequeToAListIsAllOrNothing() {
        Mover failingMidway = (from, to, between) -> atomic(() -> {
            Integer e = from.pollFirst();
            between.run();
            to.add(e);
        });
        assertFailedMoveChangesNothing(failingMidway);
        TDeque<Integer> deque = new TDeque<>();
        TList<Integer> list = new TList<>();
        deque.asBlockingDeque().add(7);
        ATOMIC.move(deque, list, () -> fail("an atomic move has no window"));
        assertEquals(List.of(7), list.asList());
        assertEquals(0, deque.asBlockingDeque().size());
    }

    @Test
    void brokenTwinAMoveInTwoTransactionsIsCaught() {
        assertThrows(AssertionFailedError.class, () -> assertFailedMoveChangesNothing(TWO_TRANSACTIONS));
    }

    /**
     * Two movers move elements from the deque to the list (waiting in takeFirst while the deque is
     * empty) while a producer refills the deque and an auditor counts both collections in one
     * transaction; returns how many audits saw a total other than the number produced so far.
     */
    static long auditsThatSawAWrongTotal(Mover mover, long seed) {
        TDeque<Integer> deque = new TDeque<>();
        TList<Integer> list = new TList<>();
        int perMover = Scale.of(5_000);
        AtomicLong wrong = new AtomicLong();
        LongRef produced = new LongRef();
        Runnable audit = () -> {
            boolean consistent = Stm.atomicBoolean(
                    () -> deque.size() + list.size() == produced.get());
            if (!consistent) {
                wrong.incrementAndGet();
            }
        };
        Racers.Body producer = thread -> {
            for (int i = 0; i < 2 * perMover; i++) {
                int element = i;
                atomic(() -> {
                    deque.offerLast(element);
                    produced.increment();
                });
            }
        };
        Racers.Body moverBody = thread -> {
            for (int i = 0; i < perMover; i++) {
                mover.move(deque, list, audit); // a broken mover's window: audit right there
            }
        };
        Racers.Body auditor = thread -> {
            for (int i = 0; i < perMover / 10; i++) {
                audit.run();
            }
        };
        Racers.run(seed, producer, moverBody, moverBody, auditor);
        List<Integer> moved = new ArrayList<>(list.asList());
        moved.sort(null);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 2 * perMover; i++) {
            expected.add(i);
        }
        assertEquals(expected, moved, "elements lost or moved twice (seed " + seed + ")");
        return wrong.get();
    }

    @Test
    void everyObserverSeesEachElementInExactlyOneCollection() {
        long seed = System.nanoTime();
        assertEquals(0, auditsThatSawAWrongTotal(ATOMIC, seed), "seed " + seed);
    }

    @Test
    void brokenTwinMovesInTwoTransactionsAreSeenHalfDone() {
        long seed = System.nanoTime();
        if (auditsThatSawAWrongTotal(TWO_TRANSACTIONS, seed) == 0) {
            fail("the audit missed every half-done move (seed " + seed + ")");
        }
    }
}
