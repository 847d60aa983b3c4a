package dev.weft.stm;

/**
 * Decides whether a transaction commits, for committing atomically with something outside Weft
 * (two-phase commit with a database or a log). Set with {@link Stm#setExternalDecider}.
 *
 * <p>{@link #shouldCommit()} is called exactly once per commit attempt, on the committing thread,
 * after the transaction holds the commit locks of every ref it writes and has validated every
 * read: if it answers {@code true}, the commit cannot fail any more and is published; if it
 * answers {@code false} (or throws), the transaction rolls back and {@code atomic} throws
 * {@link CommitRejectedException} (or the decider's exception). While it runs, writers of the
 * transaction's refs wait and readers of them spin briefly, so it should be quick; it must not
 * access refs.
 */
@FunctionalInterface
public interface ExternalDecider {
    /**
     * Decides whether the transaction asking may commit; see the interface comment for when it
     * is called and what it must not do.
     *
     * @return whether the transaction may commit
     */
    boolean shouldCommit();
}
