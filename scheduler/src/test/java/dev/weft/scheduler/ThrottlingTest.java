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

    /**
     * A lowered limit takes effect at once, not at the supervisor's next tick (the tick is a
     * second here): a batch of tasks queued right after the drop runs on one worker. Invariant
     * checked: at least 28 of 30 such tasks share a thread (a stale allowance of two lets both
     * workers share the batch).
     */
    @Test
    void aLoweredLimitTakesEffectBeforeTheSupervisorsNextTick() throws Exception {
        Cell cell = new Cell(0);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).placement(false)
                .supervisorTick(java.time.Duration.ofSeconds(1)).contentionPolicy(conflict -> 0).build();
                Interferer interferer = new Interferer()) {
            for (int i = 0; i < 2_000 && scheduler.statistics().throttleDecreases() == 0; i++) {
                boolean[] first = {true};
                scheduler.submitAtomic(() -> {
                    long seen = cell.get();
                    if (first[0]) {
                        first[0] = false;
                        interferer.bump(cell); // every task loses its first attempt: half abort
                    }
                    cell.set(seen + 1);
                }).get(Await.BOUND_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertEquals(1, scheduler.statistics().concurrencyLimit(), scheduler.statistics().toString());
            java.util.Map<String, Integer> byThread = new java.util.concurrent.ConcurrentHashMap<>();
            CompletableFuture<?>[] batch = new CompletableFuture<?>[30];
            for (int i = 0; i < batch.length; i++) { // 200 us each, all queued at once: two takers would share them
                batch[i] = scheduler.submit(() -> {
                    byThread.merge(Thread.currentThread().getName(), 1, Integer::sum);
                    long end = System.nanoTime() + 200_000;
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                });
            }
            CompletableFuture.allOf(batch).get(Await.BOUND_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            int most = byThread.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            assertTrue(most >= 28, "tasks after the drop ran on " + byThread);
        }
    }
}
