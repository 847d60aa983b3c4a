package dev.weft.refs;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the same body on several threads released together by a start gate, and rethrows the first
 * failure of any of them in the calling thread. No sleeps: the gate is a {@link CyclicBarrier}.
 */
final class Race {
    /** Threads of every race in this package's tests. */
    static final int THREADS = 4;
    /** Operations per thread and per kind of operation; {@code -Dweft.test.scale} multiplies it. */
    static final int OPERATIONS = 20_000 * Integer.getInteger("weft.test.scale", 1);

    private static final long TIMEOUT_SECONDS = 60;

    /** The work of one racer. */
    @FunctionalInterface
    interface Body {
        void run(int thread) throws Exception;
    }

    private Race() {}

    /** Runs {@code body} on {@link #THREADS} threads started at the same instant; waits for all. */
    static void run(Body body) {
        CyclicBarrier startGate = new CyclicBarrier(THREADS);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads[t] = new Thread(() -> {
                try {
                    startGate.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    body.run(thread);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "racer-" + t);
            threads[t].setDaemon(true); // a hung racer must not keep the test JVM alive
        }
        for (Thread thread : threads) {
            thread.start();
        }
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + thread.getName());
            }
            if (thread.isAlive()) {
                StringBuilder stack = new StringBuilder();
                for (StackTraceElement frame : thread.getStackTrace()) {
                    stack.append("\n\tat ").append(frame);
                }
                fail(thread.getName() + " did not finish within " + TIMEOUT_SECONDS + " s; it is at:" + stack,
                        failure.get());
            }
        }
        Throwable first = failure.get();
        if (first != null) {
            fail("a racer failed: " + first, first);
        }
    }
}
