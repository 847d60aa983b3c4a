package dev.weft.scheduler.internal;

import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnThread;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.IdleStrategy;

/**
 * A scheduler worker: a {@link TxnThread} (its transaction descriptor is a field, not a
 * {@link ThreadLocal}) with a work-stealing deque, two inbound queues and a contention manager.
 *
 * <p>Thread-safety: the loop and everything it calls run on this thread; other threads only
 * steal from {@link #deque}, offer to and poll {@link #inbox} and {@link #affinity}, read the
 * volatile state fields, and wake it through {@link #tryWake}.
 */
public final class Worker extends TxnThread {
    /*
     * Overview. The loop takes work in this order:
     *   1. its own deque, newest first (forks and loop pieces it created: hot in its cache);
     *   2. its affinity queue: tasks relocated here because they lost a conflict to a task this
     *      worker ran (running them here serializes the two instead of aborting again);
     *   3. its inbox: tasks submitted from outside the pool, spread over the workers;
     *   4. other workers, from a random start: their deques (oldest first), their inboxes, and
     *      their affinity queues only when the owner is not running a task or is blocked (else the
     *      owner will run them soon, which is the point of the placement).
     * Without work it idles with the Agrona idle strategy (spin, yield, short parks), then sleeps:
     * it announces itself in the pool's sleeper count, looks at every queue once more, and parks;
     * a thread that queues work does a full fence and reads the sleeper count (a Dekker pair: one
     * of the two sees the other), then wakes one sleeper.
     *
     * Base workers whose index is not below the pool's allowance (the throttle's limit plus the
     * number of blocked base workers) take no new task and park until the allowance rises.
     *
     * Blocking. The engine calls the worker's contention manager just before the thread parks in
     * retry() and when the wait ends; the worker then sets and clears retryBlocked and tells the
     * pool, which lets a throttled worker stand in and, when work is queued and too few workers
     * are left to run it, starts a compensation thread at once (Pool.workerBlocking). Blocking
     * anywhere else (a lock, a future) is not reported; the supervisor finds it by observation.
     *
     * State is a volatile int read by the supervisor and by thieves; it is only a hint for them,
     * except SLEEPING -> IDLE, which a waker claims with a CAS so that one wake-up goes to one
     * sleeper.
     */

    static final int IDLE = 0;
    static final int RUNNING = 1;
    static final int BACKOFF = 2;
    static final int JOINING = 3;
    static final int SLEEPING = 4;
    static final int THROTTLED = 5;
    static final int EXITED = 6;

    /** Idle rounds (each one call of the idle strategy) before a worker sleeps or a spare retires. */
    private static final int IDLE_ROUNDS_BEFORE_SLEEP = 256;

    final Pool pool;
    final int index;
    final boolean spare;
    final WorkDeque deque = new WorkDeque();
    /** Tasks submitted from outside, aimed at this worker; polled by anyone. */
    final ConcurrentLinkedQueue<Task> inbox = new ConcurrentLinkedQueue<>();
    /** Tasks relocated here after losing to this worker; polled by others only when it is not running. */
    final ConcurrentLinkedQueue<Task> affinity = new ConcurrentLinkedQueue<>();
    final Counters counters = new Counters();
    final WorkerContention contention;
    private final IdleStrategy idle;

    // Written by this thread; read by the supervisor, thieves and wakers (volatile; SLEEPING ->
    // IDLE by CAS from wakers).
    volatile int state;
    // Written by the supervisor (and cleared by it); read by thieves and the pool (volatile).
    volatile boolean blocked;
    // Written by this thread when the engine tells it it parks in retry() (beforeBlock) and when the
    // wait ends (afterBlock); read by the pool, the supervisor and thieves (volatile).
    volatile boolean retryBlocked;
    // Refs read and written by this worker's latest finished attempt, committed or lost (opaque
    // store by this thread): other workers' estimate of the size of the attempt it runs now.
    private int lastAttemptRefs;
    // Written once by this thread before it runs any task; read by other workers' contention managers.
    volatile long ownerId = -1;
    // The innermost task this thread runs, or null; read by other workers' contention managers.
    volatile Task running;
    // nanoTime of this worker's latest commit of a scheduler-run transaction (volatile): lets a
    // worker whose attempt lost to an unknown opponent infer who beat it.
    volatile long lastCommitNanos;
    // Set once by a retiring spare before it drains its queues; read by relocators (volatile).
    volatile boolean retired;
    // Incremented by this thread at every task start (opaque); read by the supervisor.
    private long taskSeq;

    // Supervisor-only bookkeeping (written and read by the supervisor thread alone).
    long seenSeq;
    boolean seenParked;

    // This thread only.
    Task current;
    private int pendingCommits;
    private int pendingAborts;

    Worker(Pool pool, int index, boolean spare, IdleStrategy idle, String name) {
        super(null, null, name);
        this.pool = pool;
        this.index = index;
        this.spare = spare;
        this.idle = idle;
        this.contention = new WorkerContention(this, pool);
        setDaemon(true);
    }

    @Override
    public void run() {
        Barrier.setContentionManager(contention);
        ownerId = Barrier.currentOwnerId();
        try {
            loop();
        } finally {
            state = EXITED;
            pool.workerExited(this);
        }
    }

    private void loop() {
        int idleRounds = 0;
        while (!pool.stopping) {
            if (!spare && index >= pool.allowance) {
                waitWhileThrottled();
                continue;
            }
            if (spare && deque.sizeEstimate() == 0 && pool.countBlocked(false) == 0 && pool.retireSpare(this)) {
                // the block it stood in for is over: it would only add contention. Its deque is
                // empty (only it pushes there); retireSpare forwards its inbox and affinity queue.
                return;
            }
            if (forksNeverRun != 0) {
                settleForksNeverRun();
            }
            Task task = findWork();
            if (task != null) {
                if (idleRounds != 0) {
                    idleRounds = 0;
                    idle.reset();
                }
                execute(task);
                continue;
            }
            state = IDLE;
            if (idleRounds == 0 && pool.isShutdown()) {
                pool.tryTerminate();
            }
            if (++idleRounds < IDLE_ROUNDS_BEFORE_SLEEP) {
                idle.idle();
                continue;
            }
            idleRounds = 0;
            idle.reset();
            if (spare) {
                if (pool.retireSpare(this)) {
                    return;
                }
                continue;
            }
            sleep();
        }
    }

    /**
     * Work for a join: what {@link #findWork} takes, but never from an inbox. A task found here
     * runs nested on this thread, under the joining task, and a task submitted from outside the
     * scheduler (the inboxes hold only those) may be waiting for that very task: a deadlock no
     * compensation could break. Deques hold forks and the submissions of tasks (invokeAll's
     * among them, which the join may be waiting for); affinity queues hold transactional tasks
     * moved after a conflict, whose bodies cannot join.
     */
    private Task findForkWork() {
        return findWork(false);
    }

    /** How long a task placed behind this worker's running task waits before others may take it. */
    private static final long AFFINITY_PATIENCE_NANOS = 10_000_000;

    /**
     * Whether other workers may take the tasks placed on this one (its affinity queue): when it
     * is not running a task, is blocked, or the oldest placed task has waited longer than
     * AFFINITY_PATIENCE_NANOS (placement meant "after the winner's task", not "never": a task
     * that runs until the placed one has run would otherwise strand it).
     */
    private boolean mayLoseAffinityTasks() {
        if (state != RUNNING || isBlocked()) {
            return true;
        }
        Task oldest = affinity.peek();
        return oldest != null && System.nanoTime() - oldest.placedNanos > AFFINITY_PATIENCE_NANOS;
    }

    /** The next task for this worker, or null; see the overview for the order. */
    Task findWork() {
        return findWork(true);
    }

    /** {@link #findWork}, or without the inboxes ({@link #findForkWork}). */
    private Task findWork(boolean inboxes) {
        Task task = deque.pop();
        if (task != null) {
            return task;
        }
        task = affinity.poll();
        if (task != null) {
            return task;
        }
        if (inboxes) {
            task = inbox.poll();
            if (task != null) {
                return task;
            }
        }
        return steal(inboxes);
    }

    /**
     * A task taken from another worker: the oldest of its deque, else (if {@code inboxes}) of its
     * inbox, else of its affinity queue if it may lose those ({@link #mayLoseAffinityTasks}).
     */
    private Task steal(boolean inboxes) {
        Worker[] workers = pool.workers;
        int n = workers.length;
        int start = ThreadLocalRandom.current().nextInt(n);
        for (int i = 0; i < n; i++) {
            Worker victim = workers[(start + i) % n];
            if (victim == this) {
                continue;
            }
            Task task = victim.deque.steal();
            if (task == null && inboxes) {
                task = victim.inbox.poll();
            }
            if (task == null && victim.mayLoseAffinityTasks()) {
                task = victim.affinity.poll();
            }
            if (task != null) {
                counters.increment(Counters.STEALS);
                task.type.steals.increment();
                return task;
            }
        }
        return null;
    }

    /**
     * Runs {@code task} on this thread (at the top of the loop, or nested while helping a join),
     * then accounts for it or, if it was abandoned for relocation, moves it.
     */
    void execute(Task task) {
        Task outer = current;
        int outcome = Task.FAILED;
        boolean outerInterrupted = false;
        try {
            long now = System.nanoTime();
            if (task.firstStartNanos == 0) {
                task.firstStartNanos = now; // before the volatile write of running publishes it
            }
            contention.attemptStartNanos = now;
            current = task;
            running = task;
            state = RUNNING;
            TASK_SEQ.setOpaque(this, taskSeq + 1);
            // a task run nested in a join must not leave its interrupt to the task below it,
            // which keeps its own (an interrupt aimed at that task while the nested one runs is lost)
            if (outer != null) {
                outer.suspendInterrupts(); // a cancel of the outer task must not interrupt this one
            }
            outerInterrupted = outer != null && Thread.interrupted();
            if (pool.cancelling) {
                task.cancel();
            } else {
                outcome = task.run(this);
            }
        } catch (Throwable failure) {
            // run() never throws, but an error can strike in the scheduler's own frames around
            // the task's body (a StackOverflowError at the end of a deep chain of joins): the task
            // still completes and is accounted for below, or nothing would ever finish waiting
            outcome = Task.FAILED;
            task.abandoned(failure);
        } finally {
            current = outer;
            running = outer;
            state = outer == null ? IDLE : RUNNING;
            finished(task, outcome, outerInterrupted);
            if (outer != null) {
                outer.resumeInterrupts(); // after finished() cleared this task's interrupts
            }
        }
    }

    /**
     * Forks counted as created that will never run: a push or an inline run in a join that failed
     * for lack of stack. A plain field, written without a call (there may be no stack for one)
     * and settled into the counters by the worker loop, on a shallow stack.
     */
    int forksNeverRun;

    private void settleForksNeverRun() {
        for (; forksNeverRun > 0; forksNeverRun--) {
            counters.incrementRelease(Counters.FINISHED);
        }
    }

    /** The bookkeeping after {@code task} ran (or was cancelled, or abandoned) on this worker. */
    private void finished(Task task, int outcome, boolean outerInterrupted) {
        if (!pool.cancelling) {
            Thread.interrupted(); // an interrupt aimed at the finished task must not hit the next one
        }
        if (outerInterrupted) {
            Thread.currentThread().interrupt();
        }
        if (outcome == Task.RELOCATED) {
            Worker target = task.relocationTarget;
            task.relocationTarget = null;
            pool.relocate(task, target == null ? this : target);
            return;
        }
        if (task.external) {
            (outcome == Task.FAILED ? task.type.failed : task.type.completed).increment(); // type first:
            counters.increment(outcome == Task.FAILED ? Counters.FAILED : Counters.COMPLETED); // a reader
            // that sees the scheduler's count then sees the type's
            pool.externalFinished();
        } else {
            counters.incrementRelease(Counters.FINISHED);
        }
    }

    /**
     * Runs forks ({@link #findForkWork}) until {@code awaited} is done: the join of fork/join, also used by
     * invokeAll and parallelFor. Never parks for long: it keeps looking for work, since the awaited
     * task may depend on queued ones.
     */
    public void helpUntil(Awaitable awaited) {
        helpUntil(awaited, false, 0L);
    }

    /**
     * {@link #helpUntil(Awaitable)}, if {@code timed} giving up at {@code deadline}
     * ({@code System.nanoTime()}): the waits of invokeAll and invokeAny.
     *
     * @return whether {@code awaited} is done
     */
    public boolean helpUntil(Awaitable awaited, boolean timed, long deadline) {
        boolean idled = false;
        while (!awaited.isDone() && !(timed && System.nanoTime() - deadline >= 0)) {
            Task task = findForkWork();
            if (task != null) {
                if (idled) {
                    idled = false;
                    idle.reset();
                }
                execute(task);
                continue;
            }
            state = JOINING;
            idled = true;
            idle.idle();
        }
        if (idled) {
            idle.reset();
        }
        state = current == null ? IDLE : RUNNING;
        return awaited.isDone();
    }

    /** Creates an internal task (a fork or a loop piece) on this worker's deque. */
    public void fork(Task task) {
        counters.incrementRelease(Counters.CREATED); // before the push: a thief may finish it at once
        try {
            deque.push(task);
        } catch (Throwable failure) { // a StackOverflowError at the end of a deep chain of joins
            forksNeverRun++; // it was never queued: it will never finish
            throw failure;
        }
        pool.signalWork(null);
    }

    /** Whether this worker is blocked in a task: in retry() (reported) or elsewhere (observed). */
    boolean isBlocked() {
        return retryBlocked || blocked;
    }

    /** After a transaction committed on this worker (the engine's onCommit). */
    void committed(long now) {
        lastCommitNanos = now;
    }

    void lastAttemptRefs(int refs) {
        LAST_ATTEMPT_REFS.setOpaque(this, refs);
    }

    int lastAttemptRefsOpaque() {
        return (int) LAST_ATTEMPT_REFS.getOpaque(this);
    }

    void recordCommits(int commits) {
        pendingCommits += commits;
        flushSamplesIfDue();
    }

    void recordAbort() {
        pendingAborts++;
        flushSamplesIfDue();
    }

    private void flushSamplesIfDue() {
        if (pendingCommits + pendingAborts >= Throttle.FLUSH_EVERY) {
            int commits = pendingCommits;
            int aborts = pendingAborts;
            pendingCommits = 0;
            pendingAborts = 0;
            pool.throttle.record(commits, aborts);
        }
    }

    long taskSeq() {
        return (long) TASK_SEQ.getOpaque(this);
    }

    private void sleep() {
        state = SLEEPING;
        pool.sleepers.incrementAndGet(); // a full fence: pairs with signalWork's fence (overview)
        try {
            if (pool.hasQueuedWork() || pool.stopping || (pool.isShutdown() && pool.tryTerminate())) {
                STATE.compareAndSet(this, SLEEPING, IDLE);
                return;
            }
            while (state == SLEEPING && !pool.stopping) {
                LockSupport.park(this);
                if (Thread.interrupted() && pool.cancelling) {
                    break;
                }
            }
        } finally {
            pool.sleepers.decrementAndGet();
            STATE.compareAndSet(this, SLEEPING, IDLE);
        }
    }

    private void waitWhileThrottled() {
        state = THROTTLED;
        // allowance is volatile, written before the raiser scans for THROTTLED workers
        while (index >= pool.allowance && !pool.stopping) {
            LockSupport.park(this);
            Thread.interrupted();
        }
        state = IDLE;
    }

    /** Wakes this worker if it sleeps; true if this call woke it. */
    boolean tryWake() {
        if (state == SLEEPING && STATE.compareAndSet(this, SLEEPING, IDLE)) {
            LockSupport.unpark(this);
            return true;
        }
        return false;
    }

    boolean hasQueuedWork() {
        return deque.sizeEstimate() > 0 || !inbox.isEmpty() || !affinity.isEmpty();
    }

    private static final VarHandle STATE;
    private static final VarHandle TASK_SEQ;
    private static final VarHandle LAST_ATTEMPT_REFS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(Worker.class, "state", int.class);
            TASK_SEQ = lookup.findVarHandle(Worker.class, "taskSeq", long.class);
            LAST_ATTEMPT_REFS = lookup.findVarHandle(Worker.class, "lastAttemptRefs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
