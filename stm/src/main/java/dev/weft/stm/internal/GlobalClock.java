package dev.weft.stm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

abstract class GlobalClockPadding1 {
    long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class GlobalClockValue extends GlobalClockPadding1 {
    // Written by committers (one CAS attempt each); read by every transaction at begin and on
    // snapshot extension (volatile).
    volatile long time;
}

abstract class GlobalClockPadding2 extends GlobalClockValue {
    long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}

/**
 * The global version clock: every commit that writes gets a version from it, every transaction
 * reads it to fix its snapshot.
 *
 * <p>Overview. The clock is TL2's GV4 ("pass on failure"): a committer that already holds the
 * locks of everything it writes reads the clock and makes exactly one compare-and-exchange attempt
 * to advance it. If another committer advanced it first, the committer does not retry: it adopts
 * the value it lost to as its own write version. That value was written after this committer took
 * its locks, so every snapshot that includes the version was taken after the locks were held and
 * will see the committer's cells locked or already published, never their old values next to
 * newer ones. So concurrent committers share timestamps instead of queueing on the clock's cache
 * line: one CAS attempt per commit, never a retry loop, and the line is written at most once per
 * group of concurrent commits. Read-only transactions never write it.
 *
 * <p>The value sits alone on its cache line (padding by class hierarchy, as in Agrona and JCTools),
 * so the reads every transaction makes are not disturbed by unrelated writes.
 */
final class GlobalClock extends GlobalClockPadding2 {

    private GlobalClock() {}

    /** The current time: the version of the newest commit that may already be visible. */
    static long now() {
        return INSTANCE.time;
    }

    /**
     * One attempt to advance the clock from {@code observed}, by a committer that holds all its
     * locks. Returns the witness: {@code observed} itself when this committer advanced the clock
     * (its write version is then {@code observed + 1}), otherwise the newer time it lost to, which
     * it adopts as its write version (see the overview).
     */
    static long tryAdvance(long observed) {
        return (long) TIME.compareAndExchange(INSTANCE, observed, observed + 1);
    }

    /** The write version for a {@link #tryAdvance} witness. */
    static long writeVersion(long observed, long witness) {
        return witness == observed ? observed + 1 : witness;
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
