package dev.weft.stm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which transaction committed a given version, as a hint for contention managers: a lossy table
 * indexed by version, so that a validation failure (a read cell now at a newer version) can name
 * the transaction that beat it. Filled only once some thread installs a contention manager, so
 * applications without a scheduler never pay for it.
 *
 * <p>Each slot is a pair (version, owner) on its own cache line; a committer writes the owner, then
 * the version with release; a reader reads the version (acquire), the owner, and the version
 * again, and trusts the owner only if both version reads match the one it asked for. Versions
 * shared by concurrent committers (the clock lets them share) or overwritten by a commit 1,024
 * versions later yield a wrong or no answer: a hint, never used for correctness.
 */
final class WriterTable {
    private static final int SLOTS = 1024;
    private static final int STRIDE = 8; // longs per slot: one 64-byte line
    private static final long[] TABLE = new long[(SLOTS + 1) * STRIDE];

    /** Set when the first contention manager is installed; never cleared. */
    static volatile boolean enabled;

    private WriterTable() {}

    static void record(long version, long owner) {
        int i = index(version);
        TABLE[i + 1] = owner;
        SLOT.setRelease(TABLE, i, version);
    }

    /** The owner that committed {@code version}, or -1 if the table no longer knows. */
    static long ownerOf(long version) {
        int i = index(version);
        if ((long) SLOT.getAcquire(TABLE, i) != version) {
            return -1;
        }
        long owner = (long) SLOT.getOpaque(TABLE, i + 1);
        VarHandle.acquireFence();
        return (long) SLOT.getOpaque(TABLE, i) == version ? owner : -1;
    }

    private static int index(long version) {
        return (int) ((version & (SLOTS - 1)) + 1) * STRIDE;
    }

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
}
