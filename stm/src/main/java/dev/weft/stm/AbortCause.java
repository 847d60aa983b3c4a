package dev.weft.stm;

/**
 * Why an attempt of a transaction was rolled back; reported by {@link Stm#statistics()} and the
 * {@code dev.weft.Abort} JFR event.
 */
public enum AbortCause {
    /** A read found a ref locked by a committer for too long, or changed since the snapshot in a
     *  way the snapshot could not be extended over. The attempt runs again. */
    READ_CONFLICT,
    /** At commit, a written ref was locked or reserved by another transaction. The attempt runs again. */
    WRITE_CONFLICT,
    /** At commit, a ref the attempt read had been changed by another commit. The attempt runs again. */
    VALIDATION,
    /** The body called {@code retry()}: the attempt was rolled back to wait. */
    RETRY,
    /** The body (or a hook, or a commute function) threw: the transaction ended with that exception. */
    EXCEPTION,
    /** The transaction's timeout passed: it ended with {@link TransactionTimeoutException}. */
    TIMEOUT,
    /** The thread was interrupted while blocked: it ended with {@link TransactionInterruptedException}. */
    INTERRUPTED,
    /** The external decider said no: it ended with {@link CommitRejectedException}. */
    REJECTED
}
