package dev.weft.scheduler;

/**
 * A snapshot of a scheduler's counters since it was created. Counters are summed over the
 * workers without stopping them, so a snapshot taken while tasks run is approximate: each value is
 * one the counter had during the call, not all at one instant.
 *
 * <p>Thread-safety: immutable.
 *
 * @param parallelism the number of workers (without compensation threads)
 * @param tasksSubmitted tasks accepted by submit, execute, submitAtomic, invokeAll and external
 *        fork or parallelFor calls
 * @param tasksCompleted those of them finished, normally or exceptionally
 * @param tasksFailed finished exceptionally (including cancelled ones)
 * @param forks subtasks created by fork and parallelFor on the workers
 * @param commits transactions committed on the workers, in any kind of task (the engine reports
 *        each commit to the worker)
 * @param aborts lost attempts of every transaction run on a worker
 * @param abortsOnRead lost attempts that lost on a read (a newer value than the snapshot)
 * @param abortsOnCommit lost attempts that lost at commit (lock or validation)
 * @param abortsAgainstWorkers lost attempts whose opponent was a task on this scheduler
 * @param escalations attempts run irrevocably at the scheduler's or the policy's request
 * @param placements tasks moved to the worker that ran their opponent
 * @param steals tasks taken from another worker's queue
 * @param backoffNanos time workers spent waiting in contention backoff
 * @param retryWaits times a transaction on a worker parked in {@code Stm.retry()} (the engine
 *        reports each; the pool compensates the worker at once if work is queued)
 * @param blockedDetections times the supervisor found a worker blocked inside a task outside
 *        {@code retry()} (a lock, a future's get)
 * @param compensationThreads extra workers started to replace blocked ones
 * @param concurrencyLimit workers currently allowed to take tasks by the throttle
 * @param throttleDecreases times the throttle lowered the limit (abort rate high)
 * @param throttleIncreases times it raised the limit again
 */
public record SchedulerStatistics(
        int parallelism,
        long tasksSubmitted,
        long tasksCompleted,
        long tasksFailed,
        long forks,
        long commits,
        long aborts,
        long abortsOnRead,
        long abortsOnCommit,
        long abortsAgainstWorkers,
        long escalations,
        long placements,
        long steals,
        long backoffNanos,
        long retryWaits,
        long blockedDetections,
        long compensationThreads,
        int concurrencyLimit,
        long throttleDecreases,
        long throttleIncreases) {

    /**
     * Lost attempts per committed scheduler transaction.
     *
     * @return {@code aborts / commits}, or {@code aborts} when nothing committed
     */
    public double abortsPerCommit() {
        return commits == 0 ? aborts : (double) aborts / commits;
    }
}
