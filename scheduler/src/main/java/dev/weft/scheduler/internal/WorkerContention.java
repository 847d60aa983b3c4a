package dev.weft.scheduler.internal;

import dev.weft.scheduler.Conflict;
import dev.weft.scheduler.ContentionPolicy;
import dev.weft.stm.spi.ContentionManager;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker's contention manager: the engine calls it on the worker after each lost attempt of a
 * transaction the worker runs. It counts the abort, escalates once the task has lost
 * {@code escalateAfter} attempts in total, relocates relocatable tasks to the worker that ran the
 * opponent, and otherwise asks the scheduler's {@link ContentionPolicy} and waits as told. It is
 * also the reusable {@link Conflict} view handed to the policy.
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
    private int attempts;
    private boolean lostOnRead;

    WorkerContention(Worker worker, Pool pool) {
        this.worker = worker;
        this.pool = pool;
    }

    @Override
    public int onConflict(int attempts, boolean lostOnRead, long opponentId) {
        Counters counters = worker.counters;
        counters.increment(Counters.ABORTS);
        if (lostOnRead) {
            counters.increment(Counters.ABORTS_ON_READ);
        }
        worker.recordAbort();
        Task lost = worker.current;
        long now = System.nanoTime();
        if (lost == null) {
            return ContentionManager.DEFAULT; // a transaction outside any task (not expected)
        }
        lost.addWorkNanos(now - attemptStartNanos);
        lost.aborts++;
        Worker opponent = opponentId < 0 ? pool.soleCommitterSince(attemptStartNanos, worker)
                : pool.workerOwning(opponentId);
        Task theirs = opponent == null || opponent == worker ? null : opponent.running;
        if (theirs != null) {
            counters.increment(Counters.ABORTS_AGAINST_WORKERS);
        }
        if (lost.aborts >= pool.escalateAfter) {
            return escalate();
        }
        if (theirs != null && pool.placement && lost.relocatable()
                && lost.relocations < pool.maxRelocations && !opponent.retired) {
            lost.relocations++;
            lost.relocationTarget = opponent;
            counters.increment(Counters.PLACEMENTS);
            throw Relocation.INSTANCE; // nothing of the attempt is published; the task catches it
        }
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
        }
        if (decision < 0) {
            return escalate();
        }
        if (decision > 0) {
            backoff(decision, opponent, theirs);
        }
        attemptStartNanos = System.nanoTime();
        return ContentionManager.RETRY_NOW;
    }

    private int escalate() {
        worker.counters.increment(Counters.ESCALATIONS);
        attemptStartNanos = System.nanoTime();
        return ContentionManager.ESCALATE;
    }

    /** Waits up to {@code nanos}, ending early when the opponent's task is no longer running. */
    private void backoff(long nanos, Worker opponent, Task theirs) {
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
    public String toString() {
        return "Conflict[attempts=" + attempts + ", lostOnRead=" + lostOnRead + ", opponentKnown="
                + (opponentTask != null) + "]";
    }
}
