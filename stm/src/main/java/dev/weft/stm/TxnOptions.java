package dev.weft.stm;

import java.time.Duration;
import java.util.Objects;

/**
 * How one transaction runs: an immutable value, built once and reused for any number of
 * transactions without allocation.
 *
 * <pre>{@code
 * static final TxnOptions AUDIT = TxnOptions.DEFAULT.withReadOnly(true).withTimeout(Duration.ofSeconds(1));
 * long total = Stm.atomic(AUDIT, () -> a.get() + b.get());
 * }</pre>
 *
 * <p>Options apply to a top-level transaction; an {@code atomic(options, ...)} call inside a running
 * transaction joins it, and its options are ignored.
 *
 * @param readOnly    writes throw {@link IllegalStateException} (and the attempt rolls back)
 * @param maxAttempts attempts lost to conflicts after which {@link TooManyAttemptsException} is
 *                    thrown instead of trying again; at least 1; blocking in {@code retry()} is not
 *                    an attempt
 * @param irrevocable run irrevocably from the first attempt: the transaction cannot abort, holds
 *                    back writers of the refs it touches while it runs, and runs one at a time with
 *                    other irrevocable transactions (readers and writers of other refs are
 *                    unaffected); it cannot call {@code retry()} without releasing all of that
 * @param timeout     the transaction must commit within this time (including time blocked in
 *                    {@code retry()}) or it throws {@link TransactionTimeoutException}; null for no
 *                    timeout
 */
public record TxnOptions(boolean readOnly, int maxAttempts, boolean irrevocable, Duration timeout) {
    /** No limit, not read-only, optimistic, no timeout: what {@code atomic(body)} uses. */
    public static final TxnOptions DEFAULT = new TxnOptions(false, Integer.MAX_VALUE, false, null);

    /**
     * Checks the values; see the class comment for what each means.
     *
     * @param readOnly    whether writes are rejected
     * @param maxAttempts attempts lost to conflicts before giving up, at least 1
     * @param irrevocable whether to run irrevocably from the first attempt
     * @param timeout     the time the transaction has to commit, not negative; null for none
     * @throws IllegalArgumentException if {@code maxAttempts < 1} or the timeout is negative
     */
    public TxnOptions {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
    }

    /**
     * Returns a copy with a different {@code readOnly}; these options are unchanged.
     *
     * @param readOnly whether writes are rejected
     * @return these options with {@code readOnly} replaced
     */
    public TxnOptions withReadOnly(boolean readOnly) {
        return new TxnOptions(readOnly, maxAttempts, irrevocable, timeout);
    }

    /**
     * Returns a copy with a different {@code maxAttempts}; these options are unchanged.
     *
     * @param maxAttempts attempts lost to conflicts before giving up, at least 1
     * @return these options with {@code maxAttempts} replaced
     */
    public TxnOptions withMaxAttempts(int maxAttempts) {
        return new TxnOptions(readOnly, maxAttempts, irrevocable, timeout);
    }

    /**
     * Returns a copy with a different {@code irrevocable}; these options are unchanged.
     *
     * @param irrevocable whether to run irrevocably from the first attempt
     * @return these options with {@code irrevocable} replaced
     */
    public TxnOptions withIrrevocable(boolean irrevocable) {
        return new TxnOptions(readOnly, maxAttempts, irrevocable, timeout);
    }

    /**
     * Returns a copy with a different timeout; these options are unchanged.
     *
     * @param timeout the time the transaction has to commit, not null (use {@link #withoutTimeout()})
     * @return these options with {@code timeout} replaced
     */
    public TxnOptions withTimeout(Duration timeout) {
        return new TxnOptions(readOnly, maxAttempts, irrevocable, Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Returns a copy without a timeout; these options are unchanged.
     *
     * @return these options without a timeout
     */
    public TxnOptions withoutTimeout() {
        return new TxnOptions(readOnly, maxAttempts, irrevocable, null);
    }
}
