package dev.weft.scheduler;

/**
 * A snapshot of the counters of one type of task since its scheduler was created (see
 * {@link TxnScheduler#statisticsByType()}). A type is the name given to the tagged submit methods
 * ({@link TxnScheduler#submitAtomic(String, java.util.function.Supplier)},
 * {@link TxnScheduler#submit(String, java.util.concurrent.Callable)},
 * {@link TxnScheduler#parallelFor(String, int, int, java.util.function.IntConsumer)}), or for
 * untagged tasks the class of their body (for a lambda, the class that wrote it, followed by
 * {@code $$Lambda}). Forks count as the type of the task that forked them.
 *
 * <p>Counters are summed without stopping the workers, so a snapshot taken while tasks run is
 * approximate. Thread-safety: immutable.
 *
 * @param type the type's name
 * @param tasksCompleted submit-style tasks of this type finished, normally or exceptionally
 * @param tasksFailed those finished exceptionally (including cancelled ones)
 * @param commits transactions committed while running tasks of this type
 * @param aborts their lost attempts
 * @param abortsOnRead lost attempts that lost on a read
 * @param abortsOnCommit lost attempts that lost at commit (lock or validation)
 * @param escalations attempts run irrevocably
 * @param placements times a task of this type was moved to the worker that ran its opponent
 * @param steals times a task of this type was taken from another worker's queue
 * @param retryWaits times a transaction of this type waited in {@code Stm.retry()}
 * @param backoffNanos time spent waiting in contention backoff
 */
public record TaskTypeStatistics(
        String type,
        long tasksCompleted,
        long tasksFailed,
        long commits,
        long aborts,
        long abortsOnRead,
        long abortsOnCommit,
        long escalations,
        long placements,
        long steals,
        long retryWaits,
        long backoffNanos) {

    /**
     * Lost attempts per committed transaction of this type.
     *
     * @return {@code aborts / commits}, or {@code aborts} when nothing committed
     */
    public double abortsPerCommit() {
        return commits == 0 ? aborts : (double) aborts / commits;
    }
}
