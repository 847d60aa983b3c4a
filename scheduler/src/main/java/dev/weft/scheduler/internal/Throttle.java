package dev.weft.scheduler.internal;

import java.util.function.LongSupplier;

/**
 * Adaptive throttling of concurrency in the spirit of Yoo and Lee's Adaptive Transaction
 * Scheduling (SPAA 2008): when a large share of attempts abort, fewer workers are allowed to take
 * tasks; the limit is then probed upwards again and kept only where more workers commit more.
 *
 * <p>Overview. Workers count their commits and lost attempts locally (the engine reports both to
 * the worker's contention manager: {@code onCommit} after every transaction the worker commits,
 * in any kind of task, and {@code onConflict} after every lost attempt) and hand them over every
 * {@link #FLUSH_EVERY} events, so the lock here is taken rarely. Every {@link #WINDOW} events
 * closes a window: its abort share {@code aborts / (aborts + commits)} and its commit rate
 * (commits per nanosecond since the previous window closed).
 * <ul>
 *   <li>A window at or above {@link #HIGH} lowers the limit by one (never below 1). A limit of 1
 *       runs the hot transactions one at a time, which ATS showed to beat aborting them.</li>
 *   <li>Below the parallelism, {@code hold} windows in a row at or below {@link #LOW} raise the
 *       limit by one: a probe. Their commit rate is the probe's baseline.</li>
 *   <li>A probe runs {@link #PROBE_WINDOWS} windows at the raised limit. It fails if one of them
 *       is at or above {@link #HIGH} (the limit drops at once), or if it did not commit at least
 *       {@link #MIN_GAIN} more per second than the baseline (the limit drops back: the extra
 *       worker bought aborts or nothing, and its aborts may simply not have shown yet). A failed
 *       probe doubles {@code hold}, up to {@link #MAX_HOLD_WINDOWS}; a successful one resets it
 *       to 1.</li>
 * </ul>
 * This is hill climbing on throughput with exponential probing: where an extra worker only adds
 * aborts (every transaction touches one hot cell), the throttle settles at the lower limit and
 * probes ever more rarely, so almost no attempt aborts; where it adds throughput despite its
 * aborts, the limit stays up. (Judging by rate alone also keeps a raised limit from being accepted
 * in the moment before the woken worker has started to collide.) When the workers at the limit stop
 * producing samples (an idle or non-transactional phase), {@link #tick} raises the limit and resets
 * {@code hold}, so throttling never outlives the contention that caused it. The limit only decides
 * which workers take new tasks; a running task is never stopped, so throttling cannot deadlock.
 * Every move of the limit is reported as a {@code dev.weft.scheduler.Throttle} event (see
 * {@link SchedulerEvents}).
 *
 * <p>Thread-safety: {@link #record} and {@link #tick} from any thread (they synchronize);
 * {@link #limit} is a volatile read.
 */
final class Throttle {
    static final int FLUSH_EVERY = 16;
    static final int WINDOW = 64;
    static final double HIGH = 0.3;
    static final double LOW = 0.15;
    /** Supervisor ticks without samples after which a lowered limit rises by one. */
    static final int QUIET_TICKS = 8;
    /** The most calm windows a probe waits for after failed probes (64 x 64 events). */
    static final int MAX_HOLD_WINDOWS = 64;
    /** Windows a probe runs at the raised limit before it is judged. */
    static final int PROBE_WINDOWS = 4;
    /** A probe must commit this much faster than its baseline to be kept. */
    static final double MIN_GAIN = 0.1;

    private final int parallelism;
    private final boolean enabled;
    private final Runnable onChange;
    /** Names the scheduler in {@code dev.weft.scheduler.Throttle} events. */
    private final String scheduler;
    private final LongSupplier nanoClock;

    // Written under this object's lock; read by workers and the supervisor (volatile).
    private volatile int limit;
    private volatile long decreases;
    private volatile long increases;

    // Guarded by this object's lock.
    private long commits;
    private long aborts;
    private long windowStartNanos;
    private int quietTicks;
    /** Calm windows in a row needed before the limit rises. */
    private int holdWindows = 1;
    /** The current run of calm windows below the parallelism: count, commits and time. */
    private int calmWindows;
    private long calmCommits;
    private long calmNanos;
    /** The running probe: windows judged so far (-1 when none runs), its samples and baseline. */
    private int probeWindows = -1;
    private long probeCommits;
    private long probeAborts;
    private long probeNanos;
    private double baselineRate;

    Throttle(int parallelism, boolean enabled, Runnable onChange, String scheduler) {
        this(parallelism, enabled, onChange, scheduler, System::nanoTime);
    }

    Throttle(int parallelism, boolean enabled, Runnable onChange, String scheduler, LongSupplier nanoClock) {
        this.parallelism = parallelism;
        this.enabled = enabled;
        this.onChange = onChange;
        this.scheduler = scheduler;
        this.nanoClock = nanoClock;
        this.limit = parallelism;
        this.windowStartNanos = nanoClock.getAsLong();
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
        boolean moved = false;
        synchronized (this) {
            commits += commitsSeen;
            aborts += abortsSeen;
            quietTicks = 0;
            if (commits + aborts >= WINDOW) {
                moved = closeWindow();
            }
        }
        if (moved) {
            onChange.run(); // the pool's allowance follows at once, down as well as up
        }
    }

    /** Judges the window just filled; true when it moved the limit. Under this object's lock. */
    private boolean closeWindow() {
        long now = nanoClock.getAsLong();
        long windowNanos = Math.max(now - windowStartNanos, 1);
        long windowCommits = commits;
        long windowAborts = aborts;
        double share = (double) windowAborts / (windowCommits + windowAborts);
        windowStartNanos = now;
        commits = 0;
        aborts = 0;
        if (share >= HIGH && limit > 1) {
            if (probeWindows >= 0) {
                probeFailed();
            }
            lower(share);
            return true;
        }
        if (probeWindows >= 0) {
            probeCommits += windowCommits;
            probeAborts += windowAborts;
            probeNanos += windowNanos;
            if (++probeWindows < PROBE_WINDOWS) {
                return false;
            }
            double probeRate = (double) probeCommits / probeNanos;
            if (probeRate < baselineRate * (1 + MIN_GAIN)) {
                probeFailed();
                lower((double) probeAborts / (probeCommits + probeAborts)); // the extra worker bought no commits
                return true;
            }
            probeWindows = -1;
            holdWindows = 1;
            return false;
        }
        if (share > LOW || limit >= parallelism) {
            resetCalm();
            return false;
        }
        calmWindows++;
        calmCommits += windowCommits;
        calmNanos += windowNanos;
        if (calmWindows < holdWindows) {
            return false;
        }
        baselineRate = (double) calmCommits / calmNanos;
        resetCalm();
        probeWindows = 0;
        probeCommits = 0;
        probeAborts = 0;
        probeNanos = 0;
        limit = limit + 1;
        increases = increases + 1;
        changed(limit - 1, share);
        return true;
    }

    private void probeFailed() {
        probeWindows = -1;
        holdWindows = Math.min(holdWindows * 2, MAX_HOLD_WINDOWS);
    }

    private void lower(double share) {
        resetCalm();
        limit = limit - 1;
        decreases = decreases + 1;
        changed(limit + 1, share);
    }

    private void resetCalm() {
        calmWindows = 0;
        calmCommits = 0;
        calmNanos = 0;
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
                windowStartNanos = nanoClock.getAsLong();
                holdWindows = 1; // the contention is gone, not just paused
                probeWindows = -1;
                resetCalm();
                limit = limit + 1;
                increases = increases + 1;
                raised = true;
                changed(limit - 1, -1);
            }
        }
        if (raised) {
            onChange.run();
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
