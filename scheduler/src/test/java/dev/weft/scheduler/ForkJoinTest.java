package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Fork/join, parallel loops and work stealing. */
class ForkJoinTest {

    private static long fib(TxnScheduler scheduler, int n) {
        if (n < 2) {
            return n;
        }
        Fork<Long> left = scheduler.fork(() -> fib(scheduler, n - 1));
        long right = fib(scheduler, n - 2);
        return left.join() + right;
    }

    private static long fibSequential(int n) {
        return n < 2 ? n : fibSequential(n - 1) + fibSequential(n - 2);
    }

    @Test
    void forkJoinRecursionComputesTheSameAsSequentialCode() {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(3).build()) {
            int n = 18 + Math.min(6, Scale.FACTOR / 4);
            assertEquals(fibSequential(n), scheduler.submit(() -> fib(scheduler, n)).join());
            assertTrue(scheduler.statistics().forks() > 1000);
        }
    }

    @Test
    void forkAndJoinFromOutsideTheSchedulerWork() {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).build()) {
            Fork<Long> fork = scheduler.fork(() -> fib(scheduler, 15));
            assertEquals(fibSequential(15), fork.join());
            assertTrue(fork.isDone());
        }
    }

    @Test
    void joinRethrowsTheForkedBodysException() {
        IllegalStateException thrown = new IllegalStateException("forked failure");
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).build()) {
            AtomicReference<Throwable> seen = new AtomicReference<>();
            scheduler.submit(() -> {
                Fork<Object> fork = scheduler.fork(() -> {
                    throw thrown;
                });
                try {
                    fork.join();
                } catch (IllegalStateException e) {
                    seen.set(e);
                }
            }).join();
            assertSame(thrown, seen.get());
        }
    }

    @Test
    void aForkedTaskIsStolenByAnIdleWorkerWhileItsCreatorIsBusy() {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).maxCompensationThreads(0).build()) {
            AtomicReference<Thread> childThread = new AtomicReference<>();
            Thread parentThread = scheduler.submit(() -> {
                CountDownLatch childRan = new CountDownLatch(1);
                scheduler.fork(() -> {
                    childThread.set(Thread.currentThread());
                    childRan.countDown();
                    return null;
                });
                // The creator does not join: the child can only run if another worker steals it.
                Await.latch(childRan, "the forked child to be stolen");
                return Thread.currentThread();
            }).join();
            assertNotEquals(parentThread, childThread.get());
            assertTrue(scheduler.statistics().steals() >= 1, scheduler.statistics().toString());
        }
    }

    @Test
    void parallelForRunsEveryIndexExactlyOnceAsATransaction() {
        int n = Scale.of(20_000);
        Cell[] cells = Cell.array(64, 0);
        AtomicIntegerArray committedOnce = new AtomicIntegerArray(n);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(3).build()) {
            scheduler.parallelFor(0, n, i -> {
                cells[i % cells.length].add(1);
                Stm.afterCommit(() -> committedOnce.incrementAndGet(i));
            });
            SchedulerStatistics stats = scheduler.statistics();
            assertEquals(n, stats.commits());
        }
        long total = 0;
        for (Cell cell : cells) {
            total += cell.committed();
        }
        assertEquals(n, total);
        for (int i = 0; i < n; i++) {
            assertEquals(1, committedOnce.get(i), "index " + i);
        }
    }

    @Test
    void parallelForOnAWorkerHelpsInsteadOfBlocking() {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).maxCompensationThreads(0).build()) {
            Cell sum = new Cell(0);
            scheduler.submit(() -> scheduler.parallelFor(0, 100, i -> sum.add(i))).join();
            assertEquals(4950, sum.committed());
        }
    }

    @Test
    void parallelForRunsAllIndexesThenRethrowsTheFirstFailure() {
        Cell done = new Cell(0);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).build()) {
            IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                    () -> scheduler.parallelFor(0, 1_000, i -> {
                        if (i % 100 == 7) {
                            throw new IllegalArgumentException("index " + i);
                        }
                        done.add(1);
                    }));
            assertEquals(9, failure.getSuppressed().length);
        }
        assertEquals(990, done.committed());
    }

    @Test
    void parallelForRejectsAnInvertedRange() {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).build()) {
            assertThrows(IllegalArgumentException.class, () -> scheduler.parallelFor(5, 4, i -> { }));
            scheduler.parallelFor(5, 5, i -> {
                throw new AssertionError("empty range ran a body");
            });
        }
    }

    @Test
    void joinInsideATransactionIsRefused() {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).build()) {
            Cell cell = new Cell(0);
            CountDownLatch release = new CountDownLatch(1);
            Fork<Integer> fork = scheduler.fork(() -> {
                Await.latch(release, "the test to try joining");
                return 1;
            });
            assertThrows(IllegalStateException.class, () -> Stm.atomic(() -> {
                cell.get();
                fork.join();
            }));
            release.countDown();
            assertEquals(1, fork.join());
        }
    }
}
