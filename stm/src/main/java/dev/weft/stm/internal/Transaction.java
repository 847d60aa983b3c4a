package dev.weft.stm.internal;

import dev.weft.stm.spi.TxnCell;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A thread's transaction descriptor and the commit protocol: the heart of the engine.
 *
 * <p>Not thread-safe: each thread owns exactly one descriptor (found through a {@link ThreadLocal})
 * and reuses it for every transaction it runs, so nothing is allocated per transaction.
 */
public final class Transaction {
    /*
     * Overview.
     *
     * Weft is a word-based STM of the TL2/LSA family, with invisible reads, a redo log and
     * commit-time locking, plus two escape hatches that guarantee progress without a global lock.
     *
     * Memory. Every transactional location is a TxnCell with a 64-bit lock word (LockWord): the
     * committed version, or "commit-locked by owner", plus a RESERVED bit for the irrevocable
     * transaction. Values are written only by the holder of the commit lock and published by a
     * release store of the new version (CellAccess has the field-level protocol).
     *
     * Reads (optimistic mode). A transaction fixes its read version rv from the GlobalClock at
     * begin. A read takes a seqlock snapshot of the cell (lock word, value, fence, lock word). If
     * the cell is commit-locked the reader spins briefly (the owner is inside a short commit), and
     * gives up as a conflict after a bound. If the version is <= rv the value belongs to the
     * snapshot and (cell, version) is appended to the read log. If it is newer, the snapshot is
     * extended (LSA): read the clock, check every logged read still has its logged version and is
     * not locked; if so rv becomes the new time and the read is retried, otherwise the attempt
     * aborts. Hence invariant R: every value a running transaction has returned belongs to one
     * committed state (the one at rv), which is opacity: a doomed attempt never sees a broken
     * invariant, because the inconsistent value is never returned.
     *
     * Writes go to the redo log (WriteLog); reads look there first (read-your-writes).
     *
     * Commit. Read-only: nothing to do, no lock, no shared write; the transaction serializes at
     * rv. Otherwise (TL2):
     *   1. lock every written cell: CAS from a free word (neither locked nor reserved) to
     *      lockedBy(id), remembering the old word; a cell that stays locked or reserved means
     *      conflict: unlock what we hold and abort (no waiting while holding locks: no deadlock).
     *   2. get the write version wv from the clock (GV4: one CAS attempt, see GlobalClock).
     *   3. unless we advanced the clock from exactly rv (nobody else can have committed since our
     *      snapshot), validate the read log: every cell still at its logged version, and not
     *      locked except by us (then the version saved at lock time must match).
     *   4. publish each written cell: keep the old value in the cell's history if a registered
     *      snapshot reader needs it (SnapshotSet), write the value, release-store unlocked(wv).
     * Invariant C: a cell's value changes only between a successful lock CAS and the release
     * store of a version greater than every snapshot that saw the old value; together with step 3
     * this makes committed transactions serializable in write-version order (readers at rv).
     * Write skew is impossible: both transactions validate their reads after locking their writes,
     * so the second to lock sees the first one's lock or new version.
     *
     * Progress. Aborts back off (randomized exponential spin/yield). A read-only attempt that
     * aborted on a read runs again as a registered snapshot reader (SnapshotRegistry): writers keep
     * old versions for it, so it cannot abort again. After IRREVOCABLE_AFTER aborts a transaction
     * becomes irrevocable: it takes the irrevocable token (which only other irrevocable
     * transactions wait for), and reserves each cell before its first read or write by setting the
     * RESERVED bit. Reserved cells can still be read by everybody (their value is the committed
     * one), and cells it never touches are unaffected; only writers of reserved cells wait. Since
     * nothing it reserved can change, its reads stay valid and its commit cannot fail. Normal
     * committers never wait for a reservation (they abort), so the reservation spin on a
     * commit-locked cell always ends.
     *
     * Memory ordering. Seqlock reads: getAcquire(word), values, acquireFence, getOpaque(word).
     * Lock acquisition is a volatile CAS, so value writes after it cannot move before it; the
     * release store of the new word orders value and history writes before it. The clock is
     * volatile; validation reads follow the clock access, so they observe every lock taken
     * before it.
     */

    private static final ThreadLocal<Transaction> CURRENT = ThreadLocal.withInitial(Transaction::new);
    private static final AtomicLong OWNER_IDS = new AtomicLong();
    private static final ReentrantLock IRREVOCABLE_TOKEN = new ReentrantLock(true);

    /** Aborts after which a transaction runs irrevocably. */
    static final int IRREVOCABLE_AFTER =
            Math.max(1, Integer.getInteger("dev.weft.stm.irrevocableAfter", 16));
    /** Spins on a commit-locked cell before a read or a lock attempt counts as a conflict. */
    private static final int LOCK_SPINS = 128;

    private static final int OPTIMISTIC = 0;
    private static final int SNAPSHOT = 1;
    private static final int IRREVOCABLE = 2;

    /** Kinds of transaction body accepted by {@link #execute}. */
    public static final int RUNNABLE = 0;
    public static final int SUPPLIER = 1;
    public static final int LONG_SUPPLIER = 2;
    public static final int INT_SUPPLIER = 3;
    public static final int DOUBLE_SUPPLIER = 4;
    public static final int BOOLEAN_SUPPLIER = 5;

    private final long ownerWord = LockWord.lockedBy(OWNER_IDS.incrementAndGet());
    private final ReadLog reads = new ReadLog();
    private final WriteLog writes = new WriteLog();
    private final SnapshotSet snapshotReaders = new SnapshotSet();

    private int depth;             // nesting depth; 0 = no transaction running on this thread
    private boolean doomed;        // this attempt lost a conflict; the body must unwind
    private boolean lostOnRead;    // the last conflict was detected by a read (not at commit)
    private int mode;
    private long readVersion;
    private int snapshotSlot = -1;
    private int attempts;          // aborted attempts of the current transaction
    private boolean holdsToken;
    private long seed = System.nanoTime() | 1;

    // Results: the last loaded value and the body's result, passed without boxing.
    private long loadedBits;
    private Object loadedObject;
    private long resultBits;
    private Object resultObject;

    private Transaction() {}

    /** This thread's descriptor (created on first use). */
    public static Transaction current() {
        return CURRENT.get();
    }

    /** This thread's running transaction, or null when none is running. */
    public static Transaction active() {
        Transaction txn = CURRENT.get();
        return txn.depth > 0 ? txn : null;
    }

    public boolean isActive() {
        return depth > 0;
    }

    // ------------------------------------------------------------------ running a body

    /**
     * Runs {@code body} atomically. A call inside a running transaction joins it (flat nesting).
     * Results of supplier bodies are left in {@link #takeResultObject()} / {@link #resultBits()}.
     */
    public void execute(Object body, int kind) {
        run(body, kind, OPTIMISTIC);
    }

    /**
     * Runs {@code body} irrevocably from its first attempt (it cannot abort); inside a running
     * transaction it joins it as {@link #execute} does.
     */
    public void executeIrrevocably(Object body, int kind) {
        run(body, kind, IRREVOCABLE);
    }

    private void run(Object body, int kind, int firstMode) {
        if (depth > 0) {
            depth++;
            try {
                invoke(body, kind);
            } finally {
                depth--;
            }
            return;
        }
        attempts = 0;
        mode = firstMode;
        try {
            for (;;) {
                begin();
                try {
                    invoke(body, kind);
                } catch (Throwable failure) {
                    if (doomed || failure == ConflictSignal.INSTANCE) {
                        abortAndPrepareRetry();
                        continue;
                    }
                    rollback();
                    throw failure;
                }
                if (!doomed && commit()) {
                    return;
                }
                abortAndPrepareRetry();
            }
        } finally {
            depth = 0;
            if (holdsToken) {
                holdsToken = false;
                IRREVOCABLE_TOKEN.unlock();
            }
        }
    }

    private void invoke(Object body, int kind) {
        switch (kind) {
            case RUNNABLE -> ((Runnable) body).run();
            case SUPPLIER -> resultObject = ((Supplier<?>) body).get();
            case LONG_SUPPLIER -> resultBits = ((LongSupplier) body).getAsLong();
            case INT_SUPPLIER -> resultBits = ((IntSupplier) body).getAsInt();
            case DOUBLE_SUPPLIER -> resultBits = Double.doubleToRawLongBits(((DoubleSupplier) body).getAsDouble());
            case BOOLEAN_SUPPLIER -> resultBits = ((BooleanSupplier) body).getAsBoolean() ? 1 : 0;
            default -> throw new IllegalArgumentException("unknown body kind " + kind);
        }
    }

    public Object takeResultObject() {
        Object result = resultObject;
        resultObject = null;
        return result;
    }

    public long resultBits() {
        return resultBits;
    }

    private void begin() {
        depth = 1;
        doomed = false;
        lostOnRead = false;
        switch (mode) {
            case IRREVOCABLE -> {
                if (!holdsToken) {
                    IRREVOCABLE_TOKEN.lock();
                    holdsToken = true;
                }
            }
            case SNAPSHOT -> {
                snapshotSlot = SnapshotRegistry.register();
                if (snapshotSlot >= 0) {
                    readVersion = SnapshotRegistry.readVersion(snapshotSlot);
                } else {
                    mode = OPTIMISTIC;
                    readVersion = GlobalClock.now();
                }
            }
            default -> readVersion = GlobalClock.now();
        }
    }

    /** Ends the attempt (committed or not): empties the logs, leaves the snapshot registry. */
    private void endAttempt() {
        reads.clear();
        writes.clear();
        if (snapshotSlot >= 0) {
            SnapshotRegistry.deregister(snapshotSlot);
            snapshotSlot = -1;
        }
    }

    private void abortAndPrepareRetry() {
        boolean readOnly = writes.size == 0;
        boolean onRead = lostOnRead;
        endAttempt();
        attempts++;
        if (attempts >= IRREVOCABLE_AFTER) {
            mode = IRREVOCABLE;
        } else if (mode == OPTIMISTIC && readOnly && onRead) {
            mode = SNAPSHOT; // cannot lose on a read again: no backoff needed
            return;
        } else {
            mode = OPTIMISTIC;
        }
        backoff();
    }

    /** The body threw: discard its writes (nothing was published) and free reservations. */
    private void rollback() {
        if (mode == IRREVOCABLE) {
            releaseReservations();
        }
        endAttempt();
    }

    private void backoff() {
        long x = seed;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        seed = x;
        int exponent = Math.min(attempts + 3, 14);
        int spins = (int) (x & ((1L << exponent) - 1));
        for (int i = 0; i < spins; i++) {
            Thread.onSpinWait();
        }
        if (attempts > 4) {
            Thread.yield();
        }
    }

    private void conflictOnRead() {
        doomed = true;
        lostOnRead = true;
        throw ConflictSignal.INSTANCE;
    }

    private void checkUsable() {
        if (doomed) {
            throw ConflictSignal.INSTANCE;
        }
    }

    // ------------------------------------------------------------------ reads and writes

    public long readLong(TxnCell cell) {
        load(cell);
        return loadedBits;
    }

    public Object readObject(TxnCell cell) {
        load(cell);
        Object value = loadedObject;
        loadedObject = null;
        return value;
    }

    public void writeLong(TxnCell cell, long bits) {
        write(cell, bits, null);
    }

    public void writeObject(TxnCell cell, Object value) {
        write(cell, 0L, value);
    }

    private void write(TxnCell cell, long bits, Object value) {
        checkUsable();
        if (mode == IRREVOCABLE) {
            reserve(cell);
        }
        writes.put(cell, bits, value);
    }

    /** Loads the cell's value as of this transaction into loadedBits / loadedObject. */
    private void load(TxnCell cell) {
        checkUsable();
        WriteLog log = writes;
        if (log.size != 0) {
            int entry = log.indexOf(cell);
            if (entry >= 0) {
                loadedBits = log.bits[entry];
                loadedObject = log.objects[entry];
                return;
            }
        }
        if (mode == OPTIMISTIC) {
            long first = CellAccess.lockWordAcquire(cell);
            long bits = CellAccess.longValueOpaque(cell);
            Object object = CellAccess.objectValue(cell);
            VarHandle.acquireFence();
            long second = CellAccess.lockWordOpaque(cell);
            if (LockWord.sameValue(first, second)) {
                long version = LockWord.version(first);
                if (version <= readVersion) {
                    reads.add(cell, version);
                    loadedBits = bits;
                    loadedObject = object;
                    return;
                }
            }
        }
        loadSlow(cell);
    }

    private void loadSlow(TxnCell cell) {
        if (mode == IRREVOCABLE) {
            reserve(cell); // the value can no longer change under us
            loadedBits = CellAccess.longValueOpaque(cell);
            loadedObject = CellAccess.objectValue(cell);
            return;
        }
        for (int spins = 0; ; ) {
            long first = CellAccess.lockWordAcquire(cell);
            if (LockWord.isCommitLocked(first)) {
                if (++spins > LOCK_SPINS && mode == OPTIMISTIC) {
                    conflictOnRead();
                }
                pause(spins);
                continue;
            }
            long bits = CellAccess.longValueOpaque(cell);
            Object object = CellAccess.objectValue(cell);
            OldVersion history = mode == SNAPSHOT ? CellAccess.history(cell) : null;
            VarHandle.acquireFence();
            long second = CellAccess.lockWordOpaque(cell);
            if (!LockWord.sameValue(first, second)) {
                continue;
            }
            long version = LockWord.version(first);
            if (version <= readVersion) {
                reads.add(cell, version);
                loadedBits = bits;
                loadedObject = object;
                return;
            }
            if (mode == SNAPSHOT) {
                OldVersion old = OldVersion.visibleAt(history, readVersion);
                if (old == null) {
                    conflictOnRead(); // cannot happen while registered; fail safe
                }
                reads.add(cell, old.version);
                loadedBits = old.bits;
                loadedObject = old.object;
                return;
            }
            if (!extendSnapshot()) {
                conflictOnRead();
            }
        }
    }

    /** LSA extension: move rv to now if nothing read so far has changed. */
    private boolean extendSnapshot() {
        long now = GlobalClock.now();
        if (!validateReads()) {
            return false;
        }
        readVersion = now;
        return true;
    }

    /**
     * Every logged read still holds its logged version and is not locked by another committer.
     * Cells this transaction has commit-locked are checked against the version saved at lock time.
     */
    private boolean validateReads() {
        ReadLog log = reads;
        TxnCell[] cells = log.cells;
        long[] versions = log.versions;
        for (int i = 0, n = log.size; i < n; i++) {
            TxnCell cell = cells[i];
            long word = CellAccess.lockWordAcquire(cell);
            if (LockWord.isCommitLocked(word)) {
                if (word != ownerWord) {
                    return false;
                }
                word = writes.lockedWords[writes.indexOf(cell)];
            }
            if (LockWord.version(word) != versions[i]) {
                return false;
            }
        }
        return true;
    }

    /** Irrevocable mode: set the RESERVED bit so no other writer can change the cell. */
    private void reserve(TxnCell cell) {
        for (int spins = 0; ; ) {
            long word = CellAccess.lockWordVolatile(cell);
            if (LockWord.isReserved(word)) {
                return; // only the token holder reserves: it is ours
            }
            if (LockWord.isCommitLocked(word)) {
                pause(++spins); // a short commit or single-cell update is finishing
                continue;
            }
            if (CellAccess.casLockWord(cell, word, word | LockWord.RESERVED)) {
                reads.add(cell, LockWord.version(word));
                return;
            }
        }
    }

    private void releaseReservations() {
        ReadLog log = reads;
        for (int i = 0, n = log.size; i < n; i++) {
            TxnCell cell = log.cells[i];
            long word = CellAccess.lockWordVolatile(cell);
            if (LockWord.isReserved(word)) {
                CellAccess.setLockWordRelease(cell, word & ~LockWord.RESERVED);
            }
        }
    }

    // ------------------------------------------------------------------ commit

    /** Returns false when the attempt lost a conflict (nothing was published). */
    private boolean commit() {
        WriteLog log = writes;
        int count = log.size;
        if (count == 0) {
            endAttempt();
            return true;
        }
        if (mode == IRREVOCABLE) {
            commitIrrevocable();
            return true;
        }
        TxnCell[] cells = log.cells;
        long[] lockedWords = log.lockedWords;
        for (int i = 0; i < count; i++) {
            TxnCell cell = cells[i];
            for (int spins = 0; ; ) {
                long word = CellAccess.lockWordVolatile(cell);
                if (LockWord.isFree(word)) {
                    if (CellAccess.casLockWord(cell, word, ownerWord)) {
                        lockedWords[i] = word;
                        break;
                    }
                } else if (++spins > LOCK_SPINS || LockWord.isReserved(word)) {
                    unlock(i);
                    return false;
                } else {
                    Thread.onSpinWait();
                }
            }
        }
        long observed = GlobalClock.now();
        long witness = GlobalClock.tryAdvance(observed);
        boolean nobodyCommittedSinceSnapshot = witness == observed && observed == readVersion;
        if (!nobodyCommittedSinceSnapshot && !validateReads()) {
            unlock(count);
            return false;
        }
        publishAll(GlobalClock.writeVersion(observed, witness));
        endAttempt();
        return true;
    }

    private void commitIrrevocable() {
        WriteLog log = writes;
        for (int i = 0, n = log.size; i < n; i++) {
            TxnCell cell = log.cells[i];
            long word = CellAccess.lockWordVolatile(cell); // reserved by us: nobody else changes it
            log.lockedWords[i] = word & ~LockWord.RESERVED;
            CellAccess.setLockWordVolatile(cell, ownerWord);
        }
        long observed = GlobalClock.now();
        long witness = GlobalClock.tryAdvance(observed);
        publishAll(GlobalClock.writeVersion(observed, witness));
        releaseReservations(); // cells only read; published cells no longer carry the bit
        endAttempt();
    }

    private void unlock(int lockedCount) {
        WriteLog log = writes;
        for (int i = 0; i < lockedCount; i++) {
            CellAccess.setLockWordRelease(log.cells[i], log.lockedWords[i]);
        }
    }

    private void publishAll(long writeVersion) {
        SnapshotSet readers = snapshotReaders.capture();
        WriteLog log = writes;
        for (int i = 0, n = log.size; i < n; i++) {
            publish(log.cells[i], log.bits[i], log.objects[i], log.lockedWords[i], writeVersion, readers);
        }
    }

    /** Captures the registered snapshot readers, for a commit without a running transaction. */
    static SnapshotSet captureSnapshotReaders() {
        return SnapshotRegistry.anyActive() ? current().snapshotReaders.capture() : SnapshotSet.NONE;
    }

    /**
     * Publishes a new value of a cell the caller has commit-locked: step 4 of the protocol, shared
     * with the single-cell operations.
     */
    static void publish(TxnCell cell, long bits, Object object, long lockedWord, long writeVersion,
                        SnapshotSet readers) {
        OldVersion history = CellAccess.history(cell);
        if (!readers.isEmpty()) {
            long oldVersion = LockWord.version(lockedWord);
            OldVersion kept = OldVersion.retain(history, oldVersion, readers);
            if (readers.needs(oldVersion, writeVersion)) {
                kept = new OldVersion(oldVersion, CellAccess.longValueOpaque(cell), CellAccess.objectValue(cell), kept);
            }
            if (kept != history) {
                CellAccess.setHistory(cell, kept);
            }
        } else if (history != null) {
            CellAccess.setHistory(cell, null);
        }
        CellAccess.setLongValueOpaque(cell, bits);
        CellAccess.setObjectValue(cell, object);
        CellAccess.setLockWordRelease(cell, LockWord.unlocked(writeVersion));
    }

    /** Waiting for a lock holder: spin, then yield, then sleep briefly (never pins a carrier). */
    static void pause(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else if (spins < 128) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(Math.min(1L << Math.min(spins - 128, 20), 1_000_000L));
        }
    }

    // ------------------------------------------------------------------ test hooks

    /** Aborted attempts of the running (or last) transaction on this thread. */
    public int attempts() {
        return attempts;
    }

    /** Whether the running attempt is irrevocable. */
    public boolean isIrrevocable() {
        return depth > 0 && mode == IRREVOCABLE;
    }
}
