package dev.weft.stm.internal;

/**
 * Fault injection for tests of the test suite: each switch breaks one step of the commit protocol,
 * so the suite can show it catches that bug. Compiled in but inert unless the JVM starts with
 * {@code -Ddev.weft.stm.faultInjection=true}: {@link #ENABLED} is a constant, so without that
 * property the JIT removes every check (free when off).
 */
public final class Faults {
    /** Whether the switches below are consulted at all (fixed at class initialisation). */
    public static final boolean ENABLED = Boolean.getBoolean("dev.weft.stm.faultInjection");

    /**
     * Commit without validating the read log, including the early check of read cells before
     * locking (write skew and lost updates become possible).
     */
    public static volatile boolean skipValidation;
    /** Release each cell's lock with its new version before writing its new value (torn reads). */
    public static volatile boolean releaseLockEarly;
    /** Publish at the version read from the clock without advancing it (stale snapshots). */
    public static volatile boolean skipClockBump;
    /**
     * Not a fault but a forced race: the next commit-lock CAS on a free cell reports failure
     * without trying, as when another committer locked and released the cell in between (the
     * switch turns itself off). For tests of the locking loop's retry path.
     */
    public static volatile boolean loseNextLockCas;

    private Faults() {}

    /** Switches every fault off. */
    public static void reset() {
        skipValidation = false;
        releaseLockEarly = false;
        skipClockBump = false;
        loseNextLockCas = false;
    }
}
