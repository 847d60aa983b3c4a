package dev.weft.stm;

import static dev.weft.stm.RetryTest.await;
import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.internal.EngineProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** commute and the commit/rollback hooks. */
class CommuteAndHooksTest {

    // ------------------------------------------------------------------ commute

    /**
     * Runs {@code update} on {@code counter} in a transaction that is paused after the update
     * while another thread commits an increment of the same counter; returns the attempts the
     * paused transaction needed (1 = it committed without re-running).
     */
    private static int attemptsAcrossAConcurrentIncrement(Counter counter, Consumer<Counter> update) {
        CountDownLatch updated = new CountDownLatch(1);
        CountDownLatch otherCommitted = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
            await(updated);
            atomic(() -> counter.add(100));
            otherCommitted.countDown();
        });
        atomic(() -> {
            update.accept(counter);
            if (runs.incrementAndGet() == 1) {
                updated.countDown();
                await(otherCommitted);
            }
        });
        other.join();
        return runs.get();
    }

    @Test
    void commuteDoesNotConflictWithAConcurrentCommit() {
        Counter counter = new Counter(0);
        assertEquals(1, attemptsAcrossAConcurrentIncrement(counter, c -> c.commuteAdd(1)));
        assertEquals(101, counter.committed());
    }

    /** Twin: the same schedule with a read-modify-write increment must re-run. */
    @Test
    void plainIncrementConflictsWithTheSameConcurrentCommit() {
        Counter counter = new Counter(0);
        assertTrue(attemptsAcrossAConcurrentIncrement(counter, c -> c.add(1)) >= 2);
        assertEquals(101, counter.committed());
    }

    @Test
    void commuteChainAppliesInOrderToTheValueAtCommit() {
        Counter counter = new Counter(10);
        assertEquals(1, attemptsAcrossAConcurrentIncrement(counter, c -> {
            c.commuteAdd(1);
            c.commute(x -> x * 2);
            c.commuteAdd(3);
        }));
        assertEquals((110 + 1) * 2 + 3, counter.committed());
    }

    @Test
    void readingACommutedRefSeesPendingCommutesAndMakesItAnOrdinaryRead() {
        Counter counter = new Counter(5);
        long seen = Stm.atomicLong(() -> {
            counter.commuteAdd(2);
            counter.commute(x -> x * 10);
            return counter.get();
        });
        assertEquals(70, seen);
        assertEquals(70, counter.committed());
        // once read, a concurrent commit forces a re-run, and the result stays consistent
        int runs = attemptsAcrossAConcurrentIncrement(counter, c -> {
            c.commuteAdd(1);
            c.set(c.get() + 1);
        });
        assertTrue(runs >= 2);
        assertEquals(70 + 100 + 2, counter.committed());
    }

    @Test
    void commuteInARolledBackNestedScopeIsDiscarded() {
        Counter counter = new Counter(0);
        atomic(() -> {
            counter.commuteAdd(1);
            try {
                atomic(() -> {
                    counter.commuteAdd(10);
                    throw new IllegalStateException();
                });
            } catch (IllegalStateException expected) {
                // only the nested commute is dropped
            }
        });
        assertEquals(1, counter.committed());
    }

    @Test
    void commuteFunctionThatThrowsAtCommitPublishesNothing() {
        Counter counter = new Counter(1);
        Counter other = new Counter(1);
        assertThrows(ArithmeticException.class, () -> atomic(() -> {
            other.set(2);
            counter.commute(x -> x / 0);
        }));
        assertEquals(1, counter.committed());
        assertEquals(1, other.committed());
    }

    @Test
    void commuteOnReferenceCellAndOutsideTransactions() {
        Box<List<String>> box = new Box<>(List.of());
        atomic(() -> box.commute(l -> append(l, "a")));
        box.commute(l -> append(l, "b")); // outside: a one-operation update
        assertEquals(List.of("a", "b"), box.committed());
        Counter counter = new Counter(0);
        counter.commuteAdd(3);
        assertEquals(3, counter.committed());
    }

    private static List<String> append(List<String> list, String item) {
        List<String> copy = new ArrayList<>(list);
        copy.add(item);
        return List.copyOf(copy);
    }

    @Test
    void concurrentCommutesLoseNoUpdate() throws Exception {
        Counter counter = new Counter(0);
        int perThread = Scale.of(20_000);
        new Workers().add(2, w -> {
            for (int i = 0; i < perThread; i++) {
                atomic(() -> counter.commuteAdd(1));
            }
        }).runAll(120);
        assertEquals(2L * perThread, counter.committed());
    }

    // ------------------------------------------------------------------ hooks

    @Test
    void afterCommitRunsOnceOutsideTheTransactionAfterItCommits() {
        Counter cell = new Counter(0);
        List<String> events = new ArrayList<>();
        atomic(() -> {
            cell.set(1);
            Stm.afterCommit(() -> events.add("committed " + cell.committed() + " in txn " + Stm.inTransaction()));
        });
        assertEquals(List.of("committed 1 in txn false"), events);
    }

    @Test
    void afterRollbackRunsForEveryRolledBackAttemptAndAfterCommitOnlyForTheLast() {
        Counter counter = new Counter(0);
        List<String> events = new ArrayList<>();
        int runs = attemptsAcrossAConcurrentIncrement(counter, c -> {
            c.add(1);
            Stm.afterRollback(() -> events.add("rollback"));
            Stm.afterCommit(() -> events.add("commit"));
        });
        assertTrue(runs >= 2);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i < runs; i++) {
            expected.add("rollback");
        }
        expected.add("commit");
        assertEquals(expected, events);
    }

    @Test
    void beforeCommitMayWriteAndItsWritesCommitWithTheTransaction() {
        Counter a = new Counter(0);
        Counter audit = new Counter(0);
        atomic(() -> {
            a.set(5);
            Stm.beforeCommit(() -> audit.set(a.get() * 2));
        });
        assertEquals(10, audit.committed());
    }

    @Test
    void beforeCommitThatThrowsRollsBackTheWholeTransaction() {
        Counter a = new Counter(0);
        List<String> events = new ArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> atomic(() -> {
            a.set(5);
            Stm.afterRollback(() -> events.add("rolled back"));
            Stm.beforeCommit(() -> {
                throw new IllegalStateException("veto");
            });
        }));
        assertEquals("veto", e.getMessage());
        assertEquals(0, a.committed());
        assertEquals(List.of("rolled back"), events);
    }

    @Test
    void afterCommitFailuresAreReportedAfterAllHooksRanAndTheCommitStays() {
        Counter a = new Counter(0);
        List<String> ran = new ArrayList<>();
        AfterCommitException e = assertThrows(AfterCommitException.class, () -> atomic(() -> {
            a.set(1);
            Stm.afterCommit(() -> {
                ran.add("first");
                throw new IllegalStateException("one");
            });
            Stm.afterCommit(() -> {
                ran.add("second");
                throw new IllegalArgumentException("two");
            });
        }));
        assertEquals(List.of("first", "second"), ran);
        assertEquals("one", e.getCause().getMessage());
        assertEquals("two", e.getCause().getSuppressed()[0].getMessage());
        assertEquals(1, a.committed());
    }

    @Test
    void afterRollbackFailureIsSuppressedOnTheBodysException() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> atomic(() -> {
            Stm.afterRollback(() -> {
                throw new IllegalArgumentException("hook");
            });
            throw new IllegalStateException("body");
        }));
        assertEquals("body", e.getMessage());
        assertEquals("hook", e.getSuppressed()[0].getMessage());
    }

    @Test
    void afterCommitHookMayRunItsOwnTransactionAndTheResultSurvives() {
        Counter a = new Counter(0);
        Counter b = new Counter(0);
        String result = atomic(() -> {
            a.set(1);
            Stm.afterCommit(() -> atomic(() -> {
                b.set(a.get() + 1);
                return "inner";
            }));
            return "outer";
        });
        assertEquals("outer", result);
        assertEquals(2, b.committed());
    }

    @Test
    void hooksOutsideTransactionAreIllegalState() {
        assertThrows(IllegalStateException.class, () -> Stm.afterCommit(() -> { }));
        assertThrows(IllegalStateException.class, () -> Stm.beforeCommit(() -> { }));
        assertThrows(IllegalStateException.class, () -> Stm.afterRollback(() -> { }));
        assertThrows(IllegalStateException.class, () -> Stm.setExternalDecider(() -> true));
    }

    // ------------------------------------------------------------------ external decider

    @Test
    void externalDeciderSayingNoRollsBackWithCommitRejected() {
        Counter a = new Counter(0);
        assertThrows(CommitRejectedException.class, () -> atomic(() -> {
            a.set(1);
            Stm.setExternalDecider(() -> false);
        }));
        assertEquals(0, a.committed());
        assertFalse(EngineProbe.isReserved(a));
        atomic(() -> a.set(2)); // the lock was released
        assertEquals(2, a.committed());
    }

    @Test
    void externalDeciderIsAskedOnceAndYesCommits() {
        Counter a = new Counter(0);
        AtomicInteger asked = new AtomicInteger();
        atomic(() -> {
            a.set(1);
            Stm.setExternalDecider(() -> asked.incrementAndGet() == 1);
        });
        assertEquals(1, asked.get());
        assertEquals(1, a.committed());
    }

    @Test
    void externalDeciderThatThrowsPublishesNothing() {
        Counter a = new Counter(0);
        assertThrows(UnsupportedOperationException.class, () -> atomic(() -> {
            a.set(1);
            Stm.setExternalDecider(() -> {
                throw new UnsupportedOperationException("database down");
            });
        }));
        assertEquals(0, a.committed());
    }

    @Test
    void aSecondDifferentDeciderIsIllegalState() {
        ExternalDecider yes = () -> true;
        assertThrows(IllegalStateException.class, () -> atomic(() -> {
            Stm.setExternalDecider(yes);
            Stm.setExternalDecider(() -> true);
        }));
        atomic(() -> {
            Stm.setExternalDecider(yes);
            Stm.setExternalDecider(yes); // the same one again is fine
        });
    }
}
