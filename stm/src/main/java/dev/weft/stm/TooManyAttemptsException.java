package dev.weft.stm;

/**
 * The transaction lost more conflicts than {@link TxnOptions#maxAttempts()} allows; it was rolled
 * back and not run again. Blocking in {@link Stm#retry()} does not count as an attempt.
 */
public final class TooManyAttemptsException extends TransactionException {
    private static final long serialVersionUID = 1L;

    /** The attempts the transaction made, all lost to conflicts. */
    private final int attempts;

    /**
     * Creates the exception; Weft throws it from {@code atomic} when a transaction reaches its
     * {@link TxnOptions#maxAttempts()}.
     *
     * @param attempts the attempts the transaction made, all aborted by conflicts
     */
    public TooManyAttemptsException(int attempts) {
        super("Transaction aborted after " + attempts + " attempts lost to conflicts "
                + "(TxnOptions.maxAttempts); all its writes were rolled back. Raise maxAttempts, "
                + "or shorten the transaction so it conflicts less.", null);
        this.attempts = attempts;
    }

    /**
     * How many attempts the transaction made before it gave up.
     *
     * @return the attempts the transaction made
     */
    public int attempts() {
        return attempts;
    }
}
