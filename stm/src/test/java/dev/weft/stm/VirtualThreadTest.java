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
}
