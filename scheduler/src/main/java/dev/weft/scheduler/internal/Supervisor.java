package dev.weft.scheduler.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * The pool's watchdog thread: finds workers blocked inside a task, compensates them with spare
 * workers, keeps the throttle's allowance current, and lets a shut-down pool terminate.
 *
 * <p>Thread-safety: a single thread; it writes the workers' {@code blocked} flags and its own
 * bookkeeping fields of {@link Worker} ({@code seenSeq}, {@code seenParked}), nothing else of theirs.
 */
final class Supervisor extends Thread {
    /*
     * Overview. Every tick (tickNanos while a worker runs a task or work is queued, 20 ticks when
     * the pool is quiet) it reads each worker's state, task sequence number and thread state. A
     * worker that is RUNNING (not in contention backoff, not idling in a join), at the same task as
     * on the previous tick, and parked both times, is blocked: in retry(), on a lock, on a future.
     * Engine lock waits park for at most a millisecond, so a false positive costs a spare thread
     * that retires again; a missed block is found one tick later. Waits in retry() need no
     * observation: the engine reports them and the pool compensates at once (Pool.workerBlocking);
     * the supervisor counts those workers as blocked and, as a safety net, compensates them too
     * when work is still queued at a tick. With observeBlocking off it observes nothing else.
     */

    private final Pool pool;
    private final long tickNanos;

    Supervisor(Pool pool, long tickNanos) {
        super(null, null, "weft-scheduler-supervisor", 0, false);
        this.pool = pool;
        this.tickNanos = tickNanos;
        setDaemon(true);
    }

    @Override
    public void run() {
        try {
            while (!pool.stopping) {
                boolean busy = tick();
                LockSupport.parkNanos(this, busy ? tickNanos : tickNanos * 20);
            }
        } finally {
            pool.supervisorExited();
        }
    }

    /** One observation round; true when something runs or waits (tick again soon). */
    private boolean tick() {
        Worker[] workers = pool.workers;
        int blocked = 0;
        boolean running = false;
        for (Worker worker : workers) {
            int state = worker.state;
            if (state == Worker.RUNNING || state == Worker.BACKOFF) {
                running = true;
            }
            if (worker.retryBlocked) { // reported by the engine: no need to observe it
                worker.blocked = false;
                worker.seenParked = false;
                blocked++;
                continue;
            }
            if (state == Worker.JOINING) {
                // a join that found nothing it may run (forks, never the inboxes' submissions)
                // for two ticks without starting a task waits like a blocked task: compensate,
                // so that queued submissions still run (one could be what the join waits for)
                long seq = worker.taskSeq();
                boolean isBlocked = worker.seenParked && seq == worker.seenSeq;
                worker.blocked = isBlocked;
                worker.seenParked = true;
                worker.seenSeq = seq;
                if (isBlocked) {
                    blocked++;
                }
                continue;
            }
            if (state != Worker.RUNNING || !pool.observeBlocking) {
                worker.blocked = false;
                worker.seenParked = false;
                continue;
            }
            Thread.State threadState = worker.getState();
            boolean parked = threadState == Thread.State.WAITING
                    || threadState == Thread.State.TIMED_WAITING
                    || threadState == Thread.State.BLOCKED;
            long seq = worker.taskSeq();
            boolean isBlocked = parked && worker.seenParked && seq == worker.seenSeq
                    && worker.state == Worker.RUNNING;
            if (isBlocked && !worker.blocked) {
                pool.blockedDetections = pool.blockedDetections + 1;
            }
            worker.blocked = isBlocked;
            worker.seenParked = parked;
            worker.seenSeq = seq;
            if (isBlocked) {
                blocked++;
            }
        }
        pool.throttle.tick();
        pool.updateAllowance();
        boolean queued = pool.hasQueuedWork();
        if (queued && blocked > 0) {
            pool.compensate(); // base workers above the allowance are throttled: it counts what may run
        }
        if (pool.isShutdown()) {
            pool.tryTerminate();
        }
        return running || queued || blocked > 0;
    }
}
