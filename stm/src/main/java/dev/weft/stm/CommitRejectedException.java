package dev.weft.stm;

/**
 * The transaction's {@link ExternalDecider} answered {@code false}: the transaction was rolled
 * back and not run again.
 */
public final class CommitRejectedException extends TransactionException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; Weft throws it from {@code atomic} when the decider says no. */
    public CommitRejectedException() {
        super("The transaction's external decider rejected the commit; all its writes were rolled back.", null);
    }
}
