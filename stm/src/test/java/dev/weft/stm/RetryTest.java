package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.retry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.internal.EngineProbe;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Blocking retry(): what wakes a waiter, what never does, and the races of the wait protocol. */
class RetryTest {

    @AfterEach
    void resetProbes() {
        EngineProbe.resetWaitProbes();
    }

    /** Starts {@code body} on a new platform thread; the future completes with its result. */
    static <T> CompletableFuture<T> async(String name, java.util.function.Supplier<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(body.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        result.whenComplete((r, t) -> { }); // keep the thread reachable via the future
        THREADS.put(result, thread);
        return result;
    }

    static final java.util.Map<CompletableFuture<?>, Thread> THREADS =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** Waits until the future's thread is parked (blocked in retry without spinning). */
    static void awaitParked(CompletableFuture<?> future) throws InterruptedException {
        Thread thread = THREADS.get(future);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Thread.State state = thread.getState();
            if ((state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
                    && EngineProbe.anyoneWaiting()) {
                return;
            }
            if (future.isDone() || System.nanoTime() > deadline) {
                throw new AssertionError("thread never parked in retry(); state " + state
                        + ", done " + future.isDone());
            }
            Thread.sleep(1); // polling an observer, not coordinating the threads under test
        }
    }

    static <T> T get(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("waiter was never woken (lost wake-up)", e);
        }
    }

    @Test
    void retryWithNothingReadIsIllegalStateAndRollsBack() {
        Counter written = new Counter(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> atomic(() -> {
            written.set(99);
            retry();
        }));
        assertTrue(e.getMessage().contains("read nothing"), e.getMessage());
        assertEquals(1, written.committed());
    }

    @Test
    void retryOutsideTransactionIsIllegalState() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Stm::retry);
        assertTrue(e.getMessage().contains("inside a transaction"), e.getMessage());
    }

    @Test
    void retryBlocksWithoutSpinningUntilReadRefChanges() throws Exception {
        Counter items = new Counter(0);
        Counter other = new Counter(0);
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<Long> consumer = async("consumer", () -> Stm.atomicLong(() -> {
            runs.incrementAndGet();
            long n = items.get();
            if (n == 0) {
                retry();
            }
            items.set(n - 1);
            return n;
        }));
        awaitParked(consumer);
        int runsWhileParked = runs.get();
        atomic(() -> other.add(1)); // an unrelated ref: the waiter stays parked (a stripe collision
        awaitParked(consumer);      // would at most re-run it once and park it again)
        assertFalse(consumer.isDone());
        atomic(() -> items.add(5));
        assertEquals(5L, get(consumer));
        assertEquals(4, items.committed());
        assertTrue(runs.get() <= runsWhileParked + 2, "re-ran " + runs.get() + " times");
    }

    @Test
    void oneOperationWriteWakesWaiter() throws Exception {
        Counter flag = new Counter(0);
        CompletableFuture<Long> waiter = async("waiter", () -> Stm.atomicLong(() -> {
            if (flag.get() == 0) {
                retry();
            }
            return flag.get();
        }));
        awaitParked(waiter);
        flag.setAtomically(7); // SingleCell path, outside any transaction
        assertEquals(7L, get(waiter));
    }

    @Test
    void writeInsideAttemptThatRetriesIsRolledBack() throws Exception {
        Counter gate = new Counter(0);
        Counter scratch = new Counter(0);
        CompletableFuture<Long> waiter = async("waiter", () -> Stm.atomicLong(() -> {
            scratch.add(1); // must never be published by an attempt that retried
            if (gate.get() == 0) {
                retry();
            }
            return scratch.get();
        }));
        awaitParked(waiter);
        assertEquals(0, scratch.committed());
        gate.setAtomically(1);
        assertEquals(1L, get(waiter));
        assertEquals(1, scratch.committed());
    }

    /**
     * The invariant: a handoff through a one-slot channel built from a ref and retry() never
     * loses a wake-up. Producer and consumer alternate {@code rounds} times; a lost wake-up leaves
     * both parked and the run times out.
     */
    @Test
    void pingPongThroughOneSlotChannelNeverLosesWakeUp() throws Exception {
        int rounds = Scale.of(50_000); // 10^5 handoffs, each a wake-up racing a commit
        Counter slot = new Counter(0); // 0 = empty, otherwise the item
        AtomicLong received = new AtomicLong();
        new Workers()
                .add(1, w -> {
                    for (int i = 1; i <= rounds; i++) {
                        long item = i;
                        atomic(() -> {
                            if (slot.get() != 0) {
                                retry();
                            }
                            slot.set(item);
                        });
                    }
                })
                .add(1, w -> {
                    for (int i = 1; i <= rounds; i++) {
                        long item = Stm.atomicLong(() -> {
                            long v = slot.get();
                            if (v == 0) {
                                retry();
                            }
                            slot.set(0);
                            return v;
                        });
                        if (item != i) {
                            throw new AssertionError("expected item " + i + " but got " + item);
                        }
                        received.addAndGet(item);
                    }
                })
                .runAll(120);
        assertEquals((long) rounds * (rounds + 1) / 2, received.get());
    }

    /**
     * Forces the race the wait protocol exists for: the committer reads "nobody waits" after
     * locking the ref, and only then does the waiter announce itself. The waiter's re-validation
     * must see the lock and re-run instead of parking (a park here would never be woken).
     */
    @Test
    void waiterThatAnnouncesAfterCommitterLockedDoesNotPark() throws Exception {
        assertEquals(1L, lateAnnouncementRace(false));
    }

    /** Twin: with the re-validation switched off the same schedule loses the wake-up. */
    @Test
    void lateAnnouncementRaceLosesWakeUpWithoutValidation() throws Exception {
        assertEquals(-1L, lateAnnouncementRace(true));
    }

    /** Returns what the waiter returned, or -1 if it stayed parked after the commit (lost). */
    private long lateAnnouncementRace(boolean fault) throws Exception {
        Counter cell = new Counter(0);
        CountDownLatch waiterRead = new CountDownLatch(1);
        CountDownLatch committerLocked = new CountDownLatch(1);
        CountDownLatch waiterDecided = new CountDownLatch(1); // it re-ran, or it is about to park
        AtomicInteger runs = new AtomicInteger();
        EngineProbe.skipWaitValidation(fault);
        EngineProbe.beforeWaitPark(waiterDecided::countDown);
        CompletableFuture<Long> waiter = async("waiter", () -> Stm.atomicLong(() -> {
            if (runs.incrementAndGet() == 2) {
                waiterDecided.countDown();
            }
            long v = cell.get();
            if (v == 0) {
                if (runs.get() == 1) {
                    waiterRead.countDown();
                    await(committerLocked);
                }
                retry();
            }
            return v;
        }));
        await(waiterRead);
        atomic(() -> {
            cell.set(1);
            Stm.setExternalDecider(() -> { // runs with the lock held, after reading "nobody waits"
                committerLocked.countDown();
                await(waiterDecided);
                return true;
            });
        });
        try {
            return waiter.get(fault ? 500 : 20_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException lost) {
            if (!fault) {
                throw new AssertionError("waiter was never woken", lost);
            }
            EngineProbe.resetWaitProbes();
            cell.setAtomically(2); // rescue the parked thread (it is registered now)
            assertEquals(2L, get(waiter));
            return -1;
        }
    }

    /** A commit that lands between the waiter's validation and its park wakes it. */
    @Test
    void commitBetweenValidationAndParkWakesWaiter() throws Exception {
        Counter cell = new Counter(0);
        AtomicInteger parksReached = new AtomicInteger();
        EngineProbe.beforeWaitPark(() -> {
            if (parksReached.incrementAndGet() == 1) {
                CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> cell.setAtomically(3));
                commit.join(); // completes before this thread parks
            }
        });
        CompletableFuture<Long> waiter = async("waiter", () -> Stm.atomicLong(() -> {
            long v = cell.get();
            if (v == 0) {
                retry();
            }
            return v;
        }));
        assertEquals(3L, get(waiter));
    }

    @Test
    void retryForReturnsNormallyAfterItsTimeout() {
        Counter never = new Counter(0);
        long started = System.nanoTime();
        long result = Stm.atomicLong(() -> {
            if (never.get() == 0) {
                Stm.retryFor(Duration.ofMillis(30));
            }
            return 42;
        });
        assertEquals(42, result);
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(30));
    }

    @Test
    void retryForIsWokenEarlyByACommit() throws Exception {
        Counter cell = new Counter(0);
        CompletableFuture<Long> waiter = async("waiter", () -> Stm.atomicLong(() -> {
            long v = cell.get();
            if (v == 0) {
                Stm.retryFor(Duration.ofMinutes(5));
            }
            return v;
        }));
        awaitParked(waiter);
        cell.setAtomically(9);
        assertEquals(9L, get(waiter));
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("latch never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ afterRollback before the wait

    /**
     * An attempt that calls retry() runs its afterRollback hooks before it parks (session 18; they
     * ran after the wait, so a resource they release stayed taken while the thread waited).
     */
    @Test
    void afterRollbackHooksOfARetryingAttemptRunBeforeTheThreadParks() throws Exception {
        Counter flag = new Counter(0);
        AtomicInteger hookRuns = new AtomicInteger();
        CompletableFuture<Long> waiter = async("waiter", () -> atomic(() -> {
            Stm.afterRollback(hookRuns::incrementAndGet);
            long value = flag.get();
            if (value == 0) {
                retry();
            }
            return value;
        }));
        awaitParked(waiter);
        assertEquals(1, hookRuns.get(), "the rolled-back attempt's hook ran before the thread parked");
        flag.setAtomically(7);
        assertEquals(7L, get(waiter));
        assertEquals(1, hookRuns.get(), "the committed attempt ran no rollback hook");
    }

    /**
     * A hook that commits a change to a ref its own attempt read, in a transaction of its own on
     * the same thread: the wait that follows must see that commit (it validates the attempt's
     * reads, set aside while the hook ran, against the attempt's read version) and re-run the body
     * at once, with no other thread to wake it. A wait validated against the hook's read version,
     * or on the hook's emptied read log, would sleep for ever.
     */
    @Test
    void aHookThatChangesWhatItsAttemptReadEndsTheWaitAtOnce() throws Exception {
        Counter flag = new Counter(0);
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<Long> result = async("self-waker", () -> atomic(() -> {
            attempts.incrementAndGet();
            long value = flag.get();
            if (value == 0) {
                Stm.afterRollback(() -> atomic(() -> flag.set(5)));
                retry();
            }
            return value;
        }));
        assertEquals(5L, get(result));
        assertEquals(2, attempts.get());
    }

    /**
     * Hooks that run transactions, including ones that wait in retry() themselves, leave the
     * waiting transaction's reads, read version and retryFor limit as they were: it still wakes
     * on a change of what it read, and still gives up at its own limit.
     */
    @Test
    void transactionsRunByAHookDoNotDisturbTheWaitThatFollows() throws Exception {
        Counter watched = new Counter(0);
        Counter other = new Counter(1);
        Counter unrelated = new Counter(0);
        CompletableFuture<Long> waiter = async("waiter", () -> atomic(() -> {
            long value = watched.get();
            if (value == 0) {
                Stm.afterRollback(() -> {
                    atomic(() -> { // a hook transaction that reads and writes other cells
                        unrelated.set(unrelated.get() + 1);
                    });
                    atomic(() -> { // and one that waits in retry() itself (other is already 1)
                        if (other.get() == 0) {
                            retry();
                        }
                    });
                });
                retry();
            }
            return value;
        }));
        awaitParked(waiter);
        watched.setAtomically(3);
        assertEquals(3L, get(waiter));
        assertEquals(1, unrelated.committed(), "one rolled-back attempt, one hook run");

        long started = System.nanoTime();
        long waited = atomic(() -> {
            Stm.afterRollback(() -> atomic(() -> unrelated.set(unrelated.get() + 1)));
            if (other.get() == 1) {
                Stm.retryFor(Duration.ofMillis(100));
            }
            return System.nanoTime() - started;
        });
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(100),
                "the retryFor limit held after the hook's transaction: waited " + waited + " ns");
        assertTrue(waited < TimeUnit.SECONDS.toNanos(10), "the limit was not lost: waited " + waited + " ns");
    }

    /**
     * A hook whose transaction waits in retry() with a hook of its own, which runs a transaction
     * too: each wait sets its own reads aside (one spare log shared by both would hand the outer
     * wait's reads to the inner hook's transaction, which clears them).
     */
    @Test
    void hooksOfWaitsInsideHooksKeepEachWaitsReads() throws Exception {
        Counter outerFlag = new Counter(0);
        Counter innerFlag = new Counter(0);
        Counter scratch = new Counter(0);
        CompletableFuture<Long> waiter = async("nested-waits", () -> atomic(() -> {
            long value = outerFlag.get();
            if (value == 0) {
                Stm.afterRollback(() -> atomic(() -> { // waits until innerFlag is set
                    if (innerFlag.get() == 0) {
                        Stm.afterRollback(() -> atomic(() -> scratch.set(scratch.get() + 1)));
                        retry();
                    }
                }));
                retry();
            }
            return value;
        }));
        awaitParked(waiter); // the inner wait, inside the outer attempt's hook
        innerFlag.setAtomically(1);
        awaitParked(waiter); // now the outer wait: it must still be registered on outerFlag
        assertEquals(1, scratch.committed());
        outerFlag.setAtomically(9);
        assertEquals(9L, get(waiter));
    }

    /** A hook that throws ends the transaction with its exception before any wait, nothing committed. */
    @Test
    void aThrowingHookOfARetryingAttemptEndsTheTransactionWithoutWaiting() {
        Counter flag = new Counter(0);
        Counter written = new Counter(0);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> atomic(() -> {
            written.set(1);
            Stm.afterRollback(() -> {
                throw new IllegalStateException("hook failed");
            });
            if (flag.get() == 0) {
                retry();
            }
        }));
        assertEquals("hook failed", thrown.getMessage());
        assertEquals(0, written.committed());
        assertFalse(Stm.inTransaction());
        assertEquals(4L, atomic(() -> { // the thread's descriptor is clean for the next transaction
            written.set(4);
            return written.get();
        }));
    }
}
