package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Transactions on virtual threads (JDK 21+; the build targets 17, so reached by reflection). */
class VirtualThreadTest {

    @Test
    void transfersOnVirtualThreadsKeepTheTotal() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
        int accounts = 32;
        Counter[] bank = Counter.array(accounts, 100);
        int tasks = 200;
        int transfersPerTask = Scale.of(500);
        ExecutorService executor = (ExecutorService)
                java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < tasks; t++) {
                int seed = t;
                futures.add(executor.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    for (int i = 0; i < transfersPerTask; i++) {
                        int from = random.nextInt(accounts);
                        int to = random.nextInt(accounts);
                        atomic(() -> {
                            bank[from].add(-1);
                            bank[to].add(1);
                        });
                        if (i % 50 == 0) {
                            long total = Stm.atomicLong(() -> {
                                long sum = 0;
                                for (Counter account : bank) {
                                    sum += account.get();
                                }
                                return sum;
                            });
                            assertEquals(100L * accounts, total);
                        }
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            executor.shutdown();
        }
        long total = 0;
        for (Counter account : bank) {
            total += account.committed();
        }
        assertEquals(100L * accounts, total);
    }

    /**
     * Ten thousand virtual threads block in retry() on one ref at the same time, and one commit
     * wakes them all. On two cores this is only possible if a virtual thread blocked in retry()
     * releases its carrier: a pinned carrier per waiter would exhaust the scheduler's carriers
     * (at most 256) long before 10,000 waiters are registered, and the test would time out.
     */
    @Test
    void tenThousandVirtualThreadsParkedOnOneRefAreAllWokenWithoutPinningCarriers() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
        int waiters = 10_000;
        Counter gate = new Counter(0);
        Counter passed = new Counter(0);
        ExecutorService executor = (ExecutorService)
                java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                futures.add(executor.submit(() -> atomic(() -> {
                    if (gate.get() == 0) {
                        Stm.retry();
                    }
                    passed.commuteAdd(1);
                })));
            }
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (dev.weft.stm.internal.EngineProbe.waitingCount() < waiters) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + dev.weft.stm.internal.EngineProbe.waitingCount()
                            + " of " + waiters + " virtual threads managed to block in retry()");
                }
                Thread.sleep(5); // observing progress; the threads under test coordinate through the ref
            }
            assertEquals(0, passed.committed());
            gate.setAtomically(1);
            for (Future<?> future : futures) {
                future.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdown();
        }
        assertEquals(waiters, passed.committed());
        assertEquals(0, dev.weft.stm.internal.EngineProbe.waitingCount());
    }
}
