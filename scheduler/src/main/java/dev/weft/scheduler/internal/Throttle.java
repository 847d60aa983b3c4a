package dev.weft.scheduler.internal;

/**
 * Adaptive throttling of concurrency in the spirit of Yoo and Lee's Adaptive Transaction
 * Scheduling (SPAA 2008): when a large share of attempts abort, fewer workers are allowed to take
 * tasks, and when the share falls (or no samples arrive) the limit climbs back to the parallelism.
 *
 * <p>Overview. Workers count their commits and lost attempts locally (the engine reports both to
 * the worker's contention manager: {@code onCommit} after every transaction the worker commits,
 * in any kind of task, and {@code onConflict} after every lost attempt) and hand them over every {@link #FLUSH_EVERY} events, so the lock here is taken rarely. Every
 * {@link #WINDOW} events the abort share {@code aborts / (aborts + commits)} of the window is
 * compared with two thresholds: at or above {@link #HIGH} the limit drops by one (never below 1),
 * at or below {@link #LOW} it rises by one. A limit of 1 lets the hot transactions run one at a
 * time, which ATS showed to beat aborting them; when the workers at the limit stop producing
 * samples (an idle or non-transactional phase), {@link #tick} raises the limit again so
 * throttling never outlives the contention that caused it. The limit only decides which workers
 * take new tasks; a running task is never stopped, so throttling cannot deadlock. Every move of
 * the limit is reported as a {@code dev.weft.scheduler.Throttle} event (see {@link SchedulerEvents}).
 *
 * <p>Thread-safety: {@link #record} and {@link #tick} from any thread (they synchronize);
 * {@link #limit} is a volatile read.
 */
final class Throttle {
    static final int FLUSH_EVERY = 16;
    static final int WINDOW = 64;
    static final double HIGH = 0.5;
    static final double LOW = 0.15;
    /** Supervisor ticks without samples after which a lowered limit rises by one. */
    static final int QUIET_TICKS = 8;

    private final int parallelism;
    private final boolean enabled;
    private final Runnable onRaise;
    /** Names the scheduler in {@code dev.weft.scheduler.Throttle} events. */
    private final String scheduler;

    // Written under this object's lock; read by workers and the supervisor (volatile).
    private volatile int limit;
    private volatile long decreases;
    private volatile long increases;

    // Guarded by this object's lock.
    private long commits;
    private long aborts;
    private int quietTicks;

    Throttle(int parallelism, boolean enabled, Runnable onRaise, String scheduler) {
        this.parallelism = parallelism;
        this.enabled = enabled;
        this.onRaise = onRaise;
        this.scheduler = scheduler;
        this.limit = parallelism;
    }

    int limit() {
        return limit;
    }

    long decreases() {
        return decreases;
    }

    long increases() {
        return increases;
    }

    /** A worker's samples since its last flush. */
    void record(int commitsSeen, int abortsSeen) {
        if (!enabled) {
            return;
        }
        boolean raised = false;
        synchronized (this) {
            commits += commitsSeen;
            aborts += abortsSeen;
            quietTicks = 0;
            long total = commits + aborts;
            if (total >= WINDOW) {
                double share = (double) aborts / total;
                commits = 0;
                aborts = 0;
                if (share >= HIGH && limit > 1) {
                    limit = limit - 1;
                    decreases = decreases + 1;
                    changed(limit + 1, share);
                } else if (share <= LOW && limit < parallelism) {
                    limit = limit + 1;
                    increases = increases + 1;
                    raised = true;
                    changed(limit - 1, share);
                }
            }
        }
        if (raised) {
            onRaise.run();
        }
    }

    /** Called by the supervisor on every tick: restores the limit when no samples arrive. */
    void tick() {
        if (!enabled) {
            return;
        }
        boolean raised = false;
        synchronized (this) {
            if (limit < parallelism && ++quietTicks >= QUIET_TICKS) {
                quietTicks = 0;
                commits = 0;
                aborts = 0;
                limit = limit + 1;
                increases = increases + 1;
                raised = true;
                changed(limit - 1, -1);
            }
        }
        if (raised) {
            onRaise.run();
        }
    }

    /**
     * Reports a move of the limit from {@code oldLimit}; under this object's lock, so that the
     * events' order is the order of the moves. {@code abortShare} is -1 for a raise by quiet ticks.
     */
    private void changed(int oldLimit, double abortShare) {
        if (SchedulerEvents.throttleEnabled()) {
            SchedulerEvents.throttle(scheduler, oldLimit, limit, abortShare);
        }
    }
}
