package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** Tasks blocked in retry() (or elsewhere) do not hold the pool hostage. */
class BlockingTest {

    /**
     * Fills every worker with a consumer blocked in retry() on {@code flag}, waits until the
     * supervisor has seen them all blocked, then submits the producer that sets the flag.
     * Invariant: the producer runs and every consumer then completes with the produced value.
     * The bound only keeps a broken scheduler from hanging the build.
     */
    private static void allBlockedConsumersAreWokenByAQueuedProducer(TxnScheduler.Builder builder,
                                                                     long boundSeconds) throws Exception {
        int parallelism = 3;
        Cell flag = new Cell(0);
        try (TxnScheduler scheduler = builder.parallelism(parallelism).build()) {
            List<CompletableFuture<Long>> consumers = new ArrayList<>();
            for (int i = 0; i < parallelism; i++) {
                consumers.add(scheduler.submitAtomic(() -> {
                    long value = flag.get();
                    if (value == 0) {
                        Stm.retry();
                    }
                    return value;
                }));
            }
            Await.until(() -> scheduler.statistics().blockedDetections() >= parallelism,
                    "every worker to be blocked in retry()");
            CompletableFuture<Void> producer = scheduler.submitAtomic(() -> flag.set(42));
            try {
                producer.get(boundSeconds, TimeUnit.SECONDS);
                for (CompletableFuture<Long> consumer : consumers) {
                    assertEquals(42, consumer.get(boundSeconds, TimeUnit.SECONDS));
                }
            } catch (TimeoutException stuck) {
                throw new AssertionFailedError("the producer never ran while every worker was blocked in retry()");
            } finally {
                flag.setFromOutside(42); // release a broken scheduler's consumers so close() returns
            }
        }
    }

    @Test
    void workersAllBlockedInRetryStillRunTheQueuedTaskThatWakesThem() throws Exception {
        allBlockedConsumersAreWokenByAQueuedProducer(TxnScheduler.builder(), Await.BOUND_SECONDS);
    }

    @Test
    void withoutCompensationTheBlockedWorkersStarveTheProducer() {
        // the broken twin: the same check must fail when no compensation thread may start
        assertThrows(AssertionFailedError.class, () -> allBlockedConsumersAreWokenByAQueuedProducer(
                TxnScheduler.builder().maxCompensationThreads(0), 2));
    }

    @Test
    void workersAllBlockedInRetryResumeWhenAnOutsideCommitArrives() throws Exception {
        int parallelism = 2;
        Cell flag = new Cell(0);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(parallelism)
                .maxCompensationThreads(0).build()) {
            List<CompletableFuture<Long>> consumers = new ArrayList<>();
            for (int i = 0; i < parallelism * 2; i++) {
                consumers.add(scheduler.submitAtomic(() -> {
                    if (flag.get() == 0) {
                        Stm.retry();
                    }
                    return flag.get();
                }));
            }
            Await.until(() -> scheduler.statistics().blockedDetections() >= parallelism,
                    "every worker to be blocked in retry()");
            Stm.atomic(() -> flag.set(7));
            for (CompletableFuture<Long> consumer : consumers) {
                assertEquals(7, consumer.get(Await.BOUND_SECONDS, TimeUnit.SECONDS));
            }
            assertEquals(0, scheduler.statistics().compensationThreads());
        }
    }

    @Test
    void aTaskWaitingOnAFutureOfTheSameSchedulerIsCompensated() throws Exception {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).build()) {
            CompletableFuture<Integer> outer = scheduler.submit(() -> scheduler.submit(() -> 21).get() * 2);
            assertEquals(42, outer.get(Await.BOUND_SECONDS, TimeUnit.SECONDS));
            assertTrue(scheduler.statistics().compensationThreads() >= 1);
        }
    }

    @Test
    void compensationThreadsRetireWhenTheWorkIsDone() throws Exception {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1)
                .threadNamePrefix("retiring-").build()) {
            assertEquals(42, scheduler.submit(() -> scheduler.submit(() -> 21).get() * 2)
                    .get(Await.BOUND_SECONDS, TimeUnit.SECONDS));
            assertTrue(scheduler.statistics().compensationThreads() >= 1);
            Await.until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("retiring-spare-")),
                    "the compensation thread to retire");
        }
    }
}
