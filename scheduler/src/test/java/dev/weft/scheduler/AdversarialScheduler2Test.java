package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.stm.Stm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Second adversarial audit of the scheduler, aimed at what {@code AdversarialSchedulerTest} and
 * {@code CancelTest} leave open:
 * <ul>
 *   <li>the cancellation handshake of {@code TaskFuture} ({@code cancel(true)} interrupts the
 *       cancelled task only): cancels racing start, end, relocation after a conflict, joins nested
 *       several levels deep, cancels issued from tasks on the same worker (of the task below in
 *       the join, of itself, of a queued task), {@code shutdownNow} racing {@code cancel(true)},
 *       cancels of tasks waiting in {@code retry()} while compensated or nested in a join, and a
 *       cancel of an escalated (irrevocable) attempt;</li>
 *   <li>placement: the contention manager abandons "the task's transaction" by throwing its
 *       internal {@code Relocation}; transactions a task runs <i>after</i> its own committed
 *       (an {@code afterCommit} hook, a dependent stage of its future) must not be abandoned;</li>
 *   <li>starvation freedom across relocations (attempts bounded by {@code escalateAfter + 1});</li>
 *   <li>statistics: completed + failed = submitted once quiescent, failed = futures completed
 *       exceptionally, per-type sums equal the totals;</li>
 *   <li>ExecutorService details: {@code submit(Runnable, result)}, exceptions unwrapped,
 *       {@code execute} of a {@code FutureTask}, timed {@code invokeAll}, {@code awaitTermination},
 *       {@code close()} idempotence.</li>
 * </ul>
 * Racing tests run trials until a time budget ends and print their seed.
 */
class AdversarialScheduler2Test {
    private static final long BOUND = 10; // seconds: a liveness bound, never what a test measures

    /** Spins (not parks: a spinning worker is neither blocked nor idle) until the condition or the bound. */
    private static boolean spinUntil(BooleanSupplier condition, long boundMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    private static void spin(int iterations) {
        for (int i = 0; i < iterations; i++) {
            Thread.onSpinWait();
        }
    }

    private static void terminate(TxnScheduler scheduler) throws InterruptedException {
        scheduler.shutdown();
        if (!scheduler.awaitTermination(BOUND, TimeUnit.SECONDS)) {
            scheduler.shutdownNow();
            fail("the scheduler did not terminate within " + BOUND + " s after shutdown(): " + scheduler.statistics());
        }
    }

    /** Sums of the per-type snapshots must equal the scheduler's totals (quiescent pool). */
    private static void assertTypeSumsMatch(TxnScheduler scheduler, String context) {
        SchedulerStatistics stats = scheduler.statistics();
        Map<String, TaskTypeStatistics> byType = scheduler.statisticsByType();
        long completed = 0;
        long failed = 0;
        long commits = 0;
        long aborts = 0;
        long onRead = 0;
        long escalations = 0;
        long placements = 0;
        long steals = 0;
        long retryWaits = 0;
        long backoff = 0;
        for (TaskTypeStatistics type : byType.values()) {
            completed += type.tasksCompleted();
            failed += type.tasksFailed();
            commits += type.commits();
            aborts += type.aborts();
            onRead += type.abortsOnRead();
            escalations += type.escalations();
            placements += type.placements();
            steals += type.steals();
            retryWaits += type.retryWaits();
            backoff += type.backoffNanos();
        }
        String where = context + ": " + stats + " by type " + byType;
        assertEquals(stats.tasksCompleted(), completed, "tasksCompleted per type " + where);
        assertEquals(stats.tasksFailed(), failed, "tasksFailed per type " + where);
        assertEquals(stats.commits(), commits, "commits per type " + where);
        assertEquals(stats.aborts(), aborts, "aborts per type " + where);
        assertEquals(stats.abortsOnRead(), onRead, "abortsOnRead per type " + where);
        assertEquals(stats.escalations(), escalations, "escalations per type " + where);
        assertEquals(stats.placements(), placements, "placements per type " + where);
        assertEquals(stats.steals(), steals, "steals per type " + where);
        assertEquals(stats.retryWaits(), retryWaits, "retryWaits per type " + where);
        assertEquals(stats.backoffNanos(), backoff, "backoffNanos per type " + where);
    }

    /** Each of the {@code parallelism} workers must still take a task: they meet at a barrier. */
    private static void assertEveryWorkerServes(TxnScheduler scheduler) throws Exception {
        int n = scheduler.parallelism();
        CyclicBarrier barrier = new CyclicBarrier(n);
        List<CompletableFuture<Boolean>> meet = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            meet.add(scheduler.submit(() -> {
                try {
                    barrier.await(BOUND, TimeUnit.SECONDS);
                    return !Thread.currentThread().isInterrupted();
                } catch (TimeoutException | BrokenBarrierException e) {
                    return false;
                }
            }));
        }
        for (CompletableFuture<Boolean> f : meet) {
            assertTrue(f.get(2 * BOUND, TimeUnit.SECONDS), "a worker was lost (or carried an interrupt)");
        }
    }

    // ------------------------------------------------------------------ placement vs. later transactions

    /**
     * Conflict staging shared by the two relocation tests: an opponent task on the other worker
     * commits {@code hot} when told and keeps running (spinning, so it is the "running task" of
     * its worker); the transaction under test reads {@code hot}, lets the opponent commit, then
     * writes it: it loses, and the only other worker that committed is the opponent.
     */
    private static final class Staging {
        final Cell hot = new Cell(0);
        final AtomicBoolean go = new AtomicBoolean();
        final AtomicBoolean committed = new AtomicBoolean();
        final AtomicBoolean release = new AtomicBoolean();
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicReference<Throwable> seen = new AtomicReference<>();
        CompletableFuture<Void> opponent;

        void startOpponent(TxnScheduler scheduler) {
            CountDownLatch started = new CountDownLatch(1);
            opponent = scheduler.submit(() -> {
                started.countDown();
                spinUntil(go::get, TimeUnit.SECONDS.toMillis(BOUND));
                Stm.atomic(() -> {
                    hot.add(1);
                });
                committed.set(true);
                spinUntil(release::get, TimeUnit.SECONDS.toMillis(BOUND));
            });
            Await.latch(started, "the opponent to start");
        }

        /** The transaction that loses its first attempt to the opponent, run outside any task's own transaction. */
        void losingTransaction() {
            try {
                Stm.atomic(() -> {
                    long value = hot.get();
                    if (attempts.incrementAndGet() == 1) {
                        go.set(true);
                        spinUntil(committed::get, TimeUnit.SECONDS.toMillis(BOUND));
                    }
                    hot.set(value + 10);
                });
            } catch (Throwable t) {
                seen.compareAndSet(null, t);
                throw t;
            }
        }
    }

    /**
     * An atomic task registers an afterCommit hook that runs a transaction (the docs' own advice:
     * work after the commit goes in afterCommit). That transaction loses to a task on the other
     * worker. Invariant (docs: "Relocation ... caught by the task, never seen by user code";
     * "placement and escalation never publish a partial attempt"; the task commits once): the
     * hook's transaction is retried and commits, the hook never sees an internal exception, and
     * the task's future gets the body's result.
     */
    // Regression (session 17): the hook's Stm.atomic throws the scheduler's internal Relocation; the task's future fails with AfterCommitException(Relocation) and the hook's write is lost
    @Test
    void aTransactionInAnAfterCommitHookIsNotAbandonedForPlacement() throws Exception {
        Staging staging = new Staging();
        Cell own = new Cell(0);
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).throttling(false)
                .observeBlocking(false).contentionPolicy(conflict -> 0).build();
        try {
            staging.startOpponent(scheduler);
            CompletableFuture<Long> task = scheduler.submitAtomic(() -> {
                own.add(1);
                Stm.afterCommit(staging::losingTransaction);
                return 7L;
            });
            Throwable outcome = null;
            Long result = null;
            try {
                result = task.get(BOUND, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                outcome = e.getCause();
            }
            staging.release.set(true);
            staging.opponent.get(BOUND, TimeUnit.SECONDS);
            assertNull(staging.seen.get(), "the hook's transaction threw " + staging.seen.get());
            assertNull(outcome, "the task's future failed with " + outcome
                    + (outcome == null ? "" : " caused by " + outcome.getCause()));
            assertEquals(7L, result);
            assertEquals(1, own.committed(), "the task's own transaction must commit exactly once");
            assertEquals(11, staging.hot.committed(), "the hook's transaction must commit once after the opponent's");
        } finally {
            staging.release.set(true);
            staging.go.set(true);
            scheduler.shutdownNow();
        }
    }

    /**
     * A dependent stage registered on an atomic task's future before it completes runs on the
     * worker, inside the task's completion. Its transaction loses to a task on the other worker.
     * Invariant (the same as above: placement concerns the task's own transaction only): the
     * stage's transaction retries and commits; the stage does not fail with the internal
     * Relocation, and no placement is counted for a task that was never moved.
     */
    // Regression (session 17): the dependent stage fails with CompletionException(Relocation): the contention manager abandons a transaction that is not the task's own, and counts a placement that never happens
    @Test
    void aTransactionInADependentStageOfAnAtomicFutureIsNotAbandonedForPlacement() throws Exception {
        Staging staging = new Staging();
        AtomicBoolean registered = new AtomicBoolean();
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).throttling(false)
                .observeBlocking(false).contentionPolicy(conflict -> 0).build();
        try {
            staging.startOpponent(scheduler);
            CompletableFuture<Long> task = scheduler.submitAtomic(() -> {
                spinUntil(registered::get, TimeUnit.SECONDS.toMillis(BOUND)); // complete after the stage is registered
                return 7L;
            });
            AtomicReference<Thread> stageThread = new AtomicReference<>();
            CompletableFuture<Long> stage = task.thenApply(v -> {
                stageThread.set(Thread.currentThread());
                staging.losingTransaction();
                return v + 1;
            });
            registered.set(true);
            Throwable outcome = null;
            Long result = null;
            try {
                result = stage.get(BOUND, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                outcome = e.getCause();
            }
            staging.release.set(true);
            staging.opponent.get(BOUND, TimeUnit.SECONDS);
            assertEquals(7L, task.get(BOUND, TimeUnit.SECONDS));
            assertTrue(stageThread.get() instanceof dev.weft.scheduler.internal.Worker,
                    "precondition: the stage ran on a worker, ran on " + stageThread.get());
            assertNull(staging.seen.get(), "the stage's transaction threw " + staging.seen.get());
            assertNull(outcome, "the dependent stage failed with " + outcome);
            assertEquals(8L, result);
            assertEquals(11, staging.hot.committed());
            assertEquals(0, scheduler.statistics().placements(), "a placement was counted but no task moved: "
                    + scheduler.statistics());
        } finally {
            staging.release.set(true);
            staging.go.set(true);
            scheduler.shutdownNow();
        }
    }

    /**
     * The same for parallelFor: an index's afterCommit hook runs a transaction that loses to a
     * task on the other worker. Invariant: parallelFor returns normally (the index committed, the
     * hook's transaction retried and committed); it never rethrows the internal Relocation.
     */
    // Regression (session 17): parallelFor throws AfterCommitException caused by the internal Relocation; the hook's transaction never commits
    @Test
    void aTransactionInAnAfterCommitHookOfAParallelForIndexIsNotAbandonedForPlacement() throws Exception {
        Staging staging = new Staging();
        Cell own = new Cell(0);
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).throttling(false)
                .observeBlocking(false).contentionPolicy(conflict -> 0).build();
        try {
            staging.startOpponent(scheduler);
            CompletableFuture<Throwable> loop = CompletableFuture.supplyAsync(() -> {
                try {
                    scheduler.parallelFor(0, 1, i -> {
                        own.add(1);
                        Stm.afterCommit(staging::losingTransaction);
                    });
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Throwable outcome = loop.get(BOUND, TimeUnit.SECONDS);
            staging.release.set(true);
            staging.opponent.get(BOUND, TimeUnit.SECONDS);
            assertNull(staging.seen.get(), "the hook's transaction threw " + staging.seen.get());
            assertNull(outcome, "parallelFor threw " + outcome + (outcome == null ? "" : " caused by " + outcome.getCause()));
            assertEquals(1, own.committed());
            assertEquals(11, staging.hot.committed());
        } finally {
            staging.release.set(true);
            staging.go.set(true);
            scheduler.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ cancellation: deterministic cases

    /**
     * Three levels on one worker: A (submit) calls invokeAll([B]) and its join runs B nested; B
     * forks C and joins it inline; C cancels A with cancel(true). Invariant (docs: while the
     * task's join runs another task on the same worker the interrupt is held until the join comes
     * back): neither C nor B is interrupted; A is, once invokeAll returns; B completes normally;
     * the next task starts clean.
     */
    @Test
    void aCancelFromATaskNestedTwoLevelsDownReachesTheOuterTaskOnlyAfterItsJoin() throws Exception {
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).maxCompensationThreads(0).build();
        try {
            AtomicReference<CompletableFuture<Object>> aFuture = new AtomicReference<>();
            AtomicBoolean cInterrupted = new AtomicBoolean();
            AtomicBoolean bInterrupted = new AtomicBoolean();
            AtomicReference<Boolean> aInterruptedAfterJoin = new AtomicReference<>();
            AtomicReference<Object> bOutcome = new AtomicReference<>();
            AtomicBoolean cancelReturned = new AtomicBoolean();
            CountDownLatch aDone = new CountDownLatch(1);
            CompletableFuture<Object> a = scheduler.submit(() -> {
                try {
                    spinUntil(() -> aFuture.get() != null, TimeUnit.SECONDS.toMillis(BOUND));
                    List<Future<Integer>> results = scheduler.invokeAll(List.<Callable<Integer>>of(() -> {
                        Fork<Integer> c = scheduler.fork(() -> {
                            cancelReturned.set(aFuture.get().cancel(true));
                            spin(20_000); // give a misdirected interrupt time to land
                            cInterrupted.set(Thread.currentThread().isInterrupted());
                            return 3;
                        });
                        int value = c.join();
                        bInterrupted.set(Thread.currentThread().isInterrupted());
                        return value;
                    }));
                    try {
                        bOutcome.set(results.get(0).get());
                    } catch (ExecutionException e) {
                        bOutcome.set(e.getCause());
                    }
                    aInterruptedAfterJoin.set(Thread.currentThread().isInterrupted());
                    return null;
                } finally {
                    aDone.countDown();
                }
            });
            aFuture.set(a);
            Await.latch(aDone, "A to finish");
            assertTrue(cancelReturned.get(), "C's cancel of A must succeed");
            assertFalse(cInterrupted.get(), "the cancel of A interrupted C, the fork running nested in its join");
            assertFalse(bInterrupted.get(), "the cancel of A interrupted B, the task running nested in its join");
            assertEquals(3, bOutcome.get());
            assertEquals(Boolean.TRUE, aInterruptedAfterJoin.get(), "A was not interrupted once its join returned");
            assertThrows(CancellationException.class, a::join);
            assertFalse(scheduler.submit(() -> Thread.currentThread().isInterrupted()).get(BOUND, TimeUnit.SECONDS),
                    "the next task inherited the interrupt");
        } finally {
            terminate(scheduler);
        }
    }

    /**
     * A task on the only worker cancels (with interrupt) a task it submitted (queued on its own
     * deque, not started), then cancels itself. Invariant: the queued task never runs and the
     * cancel of it interrupts nobody; the self-cancel interrupts the task itself; the next task
     * starts clean; both count as failed.
     */
    @Test
    void cancelsIssuedByATaskOfItsQueuedChildAndOfItselfHitOnlyTheRightTask() throws Exception {
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).maxCompensationThreads(0).build();
        try {
            AtomicInteger childRan = new AtomicInteger();
            AtomicReference<Boolean> interruptedAfterChildCancel = new AtomicReference<>();
            AtomicReference<Boolean> interruptedAfterSelfCancel = new AtomicReference<>();
            AtomicReference<CompletableFuture<Object>> self = new AtomicReference<>();
            AtomicReference<CompletableFuture<Integer>> childRef = new AtomicReference<>();
            CompletableFuture<Object> parent = scheduler.submit(() -> {
                spinUntil(() -> self.get() != null, TimeUnit.SECONDS.toMillis(BOUND));
                CompletableFuture<Integer> child = scheduler.submit(childRan::incrementAndGet);
                childRef.set(child);
                child.cancel(true);
                interruptedAfterChildCancel.set(Thread.currentThread().isInterrupted());
                self.get().cancel(true);
                interruptedAfterSelfCancel.set(Thread.interrupted());
                return "ignored";
            });
            self.set(parent);
            assertThrows(CancellationException.class, () -> parent.get(BOUND, TimeUnit.SECONDS));
            Await.until(() -> scheduler.statistics().tasksCompleted() == 2, "both tasks to be accounted for", BOUND);
            assertEquals(Boolean.FALSE, interruptedAfterChildCancel.get(), "cancelling a queued task interrupted its canceller");
            assertEquals(Boolean.TRUE, interruptedAfterSelfCancel.get(), "a self-cancel(true) must interrupt the task");
            assertTrue(childRef.get().isCancelled());
            assertFalse(scheduler.submit(() -> Thread.currentThread().isInterrupted()).get(BOUND, TimeUnit.SECONDS));
            assertEquals(0, childRan.get(), "a task cancelled while queued ran");
        } finally {
            terminate(scheduler);
        }
    }

    /**
     * Outer task X on the only worker calls invokeAll([B]); B runs nested and waits in retry().
     * X is cancelled with interrupt. Invariant: the interrupt is held for X, so B's wait does not
     * end (B is not X); when the awaited change comes B commits, and X is interrupted after its
     * join. Then B's own cancel in a second round does end B's wait.
     */
    @Test
    void cancellingTheOuterTaskDoesNotEndTheRetryWaitOfTheTaskNestedInItsJoin() throws Exception {
        Cell gate = new Cell(0);
        Cell effect = new Cell(0);
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).maxCompensationThreads(0).build();
        try {
            AtomicReference<Object> bOutcome = new AtomicReference<>();
            AtomicReference<Boolean> xInterrupted = new AtomicReference<>();
            CountDownLatch xDone = new CountDownLatch(1);
            CompletableFuture<Object> x = scheduler.submit(() -> {
                try {
                    List<Future<Long>> results = scheduler.invokeAll(List.<Callable<Long>>of(() -> Stm.atomic(() -> {
                        if (gate.get() == 0) {
                            Stm.retry();
                        }
                        return effect.add(1);
                    })));
                    try {
                        bOutcome.set(results.get(0).get());
                    } catch (ExecutionException e) {
                        bOutcome.set(e.getCause());
                    }
                    xInterrupted.set(Thread.currentThread().isInterrupted());
                    return null;
                } finally {
                    xDone.countDown();
                }
            });
            Await.until(() -> scheduler.statistics().retryWaits() >= 1, "B to wait in retry()", BOUND);
            assertTrue(x.cancel(true));
            Thread.sleep(50);
            assertEquals(1, xDone.getCount(), "X's invokeAll returned before B could have: " + bOutcome.get());
            gate.setFromOutside(1);
            Await.latch(xDone, "X to finish");
            assertEquals(1L, bOutcome.get(), "B's retry wait was ended by the cancel meant for X");
            assertEquals(Boolean.TRUE, xInterrupted.get(), "X was not interrupted after its join");
            assertEquals(1, effect.committed());
            assertFalse(scheduler.submit(() -> Thread.currentThread().isInterrupted()).get(BOUND, TimeUnit.SECONDS));
        } finally {
            gate.setFromOutside(1);
            terminate(scheduler);
        }
    }

    /**
     * One worker blocks in retry(); a spare stands in and runs a stream of tasks; then the blocked
     * task is cancelled with interrupt. Invariant: it ends with CancellationException and never
     * commits; every other task completes; the workers keep serving without a stray interrupt;
     * statistics: submitted = completed, exactly one failed, per-type sums match.
     */
    @Test
    void cancelOfATaskWaitingInRetryWhileCompensatedFreesItsWorkerAndKeepsTheCounts() throws Exception {
        Cell never = new Cell(0);
        Cell effect = new Cell(0);
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).build();
        try {
            CompletableFuture<Void> waiting = scheduler.submitAtomic("waiter", () -> {
                if (never.get() == 0) {
                    Stm.retry();
                }
                effect.set(1);
            });
            Await.until(() -> scheduler.statistics().retryWaits() >= 1, "the task to block in retry()", BOUND);
            List<CompletableFuture<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int id = i;
                others.add(scheduler.submit("other", () -> id));
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(i, others.get(i).get(BOUND, TimeUnit.SECONDS));
            }
            assertTrue(scheduler.statistics().compensationThreads() >= 1, "precondition: a spare stood in");
            assertTrue(waiting.cancel(true));
            assertThrows(CancellationException.class, () -> waiting.get(BOUND, TimeUnit.SECONDS));
            Await.until(() -> scheduler.statistics().tasksCompleted() == 51, "the cancelled task to be accounted for", BOUND);
            assertEveryWorkerServes(scheduler);
            never.setFromOutside(1);
            terminate(scheduler);
            assertEquals(0, effect.committed(), "the cancelled waiter committed");
            SchedulerStatistics stats = scheduler.statistics();
            assertEquals(stats.tasksSubmitted(), stats.tasksCompleted(), stats.toString());
            assertEquals(1, stats.tasksFailed(), stats.toString());
            assertTypeSumsMatch(scheduler, "after the cancelled waiter");
        } finally {
            never.setFromOutside(1);
            scheduler.shutdownNow();
        }
    }

    /**
     * An atomic task loses its first attempt (escalateAfter 1), so its second attempt runs
     * irrevocably; it is cancelled while that attempt's body runs. Invariant (docs: an attempt
     * cancelled by the time its body returns rolls back): the irrevocable attempt's write is not
     * published and the future is cancelled.
     */
    @Test
    void aCancelledIrrevocableAttemptRollsBack() throws Exception {
        Cell cell = new Cell(0);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).placement(false).escalateAfter(1)
                .contentionPolicy(conflict -> 0).build(); Interferer interferer = new Interferer()) {
            AtomicInteger attempts = new AtomicInteger();
            CountDownLatch inIrrevocable = new CountDownLatch(1);
            AtomicBoolean cancelled = new AtomicBoolean();
            AtomicBoolean wasIrrevocable = new AtomicBoolean();
            CompletableFuture<Long> task = scheduler.submitAtomic(() -> {
                long seen = cell.get();
                if (attempts.incrementAndGet() == 1) {
                    interferer.bump(cell);
                } else {
                    wasIrrevocable.set(true);
                    inIrrevocable.countDown();
                    spinUntil(cancelled::get, TimeUnit.SECONDS.toMillis(BOUND));
                }
                cell.set(seen + 100);
                return seen;
            });
            Await.latch(inIrrevocable, "the escalated attempt");
            assertTrue(task.cancel(true));
            cancelled.set(true);
            assertThrows(CancellationException.class, () -> task.get(BOUND, TimeUnit.SECONDS));
            Await.until(() -> scheduler.statistics().tasksCompleted() == 1, "the task to be accounted for", BOUND);
            assertEquals(1, scheduler.statistics().escalations(), "precondition: the second attempt was escalated");
            assertEquals(1, cell.committed(), "the cancelled irrevocable attempt published its write");
        }
    }

    /**
     * B loses to A, which holds the cell's commit lock (an external decider), and is moved to A's
     * worker; while it waits there (or, if stolen after the 10 ms patience, runs and loses again),
     * B is cancelled with interrupt. Invariants: B never commits; its future is cancelled and B's
     * worker is not left interrupted; A, the winner, is never interrupted and commits; both tasks
     * are accounted for, B as failed; the workers keep serving.
     */
    @Test
    void aTaskCancelledAfterItWasMovedToTheWinnersWorkerNeverCommitsAndInterruptsNobodyElse() throws Exception {
        Cell cell = new Cell(0);
        Cell other = new Cell(0);
        CountDownLatch aHoldsTheLock = new CountDownLatch(1);
        AtomicBoolean bCancelled = new AtomicBoolean();
        AtomicBoolean aInterrupted = new AtomicBoolean();
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).throttling(false).escalateAfter(100)
                .maxCompensationThreads(0).contentionPolicy(conflict -> 0).build();
        try {
            CompletableFuture<Void> a = scheduler.submitAtomic(() -> {
                cell.add(1);
                Stm.setExternalDecider(() -> {
                    aHoldsTheLock.countDown();
                    spinUntil(bCancelled::get, TimeUnit.SECONDS.toMillis(BOUND));
                    spin(50_000); // a misdirected interrupt would land by now
                    if (Thread.currentThread().isInterrupted()) {
                        aInterrupted.set(true);
                    }
                    return true;
                });
            });
            Await.latch(aHoldsTheLock, "A to hold the cell's commit lock");
            AtomicInteger bAttempts = new AtomicInteger();
            CompletableFuture<Void> b = scheduler.submitAtomic(() -> {
                bAttempts.incrementAndGet();
                other.set(1);
                cell.add(10);
            });
            Await.until(() -> scheduler.statistics().placements() >= 1, "B to be moved to A's worker", BOUND);
            assertTrue(b.cancel(true));
            bCancelled.set(true);
            a.get(BOUND, TimeUnit.SECONDS);
            assertThrows(CancellationException.class, () -> b.get(BOUND, TimeUnit.SECONDS));
            Await.until(() -> scheduler.statistics().tasksCompleted() == 2, "both tasks to be accounted for", BOUND);
            assertFalse(aInterrupted.get(), "the cancel of B interrupted A, the task whose worker B was moved to");
            assertEquals(1, cell.committed(), "the cancelled B committed");
            assertEquals(0, other.committed(), "the cancelled B committed");
            assertEquals(1, scheduler.statistics().tasksFailed(), scheduler.statistics().toString());
            assertEveryWorkerServes(scheduler);
        } finally {
            bCancelled.set(true);
            terminate(scheduler);
        }
    }

    // ------------------------------------------------------------------ statistics vs. futures

    /**
     * A plain task cancelled with interrupt while it runs, which swallows the interrupt and returns
     * normally. Its future is cancelled. Invariant (SchedulerStatistics / TaskTypeStatistics:
     * tasksFailed counts tasks "finished exceptionally (including cancelled ones)"; a task
     * cancelled before it starts is counted failed): it is counted as failed, so that tasksFailed
     * equals the number of futures that completed exceptionally.
     */
    // Regression (session 17): a task cancelled while running that returns normally is counted as succeeded (tasksFailed 0) although its future is cancelled
    @Test
    void aTaskCancelledWhileRunningCountsAsFailedLikeItsFuture() throws Exception {
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).build();
        CompletableFuture<Integer> task;
        try {
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean release = new AtomicBoolean();
            task = scheduler.submit("victim", () -> {
                started.countDown();
                spinUntil(release::get, TimeUnit.SECONDS.toMillis(BOUND));
                Thread.interrupted(); // swallow the cancel's interrupt
                return 1;
            });
            Await.latch(started, "the task to start");
            assertTrue(task.cancel(true));
            release.set(true);
        } finally {
            terminate(scheduler);
        }
        assertTrue(task.isCancelled() && task.isCompletedExceptionally());
        SchedulerStatistics stats = scheduler.statistics();
        assertEquals(1, stats.tasksCompleted(), stats.toString());
        assertEquals(1, stats.tasksFailed(), "the cancelled task's future failed, the statistics say it succeeded: " + stats);
        assertEquals(1, scheduler.statisticsByType().get("victim").tasksFailed(), scheduler.statisticsByType().toString());
    }

    /**
     * Snapshots taken while workers keep losing attempts on reads. Invariant (SchedulerStatistics:
     * "each value is one the counter had during the call"; a count is never negative):
     * abortsOnRead never exceeds aborts and abortsOnCommit (derived as their difference) is never
     * negative, in the scheduler's snapshot and in each type's.
     */
    // Regression (session 17): a snapshot shows abortsOnRead > aborts, i.e. abortsOnCommit = -1 (ABORTS and ABORTS_ON_READ are read in the order they are written)
    @Test
    void abortSplitsInSnapshotsTakenWhileTasksRunAreNeverNegative() throws Exception {
        Cell hot = new Cell(0);
        Cell cold = new Cell(0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> violation = new AtomicReference<>();
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).throttling(false).placement(false)
                .escalateAfter(Integer.MAX_VALUE).contentionPolicy(conflict -> 0).build();
        Thread writer = new Thread(() -> {
            while (!stop.get()) {
                Stm.atomic(() -> {
                    hot.add(1);
                    cold.add(1);
                });
            }
        }, "hot-writer");
        writer.setDaemon(true);
        List<CompletableFuture<Object>> readers = new ArrayList<>();
        long snapshots = 0;
        try {
            writer.start();
            for (int i = 0; i < 2; i++) {
                readers.add(scheduler.submit("reader", () -> {
                    while (!stop.get()) {
                        Stm.atomic(() -> {
                            hot.get();
                            spin(50);
                            return cold.get(); // newer than the snapshot, and hot changed too: lost on read
                        });
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_000);
            while (System.nanoTime() - deadline < 0 && violation.get() == null) {
                SchedulerStatistics stats = scheduler.statistics();
                snapshots++;
                if (stats.abortsOnCommit() < 0 || stats.abortsOnRead() > stats.aborts()) {
                    violation.set("scheduler snapshot " + stats);
                }
                TaskTypeStatistics type = scheduler.statisticsByType().get("reader");
                if (type != null && (type.abortsOnCommit() < 0 || type.abortsOnRead() > type.aborts())) {
                    violation.set("type snapshot " + type);
                }
            }
        } finally {
            stop.set(true);
            writer.join(TimeUnit.SECONDS.toMillis(BOUND));
            for (CompletableFuture<Object> r : readers) {
                r.get(BOUND, TimeUnit.SECONDS);
            }
            terminate(scheduler);
        }
        SchedulerStatistics end = scheduler.statistics();
        System.out.println("abort splits: " + snapshots + " snapshots, " + end);
        assertTrue(end.abortsOnRead() > 0, "precondition: attempts lost on reads: " + end);
        assertNull(violation.get(), "a snapshot with more aborts on read than aborts (a negative abortsOnCommit): "
                + violation.get());
    }

    // ------------------------------------------------------------------ cancellation: races

    /**
     * Random storm on two workers: plain victims fork, join (the fork may run inline, nested, or
     * be stolen), submit probes from the worker (which may run nested in another task's join) and
     * sometimes cancel a recent victim (or themselves); atomic victims contend on one hot cell
     * (aborts, placements, escalations) and set a cell of their own; the test thread cancels
     * recent victims with interrupt at random moments. Invariants: a probe or a fork (never
     * cancelled) never sees an interrupt; an atomic victim completed normally committed its own
     * cell, one that failed otherwise did not, and the hot cell counts exactly the committed ones
     * (exactly once, also across relocations); every future completes; every worker still serves;
     * submitted = completed and per-type sums equal the totals.
     */
    @Test
    void cancelsRacingStartEndJoinsAndRelocationsInterruptOnlyTheirTask() throws Exception {
        long seed = System.nanoTime();
        System.out.println("cancelsRacingStartEndJoinsAndRelocationsInterruptOnlyTheirTask seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).escalateAfter(4).build();
        Cell hot = new Cell(0);
        ConcurrentLinkedQueue<String> leaks = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<CompletableFuture<Boolean>> probes = new ConcurrentLinkedQueue<>();
        AtomicReferenceArray<CompletableFuture<?>> recent = new AtomicReferenceArray<>(16);
        List<CompletableFuture<?>> victims = new ArrayList<>();
        List<Cell> ownCells = new ArrayList<>();
        List<CompletableFuture<?>> atomicVictims = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);
            int submitted = 0;
            while (System.nanoTime() - deadline < 0 && submitted < 20_000) {
                int kind = random.nextInt(5);
                int spinsA = random.nextInt(4_000);
                int spinsB = random.nextInt(4_000);
                int target = random.nextInt(16);
                boolean cancelOther = random.nextInt(4) == 0;
                CompletableFuture<?> victim;
                if (kind <= 1) {
                    victim = scheduler.submit("plain-victim", () -> {
                        Fork<Integer> fork = scheduler.fork(() -> {
                            for (int i = 0; i < spinsB; i++) {
                                if (Thread.currentThread().isInterrupted()) {
                                    leaks.add("a fork saw an interrupt");
                                    Thread.interrupted();
                                }
                                Thread.onSpinWait();
                            }
                            return 1;
                        });
                        probes.add(scheduler.submit("probe", () -> Thread.currentThread().isInterrupted()));
                        if (cancelOther) {
                            CompletableFuture<?> other = recent.get(target);
                            if (other != null) {
                                other.cancel(true);
                            }
                        }
                        fork.join();
                        spin(spinsA);
                        return 0;
                    });
                } else if (kind <= 3) {
                    Cell own = new Cell(0);
                    ownCells.add(own);
                    victim = scheduler.submitAtomic("atomic-victim", () -> {
                        long value = hot.get();
                        spin(spinsA);
                        hot.set(value + 1);
                        own.set(1);
                        return null;
                    });
                    atomicVictims.add(victim);
                } else {
                    probes.add(scheduler.submit("probe", () -> Thread.currentThread().isInterrupted()));
                    victim = null;
                }
                if (victim != null) {
                    victims.add(victim);
                    recent.set(target, victim);
                    submitted++;
                }
                if (random.nextInt(3) == 0) {
                    spin(random.nextInt(3_000));
                    CompletableFuture<?> chosen = recent.get(random.nextInt(16));
                    if (chosen != null) {
                        chosen.cancel(true);
                    }
                }
                if (victims.size() % 64 == 0) { // keep the queues short: wait for the older victims
                    for (int i = Math.max(0, victims.size() - 128); i < victims.size() - 64; i++) {
                        awaitDone(victims.get(i), seed);
                    }
                }
            }
            for (CompletableFuture<?> v : victims) {
                awaitDone(v, seed);
            }
            for (CompletableFuture<Boolean> probe : probes) {
                if (probe.get(BOUND, TimeUnit.SECONDS)) {
                    leaks.add("a probe started interrupted");
                }
            }
            assertEveryWorkerServes(scheduler);
        } finally {
            terminate(scheduler);
        }
        String context = "seed " + seed + ", " + scheduler.statistics();
        System.out.println("storm: " + victims.size() + " victims, " + probes.size() + " probes, " + context);
        assertTrue(leaks.isEmpty(), leaks.size() + " misdirected interrupts, first: " + leaks.peek() + "; " + context);
        long committed = 0;
        for (int i = 0; i < atomicVictims.size(); i++) {
            CompletableFuture<?> f = atomicVictims.get(i);
            long own = ownCells.get(i).committed();
            committed += own;
            if (!f.isCompletedExceptionally()) {
                assertEquals(1, own, "a completed atomic task did not commit; " + context);
            } else if (!f.isCancelled()) {
                Throwable cause = assertThrows(ExecutionException.class, f::get).getCause();
                fail("an atomic victim failed with " + cause + "; " + context);
            }
        }
        assertEquals(committed, hot.committed(), "the hot cell does not count each committed task once; " + context);
        SchedulerStatistics stats = scheduler.statistics();
        assertEquals(stats.tasksSubmitted(), stats.tasksCompleted(), context);
        assertTypeSumsMatch(scheduler, "seed " + seed);
    }

    private static void awaitDone(CompletableFuture<?> future, long seed) throws Exception {
        try {
            future.get(BOUND, TimeUnit.SECONDS);
        } catch (ExecutionException | CancellationException expected) {
            // cancelled or failed: checked by the caller
        } catch (TimeoutException e) {
            fail("a future was not completed within " + BOUND + " s (seed " + seed + ")");
        }
    }

    /**
     * shutdownNow() races cancel(true) storms from two threads, over tasks running (spinning until
     * interrupted), waiting in retry() and queued. Invariants, every trial: the pool terminates;
     * every future is done; every task that started was interrupted (by its cancel or by
     * shutdownNow), so none ran out its 5 s spin; no waiter committed; submitted = completed.
     */
    @Test
    void shutdownNowRacingCancelTrueLeavesNoFutureOrWorkerBehind() throws Exception {
        long seed = System.nanoTime();
        System.out.println("shutdownNowRacingCancelTrueLeavesNoFutureOrWorkerBehind seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        long budget = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);
        int trials = 0;
        while (trials < 200 && (trials < 5 || System.nanoTime() - budget < 0)) {
            trials++;
            long trialSeed = random.nextLong();
            shutdownNowRacingCancelTrial(trialSeed, seed);
        }
    }

    private static void shutdownNowRacingCancelTrial(long trialSeed, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(trialSeed);
        Cell never = new Cell(0);
        Cell effect = new Cell(0);
        AtomicInteger ranOut = new AtomicInteger();
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).build();
        List<CompletableFuture<?>> futures = Collections.synchronizedList(new ArrayList<>());
        try {
            for (int i = 0; i < 12; i++) {
                if (random.nextBoolean()) {
                    futures.add(scheduler.submit(() -> {
                        boolean interrupted = spinUntil(() -> Thread.currentThread().isInterrupted(), 5_000);
                        if (!interrupted) {
                            ranOut.incrementAndGet();
                        }
                        return interrupted;
                    }));
                } else {
                    futures.add(scheduler.submitAtomic(() -> {
                        if (never.get() == 0) {
                            Stm.retry();
                        }
                        effect.add(1);
                    }));
                }
            }
            List<CompletableFuture<?>> snapshot = new ArrayList<>(futures);
            long order = random.nextLong();
            CyclicBarrier start = new CyclicBarrier(3);
            Runnable canceller = () -> {
                SplittableRandom r = new SplittableRandom(order ^ Thread.currentThread().getId());
                try {
                    start.await(BOUND, TimeUnit.SECONDS);
                } catch (Exception e) {
                    return;
                }
                for (int k = 0; k < snapshot.size(); k++) {
                    snapshot.get(r.nextInt(snapshot.size())).cancel(true);
                    spin(r.nextInt(500));
                }
            };
            Thread c1 = new Thread(canceller, "canceller-1");
            Thread c2 = new Thread(canceller, "canceller-2");
            c1.start();
            c2.start();
            spin(random.nextInt(20_000));
            start.await(BOUND, TimeUnit.SECONDS);
            spin(random.nextInt(2_000));
            scheduler.shutdownNow();
            c1.join(TimeUnit.SECONDS.toMillis(BOUND));
            c2.join(TimeUnit.SECONDS.toMillis(BOUND));
            assertTrue(scheduler.awaitTermination(BOUND, TimeUnit.SECONDS),
                    "shutdownNow racing cancels did not terminate (trial seed " + trialSeed + ", seed " + seed + ")");
            for (CompletableFuture<?> f : futures) {
                assertTrue(f.isDone(), "a future was left pending (trial seed " + trialSeed + ")");
            }
            assertEquals(0, ranOut.get(), "a running task was never interrupted (trial seed " + trialSeed + ")");
            assertEquals(0, effect.committed());
            SchedulerStatistics stats = scheduler.statistics();
            assertEquals(stats.tasksSubmitted(), stats.tasksCompleted(), "trial seed " + trialSeed + ": " + stats);
        } finally {
            never.setFromOutside(1);
            scheduler.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ contention: starvation freedom

    /**
     * All-conflicting atomic tasks on two workers with placement moving losers (up to twice) and
     * a policy that always retries at once. Invariant (docs, Guarantees: a transaction takes at
     * most escalateAfter + 1 attempts whatever the policy; lost attempts are counted over all the
     * task's runs, "relocations do not reset it"): every task finishes, no task's body runs more
     * than escalateAfter + 1 times (one extra allowed for the engine's rare lost commit-lock race),
     * and the counter is exact.
     */
    @Test
    void attemptsStayBoundedAcrossRelocationsWhateverThePolicy() throws Exception {
        int escalateAfter = 3;
        int tasks = 600;
        Cell counter = new Cell(0);
        Cell[] side = Cell.array(4, 0);
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).escalateAfter(escalateAfter)
                .maxRelocations(2).throttling(false).contentionPolicy(conflict -> 0).build();
        int[] runs = new int[tasks];
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < tasks; i++) {
                int id = i;
                futures.add(scheduler.submitAtomic(() -> {
                    synchronized (runs) {
                        runs[id]++;
                    }
                    long value = counter.get();
                    side[id % side.length].add(1);
                    spin(300);
                    counter.set(value + 1);
                }));
            }
            for (CompletableFuture<Void> f : futures) {
                f.get(BOUND, TimeUnit.SECONDS);
            }
        } finally {
            terminate(scheduler);
        }
        SchedulerStatistics stats = scheduler.statistics();
        System.out.println("bounded attempts: " + stats);
        int worst = 0;
        int over = 0;
        for (int r : runs) {
            worst = Math.max(worst, r);
            if (r > escalateAfter + 1) {
                over++;
            }
        }
        assertEquals(tasks, counter.committed(), stats.toString());
        assertTrue(worst <= escalateAfter + 2 && over <= 1,
                "a task ran " + worst + " attempts (" + over + " tasks over " + (escalateAfter + 1) + "): " + stats);
        assertTypeSumsMatch(scheduler, "bounded attempts");
    }

    /**
     * A contention policy answering an absurd wait (Long.MAX_VALUE ns) after a loss to an opponent
     * outside the scheduler (whose end the wait cannot watch). Docs: "A transaction run on a
     * worker takes at most escalateAfter + 1 attempts ... whatever the policy"; the brief asks
     * that nonsense answers be handled. Checked: the task still finishes within a few seconds.
     */
    // Regression (session 17), was a question: the worker backed off for ~292 years (the task never finishes, close() hangs); the docs bound attempts, not waits, and do not say whether a policy's wait is capped
    @Test
    void aPolicyAnsweringAnAbsurdWaitDoesNotWedgeTheTaskForever() throws Exception {
        Cell cell = new Cell(0);
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).placement(false)
                .contentionPolicy(conflict -> Long.MAX_VALUE).build();
        try (Interferer interferer = new Interferer()) {
            AtomicInteger attempts = new AtomicInteger();
            CompletableFuture<Long> task = scheduler.submitAtomic(() -> {
                long seen = cell.get();
                if (attempts.incrementAndGet() == 1) {
                    interferer.bump(cell);
                }
                cell.set(seen + 100);
                return seen;
            });
            try {
                assertEquals(1L, task.get(BOUND, TimeUnit.SECONDS)); // a liveness bound: a literal wait never ends
            } catch (TimeoutException e) {
                fail("the task still waits after " + BOUND + " s: the policy's Long.MAX_VALUE wait is taken literally; "
                        + scheduler.statistics());
            }
        } finally {
            scheduler.shutdownNow(); // the interrupt ends a runaway backoff
            assertTrue(scheduler.awaitTermination(BOUND, TimeUnit.SECONDS));
        }
    }

    /**
     * Timed invokeAll times out while its task's join runs the task's fork nested on the same
     * worker. The docs promise that a cancel's interrupt is held while the join runs another task
     * (CancelTest checks it for submit). Checked: the timeout's cancel does not interrupt the
     * nested fork, and the task itself sees it once its join returned.
     */
    // Regression (session 20), was: timed invokeAll and invokeAny were AbstractExecutorService's, whose FutureTasks (run through execute) had no interrupt hand-off
    @Test
    void aTimedInvokeAllTimeoutDoesNotInterruptATaskNestedInItsJoin() throws Exception {
        timeoutOfATaskJoiningANestedFork((scheduler, task) -> {
            List<Future<Integer>> results = scheduler.invokeAll(List.of(task), 200, TimeUnit.MILLISECONDS);
            assertTrue(results.get(0).isCancelled(), "precondition: the task timed out");
        });
    }

    /** As above for timed invokeAny: TimeoutException, and the same hand-off of the interrupt. */
    // Regression (session 20), was: invokeAny was AbstractExecutorService's: FutureTask.cancel(true) interrupted the worker directly
    @Test
    void aTimedInvokeAnyTimeoutDoesNotInterruptATaskNestedInItsJoin() throws Exception {
        timeoutOfATaskJoiningANestedFork((scheduler, task) ->
                assertThrows(TimeoutException.class, () -> scheduler.invokeAny(List.of(task), 200, TimeUnit.MILLISECONDS)));
    }

    /** A timed invoke of {@code task} on {@code scheduler} that must time out. */
    private interface TimedInvoke {
        void invoke(TxnScheduler scheduler, Callable<Integer> task) throws Exception;
    }

    /**
     * On a one-worker scheduler, {@code invoke} runs one task whose join runs its fork nested on
     * the same worker, the fork spinning until interrupted or released, and times out; the fork
     * is then released. The fork must not have been interrupted; the task must see the interrupt
     * once its join returns (it was cancelled with interrupt).
     */
    private static void timeoutOfATaskJoiningANestedFork(TimedInvoke invoke) throws Exception {
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).maxCompensationThreads(0).build();
        AtomicBoolean stop = new AtomicBoolean();
        try {
            AtomicBoolean forkInterrupted = new AtomicBoolean();
            AtomicBoolean forkRan = new AtomicBoolean();
            AtomicBoolean taskInterruptedAfterJoin = new AtomicBoolean();
            invoke.invoke(scheduler, () -> {
                Fork<Integer> fork = scheduler.fork(() -> {
                    forkRan.set(true);
                    spinUntil(() -> Thread.currentThread().isInterrupted() || stop.get(), TimeUnit.SECONDS.toMillis(BOUND));
                    forkInterrupted.set(Thread.interrupted());
                    return 1;
                });
                int value = fork.join();
                taskInterruptedAfterJoin.set(Thread.currentThread().isInterrupted());
                return value;
            });
            Thread.sleep(100);
            stop.set(true);
            Await.until(() -> scheduler.statistics().tasksCompleted() == 1, "the task to end", BOUND);
            assertTrue(forkRan.get());
            assertFalse(forkInterrupted.get(), "the timeout's cancel(true) interrupted the fork running nested in the join");
            assertTrue(taskInterruptedAfterJoin.get(), "the cancelled task itself should see the interrupt once its join returned");
        } finally {
            stop.set(true);
            terminate(scheduler);
        }
    }

    /**
     * invokeAll and invokeAny, timed or not, after shutdown: RejectedExecutionException, and
     * none of the tasks runs. invokeAny of no tasks: IllegalArgumentException. invokeAny whose
     * tasks all fail: ExecutionException carrying a failure, also when a task was cancelled.
     */
    @Test
    void invokeAllAndInvokeAnyRefuseClearlyAndReportFailures() throws Exception {
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).build();
        AtomicInteger ran = new AtomicInteger();
        List<Callable<Integer>> tasks = List.of(ran::incrementAndGet, ran::incrementAndGet);
        try {
            assertThrows(IllegalArgumentException.class, () -> scheduler.invokeAny(List.<Callable<Integer>>of()));
            assertThrows(IllegalArgumentException.class,
                    () -> scheduler.invokeAny(List.<Callable<Integer>>of(), 1, TimeUnit.SECONDS));
            assertThrows(NullPointerException.class, () -> scheduler.invokeAll(tasks, 1, null));
            ExecutionException failed = assertThrows(ExecutionException.class, () -> scheduler.invokeAny(
                    List.<Callable<Integer>>of(() -> { throw new IllegalStateException("one"); },
                            () -> { throw new CancellationException("two"); }), 10, TimeUnit.SECONDS));
            assertTrue(failed.getCause() instanceof IllegalStateException || failed.getCause() instanceof CancellationException,
                    "the cause should be one of the tasks' failures: " + failed.getCause());
            List<Future<Integer>> done = scheduler.invokeAll(tasks, 10, TimeUnit.SECONDS);
            assertEquals(2, done.size());
            for (Future<Integer> future : done) {
                assertTrue(future.isDone() && !future.isCancelled(), "both finish well within the timeout");
            }
            assertEquals(2, ran.get());
        } finally {
            terminate(scheduler);
        }
        ran.set(0);
        assertThrows(RejectedExecutionException.class, () -> scheduler.invokeAll(tasks));
        assertThrows(RejectedExecutionException.class, () -> scheduler.invokeAll(tasks, 1, TimeUnit.SECONDS));
        assertThrows(RejectedExecutionException.class, () -> scheduler.invokeAny(tasks));
        assertThrows(RejectedExecutionException.class, () -> scheduler.invokeAny(tasks, 1, TimeUnit.SECONDS));
        assertEquals(0, ran.get(), "a refused invokeAll or invokeAny ran a task");
    }

    /**
     * CompletableFuture.supplyAsync(supplier, scheduler) goes through execute(); the task is still
     * queued (the only worker waits in retry()) when shutdownNow() drops it. Docs: shutdownNow
     * "cancels tasks that have not started (their futures fail with CancellationException)", and
     * it returns an empty list, so the caller cannot run the dropped task itself. Checked: the
     * CompletableFuture is completed (exceptionally) instead of pending for ever.
     */
    // Known limitation (docs/scheduler.md, "Limitations"): the CompletableFuture of supplyAsync(..., scheduler) never completes: ExecuteTask.cancel() calls cancel(false) on CompletableFuture's AsyncSupply (a ForkJoinTask), which does not complete the dependent future
    @Disabled("known limitation: shutdownNow cannot complete the future of a queued CompletableFuture.supplyAsync (docs/scheduler.md)")
    @Test
    void shutdownNowCompletesTheFutureOfAQueuedSupplyAsync() throws Exception {
        Cell never = new Cell(0);
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).maxCompensationThreads(0).build();
        try {
            CompletableFuture<Void> blocker = scheduler.submitAtomic(() -> {
                if (never.get() == 0) {
                    Stm.retry();
                }
            });
            Await.until(() -> scheduler.statistics().retryWaits() >= 1, "the only worker to block in retry()", BOUND);
            AtomicInteger ran = new AtomicInteger();
            CompletableFuture<Integer> async = CompletableFuture.supplyAsync(ran::incrementAndGet, scheduler);
            assertEquals(List.of(), scheduler.shutdownNow());
            assertTrue(scheduler.awaitTermination(BOUND, TimeUnit.SECONDS));
            assertTrue(blocker.isCompletedExceptionally());
            assertEquals(0, ran.get());
            try {
                async.get(2, TimeUnit.SECONDS);
                fail("the dropped task's future completed normally");
            } catch (ExecutionException | CancellationException expected) {
                // completed exceptionally: the caller is released
            } catch (TimeoutException e) {
                fail("the future of a task dropped by shutdownNow() never completes");
            }
        } finally {
            never.setFromOutside(1);
            scheduler.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ ExecutorService contract

    /**
     * submit(Runnable, result), exceptions of every kind of task reaching the future unchanged,
     * execute of a FutureTask (result and exception through the FutureTask, the uncaught-exception
     * handler untouched), timed invokeAll finishing in time, awaitTermination before and after
     * shutdown, close() idempotent (also after shutdownNow).
     */
    @Test
    void executorServiceContractDetails() throws Exception {
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).build();
        try {
            assertEquals("result", scheduler.submit(() -> { }, "result").get(BOUND, TimeUnit.SECONDS));
            IllegalStateException runtime = new IllegalStateException("runnable");
            ExecutionException e1 = assertThrows(ExecutionException.class,
                    () -> scheduler.submit(() -> {
                        throw runtime;
                    }, "x").get(BOUND, TimeUnit.SECONDS));
            assertSame(runtime, e1.getCause());
            IOException checked = new IOException("checked");
            ExecutionException e2 = assertThrows(ExecutionException.class,
                    () -> scheduler.submit((Callable<Integer>) () -> {
                        throw checked;
                    }).get(BOUND, TimeUnit.SECONDS));
            assertSame(checked, e2.getCause());
            IllegalArgumentException atomicFailure = new IllegalArgumentException("atomic");
            CompletableFuture<Object> atomic = scheduler.submitAtomic(() -> {
                throw atomicFailure;
            });
            CompletionException e3 = assertThrows(CompletionException.class, atomic::join);
            assertSame(atomicFailure, e3.getCause());
            AssertionError error = new AssertionError("error");
            ExecutionException e4 = assertThrows(ExecutionException.class,
                    () -> scheduler.submit((Callable<Integer>) () -> {
                        throw error;
                    }).get(BOUND, TimeUnit.SECONDS));
            assertSame(error, e4.getCause());

            AtomicInteger handlerCalls = new AtomicInteger();
            List<CompletableFuture<Thread.UncaughtExceptionHandler>> installs = new ArrayList<>();
            for (int i = 0; i < 8; i++) { // best effort: install a counting handler on the workers
                installs.add(scheduler.submit(() -> {
                    Thread.UncaughtExceptionHandler old = Thread.currentThread().getUncaughtExceptionHandler();
                    Thread.currentThread().setUncaughtExceptionHandler((t, e) -> handlerCalls.incrementAndGet());
                    return old;
                }));
            }
            for (CompletableFuture<Thread.UncaughtExceptionHandler> f : installs) {
                f.get(BOUND, TimeUnit.SECONDS);
            }
            FutureTask<String> ok = new FutureTask<>(() -> "ft");
            scheduler.execute(ok);
            assertEquals("ft", ok.get(BOUND, TimeUnit.SECONDS));
            FutureTask<String> bad = new FutureTask<>(() -> {
                throw checked;
            });
            scheduler.execute(bad);
            assertSame(checked, assertThrows(ExecutionException.class, () -> bad.get(BOUND, TimeUnit.SECONDS)).getCause());
            assertEquals(0, handlerCalls.get(), "a FutureTask's exception must stay in the FutureTask");

            List<Future<Integer>> all = scheduler.invokeAll(List.<Callable<Integer>>of(() -> 1, () -> 2, () -> {
                throw checked;
            }), BOUND, TimeUnit.SECONDS);
            assertEquals(3, all.size());
            assertEquals(1, all.get(0).get());
            assertEquals(2, all.get(1).get());
            assertSame(checked, assertThrows(ExecutionException.class, () -> all.get(2).get()).getCause());
            assertTrue(scheduler.invokeAll(List.<Callable<Integer>>of()).isEmpty());

            assertFalse(scheduler.awaitTermination(10, TimeUnit.MILLISECONDS), "awaitTermination before shutdown");
            assertFalse(scheduler.isTerminated());
            scheduler.close();
            assertTrue(scheduler.isTerminated());
            assertTrue(scheduler.awaitTermination(0, TimeUnit.NANOSECONDS));
            scheduler.close(); // idempotent
            scheduler.shutdownNow();
            scheduler.close();
            scheduler.shutdown();
            assertTrue(scheduler.isShutdown() && scheduler.isTerminated());
            SchedulerStatistics stats = scheduler.statistics();
            assertEquals(stats.tasksSubmitted(), stats.tasksCompleted(), stats.toString());
            assertTypeSumsMatch(scheduler, "contract");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
