package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

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
}
