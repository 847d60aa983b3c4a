package dev.weft.scheduler.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's statistics and task-accounting counters.
 *
 * <p>Thread-safety: written only by the owning worker (opaque stores: no read-modify-write is
 * needed with a single writer); read by any thread ({@link #get}). {@link #CREATED} and
 * {@link #FINISHED} use release stores and acquire loads, which the pool's quiescence check needs
 * (see {@link Pool}). The array is padded so that two workers' counters never share a cache line.
 */
final class Counters {
    static final int CREATED = 0;        // internal tasks (forks, loop pieces) created on this worker
    static final int FINISHED = 1;       // internal tasks finished on this worker
    static final int COMPLETED = 2;      // external tasks finished here
    static final int FAILED = 3;
    static final int COMMITS = 4;        // transactions committed on this worker (onCommit)
    static final int ABORTS = 5;
    static final int ABORTS_ON_READ = 6;
    static final int ABORTS_AGAINST_WORKERS = 7;
    static final int ESCALATIONS = 8;
    static final int PLACEMENTS = 9;
    static final int STEALS = 10;
    static final int BACKOFF_NANOS = 11;
    static final int RETRY_WAITS = 12;   // waits in retry() the engine reported (beforeBlock)
    static final int COUNT = 13;

    private static final int PAD = 8; // 64 bytes of longs on each side
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values = new long[PAD + COUNT + PAD];

    void increment(int counter) {
        add(counter, 1);
    }

    void add(int counter, long delta) {
        int i = PAD + counter;
        SLOT.setOpaque(values, i, values[i] + delta);
    }

    /** Release store: what this worker did before is visible to a reader that sees the new value. */
    void incrementRelease(int counter) {
        int i = PAD + counter;
        SLOT.setRelease(values, i, values[i] + 1);
    }

    long get(int counter) {
        return (long) SLOT.getAcquire(values, PAD + counter);
    }
}
