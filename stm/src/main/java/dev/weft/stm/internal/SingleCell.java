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

    /**
     * One round of waiting for a cell found locked with {@code word}: on the first, refuses to
     * wait for this thread's own commit (a commute function or decider calling a one-operation
     * method or {@code toString} of a ref it writes would wait for ever); then pauses. Returns the
     * new round count.
     */
    private static int waitAfter(long word, int spins) {
        if (spins == 0) {
            Transaction.refuseOwnCommit(word);
        }
        Transaction.pause(spins + 1);
        return spins + 1;
    }

    public static long getLong(TxnCell cell) {
        for (int spins = 0; ; ) {
            long first = CellAccess.lockWordAcquire(cell);
            long bits = CellAccess.longValueOpaque(cell);
            VarHandle.acquireFence();
            if (LockWord.sameValue(first, CellAccess.lockWordOpaque(cell))) {
                return bits;
            }
            spins = waitAfter(first, spins);
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
            spins = waitAfter(first, spins);
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
            spins = waitAfter(first, spins);
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
            spins = waitAfter(word, spins);
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
            spins = waitAfter(word, spins);
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
            spins = waitAfter(word, spins);
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

    /**
     * A stamp of the cell's committed value: its version, once no commit holds the cell (a
     * reservation by the irrevocable transaction neither changes it nor is waited for). Every
     * later commit to the cell changes it.
     */
    public static long valueStamp(TxnCell cell) {
        for (int spins = 0; ; ) {
            long word = CellAccess.lockWordAcquire(cell);
            if (!LockWord.isCommitLocked(word)) {
                return LockWord.version(word);
            }
            spins = waitAfter(word, spins);
        }
    }

    /** Rounds a guarded commit waits for a counter held by another commit before it gives up. */
    private static final int COUNTER_SPINS = 8;

    /*
     * The guarded commit (compareStampsAndSet) is the commit protocol of Transaction for a fixed
     * transaction: read set {guard, cell}, write set {cell, counter}, with counter written as a
     * commute (its value is read under its lock, not before). Steps as in Transaction:
     *   1. lock cell by a CAS from unlocked(cellStamp), so it has not changed since the caller
     *      read it (and is not reserved); lock counter from whatever free word it has, waiting a
     *      few rounds at most while holding the cell (another committer that holds the counter
     *      may be waiting for the cell: giving up breaks that cycle; so does a reservation);
     *   2. read the clock after the locks, wv above it and above both old versions;
     *   3. validate the guard after the clock read: not commit-locked, same version as at
     *      guardStamp (a reservation is ignored, as by every validation);
     *   4. publish both (keeping old versions for registered snapshot readers), wake waiters.
     * A failure in 1 or 3 restores the exact words taken, so nothing is written and no version
     * moves. Linearizable at step 3: both locks are held, the cell's value is the one the caller
     * read, the guard's too.
     */

    /**
     * Sets {@code cell} to ({@code bits}, {@code object}) and adds {@code delta} to the long in
     * {@code counter}, as one commit, if no commit reached {@code cell} since
     * {@link #valueStamp} returned {@code cellStamp} and none reached {@code guard} since it
     * returned {@code guardStamp}; otherwise writes nothing and returns false (also when the
     * cell is reserved or locked by another commit, or the counter stays busy).
     *
     * @param guard a cell read, not written, or null for none
     * @param counter a cell holding a long, or null for none
     */
    public static boolean compareStampsAndSet(TxnCell guard, long guardStamp, TxnCell cell, long cellStamp,
                                              long bits, Object object, TxnCell counter, long delta) {
        long cellWord = LockWord.unlocked(cellStamp);
        if (!CellAccess.casLockWord(cell, cellWord, LockWord.SINGLE_CELL_OWNER)) {
            return false;
        }
        long counterWord = 0L;
        if (counter != null) {
            for (int spins = 0; ; ) {
                counterWord = CellAccess.lockWordVolatile(counter);
                if (LockWord.isFree(counterWord)
                        && CellAccess.casLockWord(counter, counterWord, LockWord.SINGLE_CELL_OWNER)) {
                    break;
                }
                if (LockWord.isReserved(counterWord) || ++spins > COUNTER_SPINS) {
                    CellAccess.setLockWordRelease(cell, cellWord);
                    return false;
                }
                Thread.onSpinWait();
            }
        }
        long writeVersion;
        boolean wake;
        boolean keepHistory;
        OldVersion cellHistory = null;
        OldVersion counterHistory = null;
        long cellPrevious = CellAccess.NO_PREVIOUS;
        long counterPrevious = CellAccess.NO_PREVIOUS;
        long counterBits = 0L;
        try {
            wake = WaitTable.anyWaiting(); // after the lock CASes: see WaitTable
            long observed = GlobalClock.now();
            long newestLocked = counter == null ? cellStamp
                    : Math.max(cellStamp, LockWord.version(counterWord));
            if (guard != null) {
                long guardWord = CellAccess.lockWordAcquire(guard);
                if (LockWord.isCommitLocked(guardWord) || LockWord.version(guardWord) != guardStamp) {
                    release(cell, cellWord, counter, counterWord);
                    return false;
                }
            }
            writeVersion = GlobalClock.writeVersion(observed, newestLocked);
            if (WriterTable.enabled) {
                WriterTable.record(writeVersion, LockWord.owner(LockWord.SINGLE_CELL_OWNER));
            }
            SnapshotSet readers = Transaction.captureSnapshotReaders();
            keepHistory = !readers.isEmpty();
            if (keepHistory) {
                int kept = Transaction.keptVersions(cell, cellWord, writeVersion, readers);
                cellHistory = Transaction.historyAfter(cell, cellWord, readers, kept);
                cellPrevious = Transaction.previousAfter(cell, cellWord, kept);
                if (counter != null) {
                    kept = Transaction.keptVersions(counter, counterWord, writeVersion, readers);
                    counterHistory = Transaction.historyAfter(counter, counterWord, readers, kept);
                    counterPrevious = Transaction.previousAfter(counter, counterWord, kept);
                }
            }
            if (counter != null) {
                counterBits = CellAccess.longValueOpaque(counter) + delta;
            }
        } catch (Throwable failure) { // nothing written yet: give the cells back unchanged
            release(cell, cellWord, counter, counterWord);
            throw failure;
        }
        Transaction.publish(cell, bits, object, writeVersion, keepHistory, cellHistory, cellPrevious);
        if (counter != null) {
            Transaction.publish(counter, counterBits, null, writeVersion, keepHistory, counterHistory, counterPrevious);
        }
        if (wake) {
            WaitTable.wake(cell);
            if (counter != null) {
                WaitTable.wake(counter);
            }
        }
        return true;
    }

    private static void release(TxnCell cell, long cellWord, TxnCell counter, long counterWord) {
        if (counter != null) {
            CellAccess.setLockWordRelease(counter, counterWord);
        }
        CellAccess.setLockWordRelease(cell, cellWord);
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
            spins = waitAfter(word, spins);
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
