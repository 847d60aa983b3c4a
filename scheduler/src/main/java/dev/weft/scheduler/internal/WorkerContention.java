package dev.weft.scheduler.internal;

import dev.weft.scheduler.Conflict;
import dev.weft.scheduler.ContentionPolicy;
import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.ContentionManager;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker's contention manager: the engine calls it on the worker after each lost attempt of a
 * transaction the worker runs. It counts the abort, escalates once the task has lost
 * {@code escalateAfter} attempts in total, relocates relocatable tasks to the worker that ran the
 * opponent (reported as a {@code dev.weft.scheduler.Placement} event), and otherwise asks the
 * scheduler's {@link ContentionPolicy} and waits as told. It is also the reusable
 * {@link Conflict} view handed to the policy. The engine also tells it about
 * every commit (counted for the statistics and fed to the throttle) and about every wait in
 * {@code retry()} (reported to the pool, which compensates the blocked worker at once).
 *
 * <p>The opponent is the worker whose owner id the engine reports (it held a lock the attempt
 * needed); when the engine cannot tell (the attempt failed validation because a cell changed), it
 * is inferred as the only other worker that committed a scheduler-run transaction during the
 * attempt, if there is exactly one.
 *
 * <p>Thread-safety: used only by its worker's thread.
 */
final class WorkerContention implements ContentionManager, Conflict {
    /** Waits shorter than this spin; longer ones park in slices of {@link #PARK_SLICE_NANOS}. */
    private static final long SPIN_LIMIT_NANOS = 20_000;
    private static final long PARK_SLICE_NANOS = 50_000;

    private final Worker worker;
    private final Pool pool;
    /** When the current attempt started: its time is added to the task's work when it is lost. */
    long attemptStartNanos;

    // The Conflict view, valid during a policy call.
    private Task task;
    private Task opponentTask;
    private Worker opponent;
    private int attempts;
    private boolean lostOnRead;

    WorkerContention(Worker worker, Pool pool) {
        this.worker = worker;
        this.pool = pool;
    }

    @Override
    public int onConflict(int attempts, boolean lostOnRead, long opponentId) {
        return onConflict(attempts, lostOnRead, opponentId, 0, 0);
    }

    @Override
    public int onConflict(int attempts, boolean lostOnRead, long opponentId, int reads, int writes) {
        Counters counters = worker.counters;
        counters.increment(Counters.ABORTS);
        if (lostOnRead) {
            counters.increment(Counters.ABORTS_ON_READ);
        }
        worker.recordAbort();
        int refs = reads + writes;
        worker.lastAttemptRefs(refs);
        Task lost = worker.current;
        long now = System.nanoTime();
        if (lost == null) {
            return ContentionManager.DEFAULT; // a transaction outside any task (not expected)
        }
        TaskType type = lost.type;
        type.aborts.increment();
        if (lostOnRead) {
            type.abortsOnRead.increment();
        }
        lost.addWorkNanos(now - attemptStartNanos);
        lost.addKarmaRefs(refs);
        lost.aborts++;
        Worker opponent = opponentId < 0 ? pool.soleCommitterSince(attemptStartNanos, worker)
                : pool.workerOwning(opponentId);
        Task theirs = opponent == null || opponent == worker ? null : opponent.running;
        if (theirs != null) {
            counters.increment(Counters.ABORTS_AGAINST_WORKERS);
        }
        if (lost.aborts >= pool.escalateAfter) {
            return escalate(type);
        }
        if (theirs != null && pool.placement && lost.relocatableAt(Barrier.runningTransaction())
                && lost.relocations < pool.maxRelocations && !opponent.retired) {
            lost.relocations++;
            lost.relocationTarget = opponent;
            counters.increment(Counters.PLACEMENTS);
            type.placements.increment();
            if (SchedulerEvents.placementEnabled()) {
                SchedulerEvents.placement(pool.namePrefix, worker.index, opponent.index, type.name, lost.aborts);
            }
            throw Relocation.INSTANCE; // nothing of the attempt is published; the task catches it
        }
        this.opponent = opponent;
        this.task = lost;
        this.opponentTask = theirs;
        this.attempts = attempts;
        this.lostOnRead = lostOnRead;
        long decision;
        try {
            decision = pool.policy.onConflict(this);
        } finally {
            this.task = null;
            this.opponentTask = null;
            this.opponent = null;
        }
        if (decision < 0) {
            return escalate(type);
        }
        if (decision > 0) {
            backoff(Math.min(decision, ContentionPolicy.MAX_WAIT_NANOS), opponent, theirs, type);
        }
        attemptStartNanos = System.nanoTime();
        return ContentionManager.RETRY_NOW;
    }

    private int escalate(TaskType type) {
        worker.counters.increment(Counters.ESCALATIONS);
        type.escalations.increment();
        attemptStartNanos = System.nanoTime();
        return ContentionManager.ESCALATE;
    }

    /**
     * Every transaction this worker commits, in any kind of task: counts it (scheduler, type,
     * throttle) and notes the time, from which other workers infer who beat them when the engine
     * cannot say.
     */
    @Override
    public void onCommit(int attempts, int reads, int writes) {
        long now = System.nanoTime();
        worker.committed(now);
        worker.lastAttemptRefs(reads + writes);
        worker.counters.increment(Counters.COMMITS);
        worker.recordCommits(1);
        Task task = worker.current;
        if (task != null) {
            task.type.commits.increment();
        }
        attemptStartNanos = now; // the next transaction of a plain task starts its own work count
    }

    /** The engine is about to park this worker in retry(): let the pool compensate at once. */
    @Override
    public void beforeBlock() {
        worker.counters.increment(Counters.RETRY_WAITS);
        Task task = worker.current;
        if (task != null) {
            task.type.retryWaits.increment();
        }
        pool.workerBlocking(worker);
    }

    /** The wait in retry() ended: the worker runs again, and the waiting was no work. */
    @Override
    public void afterBlock() {
        pool.workerUnblocked(worker);
        attemptStartNanos = System.nanoTime();
    }

    /** Waits up to {@code nanos}, ending early when the opponent's task is no longer running. */
    private void backoff(long nanos, Worker opponent, Task theirs, TaskType type) {
        worker.state = Worker.BACKOFF;
        long start = System.nanoTime();
        long now = start;
        while (now - start < nanos) {
            if (theirs != null && opponent.running != theirs) {
                break;
            }
            long left = nanos - (now - start);
            if (left > SPIN_LIMIT_NANOS) {
                LockSupport.parkNanos(this, Math.min(left, PARK_SLICE_NANOS));
                if (Thread.currentThread().isInterrupted()) {
                    break; // shutdownNow: let the attempt run and notice the interrupt
                }
            } else {
                Thread.onSpinWait();
            }
            now = System.nanoTime();
        }
        worker.counters.add(Counters.BACKOFF_NANOS, now - start);
        type.backoffNanos.add(now - start);
        worker.state = Worker.RUNNING;
    }

    @Override
    public int attempts() {
        return attempts;
    }

    @Override
    public int taskAborts() {
        return task.aborts;
    }

    @Override
    public boolean lostOnRead() {
        return lostOnRead;
    }

    @Override
    public boolean opponentKnown() {
        return opponentTask != null;
    }

    @Override
    public long taskStartNanos() {
        return task.firstStartNanos;
    }

    @Override
    public long opponentStartNanos() {
        return opponentTask == null ? Long.MAX_VALUE : opponentTask.firstStartNanos;
    }

    @Override
    public long taskWorkNanos() {
        return task.workNanos;
    }

    @Override
    public long opponentWorkNanos() {
        return opponentTask == null ? -1 : opponentTask.workNanosOpaque();
    }

    @Override
    public long taskSize() {
        return task.karmaRefs;
    }

    @Override
    public long opponentSize() {
        // its lost attempts plus its current one, estimated by the size of its worker's latest attempt
        return opponentTask == null ? -1 : opponentTask.karmaRefsOpaque() + opponent.lastAttemptRefsOpaque();
    }

    @Override
    public String toString() {
        return "Conflict[attempts=" + attempts + ", lostOnRead=" + lostOnRead + ", opponentKnown="
                + (opponentTask != null) + "]";
    }
}
