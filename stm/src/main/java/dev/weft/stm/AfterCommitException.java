package dev.weft.stm;

/**
 * The transaction <b>committed</b>, then one or more {@link Stm#afterCommit(Runnable)} hooks threw.
 * Every hook still ran; the first failure is the cause, later ones are suppressed on it. The
 * transaction's writes stay committed: do not run it again.
 */
public final class AfterCommitException extends TransactionException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; Weft throws it from {@code atomic} after running every
     * {@code afterCommit} hook of a committed transaction, when at least one of them threw.
     *
     * @param cause the first exception thrown by an afterCommit hook
     */
    public AfterCommitException(Throwable cause) {
        super("The transaction committed, but an afterCommit hook threw " + cause
                + "; the transaction's writes stay committed.", cause);
    }
}
