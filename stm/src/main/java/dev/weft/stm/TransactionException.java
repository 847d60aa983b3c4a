package dev.weft.stm;

/**
 * A transaction ended without committing for a reason of the engine's (not an exception of its
 * body): too many attempts, a timeout, an interrupt, or a rejected commit. In every case every
 * write of the transaction was rolled back; nothing was published.
 *
 * <p>The one exception to "nothing was published" is {@link AfterCommitException}, thrown when the
 * transaction did commit but an {@code afterCommit} hook failed; its message says so.
 *
 * <p>Unchecked, like every Weft exception. Instances are immutable and safe to share.
 */
public abstract sealed class TransactionException extends RuntimeException
        permits TooManyAttemptsException, TransactionTimeoutException, TransactionInterruptedException,
                CommitRejectedException, AfterCommitException {
    private static final long serialVersionUID = 1L;

    TransactionException(String message, Throwable cause) {
        super(message, cause);
    }
}
