package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** Statistics per task type: each task's events are counted under its tag or its body's class. */
class TaskTypeStatisticsTest {

    @Test
    void eachTaggedTypeCountsItsOwnCommitsAbortsAndTasks() {
        int tasks = 20;
        // one cell per contended task: two contended tasks running on the two workers at once
        // (or two quiet ones) must not conflict with each other, so the interferer's abort is the only one each sees
        Cell[] hot = Cell.array(tasks, 0);
        Cell[] quiet = Cell.array(tasks, 0);
        AtomicIntegerArray attempts = new AtomicIntegerArray(tasks);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).placement(false)
                .contentionPolicy(conflict -> 0).build(); Interferer interferer = new Interferer()) {
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                int id = i;
                all.add(scheduler.submitAtomic("contended", () -> {
                    long seen = hot[id].get();
                    if (attempts.incrementAndGet(id) == 1) {
                        interferer.bump(hot[id]); // exactly one lost attempt per contended task
                    }
                    hot[id].set(seen + 1);
                }));
                all.add(scheduler.submitAtomic("quiet", () -> quiet[id].add(1)));
            }
            all.add(scheduler.submit("failing", () -> {
                throw new IllegalStateException("expected");
            }));
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
            // a task's future completes just before its worker counts the task as finished
            Await.until(() -> scheduler.statistics().tasksCompleted() == 2L * tasks + 1,
                    "the workers to count every finished task");
            Map<String, TaskTypeStatistics> byType = scheduler.statisticsByType();
            TaskTypeStatistics contended = byType.get("contended");
            TaskTypeStatistics calm = byType.get("quiet");
            TaskTypeStatistics failing = byType.get("failing");
            assertEquals(tasks, contended.tasksCompleted(), contended.toString());
            assertEquals(tasks, contended.commits(), contended.toString());
            assertEquals(tasks, contended.aborts(), contended.toString());
            assertEquals(1.0, contended.abortsPerCommit());
            assertEquals(tasks, calm.commits(), calm.toString());
            assertEquals(0, calm.aborts(), calm.toString());
            assertEquals(1, failing.tasksCompleted());
            assertEquals(1, failing.tasksFailed());
            SchedulerStatistics total = scheduler.statistics();
            assertEquals(total.commits(), contended.commits() + calm.commits());
            assertEquals(total.aborts(), contended.aborts() + calm.aborts());
        }
    }

    @Test
    void untaggedTasksAreCountedUnderTheClassThatWroteTheirBody() {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).build()) {
            Cell cell = new Cell(0);
            scheduler.submitAtomic(() -> cell.add(1)).join();
            scheduler.parallelFor(0, 10, i -> cell.add(1));
            Map<String, TaskTypeStatistics> byType = scheduler.statisticsByType();
            String lambdas = TaskTypeStatisticsTest.class.getName() + "$$Lambda";
            TaskTypeStatistics type = byType.get(lambdas);
            assertNotNull(type, "types seen: " + byType.keySet());
            assertEquals(11, type.commits(), type.toString());
        }
    }

    @Test
    void forksCountAsTheTypeOfTheTaskThatForkedThem() {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(2).build()) {
            Cell cell = new Cell(0);
            scheduler.submit("parent", () -> {
                List<Fork<Long>> forks = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    forks.add(scheduler.fork(() -> Stm.atomic(() -> cell.add(1))));
                }
                forks.forEach(Fork::join);
                return null;
            }).join();
            assertEquals(8, scheduler.statisticsByType().get("parent").commits());
        }
    }

    @Test
    void waitsInRetryAreCountedForTheirType() throws Exception {
        Cell flag = new Cell(0);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).build()) {
            CompletableFuture<Long> consumer = scheduler.submitAtomic("consumer", () -> {
                if (flag.get() == 0) {
                    Stm.retry();
                }
                return flag.get();
            });
            Await.until(() -> scheduler.statistics().retryWaits() >= 1, "the consumer to wait in retry()");
            Stm.atomic(() -> flag.set(3));
            assertEquals(3, consumer.join());
            TaskTypeStatistics type = scheduler.statisticsByType().get("consumer");
            assertTrue(type.retryWaits() >= 1, type.toString());
            assertEquals(1, type.commits(), type.toString());
        }
    }
}
