package dev.weft.scheduler;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.TransactionInterruptedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Submitting, results and exceptions, shutdown and close. */
class LifecycleTest {

    private static TxnScheduler scheduler(int parallelism) {
        return TxnScheduler.builder().parallelism(parallelism).build();
    }

    @Test
    void submitCompletesTheFutureWithTheResult() {
        try (TxnScheduler scheduler = scheduler(2)) {
            assertEquals(42, scheduler.submit(() -> 42).join());
            assertNull(scheduler.submit(() -> { }).join());
            assertEquals("done", scheduler.submit(() -> { }, "done").join());
        }
    }

    @Test
    void submitAtomicRunsTheBodyAsOneTransaction() {
        Cell from = new Cell(100);
        Cell to = new Cell(0);
        try (TxnScheduler scheduler = scheduler(2)) {
            long moved = scheduler.submitAtomic(() -> {
                from.add(-30);
                to.add(30);
                return to.get();
            }).join();
            assertEquals(30, moved);
        }
        assertEquals(70, from.committed());
        assertEquals(30, to.committed());
    }

    @Test
    void anExceptionFromATaskCompletesItsFutureExceptionally() {
        IllegalArgumentException thrown = new IllegalArgumentException("bad input");
        try (TxnScheduler scheduler = scheduler(2)) {
            CompletableFuture<Object> plain = scheduler.submit(() -> {
                throw thrown;
            });
            ExecutionException failure = assertThrows(ExecutionException.class, plain::get);
            assertSame(thrown, failure.getCause());
            // the worker survives and runs the next task
            assertEquals(1, scheduler.submit(() -> 1).join());
        }
    }

    @Test
    void anExceptionFromAnAtomicTaskRollsItBackAndReachesTheFuture() {
        Cell balance = new Cell(10);
        IllegalStateException thrown = new IllegalStateException("insufficient funds");
        try (TxnScheduler scheduler = scheduler(2)) {
            CompletableFuture<Void> future = scheduler.submitAtomic(() -> {
                balance.add(-50);
                throw thrown;
            });
            CompletionException failure = assertThrows(CompletionException.class, future::join);
            assertSame(thrown, failure.getCause());
        }
        assertEquals(10, balance.committed());
    }

    @Test
    void executeSurvivesAThrowingCommand() {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1)
                .threadNamePrefix("quiet-").build()) {
            CountDownLatch ran = new CountDownLatch(1);
            scheduler.submit(() -> Thread.currentThread().setUncaughtExceptionHandler((t, e) -> ran.countDown())).join();
            scheduler.execute(() -> {
                throw new IllegalStateException("from execute");
            });
            Await.latch(ran, "the uncaught-exception handler");
            assertEquals(7, scheduler.submit(() -> 7).join());
            assertEquals(1, scheduler.statistics().tasksFailed());
        }
    }

    @Test
    void submitAfterShutdownIsRejectedWithAMessageSayingWhatToDo() {
        TxnScheduler scheduler = scheduler(1);
        scheduler.shutdown();
        RejectedExecutionException rejected = assertThrows(RejectedExecutionException.class,
                () -> scheduler.submit(() -> 1));
        assertTrue(rejected.getMessage().contains("shut down"), rejected.getMessage());
        assertTrue(rejected.getMessage().contains("create a new scheduler"), rejected.getMessage());
        assertThrows(RejectedExecutionException.class, () -> scheduler.submitAtomic(() -> 1));
        assertThrows(RejectedExecutionException.class, () -> scheduler.execute(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> scheduler.fork(() -> 1));
        assertThrows(RejectedExecutionException.class, () -> scheduler.parallelFor(0, 3, i -> { }));
        scheduler.close();
        assertTrue(scheduler.isTerminated());
    }

    @Test
    void noAcceptedTaskIsLostAtShutdown() throws InterruptedException {
        int tasks = Scale.of(2_000);
        AtomicIntegerArray runs = new AtomicIntegerArray(tasks * 3);
        TxnScheduler scheduler = scheduler(3);
        for (int i = 0; i < tasks; i++) {
            int id = i;
            scheduler.submit(() -> {
                runs.incrementAndGet(id);
                // children forked by accepted tasks must run even after shutdown
                scheduler.fork(() -> runs.incrementAndGet(tasks + id));
                scheduler.fork(() -> runs.incrementAndGet(2 * tasks + id));
            });
        }
        scheduler.shutdown();
        assertTrue(scheduler.awaitTermination(Await.BOUND_SECONDS, TimeUnit.SECONDS));
        for (int i = 0; i < runs.length(); i++) {
            assertEquals(1, runs.get(i), "task " + i + " ran " + runs.get(i) + " times");
        }
        assertEquals(tasks, scheduler.statistics().tasksCompleted());
        assertEquals(2L * tasks, scheduler.statistics().forks());
    }

    @Test
    void closeWaitsUntilEveryAcceptedTaskHasFinished() {
        CountDownLatch release = new CountDownLatch(1);
        TxnScheduler scheduler = scheduler(2);
        CompletableFuture<Integer> slow = scheduler.submit(() -> {
            release.await();
            return 5;
        });
        Thread releaser = new Thread(release::countDown);
        releaser.start();
        scheduler.close();
        assertTrue(scheduler.isTerminated());
        assertEquals(5, slow.join());
    }

    @Test
    void closeFromATaskOfTheSchedulerIsRefused() {
        try (TxnScheduler scheduler = scheduler(1)) {
            CompletableFuture<Object> attempt = scheduler.submit(() -> {
                scheduler.close();
                return null;
            });
            CompletionException failure = assertThrows(CompletionException.class, attempt::join);
            assertInstanceOf(IllegalStateException.class, failure.getCause());
            assertTrue(failure.getCause().getMessage().contains("shutdown()"));
            assertFalse(scheduler.isShutdown());
        }
    }

    @Test
    void shutdownNowCancelsQueuedTasksAndInterruptsRunningOnes() throws InterruptedException {
        Cell never = new Cell(0);
        TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).maxCompensationThreads(0).build();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> blocked = scheduler.submitAtomic(() -> {
            started.countDown();
            if (never.get() == 0) {
                dev.weft.stm.Stm.retry();
            }
        });
        Await.latch(started, "the blocking task to start");
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(scheduler.submit(() -> 1));
        }
        assertEquals(List.of(), scheduler.shutdownNow());
        assertTrue(scheduler.awaitTermination(Await.BOUND_SECONDS, TimeUnit.SECONDS));
        CompletionException interrupted = assertThrows(CompletionException.class, blocked::join);
        assertInstanceOf(TransactionInterruptedException.class, interrupted.getCause());
        for (CompletableFuture<Integer> future : queued) {
            assertThrows(CancellationException.class, future::join);
        }
    }

    @Test
    void submittingInsideATransactionIsRefused() {
        try (TxnScheduler scheduler = scheduler(1)) {
            Cell ref = new Cell(0);
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> atomic(() -> {
                ref.add(1);
                scheduler.submit(() -> 1);
            }));
            assertTrue(refused.getMessage().contains("afterCommit"), refused.getMessage());
            assertThrows(IllegalStateException.class, () -> atomic(() -> {
                ref.get();
                scheduler.fork(() -> 1);
            }));
            AtomicInteger ran = new AtomicInteger();
            List<Callable<Integer>> tasks = List.of(ran::incrementAndGet);
            for (String method : List.of("invokeAll", "timed invokeAll", "invokeAny", "timed invokeAny")) {
                IllegalStateException invoke = assertThrows(IllegalStateException.class, () -> atomic(() -> {
                    ref.add(1);
                    try {
                        switch (method) {
                            case "invokeAll" -> scheduler.invokeAll(tasks);
                            case "timed invokeAll" -> scheduler.invokeAll(tasks, 1, TimeUnit.SECONDS);
                            case "invokeAny" -> scheduler.invokeAny(tasks);
                            default -> scheduler.invokeAny(tasks, 1, TimeUnit.SECONDS);
                        }
                    } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
                        throw new AssertionError(method + " should have been refused", e);
                    }
                }), method);
                assertTrue(invoke.getMessage().contains("afterCommit"), method + ": " + invoke.getMessage());
            }
            assertEquals(0, ran.get(), "a refused invokeAll or invokeAny ran a task");
            assertEquals(0, ref.committed());
        }
    }

    @Test
    void invokeAllReturnsEveryFutureDoneInOrder() throws Exception {
        try (TxnScheduler scheduler = scheduler(2)) {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int value = i;
                tasks.add(() -> {
                    if (value == 13) {
                        throw new IllegalArgumentException("thirteen");
                    }
                    return value * value;
                });
            }
            List<Future<Integer>> futures = scheduler.invokeAll(tasks);
            for (int i = 0; i < futures.size(); i++) {
                assertTrue(futures.get(i).isDone());
                if (i == 13) {
                    ExecutionException failure = assertThrows(ExecutionException.class, futures.get(i)::get);
                    assertEquals("thirteen", failure.getCause().getMessage());
                } else {
                    assertEquals(i * i, futures.get(i).get());
                }
            }
        }
    }

    @Test
    void invokeAllOnTheOnlyWorkerHelpsInsteadOfDeadlocking() {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).maxCompensationThreads(0).build()) {
            int sum = scheduler.submit(() -> {
                List<Callable<Integer>> tasks = new ArrayList<>();
                for (int i = 1; i <= 10; i++) {
                    int value = i;
                    tasks.add(() -> value);
                }
                int total = 0;
                for (Future<Integer> future : scheduler.invokeAll(tasks)) {
                    total += future.get();
                }
                return total;
            }).join();
            assertEquals(55, sum);
        }
    }

    /** As above for timed invokeAll and for invokeAny, timed or not: the only worker runs them nested. */
    @Test
    void timedInvokeAllAndInvokeAnyOnTheOnlyWorkerHelpInsteadOfDeadlocking() {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).maxCompensationThreads(0).build()) {
            List<Integer> results = scheduler.submit(() -> {
                List<Callable<Integer>> tasks = new ArrayList<>();
                for (int i = 1; i <= 10; i++) {
                    int value = i;
                    tasks.add(() -> value);
                }
                int total = 0;
                for (Future<Integer> future : scheduler.invokeAll(tasks, 30, TimeUnit.SECONDS)) {
                    total += future.get();
                }
                List<Callable<Integer>> oneFails = List.of(() -> {
                    throw new IllegalStateException("fails");
                }, () -> 7);
                return List.of(total, scheduler.invokeAny(oneFails), scheduler.invokeAny(oneFails, 30, TimeUnit.SECONDS));
            }).join();
            assertEquals(List.of(55, 7, 7), results);
        }
    }

    @Test
    void builderRejectsNonsenseWithMessages() {
        assertThrows(IllegalArgumentException.class, () -> TxnScheduler.builder().parallelism(0));
        assertThrows(IllegalArgumentException.class, () -> TxnScheduler.builder().escalateAfter(0));
        assertThrows(IllegalArgumentException.class, () -> TxnScheduler.builder().maxRelocations(-1));
        assertThrows(NullPointerException.class, () -> TxnScheduler.builder().contentionPolicy(null));
        AtomicReference<String> message = new AtomicReference<>();
        try {
            TxnScheduler.builder().supervisorTick(java.time.Duration.ZERO);
        } catch (IllegalArgumentException e) {
            message.set(e.getMessage());
        }
        assertTrue(message.get().contains("supervisorTick"));
    }
}
