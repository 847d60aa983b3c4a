package dev.weft.stm;

import java.time.Duration;

/**
 * The transaction did not commit within {@link TxnOptions#timeout()}: it was still blocked in
 * {@link Stm#retry()} or still losing conflicts when the deadline passed. All its writes were
 * rolled back. The deadline is checked between attempts and while blocked, never in the middle
 * of a commit: a transaction whose commit has started completes it.
 */
public final class TransactionTimeoutException extends TransactionException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; Weft throws it from {@code atomic} when a transaction's
     * {@link TxnOptions#timeout()} passes before it commits.
     *
     * @param timeout the timeout that expired
     */
    public TransactionTimeoutException(Duration timeout) {
        super("Transaction did not commit within its timeout of " + timeout
                + " (TxnOptions.timeout); all its writes were rolled back.", null);
    }
}
