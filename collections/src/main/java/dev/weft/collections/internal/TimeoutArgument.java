package dev.weft.collections.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The check of a timeout argument of a waiting call, made before the call looks at any state:
 * a bad timeout is refused even when the call would not have had to wait (as
 * {@link dev.weft.stm.Stm#retryFor}, which only a call that waits reaches, refuses it).
 */
public final class TimeoutArgument {
    private TimeoutArgument() {}

    /**
     * Returns {@code timeout} if it is usable.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static Duration check(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        return timeout;
    }
}
