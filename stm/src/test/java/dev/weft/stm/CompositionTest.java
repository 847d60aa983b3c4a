package dev.weft.stm;

import static dev.weft.stm.RetryTest.async;
import static dev.weft.stm.RetryTest.awaitParked;
import static dev.weft.stm.RetryTest.get;
import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.orElse;
import static dev.weft.stm.Stm.retry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** orElse, closed nesting with partial rollback, and transaction-locals. */
class CompositionTest {

    // ------------------------------------------------------------------ orElse

    @Test
    void orElseRunsSecondWhenFirstRetriesAndRollsBackExactlyFirstsWrites() {
        Counter a = new Counter(0);
        Counter b = new Counter(0);
        Counter before = new Counter(0);
        String chosen = atomic(() -> {
            before.set(1); // written before orElse: must survive the first alternative's rollback
            return orElse(() -> {
                a.set(10);
                before.set(2);
                retry();
                return "first";
            }, () -> {
                b.set(a.get() + 20); // sees a as it was before the first alternative
                return "second:" + before.get();
            });
        });
        assertEquals("second:1", chosen);
        assertEquals(0, a.committed());
        assertEquals(20, b.committed());
        assertEquals(1, before.committed());
    }

    @Test
    void orElseReturnsFirstWhenItDoesNotRetry() {
        Counter a = new Counter(5);
        assertEquals(5L, (long) orElse(() -> a.get(), () -> -1L)); // runs as its own transaction
    }

    @Test
    void nestedOrElseChainPicksFirstAlternativeThatDoesNotRetry() {
        Counter[] queues = Counter.array(4, 0);
        queues[2].setAtomically(7);
        long taken = atomic(() -> orElse(() -> take(queues[0]),
                () -> orElse(() -> take(queues[1]),
                        () -> orElse(() -> take(queues[2]), () -> take(queues[3])))));
        assertEquals(7, taken);
        assertEquals(0, queues[2].committed());
    }

    private static long take(Counter queue) {
        long v = queue.get();
        if (v == 0) {
            retry();
        }
        queue.set(0);
        return v;
    }

    @Test
    void whenBothAlternativesRetryAChangeToTheLosingAlternativesRefWakesIt() throws Exception {
        Counter first = new Counter(0);
        Counter second = new Counter(0);
        CompletableFuture<Long> waiter = async("orElse-waiter",
                () -> atomic(() -> orElse(() -> take(first), () -> take(second))));
        awaitParked(waiter);
        first.setAtomically(4); // read only by the alternative that lost
        assertEquals(4L, get(waiter));
    }

    @Test
    void whenBothAlternativesRetryAChangeToTheSecondRefWakesIt() throws Exception {
        Counter first = new Counter(0);
        Counter second = new Counter(0);
        CompletableFuture<Long> waiter = async("orElse-waiter",
                () -> atomic(() -> orElse(() -> take(first), () -> take(second))));
        awaitParked(waiter);
        second.setAtomically(6);
        assertEquals(6L, get(waiter));
    }

    @Test
    void retryInsideOrElseInsideNestedAtomicRollsBackOnlyThatAlternative() {
        Counter a = new Counter(0);
        Counter b = new Counter(0);
        Counter outer = new Counter(0);
        atomic(() -> {
            outer.set(1);
            atomic(() -> orElse(() -> atomic(() -> {
                a.set(5);
                atomic(() -> {
                    b.set(5);
                    retry();
                });
            }), () -> b.set(a.get() + 1)));
        });
        assertEquals(1, outer.committed());
        assertEquals(0, a.committed());
        assertEquals(1, b.committed());
    }

    @Test
    void exceptionInFirstAlternativePropagatesAndRollsBackItsWrites() {
        Counter a = new Counter(0);
        Counter kept = new Counter(0);
        atomic(() -> {
            kept.set(1);
            try {
                orElse(() -> {
                    a.set(1);
                    throw new IllegalArgumentException("boom");
                }, () -> a.set(2));
            } catch (IllegalArgumentException expected) {
                // the second alternative does not run for exceptions
            }
            assertEquals(0, a.get());
        });
        assertEquals(0, a.committed());
        assertEquals(1, kept.committed());
    }

    // ------------------------------------------------------------------ closed nesting

    @Test
    void nestedAtomicThatThrowsRollsBackOnlyItsOwnWrites() {
        Counter a = new Counter(0);
        Counter b = new Counter(0);
        atomic(() -> {
            a.set(1);
            try {
                atomic(() -> {
                    a.set(2);   // overwrites an entry of the enclosing scope
                    b.set(2);   // a new entry
                    throw new IllegalStateException("nested failure");
                });
            } catch (IllegalStateException expected) {
                assertEquals(1, a.get());
                assertEquals(0, b.get());
            }
            b.set(b.get() + 10);
        });
        assertEquals(1, a.committed());
        assertEquals(10, b.committed());
    }

    @Test
    void partialRollbackRestoresManyEntriesThroughTheHashIndex() {
        Counter[] cells = Counter.array(40, 0);
        atomic(() -> {
            for (int i = 0; i < 20; i++) {
                cells[i].set(i + 1);
            }
            try {
                atomic(() -> {
                    for (Counter cell : cells) {
                        cell.set(-1);
                    }
                    throw new IllegalStateException();
                });
            } catch (IllegalStateException expected) {
                // rolled back to the 20 entries written before
            }
            for (int i = 0; i < cells.length; i++) {
                assertEquals(i < 20 ? i + 1 : 0, cells[i].get(), "cell " + i);
            }
            cells[39].set(39);
        });
        for (int i = 0; i < cells.length; i++) {
            long expected = i < 20 ? i + 1 : (i == 39 ? 39 : 0);
            assertEquals(expected, cells[i].committed(), "cell " + i);
        }
    }

    @Test
    void innerFailureKeepsTheMiddleScopesWrites() {
        Counter a = new Counter(0);
        atomic(() -> {
            a.set(1);
            atomic(() -> {
                a.set(2);
                try {
                    atomic(() -> {
                        a.set(3);
                        throw new UnsupportedOperationException();
                    });
                } catch (UnsupportedOperationException expected) {
                    assertEquals(2, a.get());
                }
            });
            assertEquals(2, a.get());
        });
        assertEquals(2, a.committed());
    }

    @Test
    void uncaughtNestedFailureRollsBackEverything() {
        Counter a = new Counter(0);
        Counter b = new Counter(0);
        assertThrows(ArithmeticException.class, () -> atomic(() -> {
            a.set(1);
            atomic(() -> {
                b.set(1);
                throw new ArithmeticException();
            });
        }));
        assertEquals(0, a.committed());
        assertEquals(0, b.committed());
    }

    @Test
    void hooksOfARolledBackNestedScopeAreDiscardedButItsAfterRollbackRuns() {
        List<String> events = new ArrayList<>();
        Counter a = new Counter(0);
        atomic(() -> {
            Stm.afterCommit(() -> events.add("outer committed"));
            try {
                atomic(() -> {
                    Stm.afterCommit(() -> events.add("nested committed"));
                    Stm.afterRollback(() -> events.add("nested rolled back"));
                    a.set(1);
                    throw new IllegalStateException();
                });
            } catch (IllegalStateException expected) {
                // handled
            }
        });
        assertEquals(List.of("nested rolled back", "outer committed"), events);
    }

    // ------------------------------------------------------------------ transaction-locals

    @Test
    void txnLocalStartsFromItsInitialValueInEveryAttempt() throws Exception {
        TxnLocal<List<String>> log = TxnLocal.withInitial(ArrayList::new);
        Counter cell = new Counter(0);
        List<Integer> sizesSeen = new ArrayList<>();
        CompletableFuture<Long> waiter = async("local", () -> Stm.atomicLong(() -> {
            sizesSeen.add(log.get().size());
            log.get().add("attempt");
            long v = cell.get();
            if (v == 0) {
                retry();
            }
            return v;
        }));
        awaitParked(waiter);
        cell.setAtomically(1);
        assertEquals(1L, get(waiter));
        assertEquals(List.of(0, 0), sizesSeen);
    }

    @Test
    void txnLocalSetInARolledBackNestedScopeIsRestored() {
        TxnLocal<String> local = TxnLocal.create();
        String seen = atomic(() -> {
            assertNull(local.get());
            local.set("outer");
            try {
                atomic(() -> {
                    local.set("nested");
                    throw new IllegalStateException();
                });
            } catch (IllegalStateException expected) {
                // rolled back
            }
            return local.get();
        });
        assertEquals("outer", seen);
    }

    @Test
    void txnLocalOutsideTransactionIsIllegalState() {
        TxnLocal<String> local = TxnLocal.withInitial(() -> "x");
        assertThrows(IllegalStateException.class, local::get);
        assertThrows(IllegalStateException.class, () -> local.set("y"));
    }

    @Test
    void txnLocalValuesAreIndependentPerTransaction() {
        TxnLocal<Object> local = TxnLocal.withInitial(Object::new);
        Object first = atomic(() -> local.get());
        Object second = atomic(() -> local.get());
        assertSame(first.getClass(), second.getClass());
        org.junit.jupiter.api.Assertions.assertNotSame(first, second);
    }

    // ------------------------------------------------------------------ snapshot attempts

    /**
     * Makes the first attempt of {@code body} lose on a read (so the engine re-runs it as a
     * registered read-only snapshot): between its read of {@code x} and of {@code y}, another
     * thread commits to both. Returns the number of runs of {@code body}.
     */
    static int loseFirstAttemptOnARead(Counter x, Counter y, Runnable body) {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        atomic(() -> {
            int run = runs.incrementAndGet();
            x.get();
            if (run == 1) {
                CompletableFuture.runAsync(() -> atomic(() -> {
                    x.add(1);
                    y.add(1);
                })).join();
            }
            y.get(); // newer than the snapshot, and x changed: the first attempt loses here
            body.run();
        });
        return runs.get();
    }

    @Test
    void readOnlyAttemptThatWritesOnItsSnapshotRerunIsRunAgainAndCommits() {
        Counter x = new Counter(0);
        Counter y = new Counter(0);
        Counter out = new Counter(0);
        int runs = loseFirstAttemptOnARead(x, y, () -> {
            if (x.get() > 0) {
                out.set(x.get() + y.get()); // first write happens on the snapshot re-run
            }
        });
        assertEquals(3, runs); // optimistic (lost on a read), snapshot (wrote), optimistic
        assertEquals(2, out.committed());
    }

    @Test
    void readOnlyAttemptThatRetriesOnItsSnapshotRerunStillWaitsAndWakes() throws Exception {
        Counter x = new Counter(0);
        Counter y = new Counter(0);
        Counter gate = new Counter(0);
        CompletableFuture<Integer> waiter = async("snapshot-retry",
                () -> loseFirstAttemptOnARead(x, y, () -> {
                    if (gate.get() == 0) {
                        retry();
                    }
                }));
        awaitParked(waiter);
        gate.setAtomically(1);
        assertEquals(4, (int) get(waiter)); // lost, snapshot retried, waited, woke
    }
}
