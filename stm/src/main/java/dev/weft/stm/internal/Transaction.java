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
    /** Rounds of {@link #pause} that spin, then that yield, before sleeping. */
    private static final int SPIN_ROUNDS = 24;
    private static final int YIELD_ROUNDS = 16;
    /** Rounds of {@link #pause} on a commit-locked cell before a read or lock attempt is a conflict. */
    private static final int LOCK_SPINS = SPIN_ROUNDS + 8;
    /** Read logs up to this size are searched before locking a cell that changed since rv. */
    private static final int EARLY_CHECK_READS = 32;
    /**
     * Read logs beyond this size are not revalidated to extend a read-only snapshot: each
     * extension costs a pass over the log and pulls every logged cell's line into this core,
     * which slows writers down; such readers re-run on a registered snapshot instead.
     */
    private static final int EXTEND_LIMIT = 1024;

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
                boolean committed;
                try {
                    committed = !doomed && commit();
                } catch (Throwable failure) { // nothing was published; the locks are released
                    rollback();
                    throw failure;
                }
                if (committed) {
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
        if (reads.size > EXTEND_LIMIT && writes.size == 0) {
            return false; // a long reader: re-run on a registered snapshot instead of O(n) checks
        }
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

    /**
     * Returns false when the attempt lost a conflict. Nothing is ever half-published: every step
     * that can fail (a lost lock, failed validation, an allocation error) comes before the first
     * value is written, and undoes the locks it took.
     */
    private boolean commit() {
        WriteLog log = writes;
        int count = log.size;
        if (count == 0) {
            endAttempt();
            return true;
        }
        int locked = 0;
        long writeVersion;
        boolean keepHistory;
        try {
            locked = mode == IRREVOCABLE ? lockReserved() : lockWrites();
            if (locked < count) {
                unlock(locked);
                return false;
            }
            long observed = GlobalClock.now();
            long witness = GlobalClock.tryAdvance(observed);
            boolean nobodyCommittedSinceSnapshot = witness == observed && observed == readVersion;
            if (mode != IRREVOCABLE && !nobodyCommittedSinceSnapshot && !validateReads()) {
                unlock(count);
                return false;
            }
            writeVersion = GlobalClock.writeVersion(observed, witness);
            keepHistory = prepareHistories(writeVersion);
        } catch (Throwable failure) {
            unlock(locked);
            throw failure;
        }
        for (int i = 0; i < count; i++) {
            publish(log.cells[i], log.bits[i], log.objects[i], writeVersion, keepHistory, log.histories[i]);
        }
        if (mode == IRREVOCABLE) {
            releaseReservations(); // cells only read; published cells no longer carry the bit
        }
        endAttempt();
        return true;
    }

    /** Step 1: CAS every written cell to locked-by-us. Returns how many it locked. */
    private int lockWrites() {
        WriteLog log = writes;
        TxnCell[] cells = log.cells;
        long[] lockedWords = log.lockedWords;
        for (int i = 0, n = log.size; i < n; i++) {
            TxnCell cell = cells[i];
            for (int spins = 0; ; ) {
                long word = CellAccess.lockWordVolatile(cell);
                if (LockWord.isFree(word)) {
                    if (LockWord.version(word) > readVersion && wasRead(cell)) {
                        return i; // validation would fail: abort before touching the clock
                    }
                    if (CellAccess.casLockWord(cell, word, ownerWord)) {
                        lockedWords[i] = word;
                        break;
                    }
                } else if (++spins > LOCK_SPINS || LockWord.isReserved(word)) {
                    return i;
                } else {
                    pause(spins);
                }
            }
        }
        return log.size;
    }

    /**
     * Whether a small read log holds {@code cell} (a cheap early conflict check before locking;
     * for large read logs it answers false and leaves the decision to validation).
     */
    private boolean wasRead(TxnCell cell) {
        ReadLog log = reads;
        if (log.size > EARLY_CHECK_READS) {
            return false;
        }
        TxnCell[] cells = log.cells;
        for (int i = 0, n = log.size; i < n; i++) {
            if (cells[i] == cell) {
                return true;
            }
        }
        return false;
    }

    /** Irrevocable step 1: our reserved cells cannot be changed by anyone else; lock them. */
    private int lockReserved() {
        WriteLog log = writes;
        for (int i = 0, n = log.size; i < n; i++) {
            TxnCell cell = log.cells[i];
            log.lockedWords[i] = CellAccess.lockWordVolatile(cell) & ~LockWord.RESERVED;
            CellAccess.setLockWordVolatile(cell, ownerWord);
        }
        return log.size;
    }

    /** Restores the words of the first {@code lockedCount} written cells (drops reservations too). */
    private void unlock(int lockedCount) {
        WriteLog log = writes;
        for (int i = 0; i < lockedCount; i++) {
            CellAccess.setLockWordRelease(log.cells[i], log.lockedWords[i]);
        }
    }

    /**
     * Computes every written cell's new history while all are still locked (the only step of a
     * commit that allocates). Returns false when no snapshot reader is registered.
     */
    private boolean prepareHistories(long writeVersion) {
        SnapshotSet readers = snapshotReaders.capture();
        if (readers.isEmpty()) {
            return false;
        }
        WriteLog log = writes;
        log.historiesUsed = true;
        for (int i = 0, n = log.size; i < n; i++) {
            log.histories[i] = historyAfter(log.cells[i], log.lockedWords[i], writeVersion, readers);
        }
        return true;
    }

    /** Captures the registered snapshot readers, for a commit without a running transaction. */
    static SnapshotSet captureSnapshotReaders() {
        return SnapshotRegistry.anyActive() ? current().snapshotReaders.capture() : SnapshotSet.NONE;
    }

    /**
     * The history a locked cell must have once its current value (committed at {@code lockedWord})
     * is superseded at {@code writeVersion}: the old nodes some registered reader still needs, plus
     * the current value if one needs it. May allocate; changes nothing a reader could miss.
     */
    static OldVersion historyAfter(TxnCell cell, long lockedWord, long writeVersion, SnapshotSet readers) {
        long oldVersion = LockWord.version(lockedWord);
        OldVersion kept = OldVersion.retain(CellAccess.history(cell), oldVersion, readers);
        if (readers.needs(oldVersion, writeVersion)) {
            kept = new OldVersion(oldVersion, CellAccess.longValueOpaque(cell), CellAccess.objectValue(cell), kept);
        }
        return kept;
    }

    /**
     * Step 4 for one cell the caller has commit-locked: install the history computed by
     * {@link #historyAfter} (or drop a stale one when no reader is registered), write the value,
     * release-store the new version. Allocates nothing and cannot fail.
     */
    static void publish(TxnCell cell, long bits, Object object, long writeVersion,
                        boolean keepHistory, OldVersion history) {
        OldVersion current = CellAccess.history(cell);
        OldVersion next = keepHistory ? history : null;
        if (current != next) {
            CellAccess.setHistory(cell, next);
        }
        CellAccess.setLongValueOpaque(cell, bits);
        CellAccess.setObjectValue(cell, object);
        CellAccess.setLockWordRelease(cell, LockWord.unlocked(writeVersion));
    }

    /**
     * Waiting for a lock holder, round {@code spins} (from 1): first spin for exponentially longer
     * without touching the cell's cache line (re-reading it at once would steal the line from the
     * holder, whose publishing stores would then miss), then yield, then sleep briefly. Never pins
     * a virtual thread's carrier.
     */
    static void pause(int spins) {
        if (spins < SPIN_ROUNDS) {
            for (int i = 1 << Math.min(spins, 6); i > 0; i--) {
                Thread.onSpinWait();
            }
        } else if (spins < SPIN_ROUNDS + YIELD_ROUNDS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(Math.min(1L << Math.min(spins - SPIN_ROUNDS - YIELD_ROUNDS + 10, 20), 1_000_000L));
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
