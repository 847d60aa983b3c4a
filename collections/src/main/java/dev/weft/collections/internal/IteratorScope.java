package dev.weft.collections.internal;

import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnHandle;

/**
 * What an iterator made inside a transaction checks before each use: it holds what it read
 * (nodes, leaves, the attempt's own writes), so it may go on only in the attempt it was made in,
 * and only while no scope it read in has been rolled back alone (a nested {@code Stm.atomic}
 * that threw, an {@code orElse} alternative that retried): what it read there was rolled back
 * with the scope, and handing it out would let rolled-back writes reach the enclosing
 * transaction. A scope that ended by committing into its parent leaves the reads valid.
 *
 * <p>Why remembering only the scope of the last use is enough: a later rollback that undoes an
 * earlier use's reads rolls back a scope running at that earlier use, which still runs, so the
 * last use ran inside it too and is covered by the same rollback (see the engine's "Scopes").
 *
 * <p>Not thread-safe: one iterator's.
 */
public final class IteratorScope {
    /*
     * A check runs on every hasNext() and next(), so it looks nothing up: the thread and its
     * descriptor are kept, and a check first compares the calling thread with the one the
     * iterator was made on (one load, where looking the descriptor up costs several); only then
     * does it read the descriptor, which the owner alone writes, so those reads are its own.
     */
    private final Thread thread = Thread.currentThread();
    private final TxnHandle txn;
    private final long attempt;
    /** The scope of the last use. */
    private long scope;
    /** The attempt's scope rollbacks already checked against {@link #scope}. */
    private int rollbacksSeen;

    /** For an iterator made now, in the calling thread's running transaction. */
    public IteratorScope() {
        txn = Barrier.running();
        attempt = Barrier.attemptOf(txn);
        scope = Barrier.scopeOf(txn);
        rollbacksSeen = Barrier.scopeRollbacksOf(txn);
    }

    /**
     * Throws unless the iterator may go on reading here; then remembers the running scope.
     *
     * @param outside what an iterator made outside a transaction gives instead
     * @throws IllegalStateException if the attempt the iterator was made in has ended, or a scope
     *         it read in has been rolled back
     */
    public void check(String outside) {
        if (Thread.currentThread() != thread || Barrier.attemptOf(txn) != attempt) { // -1 once it ended
            throw new IllegalStateException("This iterator was created inside a transaction and reads in it; "
                    + "it cannot be used after that transaction (or that attempt of it) ended. Create the "
                    + "iterator outside a transaction to " + outside + ".");
        }
        int rollbacks = Barrier.scopeRollbacksOf(txn);
        if (rollbacks != rollbacksSeen) {
            if (Barrier.scopeRolledBack(txn, scope, rollbacksSeen)) {
                throw new IllegalStateException("This iterator read inside a nested Stm.atomic or an orElse "
                        + "alternative that has since rolled back, and what it read was rolled back with it. "
                        + "Create a new iterator after the rollback.");
            }
            rollbacksSeen = rollbacks;
        }
        scope = Barrier.scopeOf(txn);
    }
}
