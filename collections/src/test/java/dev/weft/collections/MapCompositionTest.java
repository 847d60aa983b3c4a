package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.stm.Stm;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Transactions that span two maps: moves are all or nothing, a total across both maps is
 * constant for every observer, and snapshot iteration sees one state. Each checker has a twin fed
 * a broken mover or a broken summation that it must catch.
 */
class MapCompositionTest {
    /** Moves {@code amount} of {@code key} from one map to the other. */
    @FunctionalInterface
    interface Mover {
        /**
         * @param between called between taking the amount out and putting it in, outside any
         *                transaction, by movers that are not atomic (a correct mover never calls it)
         */
        void move(TMap<Integer, Long> from, TMap<Integer, Long> to, int key, long amount, Runnable between);
    }

    static final Mover ATOMIC = (from, to, key, amount, between) -> atomic(() -> {
        from.merge(key, -amount, Long::sum);
        to.merge(key, amount, Long::sum);
    });

    /** Broken: two transactions, with a window in between. */
    static final Mover TWO_TRANSACTIONS = (from, to, key, amount, between) -> {
        from.asMap().merge(key, -amount, Long::sum);
        between.run();
        to.asMap().merge(key, amount, Long::sum);
    };

    // ------------------------------------------------------------------ all or nothing

    /** A move whose second half fails leaves both maps as they were. */
    static void assertFailedMoveChangesNothing(Mover mover) {
        TMap<Integer, Long> a = new TMap<>(), b = new TMap<>();
        a.asMap().put(1, 100L);
        b.asMap().put(1, 0L);
        assertThrows(DeliberateFailure.class, () -> mover.move(a, b, 1, 30, () -> {
            throw new DeliberateFailure();
        }));
        assertEquals(Map.of(1, 100L), a.asMap(), "the source changed although the move failed");
        assertEquals(Map.of(1, 0L), b.asMap(), "the target changed although the move failed");
    }

    @Test
    void aMoveBetweenMapsIsAllOrNothing() {
        Mover failingMidway = (from, to, key, amount, between) -> atomic(() -> {
            from.merge(key, -amount, Long::sum);
            between.run();
            to.merge(key, amount, Long::sum);
        });
        assertFailedMoveChangesNothing(failingMidway);
    }

    @Test
    void brokenTwinAMoveInTwoTransactionsIsCaught() {
        assertThrows(AssertionFailedError.class, () -> assertFailedMoveChangesNothing(TWO_TRANSACTIONS));
    }

    // ------------------------------------------------------------------ constant total

    /**
     * Movers shift random amounts between two maps while an auditor sums both maps inside
     * transactions; returns how many audits saw a total other than the initial one.
     */
    static long auditsThatSawAWrongTotal(Mover mover, long seed) {
        int keys = 64;
        long perKey = 1_000;
        TMap<Integer, Long> a = new TMap<>(), b = new TMap<>();
        for (int k = 0; k < keys; k++) {
            a.asMap().put(k, perKey);
            b.asMap().put(k, 0L);
        }
        long expected = keys * perKey;
        int moves = Scale.of(20_000);
        AtomicLong wrong = new AtomicLong();
        Runnable audit = () -> {
            long total = Stm.atomicLong(() -> {
                long[] sum = {0};
                a.forEach((k, v) -> sum[0] += v);
                b.forEach((k, v) -> sum[0] += v);
                return sum[0];
            });
            if (total != expected) {
                wrong.incrementAndGet();
            }
        };
        Racers.Body moverBody = thread -> {
            SplittableRandom random = new SplittableRandom(seed + thread);
            for (int i = 0; i < moves; i++) {
                int key = random.nextInt(keys);
                boolean forward = random.nextBoolean();
                // the window of a broken mover: audit right there
                mover.move(forward ? a : b, forward ? b : a, key, random.nextInt(1, 10), audit);
            }
        };
        Racers.run(seed, moverBody, moverBody, thread -> {
            for (int i = 0; i < moves / 20; i++) {
                audit.run();
            }
        });
        long finalTotal = Stm.atomicLong(() -> {
            long[] sum = {0};
            a.forEach((k, v) -> sum[0] += v);
            b.forEach((k, v) -> sum[0] += v);
            return sum[0];
        });
        if (finalTotal != expected) {
            wrong.incrementAndGet();
        }
        return wrong.get();
    }

    @Test
    void theTotalAcrossTwoMapsIsConstantUnderConcurrentMoves() {
        long seed = System.nanoTime();
        assertEquals(0, auditsThatSawAWrongTotal(ATOMIC, seed), "seed " + seed);
    }

    @Test
    void brokenTwinMovesInTwoTransactionsBreakTheTotal() {
        long seed = System.nanoTime();
        long wrong = auditsThatSawAWrongTotal(TWO_TRANSACTIONS, seed);
        if (wrong == 0) {
            fail("the audit missed every half-done move (seed " + seed + ")");
        }
    }

    // ------------------------------------------------------------------ snapshot iteration

    /** Sums a map's values; may call {@code midway} once after reading the first value. */
    @FunctionalInterface
    interface Summation {
        long sum(ConcurrentMap<Integer, Long> map, int keys, Runnable midway);
    }

    static final Summation SNAPSHOT_ITERATOR = (map, keys, midway) -> {
        long sum = 0;
        Iterator<Long> it = map.values().iterator();
        sum += it.next();
        midway.run();
        while (it.hasNext()) {
            sum += it.next();
        }
        return sum;
    };

    /** Broken: one lookup per key, each its own transaction. */
    static final Summation KEY_BY_KEY = (map, keys, midway) -> {
        long sum = map.get(0);
        midway.run();
        for (int k = 1; k < keys; k++) {
            sum += map.get(k);
        }
        return sum;
    };

    /** Sums while a move between two keys commits in the middle; returns the sum minus the true total. */
    static long summationError(Summation summation) {
        int keys = 500;
        TMap<Integer, Long> map = new TMap<>();
        for (int k = 0; k < keys; k++) {
            map.asMap().put(k, 10L);
        }
        Runnable moveFromEveryOtherKey = () -> atomic(() -> {
            for (int k = 0; k < keys; k += 2) {
                map.merge(k, -5L, Long::sum);
                map.merge(k + 1, 5L, Long::sum);
            }
        });
        return summation.sum(map.asMap(), keys, moveFromEveryOtherKey) - keys * 10L;
    }

    @Test
    void snapshotIterationSeesOneStateWhileTheMapChanges() {
        assertEquals(0, summationError(SNAPSHOT_ITERATOR));
    }

    @Test
    void brokenTwinKeyByKeyLookupsSeeTwoStates() {
        assertEquals(5, summationError(KEY_BY_KEY), "the key-by-key sum should see half of the move");
    }
}
