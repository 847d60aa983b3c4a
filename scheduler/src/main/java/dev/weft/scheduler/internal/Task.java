package dev.weft.scheduler.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A unit of work queued on a scheduler: a submitted task, an atomic task, a fork or a piece of a
 * parallel loop.
 *
 * <p>Thread-safety: a task runs on one worker at a time. The bookkeeping fields below are written
 * by the worker running it; {@link #workNanos} and {@link #karmaRefs} are also read by other
 * workers' contention managers (opaque: a heuristic input, any recent value will do).
 */
public abstract class Task {
    /** {@link #run} outcomes. */
    static final int COMPLETED = 0;
    static final int FAILED = 1;
    static final int RELOCATED = 2;

    /** Whether the task was accepted from a submit-style call (counted in the pool's control word). */
    final boolean external;
    /** Whose statistics the task's events go to. */
    final TaskType type;
    /** nanoTime of the task's first start: its age for the priority policies. 0 until started. */
    long firstStartNanos;
    /** When the task was last placed on an affinity queue (written before the queue's offer publishes it). */
    long placedNanos;
    /** Time spent in aborted and running attempts of its transactions so far (karma). */
    long workNanos;
    /** Lost attempts over all of the task's runs (relocations do not reset it). */
    int aborts;
    /**
     * Refs read or written by the task's lost attempts, summed (Scherer and Scott's karma: work
     * invested that an abort threw away); the measure of "larger" for the largerWins policy.
     */
    long karmaRefs;
    /** How many times the task was moved to another worker after a conflict. */
    int relocations;
    /** Where a relocation sends the task; set by the contention manager just before it unwinds. */
    Worker relocationTarget;

    protected Task(boolean external, TaskType type) {
        this.external = external;
        this.type = type;
    }

    /**
     * Runs the task on {@code worker} and completes it: {@link #COMPLETED} or {@link #FAILED}; or,
     * when its transaction was abandoned for relocation ({@link #relocationTarget} is then set),
     * returns {@link #RELOCATED} without completing it. Never throws.
     */
    abstract int run(Worker worker);

    /**
     * The attempt ({@code Barrier.runningTransaction()}) of the task's own transaction that runs
     * now, written by its body when each attempt starts; -1 before, and for ever in tasks whose
     * body is not one transaction (only {@code AtomicTask} and {@code RangeTask} write it). A
     * transaction the worker runs for the task that is not this one (an afterCommit hook's, a
     * dependent stage's run by completing the future) must not be abandoned: user code would see
     * it.
     */
    long ownAttempt = -1;

    /**
     * Whether the contention manager may abandon the transaction that just lost, attempt
     * {@code attempt}, and move the task: only the task's own transaction, the outermost frame
     * of its body.
     */
    boolean relocatableAt(long attempt) {
        return attempt == ownAttempt;
    }

    /** Completes the task without running it (shutdownNow). */
    abstract void cancel();

    /** The worker is about to run another task nested in a join of this one (see {@link TaskFuture}). */
    void suspendInterrupts() {
    }

    /** The nested task has returned and its bookkeeping is done (see {@link TaskFuture}). */
    void resumeInterrupts() {
    }

    /**
     * {@link #run} threw after all (an error striking in the scheduler's own code around the
     * task's body, such as a StackOverflowError at the end of a deep chain of joins): completes
     * the task with {@code failure} if it is not complete yet, so that nothing waits for it.
     */
    void abandoned(Throwable failure) {
    }

    long workNanosOpaque() {
        return (long) WORK.getOpaque(this);
    }

    void addWorkNanos(long nanos) {
        WORK.setOpaque(this, workNanos + nanos);
    }

    long karmaRefsOpaque() {
        return (long) KARMA.getOpaque(this);
    }

    void addKarmaRefs(int refs) {
        KARMA.setOpaque(this, karmaRefs + refs);
    }

    private static final VarHandle WORK;
    private static final VarHandle KARMA;

    static {
        try {
            WORK = MethodHandles.lookup().findVarHandle(Task.class, "workNanos", long.class);
            KARMA = MethodHandles.lookup().findVarHandle(Task.class, "karmaRefs", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
