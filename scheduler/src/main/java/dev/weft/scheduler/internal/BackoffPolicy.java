package dev.weft.scheduler.internal;

import dev.weft.scheduler.Conflict;
import dev.weft.scheduler.ContentionPolicy;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Randomized exponential backoff with full jitter: after the n-th lost attempt, wait a time drawn
 * uniformly from {@code [0, min(first * 2^(n-1), max)]}. Jitter keeps two tasks that collided from
 * colliding again at the same moment.
 *
 * <p>Thread-safety: immutable; the random source is the calling thread's.
 */
public final class BackoffPolicy implements ContentionPolicy {
    public static final BackoffPolicy DEFAULT = new BackoffPolicy(256, 128_000);

    private final long firstNanos;
    private final long maxNanos;

    public BackoffPolicy(long firstNanos, long maxNanos) {
        this.firstNanos = firstNanos;
        this.maxNanos = maxNanos;
    }

    @Override
    public long onConflict(Conflict conflict) {
        return delay(conflict.attempts());
    }

    long delay(int attempts) {
        int shift = Math.min(Math.max(attempts - 1, 0), 40);
        long bound = firstNanos << shift;
        if (bound <= 0 || bound > maxNanos) {
            bound = maxNanos;
        }
        return ThreadLocalRandom.current().nextLong(bound + 1);
    }

    @Override
    public String toString() {
        return "exponentialBackoff(" + firstNanos + " ns.." + maxNanos + " ns)";
    }
}
