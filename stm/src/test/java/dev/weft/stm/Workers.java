package dev.weft.stm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs test workers that start together (a barrier, never a sleep) and rethrows the first failure.
 */
final class Workers {
    interface Body {
        void run(int worker) throws Exception;
    }

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Body> bodies = new ArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();

    Workers add(int count, Body body) {
        for (int i = 0; i < count; i++) {
            bodies.add(body);
        }
        return this;
    }

    /** Starts every worker, waits up to {@code timeoutSeconds} for all, rethrows a failure. */
    void runAll(long timeoutSeconds) throws Exception {
        CyclicBarrier start = new CyclicBarrier(bodies.size());
        for (int i = 0; i < bodies.size(); i++) {
            Body body = bodies.get(i);
            int worker = i;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    body.run(worker);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    stop.set(true);
                }
            }, "weft-test-worker-" + i);
            threads.add(thread);
            thread.start();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (thread.isAlive()) {
                stop.set(true);
                throw new AssertionError("worker " + thread.getName() + " did not finish in "
                        + timeoutSeconds + " s (livelock or lost wake-up?)");
            }
        }
        Throwable t = failure.get();
        if (t instanceof Exception e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }
}
