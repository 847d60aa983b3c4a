package dev.weft.stm.spi;

/**
 * Decides what a thread does after one of its transaction attempts lost a conflict; installed per
 * thread with {@link Barrier#setContentionManager}. Without one, the engine backs off with
 * randomized exponential spinning and escalates to irrevocable mode after a fixed number of
 * aborts.
 *
 * <p>Called on the aborting thread, outside the transaction (its attempt is already rolled back),
 * once per lost attempt. It may also throw an unchecked exception of its own to abandon the
 * transaction (for example to run it later elsewhere): the exception propagates from
 * {@code atomic} and nothing of the transaction is published.
 */
public interface ContentionManager {
    /** Back off as the engine would without a manager, then run the next attempt. */
    int DEFAULT = 0;
    /** Run the next attempt at once (the manager already waited, or decided not to). */
    int RETRY_NOW = 1;
    /** Run the next attempt irrevocably: it cannot abort again. */
    int ESCALATE = 2;

    /**
     * Decides how the thread goes on after an attempt of its transaction lost a conflict; called
     * on that thread, outside the transaction.
     *
     * @param attempts attempts of this transaction lost so far (1 after the first abort)
     * @param lostOnRead whether the attempt lost on a read (a newer value it could not fit in its
     *                   snapshot) rather than at commit
     * @param opponentId the owner id ({@link Barrier#currentOwnerId()}) of the transaction that held a
     *                   cell this attempt needed, or that committed the newer version of a cell it
     *                   had read (a hint from a lossy table kept once any manager is installed; 0
     *                   for a one-operation update), or -1 when unknown
     * @return {@link #DEFAULT}, {@link #RETRY_NOW} or {@link #ESCALATE}
     */
    int onConflict(int attempts, boolean lostOnRead, long opponentId);

    /**
     * {@link #onConflict(int, boolean, long)} with the size of the attempt that lost; the engine
     * calls this one, which by default ignores the sizes.
     *
     * @param attempts attempts of this transaction lost so far (1 after the first abort)
     * @param lostOnRead whether the attempt lost on a read rather than at commit
     * @param opponentId the owner id of the transaction that beat it, or -1 when unknown (see
     *                   {@link #onConflict(int, boolean, long)})
     * @param reads refs the attempt read (0 for a registered snapshot, which logs none)
     * @param writes refs the attempt wrote
     * @return {@link #DEFAULT}, {@link #RETRY_NOW} or {@link #ESCALATE}
     */
    default int onConflict(int attempts, boolean lostOnRead, long opponentId, int reads, int writes) {
        return onConflict(attempts, lostOnRead, opponentId);
    }

    /**
     * Called on the committing thread after a transaction committed (not for single-operation
     * updates outside transactions).
     *
     * @param attempts attempts the transaction lost before this one
     * @param reads refs the committing attempt read
     * @param writes refs it wrote
     */
    default void onCommit(int attempts, int reads, int writes) {
    }

    /**
     * Called just before the thread parks in {@code retry()} (it may stay parked indefinitely),
     * after the short spin phase that catches quick handoffs: waits that end within microseconds
     * are not reported.
     */
    default void beforeBlock() {
    }

    /** Called when a wait reported by {@link #beforeBlock()} ends, however it ended. */
    default void afterBlock() {
    }
}
