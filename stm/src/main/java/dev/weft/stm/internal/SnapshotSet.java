package dev.weft.stm.internal;

/**
 * A committer's view of the registered snapshot readers, taken after it got its write version:
 * which old values it must keep. Owned by one thread and reused (no allocation in steady state).
 */
final class SnapshotSet {
    /** The view when no reader is registered: nothing to keep. Never captured into. */
    static final SnapshotSet NONE = new SnapshotSet();

    private long[] versions;
    private int count;
    private boolean keepAll;
    private boolean empty = true;
    private long oldestVersion = Long.MAX_VALUE;
    private long capturedEpoch = -1; // the registry's epoch read just before the last collection

    /** Reads the registry (see {@link SnapshotRegistry} for why after the clock). Returns this. */
    SnapshotSet capture() {
        if (!SnapshotRegistry.anyActive()) {
            empty = true;
            return this;
        }
        long epoch = SnapshotRegistry.epoch();
        if (!empty && epoch == capturedEpoch) {
            return this; // nobody registered or left since the last collection (see SnapshotRegistry)
        }
        if (versions == null) {
            versions = new long[SnapshotRegistry.SLOT_COUNT];
        }
        empty = false;
        capturedEpoch = epoch;
        count = SnapshotRegistry.collect(versions);
        keepAll = count < 0; // a reader is between announcing itself and reading the clock
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            oldest = Math.min(oldest, versions[i]);
        }
        oldestVersion = oldest;
        return this;
    }

    /** Whether every registered reader's snapshot includes {@code version} (none needs older). */
    boolean noneOlderThan(long version) {
        return !keepAll && oldestVersion >= version;
    }

    boolean isEmpty() {
        return empty;
    }

    /**
     * Whether some registered reader needs the value committed at {@code from} and superseded at
     * {@code to}: its read version lies in {@code [from, to)}.
     */
    boolean needs(long from, long to) {
        if (keepAll) {
            return true;
        }
        long[] versions = this.versions;
        for (int i = 0; i < count; i++) {
            long readVersion = versions[i];
            if (readVersion >= from && readVersion < to) {
                return true;
            }
        }
        return false;
    }
}
