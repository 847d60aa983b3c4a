package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Liveness guards for tests: wait for an event, failing (instead of hanging the build) if it does
 * not happen within a generous bound. The bound is never what a test checks: a passing test returns
 * as soon as the event happens.
 */
final class Await {
    static final long BOUND_SECONDS = 30;

    private Await() {}

    static void latch(CountDownLatch latch, String what) {
        try {
            if (!latch.await(BOUND_SECONDS, TimeUnit.SECONDS)) {
                fail("gave up waiting " + BOUND_SECONDS + " s for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while waiting for " + what);
        }
    }

    /** Polls {@code condition} (yielding between looks) until it holds. */
    static void until(BooleanSupplier condition, String what) {
        until(condition, what, BOUND_SECONDS);
    }

    static void until(BooleanSupplier condition, String what, long boundSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(boundSeconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("gave up waiting " + boundSeconds + " s for " + what);
            }
            Thread.yield();
        }
    }
}
