package dev.weft.stm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

abstract class GlobalClockPadding1 {
    long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class GlobalClockValue extends GlobalClockPadding1 {
    // Written (CAS) only by transactions that met a cell newer than it and by registering
    // snapshot readers; read (volatile) by every transaction at begin and by every writing commit.
    volatile long time;
}

abstract class GlobalClockPadding2 extends GlobalClockValue {
    long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}

/**
 * The global version clock: every commit that writes gets a version from it, every transaction
 * reads it to fix its snapshot.
 *
 * <p>Overview. The clock follows TL2's GV5 with on-demand advance, extended so that a cell may run
 * ahead of it: a committer that holds the locks of everything it writes reads the clock
 * ({@code c}) and takes {@code max(c, newest) + 1} as its write version, where {@code newest} is
 * the newest previous version among the cells it locked, <em>without writing the clock</em>
 * (unless that would put the cell {@link #AHEAD_LIMIT} or more above {@code c}: then it advances
 * the clock to {@code newest} first). So committers share nothing, not even when they keep
 * rewriting the same cell: the clock's line stays in every core's cache in shared state, and a
 * commit costs no write to any global line. Cells therefore carry versions newer than the clock.
 * A transaction that meets such a cell (version above its read version) advances the clock to at
 * least that version ({@link #advanceTo}) and extends its snapshot (or aborts; the advance ensures
 * its next attempt starts late enough), so the clock moves only when someone reads data newer
 * than it together with something else: a transaction whose only read so far is that cell defers
 * the advance until it reads a second one (a snapshot of one cell is always consistent).
 *
 * <p>Why a write version {@code wv > c} is safe. A transaction with read version {@code rv >= wv}
 * read the clock at {@code rv}, after some write raised it above {@code c}; the committer's read
 * of {@code c} precedes that write in the synchronization order, and its locks precede its read.
 * So every snapshot that includes {@code wv} was taken after the committer held all its locks:
 * it sees the committer's cells locked or published, never their old values next to newer ones.
 * Keeping {@code wv} above every locked cell's old version keeps each cell's versions strictly
 * increasing, which validation (an equality check) relies on. A committer can no longer skip
 * validation by seeing the clock unchanged since its snapshot: others commit without moving it.
 *
 * <p>Registered snapshot readers do not validate: they rely on committers keeping old values
 * for them, so a reader must be seen by every committer outside its snapshot. It registers, then
 * advances the clock by {@code AHEAD_LIMIT + 1} with its own successful compare-and-set
 * ({@link #tick}) and takes the new value {@code rv}. Every clock value below {@code rv} was read
 * before that CAS and every value at or above it after. A commit whose clock reads all came
 * before the CAS has a write version at most {@code c + AHEAD_LIMIT < rv} (or, on the advancing
 * path, at most one above a value it read or a version such a commit wrote, by induction also
 * below {@code rv}), so it is inside the snapshot. A commit with a larger write version therefore
 * read the clock after the CAS, and reads the registry after that, hence after the registration
 * (see {@link SnapshotRegistry}).
 *
 * <p>The value sits alone on its cache line (padding by class hierarchy, as in Agrona and JCTools),
 * so the reads every transaction makes are not disturbed by unrelated writes.
 */
final class GlobalClock extends GlobalClockPadding2 {
    private GlobalClock() {}

    /** The current time: read versions are taken from it. */
    static long now() {
        return INSTANCE.time;
    }

    /**
     * How far above the clock a commit may stamp a cell without writing the clock: a commit's
     * write version is at most {@code observed + AHEAD_LIMIT}, where {@code observed} is the clock
     * it read after taking its locks. A registering snapshot reader moves the clock by more than
     * this ({@link #tick}), which is what keeps the registry's argument (see the overview).
     */
    static final long AHEAD_LIMIT = 1L << 12;

    /**
     * The write version of a committer that holds its locks, read the clock at {@code observed}
     * after taking them, and locked cells whose newest version was {@code newestLocked}: one more
     * than the larger of the two, so above the clock value read and above every locked cell's
     * previous version, without writing the clock. Only when that would put the cell
     * {@link #AHEAD_LIMIT} or more above {@code observed} (a cell overwritten thousands of times
     * while nobody read anything newer than the clock) is the clock first advanced to it.
     */
    static long writeVersion(long observed, long newestLocked) {
        if (newestLocked < observed + AHEAD_LIMIT) {
            return Math.max(observed, newestLocked) + 1;
        }
        return advanceTo(newestLocked) + 1;
    }

    /** Raises the clock to at least {@code version}; returns the clock's value, at least {@code version}. */
    static long advanceTo(long version) {
        GlobalClock clock = INSTANCE;
        for (;;) {
            long now = clock.time;
            if (now >= version) {
                return now;
            }
            long witness = (long) TIME.compareAndExchange(clock, now, version);
            if (witness == now) {
                return version;
            }
        }
    }

    /**
     * Advances the clock by {@code AHEAD_LIMIT + 1} with this thread's own successful
     * compare-and-set and returns the new value (for registering snapshot readers; see the
     * overview).
     */
    static long tick() {
        GlobalClock clock = INSTANCE;
        for (;;) {
            long now = clock.time;
            long next = now + AHEAD_LIMIT + 1;
            if (TIME.compareAndSet(clock, now, next)) {
                return next;
            }
        }
    }

    private static final VarHandle TIME;

    static {
        try {
            TIME = MethodHandles.lookup().findVarHandle(GlobalClockValue.class, "time", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Created after the VarHandles above: the constructor uses them.
    private static final GlobalClock INSTANCE = new GlobalClock();
}
