package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code cancel(true)} of the futures of {@code submit} and {@code submitAtomic}: it interrupts
 * the running task, as {@code FutureTask}'s does, never a task that runs on the worker after it,
 * and a cancelled transactional task does not commit after its body saw the cancel.
 */
class CancelTest {
    @Test
    void cancelTrueInterruptsARunningPlainTask() throws Exception {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).build()) {
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean interrupted = new AtomicBoolean();
            CompletableFuture<Void> sleeper = scheduler.submit(() -> {
                started.countDown();
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(Await.BOUND_SECONDS));
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
            });
            Await.latch(started, "the task to start");
            assertTrue(sleeper.cancel(true));
            Await.until(interrupted::get, "the task to be interrupted");
            assertThrows(CancellationException.class, sleeper::join);
            // the worker is free and the next task does not inherit the interrupt
            assertFalse(scheduler.submit(() -> Thread.currentThread().isInterrupted()).get(Await.BOUND_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Test
    void cancelFalseDoesNotInterrupt() throws Exception {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).build()) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean interrupted = new AtomicBoolean();
            CompletableFuture<Void> task = scheduler.submit(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
            });
            Await.latch(started, "the task to start");
            assertTrue(task.cancel(false));
            Thread.sleep(20);
            release.countDown();
            assertFalse(scheduler.submit(() -> interrupted.get()).get(Await.BOUND_SECONDS, TimeUnit.SECONDS));
        }
    }

    /**
     * A transactional task whose future is cancelled while its body runs rolls back at the end of
     * the body: its write never commits, although no interrupt stopped the body.
     */
    @Test
    void aTransactionalTaskCancelledWhileItsBodyRunsDoesNotCommit() throws Exception {
        Cell cell = new Cell(0);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).build()) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            CompletableFuture<Void> task = scheduler.submitAtomic(() -> {
                cell.set(1);
                started.countDown();
                boolean interrupted = false;
                while (cancelled.getCount() > 0) { // waits without looking at the interrupt
                    interrupted |= Thread.interrupted();
                    Thread.onSpinWait();
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            });
            Await.latch(started, "the body to write");
            assertTrue(task.cancel(true));
            cancelled.countDown();
            assertThrows(CancellationException.class, task::join);
            assertEquals(0, scheduler.submitAtomic(cell::get).get(Await.BOUND_SECONDS, TimeUnit.SECONDS));
            assertEquals(0, cell.committed());
        }
    }

    /**
     * Cancels race with tasks that end on their own, on one worker, again and again: the task that
     * runs after a cancelled one must never find the interrupt meant for it. The worker clears
     * interrupts between tasks; what TaskFuture.end's handshake adds (a cancel that read the
     * runner just before the task ended, then was descheduled, interrupting the next task) has a
     * window of a few instructions that this stress test rarely opens: it guards the common
     * paths, and the overview of TaskFuture argues the rest.
     */
    @Test
    void anInterruptMeantForACancelledTaskNeverReachesTheNextOne() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        int rounds = 2_000;
        AtomicInteger leaked = new AtomicInteger();
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).build()) {
            for (int round = 0; round < rounds; round++) {
                int spins = random.nextInt(2_000);
                CountDownLatch started = new CountDownLatch(1);
                CompletableFuture<Void> first = scheduler.submit(() -> {
                    started.countDown();
                    for (int i = 0; i < spins; i++) {
                        Thread.onSpinWait();
                    }
                });
                CompletableFuture<Boolean> next = scheduler.submit(() -> Thread.currentThread().isInterrupted());
                Await.latch(started, "the first task to start");
                first.cancel(true);
                if (next.get(Await.BOUND_SECONDS, TimeUnit.SECONDS)) {
                    leaked.incrementAndGet();
                }
            }
        }
        assertEquals(0, leaked.get(), "tasks that started interrupted (seed " + seed + ")");
    }

    /**
     * A cancel(true) that comes while the task's join runs a fork on the same worker: the fork is
     * not interrupted, and the task is, once the join returns.
     */
    @Test
    void aCancelDuringAJoinWaitsForTheNestedTaskAndThenInterruptsTheTask() throws Exception {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).build()) {
            CountDownLatch nestedRunning = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            AtomicBoolean nestedSawInterrupt = new AtomicBoolean();
            AtomicBoolean taskInterruptedAfterJoin = new AtomicBoolean();
            CompletableFuture<Void> task = scheduler.submit(() -> {
                Fork<Integer> fork = scheduler.fork(() -> {
                    nestedRunning.countDown();
                    while (cancelled.getCount() > 0) {
                        if (Thread.currentThread().isInterrupted()) {
                            nestedSawInterrupt.set(true);
                        }
                        Thread.onSpinWait();
                    }
                    return 1;
                });
                fork.join();
                taskInterruptedAfterJoin.set(Thread.currentThread().isInterrupted());
            });
            Await.latch(nestedRunning, "the fork to run");
            assertTrue(task.cancel(true));
            cancelled.countDown();
            Await.until(() -> scheduler.statistics().tasksCompleted() + scheduler.statistics().tasksFailed() >= 1,
                    "the task to end");
            assertFalse(nestedSawInterrupt.get(), "the fork run in the join was interrupted");
            assertTrue(taskInterruptedAfterJoin.get(), "the cancelled task was not interrupted after its join");
            assertFalse(scheduler.submit(() -> Thread.currentThread().isInterrupted()).get(Await.BOUND_SECONDS, TimeUnit.SECONDS));
        }
    }

    /**
     * Many tasks in retry() on two workers, half of them cancelled: the cancelled ones end with
     * CancellationException and never commit; the others commit once the awaited change comes.
     */
    @Test
    void cancelledWaitersEndAndTheOthersCommit() throws Exception {
        Cell gate = new Cell(0);
        Cell commits = new Cell(0);
        int tasks = 16;
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).build()) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                futures.add(scheduler.submitAtomic(() -> {
                    if (gate.get() == 0) {
                        Stm.retry();
                    }
                    commits.set(commits.get() + 1);
                }));
            }
            Await.until(() -> scheduler.statistics().retryWaits() >= 2, "tasks to wait in retry()");
            for (int i = 0; i < tasks; i += 2) {
                assertTrue(futures.get(i).cancel(true));
            }
            gate.setFromOutside(1);
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            for (int i = 0; i < tasks; i++) {
                CompletableFuture<Void> future = futures.get(i);
                if (i % 2 == 0) {
                    assertThrows(CancellationException.class, future::join);
                } else {
                    try {
                        future.get(Await.BOUND_SECONDS, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        unexpected.compareAndSet(null, e);
                    }
                }
            }
            assertEquals(null, unexpected.get());
            assertEquals(tasks / 2, commits.committed());
        }
    }
}
