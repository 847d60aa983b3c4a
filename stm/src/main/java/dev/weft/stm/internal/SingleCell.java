package dev.weft.stm.internal;

import dev.weft.stm.spi.TxnCell;
import java.lang.invoke.VarHandle;

/**
 * One-operation transactions on a single cell, run without a transaction descriptor.
 *
 * <p>Overview. A single-cell read is one seqlock snapshot: linearizable at its first lock word
 * read, it takes no lock and writes nothing shared. A single-cell update is a one-cell commit of
 * the protocol in {@link Transaction}: take a stable snapshot (word, value), compute, CAS the lock
 * word from that exact word to the single-cell owner word (so the value cannot have changed in
 * between), get a write version from the clock, publish. It is linearizable at the lock CAS; a
 * compare-and-set whose comparison fails is linearizable at the snapshot and writes nothing. A
 * reserved cell (held by the irrevocable transaction) can be read, but an update waits for the
 * reservation to go away.
 */
public final class SingleCell {
    private SingleCell() {}

    public static long getLong(TxnCell cell) {
        for (int spins = 0; ; ) {
            long first = CellAccess.lockWordAcquire(cell);
            long bits = CellAccess.longValueOpaque(cell);
            VarHandle.acquireFence();
            if (LockWord.sameValue(first, CellAccess.lockWordOpaque(cell))) {
                return bits;
            }
            Transaction.pause(++spins);
        }
    }

    public static Object getObject(TxnCell cell) {
        for (int spins = 0; ; ) {
            long first = CellAccess.lockWordAcquire(cell);
            Object value = CellAccess.objectValue(cell);
            VarHandle.acquireFence();
            if (LockWord.sameValue(first, CellAccess.lockWordOpaque(cell))) {
                return value;
            }
            Transaction.pause(++spins);
        }
    }

    /**
     * The latest committed reference value if the raw bits committed with it share a set bit
     * with {@code mask}, else null; bits and value come from one seqlock snapshot.
     */
    public static Object getObjectIfBitsMatch(TxnCell cell, long mask) {
        for (int spins = 0; ; ) {
            long first = CellAccess.lockWordAcquire(cell);
            long bits = CellAccess.longValueOpaque(cell);
            Object value = CellAccess.objectValue(cell);
            VarHandle.acquireFence();
            if (LockWord.sameValue(first, CellAccess.lockWordOpaque(cell))) {
                return (bits & mask) != 0 ? value : null;
            }
            Transaction.pause(++spins);
        }
    }

    /** Sets the cell to {@code update} if its raw bits equal {@code expected}. */
    public static boolean compareAndSetLong(TxnCell cell, long expected, long update) {
        for (int spins = 0; ; ) {
            long word = CellAccess.lockWordAcquire(cell);
            long bits = CellAccess.longValueOpaque(cell);
            VarHandle.acquireFence();
            if (LockWord.sameValue(word, CellAccess.lockWordOpaque(cell)) && bits != expected) {
                return false;
            }
            if (LockWord.isFree(word) && CellAccess.casLockWord(cell, word, LockWord.SINGLE_CELL_OWNER)) {
                if (CellAccess.longValueOpaque(cell) != expected) { // changed before our lock CAS
                    CellAccess.setLockWordRelease(cell, word);
                    continue;
                }
                commit(cell, update, null, word);
                return true;
            }
            Transaction.pause(++spins);
        }
    }

    /** Sets the cell to {@code update} if it holds the very object {@code expected}. */
    public static boolean compareAndSetObject(TxnCell cell, Object expected, Object update) {
        for (int spins = 0; ; ) {
            long word = CellAccess.lockWordAcquire(cell);
            Object value = CellAccess.objectValue(cell);
            VarHandle.acquireFence();
            if (LockWord.sameValue(word, CellAccess.lockWordOpaque(cell)) && value != expected) {
                return false;
            }
            if (LockWord.isFree(word) && CellAccess.casLockWord(cell, word, LockWord.SINGLE_CELL_OWNER)) {
                if (CellAccess.objectValue(cell) != expected) {
                    CellAccess.setLockWordRelease(cell, word);
                    continue;
                }
                commit(cell, 0L, update, word);
                return true;
            }
            Transaction.pause(++spins);
        }
    }

    /**
     * The cell's lock word once no commit holds it and no irrevocable transaction reserves it: a
     * stamp that every later commit to the cell changes (the version in it only grows).
     */
    public static long stamp(TxnCell cell) {
        for (int spins = 0; ; ) {
            long word = CellAccess.lockWordAcquire(cell);
            if (LockWord.isFree(word)) {
                return word;
            }
            Transaction.pause(++spins);
        }
    }

    /**
     * Sets a reference cell to {@code update} (bits zero) if nothing has committed to it since
     * {@link #stamp} returned {@code stamp}: the lock CAS expects that very word. Fails, writing
     * nothing, if a commit happened in between or holds the cell right now.
     */
    public static boolean compareStampAndSetObject(TxnCell cell, long stamp, Object update) {
        if (!CellAccess.casLockWord(cell, stamp, LockWord.SINGLE_CELL_OWNER)) {
            return false;
        }
        commit(cell, 0L, update, stamp);
        return true;
    }

    /** Adds {@code delta} to a cell holding a {@code long}; returns the previous value. */
    public static long getAndAddLong(TxnCell cell, long delta) {
        long word = lock(cell);
        long previous = CellAccess.longValueOpaque(cell);
        commit(cell, previous + delta, null, word);
        return previous;
    }

    /** Adds {@code delta} to a cell holding an {@code int} (wrapping); returns the previous value. */
    public static int getAndAddInt(TxnCell cell, int delta) {
        long word = lock(cell);
        int previous = (int) CellAccess.longValueOpaque(cell);
        commit(cell, previous + delta, null, word);
        return previous;
    }

    public static long getAndSetLong(TxnCell cell, long bits) {
        long word = lock(cell);
        long previous = CellAccess.longValueOpaque(cell);
        commit(cell, bits, null, word);
        return previous;
    }

    public static Object getAndSetObject(TxnCell cell, Object value) {
        long word = lock(cell);
        Object previous = CellAccess.objectValue(cell);
        commit(cell, 0L, value, word);
        return previous;
    }

    /** Takes the cell's commit lock (waiting for other holders); returns the word it replaced. */
    private static long lock(TxnCell cell) {
        for (int spins = 0; ; ) {
            long word = CellAccess.lockWordVolatile(cell);
            if (LockWord.isFree(word) && CellAccess.casLockWord(cell, word, LockWord.SINGLE_CELL_OWNER)) {
                return word;
            }
            Transaction.pause(++spins);
        }
    }

    /** Publishes the new value of a cell locked by {@link #lock} or a CAS; see the overview. */
    private static void commit(TxnCell cell, long bits, Object object, long lockedWord) {
        long writeVersion;
        boolean keepHistory;
        boolean wake;
        OldVersion history = null;
        long previousVersion = CellAccess.NO_PREVIOUS;
        try {
            wake = WaitTable.anyWaiting(); // after the lock CAS: see WaitTable
            writeVersion = GlobalClock.writeVersion(GlobalClock.now(), LockWord.version(lockedWord));
            if (WriterTable.enabled) {
                WriterTable.record(writeVersion, LockWord.owner(LockWord.SINGLE_CELL_OWNER));
            }
            SnapshotSet readers = Transaction.captureSnapshotReaders();
            keepHistory = !readers.isEmpty();
            if (keepHistory) {
                int kept = Transaction.keptVersions(cell, lockedWord, writeVersion, readers);
                history = Transaction.historyAfter(cell, lockedWord, readers, kept);
                previousVersion = Transaction.previousAfter(cell, lockedWord, kept);
            }
        } catch (Throwable failure) { // nothing written yet: give the cell back unchanged
            CellAccess.setLockWordRelease(cell, lockedWord);
            throw failure;
        }
        Transaction.publish(cell, bits, object, writeVersion, keepHistory, history, previousVersion);
        if (wake) {
            WaitTable.wake(cell);
        }
    }
}
