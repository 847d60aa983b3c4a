package dev.weft.stm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

abstract class SnapshotRegistryPadding1 {
    long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class SnapshotRegistryCount extends SnapshotRegistryPadding1 {
    // Written (rarely) by snapshot readers registering and leaving; read by every writing commit
    // (volatile). On its own line so the clock's writes do not evict it from readers' caches.
    volatile int active;
    // Incremented (volatile) by a reader after it announced itself and before it reads the clock,
    // again once its read version is in its slot, and by a reader leaving; read by committers
    // before they collect the slots, so that they collect again only when it moved.
    volatile long epoch;
}

abstract class SnapshotRegistryPadding2 extends SnapshotRegistryCount {
    long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}

/**
 * The snapshots of transactions that read old versions instead of aborting.
 *
 * <p>Overview. A read-only transaction that lost a validation race once runs its next attempt as a
 * registered snapshot reader: it publishes its read version here, and every committer that
 * overwrites a cell while any reader is registered keeps the old value (in the cell itself when it
 * is primitive or null, else as an {@link OldVersion} node) so the reader can still read the
 * version its snapshot needs. Such a reader
 * never aborts on a read, whatever writers do meanwhile.
 *
 * <p>Race argument. A reader increments {@code active}, writes {@link #PENDING} into a free slot,
 * then advances the clock with its own successful CAS ({@link GlobalClock#tick}) and stores the
 * new value, its read version, in the slot (all volatile). A committer reads {@code active} and
 * the slots after it read the clock (volatile) for its write version. If the reader's snapshot
 * does not include the commit (read version below the write version), the committer's clock read
 * returned at least the reader's read version, so it follows the reader's CAS, and hence its
 * registration, in the synchronization order: the committer sees the reader's increment and its
 * slot (pending or final) and keeps history. A pending slot means "keep everything": the reader's
 * version is not known yet. (Reading the clock without advancing it would not do: commits do not
 * write the clock, so a committer could read the same value before the reader registered.)
 *
 * <p>Epoch. A committer keeps the slots it collected last, with the epoch it read just before
 * collecting them, and collects again only when the epoch has moved. Reusing is safe: a reader
 * the commit must keep history for ticked the clock before the committer read it (above), so its
 * first epoch increment, which precedes its tick, precedes the committer's epoch read; if that read
 * still returns the epoch of the last collection, the increment also preceded that collection,
 * which therefore saw the reader's slot (pending, which means "keep everything", or final). A
 * reader that left since then is still counted until the next collection: it keeps history
 * nobody needs, never the reverse.
 *
 * <p>Cost. Committers pay one volatile read of a line that changes only when readers come and go;
 * history nodes are allocated only while some reader is registered, and only for values a
 * registered snapshot still needs ({@link SnapshotSet}). Slots are padded to a line each.
 */
final class SnapshotRegistry extends SnapshotRegistryPadding2 {
    static final long FREE = -1;
    static final long PENDING = 0;
    private static final int SLOT_STRIDE = 16; // longs per slot: 128 bytes, two cache lines
    static final int SLOT_COUNT = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());


    private final long[] slots = new long[(SLOT_COUNT + 1) * SLOT_STRIDE];

    private SnapshotRegistry() {
        for (int i = 0; i < SLOT_COUNT; i++) {
            SLOT.setVolatile(slots, slotIndex(i), FREE);
        }
    }

    /** Whether any snapshot reader is registered: committers keep history only then. */
    static boolean anyActive() {
        return INSTANCE.active != 0;
    }

    /**
     * Registers a reader. Returns the slot, or -1 when all slots are taken (the caller then runs an
     * ordinary attempt). The read version is {@link #readVersion(int)}.
     */
    static int register() {
        SnapshotRegistry registry = INSTANCE;
        ACTIVE.getAndAdd(registry, 1);
        for (int i = 0; i < SLOT_COUNT; i++) {
            int index = slotIndex(i);
            if ((long) SLOT.getVolatile(registry.slots, index) == FREE
                    && SLOT.compareAndSet(registry.slots, index, FREE, PENDING)) {
                EPOCH.getAndAdd(registry, 1L);
                SLOT.setVolatile(registry.slots, index, GlobalClock.tick());
                EPOCH.getAndAdd(registry, 1L);
                return i;
            }
        }
        ACTIVE.getAndAdd(registry, -1);
        return -1;
    }

    static long readVersion(int slot) {
        return (long) SLOT.getVolatile(INSTANCE.slots, slotIndex(slot));
    }

    static void deregister(int slot) {
        SLOT.setVolatile(INSTANCE.slots, slotIndex(slot), FREE);
        ACTIVE.getAndAdd(INSTANCE, -1);
        EPOCH.getAndAdd(INSTANCE, 1L);
    }

    /** The registry's epoch; a committer reads it after the clock, before {@link #collect}. */
    static long epoch() {
        return INSTANCE.epoch;
    }

    /**
     * Copies the registered read versions into {@code into} (length at least {@link #SLOT_COUNT});
     * returns how many, or -1 if a reader is still pending (its version is not known yet).
     */
    static int collect(long[] into) {
        long[] slots = INSTANCE.slots;
        int count = 0;
        for (int i = 0; i < SLOT_COUNT; i++) {
            long readVersion = (long) SLOT.getVolatile(slots, slotIndex(i));
            if (readVersion == PENDING) {
                return -1;
            }
            if (readVersion != FREE) {
                into[count++] = readVersion;
            }
        }
        return count;
    }

    private static int slotIndex(int slot) {
        return (slot + 1) * SLOT_STRIDE;
    }

    private static final VarHandle ACTIVE;
    private static final VarHandle EPOCH;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            ACTIVE = MethodHandles.lookup().findVarHandle(SnapshotRegistryCount.class, "active", int.class);
            EPOCH = MethodHandles.lookup().findVarHandle(SnapshotRegistryCount.class, "epoch", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Created after the VarHandles above: the constructor uses them.
    private static final SnapshotRegistry INSTANCE = new SnapshotRegistry();
}
