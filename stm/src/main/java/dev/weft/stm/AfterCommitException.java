package dev.weft.stm;

/**
 * The transaction <b>committed</b>, then one or more {@link Stm#afterCommit(Runnable)} hooks threw.
 * Every hook still ran; the first failure is the cause, later ones are suppressed on it. The
 * transaction's writes stay committed: do not run it again.
 */
public final class AfterCommitException extends TransactionException {
    private static final long serialVersionUID = 1L;

    /**
     * @param cause the first exception thrown by an afterCommit hook
     */
    public AfterCommitException(Throwable cause) {
        super("The transaction committed, but an afterCommit hook threw " + cause
                + "; the transaction's writes stay committed.", cause);
    }
}
