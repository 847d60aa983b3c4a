package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
        allBlockedConsumersAreWokenByAQueuedProducer(builder, boundSeconds, stats -> { });
    }

    private static void allBlockedConsumersAreWokenByAQueuedProducer(
            TxnScheduler.Builder builder, long boundSeconds,
            java.util.function.Consumer<SchedulerStatistics> afterwards) throws Exception {
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
            Await.until(() -> scheduler.statistics().retryWaits() >= parallelism,
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
            afterwards.accept(scheduler.statistics());
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
    void aWorkerBlockedInRetryIsCompensatedFromTheEnginesReportWithoutTheSupervisorWatching() throws Exception {
        // observeBlocking(false): the supervisor looks at no thread, so only the engine's
        // beforeBlock report can have started the thread that ran the producer
        allBlockedConsumersAreWokenByAQueuedProducer(TxnScheduler.builder().observeBlocking(false),
                Await.BOUND_SECONDS, stats -> {
                    assertEquals(0, stats.blockedDetections(), stats.toString());
                    assertTrue(stats.compensationThreads() >= 1, stats.toString());
                    assertTrue(stats.retryWaits() >= 3, stats.toString());
                });
    }

    @Test
    void withoutCompensationTheReportedBlockingAloneStarvesTheProducer() {
        // the broken twin of the check above: reported, but not compensated
        assertThrows(AssertionFailedError.class, () -> allBlockedConsumersAreWokenByAQueuedProducer(
                TxnScheduler.builder().observeBlocking(false).maxCompensationThreads(0), 2));
    }

    @Test
    void aConsumerThatBlocksAfterTheProducerWasQueuedIsCompensatedToo() throws Exception {
        // the other order of the Dekker pair: the producer is queued behind a worker that is busy,
        // and that worker then blocks in retry(); its own report must find the queued producer
        Cell flag = new Cell(0);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).observeBlocking(false).build()) {
            CountDownLatch consumerStarted = new CountDownLatch(1);
            CountDownLatch producerQueued = new CountDownLatch(1);
            CompletableFuture<Long> consumer = scheduler.submit(() -> {
                consumerStarted.countDown();
                Await.latch(producerQueued, "the producer to be queued");
                return Stm.atomic(() -> {
                    if (flag.get() == 0) {
                        Stm.retry();
                    }
                    return flag.get();
                });
            });
            Await.latch(consumerStarted, "the consumer to occupy the only worker");
            CompletableFuture<Void> producer = scheduler.submitAtomic(() -> flag.set(5));
            producerQueued.countDown();
            try {
                assertEquals(5, consumer.get(Await.BOUND_SECONDS, TimeUnit.SECONDS));
                producer.get(Await.BOUND_SECONDS, TimeUnit.SECONDS);
            } finally {
                flag.setFromOutside(5);
            }
            assertTrue(scheduler.statistics().compensationThreads() >= 1);
        }
    }

    @Test
    void withoutObservationATaskBlockedOnAFutureIsNotCompensated() {
        // the twin of the next test: a wait outside retry() is not reported, so only the
        // supervisor's observation can compensate it
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).observeBlocking(false).build()) {
            CompletableFuture<Integer> outer = scheduler.submit(
                    () -> scheduler.submit(() -> 21).get(2, TimeUnit.SECONDS) * 2);
            java.util.concurrent.ExecutionException failure = assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> outer.get(Await.BOUND_SECONDS, TimeUnit.SECONDS));
            assertTrue(failure.getCause() instanceof TimeoutException, failure.toString());
            assertEquals(0, scheduler.statistics().compensationThreads());
        }
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
            Await.until(() -> scheduler.statistics().retryWaits() >= parallelism,
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

    private static boolean spareAlive(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith(prefix + "spare-"));
    }

    /**
     * A spare stands in for a blocked worker only while the block lasts: once the worker runs
     * again the spare retires between two tasks, even though work keeps coming (a spare kept
     * until the pool idles would run above the throttle's limit and add aborts). Checked by
     * keeping four batches of short tasks in flight until the spare is gone.
     */
    @Test
    void aCompensationThreadRetiresWhenTheBlockEndsEvenWhileWorkKeepsComing() throws Exception {
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(1).threadNamePrefix("busy-").build()) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Object> blocked = scheduler.submit(() -> {
                release.await();
                return null;
            });
            // queued behind the blocked worker: only a spare can run it. It spins (a spare that
            // parks is not busy) until the spare has been seen: an idle spare retires after a full
            // idle period (tens of ms), which a descheduled test thread could otherwise miss
            AtomicReference<Thread> runner = new AtomicReference<>();
            AtomicBoolean seen = new AtomicBoolean();
            CompletableFuture<Integer> queued = scheduler.submit(() -> {
                runner.set(Thread.currentThread());
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.BOUND_SECONDS);
                while (!seen.get() && System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                }
                return 1;
            });
            try {
                Await.until(() -> runner.get() != null, "a spare to run the task queued behind the blocked worker");
                assertTrue(runner.get().getName().startsWith("busy-spare-"), "ran on " + runner.get().getName());
                assertTrue(scheduler.statistics().compensationThreads() >= 1);
                assertTrue(spareAlive("busy-"));
            } finally {
                seen.set(true);
            }
            assertEquals(1, queued.get(Await.BOUND_SECONDS, TimeUnit.SECONDS));
            release.countDown();
            blocked.get(Await.BOUND_SECONDS, TimeUnit.SECONDS);
            java.util.ArrayDeque<CompletableFuture<?>> inFlight = new java.util.ArrayDeque<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (spareAlive("busy-")) {
                CompletableFuture<?>[] batch = new CompletableFuture<?>[64];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = scheduler.submit(() -> {
                        long end = System.nanoTime() + 5_000;
                        while (System.nanoTime() < end) {
                            Thread.onSpinWait();
                        }
                    });
                }
                inFlight.add(CompletableFuture.allOf(batch));
                if (inFlight.size() > 4) {
                    inFlight.poll().get(Await.BOUND_SECONDS, TimeUnit.SECONDS);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionFailedError("the spare kept running 10 s after the block ended");
                }
            }
            for (CompletableFuture<?> batch : inFlight) {
                batch.get(Await.BOUND_SECONDS, TimeUnit.SECONDS);
            }
        }
    }
}
