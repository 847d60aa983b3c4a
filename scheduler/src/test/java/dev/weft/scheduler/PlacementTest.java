package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.stm.Stm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** Conflict-aware placement: a task that lost to another worker's task runs after it, there. */
class PlacementTest {

    /**
     * Task A locks the cell at commit and holds the lock until the scheduler has either moved the
     * loser B or counted five aborts. B needs the cell, so each of its attempts that overlaps A's
     * lock is lost to A. Invariant with placement: B is moved to A's worker once and then runs
     * after A without losing again, so the pair costs exactly one abort.
     */
    private static void theLoserIsSerializedBehindTheWinner(TxnScheduler.Builder builder) {
        Cell cell = new Cell(0);
        CountDownLatch aHoldsTheLock = new CountDownLatch(1);
        AtomicReference<Thread> aThread = new AtomicReference<>();
        try (TxnScheduler scheduler = builder.parallelism(2).throttling(false).escalateAfter(100)
                .maxCompensationThreads(0).contentionPolicy(conflict -> 0).build()) {
            CompletableFuture<Void> a = scheduler.submitAtomic(() -> {
                aThread.set(Thread.currentThread());
                cell.add(1);
                Stm.setExternalDecider(() -> {
                    aHoldsTheLock.countDown();
                    while (scheduler.statistics().placements() == 0 && scheduler.statistics().aborts() < 5) {
                        Thread.onSpinWait(); // spinning, not parked: the worker is not "blocked"
                    }
                    return true;
                });
            });
            Await.latch(aHoldsTheLock, "A to hold the cell's commit lock");
            Cell other = new Cell(0);
            CompletableFuture<Void> b = scheduler.submitAtomic(() -> {
                other.set(1); // a writer: a lost attempt is retried optimistically, not as a snapshot reader
                cell.add(10);
            });
            a.join();
            b.join();
            SchedulerStatistics stats = scheduler.statistics();
            assertEquals(11, cell.committed());
            assertEquals(1, other.committed());
            assertEquals(1, stats.placements(), "placements: " + stats);
            assertEquals(1, stats.aborts(), "aborts of the pair: " + stats);
            assertEquals(1, stats.abortsAgainstWorkers(), stats.toString());
        }
    }

    @Test
    void aTaskThatLostToAnotherWorkerRunsAfterItWithoutAbortingAgain() {
        theLoserIsSerializedBehindTheWinner(TxnScheduler.builder());
    }

    @Test
    void withoutPlacementTheLoserKeepsAborting() {
        // the broken twin: without placement the same pair costs five aborts, and the check fails
        assertThrows(AssertionFailedError.class,
                () -> theLoserIsSerializedBehindTheWinner(TxnScheduler.builder().placement(false)));
    }

    @Test
    void placementIsBoundedSoATaskIsNotMovedForever() {
        Cell cell = new Cell(0);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(3).maxRelocations(1).build()) {
            CompletableFuture<?>[] all = new CompletableFuture<?>[Scale.of(500)];
            for (int i = 0; i < all.length; i++) {
                all[i] = scheduler.submitAtomic(() -> {
                    cell.add(1);
                });
            }
            CompletableFuture.allOf(all).join();
            SchedulerStatistics stats = scheduler.statistics();
            assertEquals(all.length, cell.committed());
            assertEquals(all.length, stats.commits());
            // each task moves at most once
            org.junit.jupiter.api.Assertions.assertTrue(stats.placements() <= all.length, stats.toString());
        }
    }
}
