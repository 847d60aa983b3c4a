package dev.weft.collections.internal;

import dev.weft.stm.Stm;
import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnHandle;
import java.util.ConcurrentModificationException;

/**
 * Tells a snapshot iterator that a change it relies on was rolled back. A snapshot iterator keeps
 * plain state (its copy of the collection, the positions of its own removals) that it updates
 * when it copies the collection or writes through to it; inside a transaction those copies and
 * writes belong to the running scope, and if that scope (or the whole attempt) rolls back, the
 * collection goes back but the iterator's state would not. {@link #watch()}, called after each
 * copy or write-through, registers an afterRollback hook in the running scope (once per scope: a
 * hook covers the scope's later changes too, since it runs when the scope or any scope around it
 * rolls back) that marks the iterator stale; {@link #check()} then throws.
 *
 * <p>Not thread-safe: one iterator's, used on one thread (the hook runs on that thread).
 */
public final class RollbackWatch {
    /** A scope this iterator copied or wrote in has rolled back. */
    private boolean stale;
    /** The attempt and scope whose hook is registered; -1 for none yet. */
    private long hookedAttempt = -1;
    private long hookedScope = -1;

    /** Inside a transaction: a rollback of the running scope will mark the iterator stale. */
    public void watch() {
        TxnHandle txn = Barrier.runningOrNull();
        if (txn == null) {
            return; // the copy or the write was a transaction of its own, and it committed
        }
        long attempt = Barrier.attemptOf(txn);
        long scope = Barrier.scopeOf(txn);
        if (attempt != hookedAttempt || scope != hookedScope) {
            Stm.afterRollback(() -> stale = true);
            hookedAttempt = attempt;
            hookedScope = scope;
        }
    }

    /**
     * Throws if a scope the iterator copied or wrote in has rolled back.
     *
     * @throws ConcurrentModificationException if it has
     */
    public void check() {
        if (stale) {
            throw new ConcurrentModificationException("a transaction or nested scope in which this iterator copied the "
                    + "collection or changed it has rolled back, so its copy no longer matches the collection: "
                    + "create a new iterator");
        }
    }
}
