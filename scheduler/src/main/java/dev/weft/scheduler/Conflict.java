package dev.weft.scheduler;

/**
 * What a {@link ContentionPolicy} learns about one lost attempt: how often the task lost, whether
 * the opponent is a task of the same scheduler, and both tasks' age and invested work.
 *
 * <p>Thread-safety: a view owned by one worker and valid only during the
 * {@link ContentionPolicy#onConflict} call it is passed to; do not keep it. The opponent's values
 * are read racily from the worker that ran it: a recent value, not necessarily the latest.
 */
public interface Conflict {
    /**
     * Lost attempts of the transaction in its current run (1 on the first call).
     *
     * @return the lost attempts so far, at least 1
     */
    int attempts();

    /**
     * Lost attempts over all of the task's runs, including runs before a relocation.
     *
     * @return the task's lost attempts over all its runs
     */
    int taskAborts();

    /**
     * Whether the attempt lost on a read (a value newer than its snapshot) rather than at commit.
     *
     * @return true if it lost on a read, false if at commit
     */
    boolean lostOnRead();

    /**
     * Whether the transaction it lost to ran in a task of this scheduler (else all opponent values
     * are unknown).
     *
     * @return whether the opponent's values below are known
     */
    boolean opponentKnown();

    /**
     * {@link System#nanoTime()} when this task first started: smaller is older.
     *
     * @return this task's first start, in {@link System#nanoTime()} time
     */
    long taskStartNanos();

    /**
     * When the opponent's task first started, or {@link Long#MAX_VALUE} when unknown.
     *
     * @return the opponent task's first start in {@link System#nanoTime()} time, or
     *         {@link Long#MAX_VALUE}
     */
    long opponentStartNanos();

    /**
     * Nanoseconds this task has spent in attempts of its transactions so far.
     *
     * @return this task's time in attempts, in nanoseconds
     */
    long taskWorkNanos();

    /**
     * The opponent task's work so far, or -1 when unknown.
     *
     * @return the opponent task's time in attempts, in nanoseconds, or -1
     */
    long opponentWorkNanos();

    /**
     * This task's size: the refs read plus the refs written by all its lost attempts, this one
     * included (Scherer and Scott's karma, the work an abort threw away), as the engine reports
     * them; the first measure of "larger" for {@link ContentionPolicy#largerWins()}.
     *
     * @return the refs read and written by this task's lost attempts
     */
    long taskSize();

    /**
     * The opponent's size on the same scale: the refs of its task's lost attempts plus an estimate
     * of its running attempt (the size of the latest attempt its worker finished, since the engine
     * cannot see into a running transaction of another thread); -1 when unknown.
     *
     * @return the opponent's estimated size, or -1
     */
    long opponentSize();
}
