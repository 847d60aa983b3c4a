package dev.weft.stm;

/**
 * The thread was interrupted while the transaction was blocked in {@link Stm#retry()} (or was
 * already interrupted when it called {@code retry()}). The transaction was rolled back.
 *
 * <p>Unlike {@link InterruptedException}, this unchecked exception leaves the thread's interrupt
 * status <em>set</em>, so code further up the stack that checks {@link Thread#isInterrupted()}
 * still sees the request; clear it with {@link Thread#interrupted()} once handled.
 */
public final class TransactionInterruptedException extends TransactionException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; Weft throws it from {@code atomic} when a blocked wait is interrupted. */
    public TransactionInterruptedException() {
        super("Thread was interrupted while its transaction was blocked in retry(); the transaction "
                + "was rolled back and the interrupt status is still set.", null);
    }
}
