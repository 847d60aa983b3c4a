package dev.weft.collections;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs bodies on threads released together by a start gate (a {@link CyclicBarrier}, no sleeps)
 * and rethrows the first failure in the caller, with the seed of the run.
 */
final class Racers {
    private static final long TIMEOUT_SECONDS = 120;

    /** The work of one racer. */
    @FunctionalInterface
    interface Body {
        void run(int thread) throws Exception;
    }

    private Racers() {}

    static void run(long seed, Body... bodies) {
        CyclicBarrier startGate = new CyclicBarrier(bodies.length);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[bodies.length];
        for (int t = 0; t < bodies.length; t++) {
            int thread = t;
            Body body = bodies[t];
            threads[t] = new Thread(() -> {
                try {
                    startGate.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    body.run(thread);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "racer-" + t);
            threads[t].setDaemon(true);
            threads[t].start();
        }
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted (seed " + seed + ")");
            }
            if (thread.isAlive()) {
                fail(thread.getName() + " did not finish within " + TIMEOUT_SECONDS + " s (seed " + seed + ")");
            }
        }
        Throwable first = failure.get();
        if (first != null) {
            fail("a racer failed (seed " + seed + "): " + first, first);
        }
    }
}
