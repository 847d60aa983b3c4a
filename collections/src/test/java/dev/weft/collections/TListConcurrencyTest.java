package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Two threads increment random elements of a {@link TList} while a third appends and removes at
 * the end and an auditor sums it. Each writer counts what it added in a ref of its own, in the
 * same transaction as the change. Invariant: in every state, and at the end, the sum of the list
 * equals the sum of the writers' counts (no increment lost, no append or removal half done). The
 * twin reads an element in one transaction and writes it back incremented in another, and must
 * be caught.
 */
class TListConcurrencyTest {
    static final int INITIAL = 32;

    /** Adds one to the element at {@code index}; {@code window} runs where a broken one is not atomic. */
    @FunctionalInterface
    interface Incrementer {
        void increment(TList<Integer> list, int index, LongRef added, Runnable window);
    }

    static final Incrementer ATOMIC = (list, index, added, window) -> atomic(() -> {
        list.set(index, list.get(index) + 1);
        added.increment();
    });

    /** Broken: reads in one transaction, writes the incremented value in another. */
    static final Incrementer READ_THEN_WRITE = (list, index, added, window) -> {
        int value = list.asList().get(index);
        window.run();
        atomic(() -> {
            list.set(index, value + 1);
            added.increment();
        });
    };

    static long sum(TList<Integer> list) {
        long total = 0;
        for (int i = 0, n = list.size(); i < n; i++) {
            total += list.get(i);
        }
        return total;
    }

    static void assertSumMatchesCounts(Incrementer incrementer, long seed) {
        TList<Integer> list = new TList<>();
        for (int i = 0; i < INITIAL; i++) {
            list.asList().add(0);
        }
        LongRef[] added = {new LongRef(), new LongRef(), new LongRef()};
        int increments = Scale.of(20_000);
        int appends = Scale.of(5_000);
        Racers.Body incrementerBody = thread -> {
            SplittableRandom random = new SplittableRandom(seed + thread);
            for (int i = 0; i < increments; i++) {
                int index = random.nextInt(INITIAL);
                // the window: another increment of the same element, right there
                incrementer.increment(list, index, added[thread], () -> ATOMIC.increment(list, index, added[thread], null));
            }
        };
        Racers.Body appender = thread -> {
            SplittableRandom random = new SplittableRandom(seed + thread);
            for (int i = 0; i < appends; i++) {
                boolean remove = random.nextInt(3) == 0;
                atomic(() -> {
                    int n = list.size();
                    if (remove && n > INITIAL) {
                        added[thread].add(-list.remove(n - 1));
                    } else {
                        list.add(2);
                        added[thread].add(2);
                    }
                });
            }
        };
        Racers.Body auditor = thread -> {
            for (int audit = 0; audit < increments / 20; audit++) {
                String state = Stm.atomic(() -> {
                    long counted = added[0].get() + added[1].get() + added[2].get();
                    long summed = sum(list);
                    return summed == counted && list.size() >= INITIAL ? null : "sum " + summed + " != counted " + counted;
                });
                assertEquals(null, state, "audit " + audit + " (seed " + seed + ")");
            }
        };
        Racers.run(seed, incrementerBody, incrementerBody, appender, auditor);
        long counted = added[0].atomic().get() + added[1].atomic().get() + added[2].atomic().get();
        assertTrue(counted >= 2L * increments, "seed " + seed);
        assertEquals(counted, (long) Stm.atomicLong(() -> sum(list)), "increments lost (seed " + seed + ")");
    }

    @Test
    void concurrentIncrementsAppendsAndRemovalsKeepTheSumExact() {
        assertSumMatchesCounts(ATOMIC, System.nanoTime());
    }

    @Test
    void brokenTwinReadThenWriteInTwoTransactionsIsCaught() {
        long seed = System.nanoTime();
        assertThrows(AssertionFailedError.class, () -> assertSumMatchesCounts(READ_THEN_WRITE, seed), "seed " + seed);
    }
}
