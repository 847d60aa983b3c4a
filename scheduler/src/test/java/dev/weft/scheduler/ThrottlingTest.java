package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The scheduler lowers its concurrency while most attempts abort and restores it afterwards. */
class ThrottlingTest {

    @Test
    void aHighAbortRateLowersTheConcurrencyLimitAndQuietRestoresIt() {
        int tasks = Scale.of(300);
        Cell cell = new Cell(0);
        AtomicIntegerArray attempts = new AtomicIntegerArray(tasks);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(4).placement(false)
                .contentionPolicy(conflict -> 0).build(); Interferer interferer = new Interferer()) {
            CompletableFuture<?>[] all = new CompletableFuture<?>[tasks];
            for (int i = 0; i < tasks; i++) {
                int id = i;
                all[i] = scheduler.submitAtomic(() -> {
                    long seen = cell.get();
                    if (attempts.incrementAndGet(id) == 1) {
                        interferer.bump(cell); // every task loses its first attempt: half of all attempts abort
                    }
                    cell.set(seen + 1);
                });
            }
            CompletableFuture.allOf(all).join();
            SchedulerStatistics stats = scheduler.statistics();
            assertEquals(2L * tasks, cell.committed());
            assertTrue(stats.aborts() >= tasks, stats.toString());
            assertTrue(stats.throttleDecreases() >= 1, stats.toString());
            Await.until(() -> scheduler.statistics().concurrencyLimit() == 4,
                    "the throttle to restore the limit once the aborts stopped");
            assertTrue(scheduler.statistics().throttleIncreases() >= 1);
        }
    }

    /**
     * Plain tasks (not submitAtomic) that each run several transactions, every one losing its
     * first attempt: the engine's onCommit and onConflict reports are the throttle's only samples
     * here (a plain task's completion counts for nothing). Invariant: every committed transaction
     * is counted, and an abort share of one half lowers the limit.
     */
    private static void plainTasksTransactionsFeedTheThrottle(TxnScheduler.Builder builder) {
        int tasks = Scale.of(60);
        int transactionsPerTask = 4;
        Cell cell = new Cell(0);
        try (TxnScheduler scheduler = builder.parallelism(4).placement(false)
                .contentionPolicy(conflict -> 0).build(); Interferer interferer = new Interferer()) {
            CompletableFuture<?>[] all = new CompletableFuture<?>[tasks];
            for (int i = 0; i < tasks; i++) {
                all[i] = scheduler.submit(() -> {
                    for (int t = 0; t < transactionsPerTask; t++) {
                        boolean[] first = {true};
                        Stm.atomic(() -> {
                            long seen = cell.get();
                            if (first[0]) {
                                first[0] = false;
                                interferer.bump(cell);
                            }
                            cell.set(seen + 1);
                        });
                    }
                    return null;
                });
            }
            CompletableFuture.allOf(all).join();
            SchedulerStatistics stats = scheduler.statistics();
            assertEquals(2L * tasks * transactionsPerTask, cell.committed());
            assertEquals((long) tasks * transactionsPerTask, stats.commits(), stats.toString());
            assertTrue(stats.throttleDecreases() >= 1, "the throttle never moved: " + stats);
        }
    }

    @Test
    void transactionsInsidePlainTasksAreCountedAndLowerTheLimitWhenTheyAbort() {
        plainTasksTransactionsFeedTheThrottle(TxnScheduler.builder());
    }

    @Test
    void withThrottlingOffTheSameAbortsLeaveTheLimitAlone() {
        // the broken twin: the same check must fail when the throttle ignores its samples
        assertThrows(AssertionFailedError.class,
                () -> plainTasksTransactionsFeedTheThrottle(TxnScheduler.builder().throttling(false)));
    }
}
