package dev.weft.stm.internal;

import dev.weft.stm.spi.ContentionManager;
import dev.weft.stm.spi.TxnCell;
import dev.weft.stm.spi.TxnHandle;
import dev.weft.stm.spi.TxnThread;
import java.lang.invoke.VarHandle;
import dev.weft.stm.AbortCause;
import dev.weft.stm.AfterCommitException;
import dev.weft.stm.StmStatistics;
import dev.weft.stm.CommitRejectedException;
import dev.weft.stm.ExternalDecider;
import dev.weft.stm.TooManyAttemptsException;
import dev.weft.stm.TransactionInterruptedException;
import dev.weft.stm.TransactionTimeoutException;
import dev.weft.stm.TxnOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** Where a descriptor keeps its thread: alone on a cache line (see Transaction's BY_THREAD_ID). */
abstract class TransactionHome {
    // Written once by the constructor; read by every thread whose id maps to the descriptor's
    // slot in BY_THREAD_ID (a plain read: final-field semantics).
    final Thread home;     // the thread of a ThreadLocal descriptor; null for a TxnThread's

    TransactionHome(Thread home) {
        this.home = home;
    }
}

abstract class TransactionHomePadding extends TransactionHome {
    // Eight longs after home; the int fills the gap the header leaves when references take
    // eight bytes (the JVM fills such a gap with a subclass's field: it must not be a hot one).
    long p01, p02, p03, p04, p05, p06, p07, p08;
    int p09;

    TransactionHomePadding(Thread home) {
        super(home);
    }
}

/**
 * A thread's transaction descriptor and the commit protocol: the heart of the engine.
 *
 * <p>Not thread-safe: each thread owns exactly one descriptor (found through a {@link ThreadLocal})
 * and reuses it for every transaction it runs, so nothing is allocated per transaction.
 */
public final class Transaction extends TransactionHomePadding implements TxnHandle {
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
     * snapshot and the cell is appended to the read log. If it is newer, the snapshot is extended
     * (LSA): advance the clock to at least the version, validate every logged read and check the
     * new cell is still at the version read; if so rv becomes the new time, otherwise the attempt
     * aborts. Except for the first read of an attempt: one cell alone is always a consistent
     * snapshot, so the transaction logs it and defers the extension to its second read (rv is
     * DEFERRED meanwhile, so that every read takes the slow path). Hence invariant R: every value a
     * running transaction has returned belongs to one committed state (the one at rv), which is
     * opacity: a doomed attempt never sees a broken invariant, because the inconsistent value is
     * never returned.
     *
     * Writes go to the redo log (WriteLog); reads look there first (read-your-writes).
     *
     * Validation (TL2's, not a comparison with logged versions: the log holds only cells, half
     * the bytes a read writes). A logged read is unchanged iff its cell is not commit-locked and
     * its version is <= rv (the rv in force before an extension; the deferred version while rv
     * is DEFERRED). Why: the read returned a version <= the rv it was made under, and a commit
     * that changes the cell afterwards locks it after that read, so it reads the clock after the
     * reader took that rv and stamps a version above it (GlobalClock: at least one above the
     * clock value it read). If that rv was older than the current one, the extension in between
     * validated the cell after reading the clock: the commit either held the lock or had
     * published by then (caught), or locked later, read a clock at least that extension's rv and
     * stamped above it; by induction above the current rv. An irrevocable attempt's log keeps
     * versions (ReadLog.addReserved): its reads are of whatever is committed, however new.
     *
     * Commit. Read-only: nothing to do, no lock, no shared write; the transaction serializes at
     * rv. Otherwise (TL2):
     *   1. lock every written cell: CAS from a free word (neither locked nor reserved) to
     *      lockedBy(id), remembering the old word; a cell locked by another while we hold a lock
     *      makes us release ours and lock again in the cells' hash order (waiting while holding
     *      locks only in that one order: no two commits wait for each other); a cell that stays
     *      locked, or is reserved, means conflict: unlock what we hold and abort.
     *   2. read the clock after the locks; wv is one above it and above every locked cell's old
     *      version (see GlobalClock: the clock itself is written only rarely).
     *   3. unless every read was of a cell we locked and checked while locking it, validate the
     *      read log: every cell at a version <= rv, and not locked except by us (then the version
     *      saved at lock time must be).
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
     * old versions for it, so it cannot abort again. A read-only attempt with a long read log
     * becomes one part-way instead, when it meets a cell newer than its snapshot
     * (continueAsSnapshot): one validation, and the reads done are kept. After
     * IRREVOCABLE_AFTER aborts a transaction becomes irrevocable: it takes the irrevocable token
     * (which only other irrevocable transactions wait for), and reserves each cell before its first read or write by setting the
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

    private static final ThreadLocal<Transaction> CURRENT =
            ThreadLocal.withInitial(() -> new Transaction(Thread.currentThread()));
    /*
     * A cache in front of CURRENT, indexed by thread id: a slot holds the descriptor of a thread
     * that looked itself up there. A hit costs a few loads instead of a ThreadLocalMap probe,
     * which profiling showed at a quarter of a one-cell transaction (two lookups per transaction:
     * atomic() and the ref's barrier). A slot is trusted only when the descriptor's final home
     * field is the calling thread (final-field semantics make that check safe under the race on
     * the slot); any other content is a miss that falls back to CURRENT. That check reads another
     * thread's descriptor on a miss, so home sits alone on its cache line (TransactionHome and
     * its padding, superclasses laid out first): the owner writes the descriptor's other fields on
     * every transaction, and a thread missing on its slot would otherwise load a line the owner
     * keeps modified (measured: two threads sharing a slot ran at a third of the speed of two
     * that did not, even with the slot itself written only rarely). Two cheaper-looking fixes
     * cost the hit path instead: an immutable (thread, descriptor) entry per slot (one more
     * dependent load, 2-8 % of a one-read transaction) and the thread kept in a second array
     * compared first (a fifth of TCounter's one-operation add).
     *
     * Slots are written rarely, so in steady state they stay shared in every core: a miss fills
     * an empty slot, but takes over an occupied one only on every SLOT_CLAIM_EVERY-th miss of
     * that thread. Two live threads whose ids share a slot (likely among a few dozen long-lived
     * threads with scattered ids, certain among thousands of virtual threads) would otherwise
     * overwrite it on every lookup, and the line (sixteen slots) would bounce between their cores
     * and miss for every thread whose slot it holds; now each writes it once in
     * SLOT_CLAIM_EVERY lookups, and the one not cached pays a ThreadLocal probe. A thread whose
     * slot holds an ended thread's descriptor takes it over after as many misses. Cost: a slot
     * can keep the descriptor (and Thread object) of a thread that has ended until another
     * thread with the same low id bits claims it: at most BY_THREAD_ID.length descriptors.
     */
    private static final Transaction[] BY_THREAD_ID = new Transaction[256];
    /** Misses of one thread on an occupied slot per takeover of it (a power of two). */
    static final int SLOT_CLAIM_EVERY = 1024;
    private static final AtomicLong OWNER_IDS = new AtomicLong();
    private static final ReentrantLock IRREVOCABLE_TOKEN = new ReentrantLock(true);
    /*
     * The control-flow signals, made now: their classes would otherwise be initialized by the
     * first transaction that aborts or retries, at whatever stack depth that happens; a
     * StackOverflowError in a class initializer leaves the class unusable for the life of the
     * JVM (NoClassDefFoundError at every later abort, on every thread).
     */
    private static final ConflictSignal CONFLICT = ConflictSignal.INSTANCE;
    private static final RetrySignal RETRY = RetrySignal.INSTANCE;

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
     * Written cells found in the (small) read log by the last {@link #lockWrites}: each was checked
     * to be unchanged since it was read, with its lock held. A cell changed after a read always
     * carries a version above the reader's rv (its committer read the clock after the reader did),
     * so "version <= rv" at lock time means "unchanged" exactly.
     */
    private int readsCheckedAtLock;
    /**
     * Bounds of {@link #waitSpins}, the checks of the woken flag before a retry() wait starts
     * yielding. No fixed count suits both cases: with a core to spare the awaited commit usually
     * comes within a microsecond, and spinning (not a yield's system call) catches it soonest;
     * with more threads than cores the thread that would wake this one may need this very core,
     * and spinning keeps it out. RetryPingPongBenchmark on 2 cores: 64 spins gave 2.2-2.6 handoff
     * ops/us with 2 threads and 0.50 with 4; 16 gave 1.8-2.0 and 0.73.
     */
    private static final int MIN_WAIT_SPINS = 8, MAX_WAIT_SPINS = 128;
    /**
     * Yields (checking the flag after each) after the spins, before parking. A yield with no
     * other runnable thread returns at once, so on an idle core these are a slower spin; on a
     * busy one they hand the core to the thread that will commit the awaited change.
     */
    private static final int WAIT_YIELDS = 16;
    /**
     * Read logs beyond this size are not revalidated on every extension of a read-only
     * snapshot: each extension costs a pass over the log and pulls every logged cell's line into
     * this core, which slows writers down; such a reader validates once more and goes on as a
     * registered snapshot reader (continueAsSnapshot), or, if it cannot, re-runs as one.
     */
    private static final int EXTEND_LIMIT = 1024;
    // The read version while the snapshot extension of an attempt's first read is deferred (see
    // catchUp): below every version, so that every read takes the slow path.
    private static final long DEFERRED = Long.MIN_VALUE;

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
    public static final int FUNCTION = 6; // a BiFunction applied to the arguments given to call()

    private final long ownerWord = LockWord.lockedBy(OWNER_IDS.incrementAndGet());
    private final ReadLog reads = new ReadLog();
    /**
     * An empty log to hold the reads of an attempt that waits in retry() while its afterRollback
     * hooks run; null while in use.
     */
    private ReadLog readsSetAside;
    private final WriteLog writes = new WriteLog();
    private final WriteLog locals = new WriteLog();   // TxnLocal values: keyed like cells, never published
    private final UndoLog undo = new UndoLog();
    private final Hooks hooks = new Hooks();
    private final SnapshotSet snapshotReaders = new SnapshotSet();
    private Waiter waiter;         // created on the first retry() wait
    /**
     * This thread's spin budget for retry() waits (see MIN_WAIT_SPINS): doubled when a wait ended
     * within its spins, halved when it outlived them, so a thread whose waker runs on another
     * core spins and one that shares its core with the waker yields early. Owner only.
     */
    private int waitSpins = 64;
    private ContentionManager contentionManager; // null: the engine's default backoff
    private final TxnCounters counters = TxnCounters.register(this);
    private AbortCause abortCause = AbortCause.READ_CONFLICT; // why the current attempt lost
    private TxnCell conflictCell;  // the cell it lost on, where known
    private WeftEvents.CommitEvent commitEvent; // non-null while a recording wants commit events
    private String site;           // the transaction's site while conflict profiling is on, else null
    private long opponent = -1;    // owner id of the transaction that beat this attempt, if known
    private boolean appended;      // the last entryForWrite appended a new entry

    private int depth;             // nesting depth; 0 = no transaction running on this thread
    private boolean doomed;        // this attempt lost a conflict; the body must unwind
    private boolean lostOnRead;    // the last conflict was detected by a read (not at commit)
    private int mode;
    private long readVersion;      // DEFERRED while the only read is newer than the clock read at begin
    private long deferredVersion;  // the version of that read, while readVersion is DEFERRED
    private boolean sortedLocking; // this commit locks in lockOrder (see lockWrites)
    private int snapshotSlot = -1;
    // An attempt of this transaction became a registered snapshot reader part-way (see
    // continueAsSnapshot) and then wrote or called retry(), which such an attempt cannot do: the
    // rest of this transaction's attempts abort at the extension limit instead.
    private boolean snapshotPartWayFailed;
    private int attempts;          // aborted attempts of the current transaction
    private boolean holdsToken;
    // True while commit() runs user code (commute functions, the external decider): they must
    // not read contended refs, write new ones, nest transactions or retry (misuseAtCommit).
    private boolean committing;
    private long seed = System.nanoTime() | 1;

    // Closed nesting: redo-log entries below these indexes existed before the innermost nested
    // scope began, so overwriting one inside it records its old content in the undo log.
    private int savepoint;
    private int localsSavepoint;

    // The running top-level transaction's options, spread into fields read on hot paths.
    private TxnOptions options = TxnOptions.DEFAULT;
    private boolean readOnly;
    // Counts the attempts of top-level transactions this descriptor began: tells them apart (number()).
    private long number;
    /*
     * Scopes, for structures that hold what a scope read (an iterator): every scope this
     * descriptor begins (a top-level attempt, a nested atomic, an orElse alternative) gets the
     * next serial from scopesBegun, never reset; scopeSerial is the innermost running one's. A
     * scope rolled back alone, with serial s while scopesBegun was e, rolled back exactly the
     * scopes with serials in [s, e]: itself and the scopes begun inside it (every scope begun
     * while s ran is inside s). rolledBackScopes holds those [s, e] pairs of the running attempt
     * (scopeRollbacks of them; reset by begin()): scopeRolledBack(..) tells a holder whether a
     * scope it read in has been rolled back.
     */
    private long scopesBegun;
    private long scopeSerial;
    private long[] rolledBackScopes = new long[8];
    private int scopeRollbacks;
    private int maxAttempts = Integer.MAX_VALUE;
    private long deadline;         // System.nanoTime() deadline; meaningful when hasDeadline
    private boolean hasDeadline;
    private ExternalDecider decider;

    // retry(): time this transaction spent blocked so far, and the smallest retryFor limit
    // signalled by the current attempt (Long.MAX_VALUE when none).
    private long retryWaitedNanos;
    private long retryLimitNanos = Long.MAX_VALUE;

    // Results: the last loaded value and the body's result, passed without boxing.
    private long loadedBits;
    private Object loadedObject;
    private long resultBits;
    private Object resultObject;
    private Object firstArgument;  // the arguments of the FUNCTION body call() is running, else null
    private Object secondArgument;

    private int slotMisses;        // lookups of this descriptor that missed the cache (lookUp)

    private Transaction(Thread home) {
        super(home);
    }

    /** This thread's descriptor (created on first use; a field read on a {@link TxnThread}). */
    @SuppressWarnings("deprecation") // Thread.getId: threadId() exists only from JDK 19
    public static Transaction current() {
        Thread thread = Thread.currentThread();
        if (thread instanceof TxnThread worker) {
            return (Transaction) worker.descriptor();
        }
        int slot = (int) thread.getId() & (BY_THREAD_ID.length - 1);
        Transaction cached = BY_THREAD_ID[slot];
        if (cached != null && cached.home == thread) {
            return cached;
        }
        return lookUp(slot);
    }

    private static Transaction lookUp(int slot) {
        Transaction txn = CURRENT.get();
        if (BY_THREAD_ID[slot] == null || (++txn.slotMisses & (SLOT_CLAIM_EVERY - 1)) == 0) {
            BY_THREAD_ID[slot] = txn;
        }
        return txn;
    }

    /** The number of slots of the descriptor cache (for tests). */
    static int lookupSlots() {
        return BY_THREAD_ID.length;
    }

    /** Whether the descriptor cache's slot for {@code thread} holds {@code txn} (for tests). */
    static boolean cachedAt(Thread thread, Transaction txn) {
        @SuppressWarnings("deprecation") int slot = (int) thread.getId() & (BY_THREAD_ID.length - 1);
        return BY_THREAD_ID[slot] == txn;
    }

    /** This thread's running transaction, or null when none is running. */
    public static Transaction active() {
        Transaction txn = current();
        return txn.depth > 0 ? txn : null;
    }

    /** A descriptor for a {@link TxnThread}, which keeps it in a field. */
    public static Object newDescriptor() {
        return new Transaction(null);
    }

    /** The owner id this descriptor's commits put in lock words (for contention managers). */
    public long ownerId() {
        return ownerWord >>> 2;
    }

    /** Installs this thread's contention manager (null for the engine's default). */
    public void setContentionManager(ContentionManager manager) {
        contentionManager = manager;
        if (manager != null && !WriterTable.enabled) {
            WriterTable.enabled = true; // from now on validation failures can name the winner
        }
    }

    public boolean isActive() {
        return depth > 0;
    }

    /**
     * The number of the running attempt among the top-level attempts this descriptor began (a
     * nested atomic shares its enclosing attempt's), or -1 when none is running.
     */
    public long number() {
        return depth > 0 ? number : -1;
    }

    /** The serial of the innermost running scope (see "Scopes" at the fields); meaningful while active. */
    public long scopeSerial() {
        return scopeSerial;
    }

    /** How many scopes of the running attempt have been rolled back alone so far. */
    public int scopeRollbacks() {
        return scopeRollbacks;
    }

    /**
     * Whether the scope with {@code serial} is among those rolled back by the running attempt's
     * scope rollbacks from the {@code since}-th on.
     */
    public boolean scopeRolledBack(long serial, int since) {
        long[] pairs = rolledBackScopes;
        for (int i = Math.max(0, since), n = scopeRollbacks; i < n; i++) {
            if (pairs[2 * i] <= serial && serial <= pairs[2 * i + 1]) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ running a body

    /**
     * Runs {@code body} atomically. A call inside a running transaction joins it as a nested scope
     * (closed nesting: if the body throws, exactly its own writes are rolled back).
     * Results of supplier bodies are left in {@link #takeResultObject()} / {@link #resultBits()}.
     */
    public void execute(Object body, int kind) {
        run(body, kind, TxnOptions.DEFAULT);
    }

    /** {@link #execute(Object, int)} with options (ignored when joining a running transaction). */
    public void execute(Object body, int kind, TxnOptions options) {
        run(body, kind, options);
    }

    /**
     * Runs {@code body} irrevocably from its first attempt (it cannot abort); inside a running
     * transaction it joins it as {@link #execute} does.
     */
    public void executeIrrevocably(Object body, int kind) {
        run(body, kind, IRREVOCABLE_OPTIONS);
    }

    private static final TxnOptions IRREVOCABLE_OPTIONS = TxnOptions.DEFAULT.withIrrevocable(true);

    /**
     * Runs {@code body.apply(first, second)} atomically, as {@link #execute} runs a supplier, and
     * returns its result. With a non-capturing {@code body} (a static lambda or an unbound method
     * reference) nothing is allocated per call: the arguments wait in fields of this descriptor,
     * where every attempt finds them (a nested call saves and restores the enclosing call's).
     */
    @SuppressWarnings("unchecked")
    public Object call(BiFunction<?, ?, ?> body, Object first, Object second) {
        Object outerFirst = firstArgument;
        Object outerSecond = secondArgument;
        firstArgument = first;
        secondArgument = second;
        try {
            run(body, FUNCTION, TxnOptions.DEFAULT);
        } finally {
            firstArgument = outerFirst;
            secondArgument = outerSecond;
        }
        return takeResultObject();
    }

    /*
     * The attempt loop. Kept small on purpose: everything that happens only on an abort, a retry,
     * an exception or a hook lives in the methods it calls, so the JIT compiles this loop (and
     * the ones of execute and Stm.atomic around it) into the caller and inlines the body, the
     * reads and the read-only commit into one piece of code.
     */
    private void run(Object body, int kind, TxnOptions options) {
        if (depth > 0) {
            runNested(body, kind);
            return;
        }
        start(options, body);
        try {
            for (;;) {
                begin();
                try {
                    invoke(body, kind);
                    if (hooks.size != 0) {
                        runBeforeCommitHooks();
                    }
                } catch (Throwable failure) {
                    recover(failure);
                    continue;
                }
                if (commitAttempt()) {
                    return;
                }
                abortAndPrepareRetry();
            }
        } finally {
            finish();
        }
    }

    /**
     * The body (or a before-commit hook) threw: prepares the next attempt after a conflict or a
     * {@code retry()}, otherwise rolls back and rethrows.
     */
    private void recover(Throwable failure) {
        if (doomed || failure == ConflictSignal.INSTANCE) {
            abortAndPrepareRetry();
        } else if (failure == RetrySignal.INSTANCE) {
            awaitChange();
        } else {
            throw rollback(failure);
        }
    }

    /**
     * Commits the attempt. True when it committed; then the statistics, the contention manager,
     * the commit event and the after-commit hooks have had their turn.
     */
    private boolean commitAttempt() {
        int readCount = reads.size;
        int writeCount = writes.size;
        if (doomed) {
            return false;
        }
        if (writeCount == 0 && decider == null) {
            if (mode == IRREVOCABLE) {
                releaseReservations(); // it reserved what it read: give those back too
            }
            endAttempt(); // read-only: serialized at its read version, nothing to lock or validate
        } else {
            boolean committed;
            try {
                committed = commit();
            } catch (Throwable failure) { // nothing was published; the locks are released
                throw rollback(failure);
            }
            if (!committed) {
                return false;
            }
        }
        counters.increment(writeCount == 0 ? TxnCounters.READ_ONLY_COMMITS : TxnCounters.COMMITS);
        if (contentionManager != null) {
            contentionManager.onCommit(attempts, readCount, writeCount);
        }
        if (commitEvent != null) {
            emitCommit(readCount, writeCount);
        }
        if (hooks.size != 0) {
            runAfterCommitHooks();
        }
        return true;
    }

    /** The transaction is over, committed or not. */
    private void finish() {
        depth = 0;
        decider = null;
        hooks.clear();
        releaseToken();
    }

    private void start(TxnOptions options, Object body) {
        site = ConflictProfiler.isOn() ? ConflictProfiler.siteOf(body, ownerId()) : null;
        this.options = options;
        readOnly = options.readOnly();
        maxAttempts = options.maxAttempts();
        Duration timeout = options.timeout();
        hasDeadline = timeout != null;
        if (hasDeadline) {
            deadline = System.nanoTime() + saturatedNanos(timeout);
        }
        mode = options.irrevocable() ? IRREVOCABLE : OPTIMISTIC;
        attempts = 0;
        snapshotPartWayFailed = false;
        retryWaitedNanos = 0;
        if (WeftEvents.commitEnabled()) {
            commitEvent = new WeftEvents.CommitEvent();
            commitEvent.begin();
        } else {
            commitEvent = null;
        }
    }

    private void emitCommit(int readCount, int writeCount) {
        WeftEvents.CommitEvent event = commitEvent;
        commitEvent = null;
        event.end();
        if (event.shouldCommit()) {
            event.attempts = attempts + 1;
            event.reads = readCount;
            event.writes = writeCount;
            event.mode = mode == IRREVOCABLE ? "irrevocable" : mode == SNAPSHOT ? "snapshot" : "optimistic";
            event.commit();
        }
    }

    /** Counts (and, while a recording wants it, reports) the end of an attempt. */
    private void recordAbort(AbortCause cause) {
        counters.abort(cause);
        if (site != null && (cause == AbortCause.READ_CONFLICT || cause == AbortCause.WRITE_CONFLICT
                || cause == AbortCause.VALIDATION)) {
            ConflictProfiler.aborted(site, conflictCell, opponent);
        }
        if (WeftEvents.abortEnabled()) {
            WeftEvents.AbortEvent event = new WeftEvents.AbortEvent();
            event.cause = cause.name();
            event.attempt = attempts + 1;
            event.ref = conflictCell == null ? null : describe(conflictCell);
            event.opponent = opponent;
            event.commit();
        }
        conflictCell = null;
    }

    private static String describe(TxnCell cell) {
        return ConflictProfiler.name(cell);
    }

    private void recordEscalation() {
        counters.increment(TxnCounters.ESCALATIONS);
        if (WeftEvents.escalationEnabled()) {
            WeftEvents.EscalationEvent event = new WeftEvents.EscalationEvent();
            event.attempts = attempts;
            event.commit();
        }
    }

    /** A snapshot of every thread's counters. */
    public static StmStatistics statistics() {
        return TxnCounters.snapshot();
    }

    public static void resetStatistics() {
        TxnCounters.reset();
    }

    public static void startConflictProfiling() {
        ConflictProfiler.start();
    }

    public static dev.weft.stm.ConflictReport conflictReport() {
        return ConflictProfiler.report();
    }

    public static dev.weft.stm.ConflictReport stopConflictProfiling() {
        return ConflictProfiler.stop();
    }

    /** Names a cell for diagnostics (conflict reports, JFR). */
    public static void label(TxnCell cell, String label) {
        CellAccess.setLabel(cell, label);
    }

    public static String labelOf(TxnCell cell) {
        return CellAccess.label(cell);
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }

    /**
     * Takes the irrevocable token, waiting at most until the deadline when the transaction has
     * one ({@code TransactionTimeoutException} then, as for every wait of a transaction); an
     * interrupt ends the wait with {@code TransactionInterruptedException}, as it ends a
     * {@code retry()} wait (the status stays set). If the
     * wait fails part-way (a StackOverflowError the lock defers past its return), whether the
     * token was taken is read back, so that finish() gives back exactly what is held.
     */
    private void takeToken() {
        try {
            boolean taken = IRREVOCABLE_TOKEN.tryLock(); // free: no wait, so no interrupt matters
            if (!taken && !hasDeadline) {
                IRREVOCABLE_TOKEN.lockInterruptibly();
                taken = true;
            } else if (!taken) {
                taken = IRREVOCABLE_TOKEN.tryLock(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            if (!taken) {
                recordAbort(AbortCause.TIMEOUT);
                throw new TransactionTimeoutException(options.timeout());
            }
            holdsToken = true;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt(); // kept, as by an interrupted retry() wait
            recordAbort(AbortCause.INTERRUPTED);
            throw new TransactionInterruptedException();
        } catch (Throwable failure) {
            holdsToken = IRREVOCABLE_TOKEN.isHeldByCurrentThread();
            throw failure;
        }
    }

    private void releaseToken() {
        if (holdsToken) {
            holdsToken = false;
            IRREVOCABLE_TOKEN.unlock();
        }
    }

    /**
     * A nested {@code atomic}: runs in the enclosing transaction; if the body throws an exception
     * (not a conflict or retry signal, which unwind the whole attempt), its writes, transaction-
     * local values and hooks are rolled back before the exception leaves the scope.
     */
    private void runNested(Object body, int kind) {
        if (committing) {
            throw misuseAtCommit("a nested Stm.atomic");
        }
        runScope(body, kind, false);
    }

    /**
     * {@code orElse}: runs {@code first} as a nested scope; if it calls {@code retry()}, rolls back
     * exactly its writes (its reads stay logged, so a later wait covers them too) and runs
     * {@code second} as a nested scope, whose {@code retry()} propagates.
     */
    public void orElse(Object first, Object second, int kind) {
        requireActive("orElse");
        if (committing) {
            throw misuseAtCommit("Stm.orElse");
        }
        if (!runScope(first, kind, true)) {
            runScope(second, kind, false);
        }
    }

    /**
     * Runs {@code body} as a nested scope of the running attempt (closed nesting). If it throws
     * an exception, its writes, transaction-local values and hooks are rolled back and the
     * exception propagates. A conflict unwinds the whole attempt; so does a {@code retry()},
     * unless {@code catchRetry}: then the scope is rolled back alone and this returns false.
     *
     * @return true when the body completed (its writes now belong to the enclosing scope)
     */
    private boolean runScope(Object body, int kind, boolean catchRetry) {
        int writesMark = writes.size;
        int localsMark = locals.size;
        int undoMark = undo.size;
        int hooksMark = hooks.size;
        int outerSavepoint = savepoint;
        int outerLocalsSavepoint = localsSavepoint;
        ExternalDecider outerDecider = decider;
        savepoint = writesMark;
        localsSavepoint = localsMark;
        long outerScope = scopeSerial;
        long scope = scopeSerial = ++scopesBegun;
        depth++;
        try {
            invoke(body, kind);
            return true;
        } catch (Throwable failure) {
            if (doomed || failure == ConflictSignal.INSTANCE || (failure == RetrySignal.INSTANCE && !catchRetry)) {
                throw failure;
            }
            rollbackScope(scope, writesMark, localsMark, undoMark, hooksMark, outerDecider, failure);
            if (failure != RetrySignal.INSTANCE) {
                throw failure;
            }
            return false;
        } finally {
            depth--;
            scopeSerial = outerScope;
            savepoint = outerSavepoint;
            localsSavepoint = outerLocalsSavepoint;
        }
    }

    /**
     * Partial rollback of a nested scope: back to the log sizes and hooks at its start, then the
     * scope's afterRollback hooks, inside the enclosing transaction. They all run; an exception
     * from one is suppressed onto {@code failure}, the scope's own exception, or, when the scope
     * retried ({@code failure} is the retry signal), propagates from the scope once all have run.
     */
    private void rollbackScope(long scope, int writesMark, int localsMark, int undoMark, int hooksMark,
                               ExternalDecider outerDecider, Throwable failure) {
        recordScopeRollback(scope);
        undo.rollbackTo(undoMark);
        writes.truncate(writesMark);
        locals.truncate(localsMark);
        decider = outerDecider;
        if (hooks.any(Hooks.AFTER_ROLLBACK, hooksMark)) {
            Runnable[] rolledBack = hooks.copy(Hooks.AFTER_ROLLBACK, hooksMark);
            hooks.truncate(hooksMark);
            Throwable hookFailure = null;
            for (Runnable hook : rolledBack) {
                try {
                    hook.run();
                } catch (Throwable thrown) {
                    if (doomed || thrown == CONFLICT || thrown == RETRY) {
                        throw thrown; // the hook's read lost a conflict, or it retried: the attempt unwinds
                    }
                    if (hookFailure == null) {
                        hookFailure = thrown;
                    } else {
                        hookFailure.addSuppressed(thrown);
                    }
                }
            }
            if (hookFailure != null) {
                if (failure == RETRY) {
                    throw sneaky(hookFailure);
                }
                failure.addSuppressed(hookFailure);
            }
        } else {
            hooks.truncate(hooksMark);
        }
    }

    /** Records that the scope {@code scope} and every scope begun inside it are rolled back. */
    private void recordScopeRollback(long scope) {
        int i = scopeRollbacks;
        if (2 * i + 1 >= rolledBackScopes.length) {
            rolledBackScopes = Arrays.copyOf(rolledBackScopes, rolledBackScopes.length * 2);
        }
        rolledBackScopes[2 * i] = scope;
        rolledBackScopes[2 * i + 1] = scopesBegun;
        scopeRollbacks = i + 1;
    }

    @SuppressWarnings("unchecked")
    private void invoke(Object body, int kind) {
        switch (kind) {
            case RUNNABLE -> ((Runnable) body).run();
            case SUPPLIER -> resultObject = ((Supplier<?>) body).get();
            case LONG_SUPPLIER -> resultBits = ((LongSupplier) body).getAsLong();
            case INT_SUPPLIER -> resultBits = ((IntSupplier) body).getAsInt();
            case DOUBLE_SUPPLIER -> resultBits = Double.doubleToRawLongBits(((DoubleSupplier) body).getAsDouble());
            case BOOLEAN_SUPPLIER -> resultBits = ((BooleanSupplier) body).getAsBoolean() ? 1 : 0;
            case FUNCTION -> resultObject = ((BiFunction<Object, Object, Object>) body).apply(firstArgument, secondArgument);
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
        number++;
        scopeSerial = ++scopesBegun;
        scopeRollbacks = 0;
        depth = 1;
        doomed = false;
        lostOnRead = false;
        retryLimitNanos = Long.MAX_VALUE;
        switch (mode) {
            case IRREVOCABLE -> {
                if (!holdsToken) {
                    takeToken();
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

    /**
     * Ends the attempt (committed or not): empties the logs, leaves the snapshot registry, and
     * forgets the attempt's external decider (the next attempt sets its own, or none).
     */
    private void endAttempt() {
        reads.clear();
        writes.clear();
        locals.clear();
        undo.clear();
        decider = null;
        if (snapshotSlot >= 0) {
            SnapshotRegistry.deregister(snapshotSlot);
            snapshotSlot = -1;
        }
    }

    private void abortAndPrepareRetry() {
        boolean readOnlyAttempt = writes.size == 0;
        boolean onRead = lostOnRead;
        int readCount = reads.size;
        int writeCount = writes.size;
        recordAbort(abortCause);
        if (mode == IRREVOCABLE) {
            releaseReservations(); // only a retry() or a lost commit lock race can end it here
        }
        endAttempt();
        attempts++;
        endAttemptHooks(null);
        if (attempts >= maxAttempts) {
            throw new TooManyAttemptsException(attempts);
        }
        checkDeadline();
        long beatenBy = opponent;
        opponent = -1;
        if (contentionManager != null) {
            int decision = contentionManager.onConflict(attempts, onRead, beatenBy, readCount, writeCount);
            if (decision == ContentionManager.ESCALATE) {
                if (mode != IRREVOCABLE) {
                    recordEscalation();
                }
                mode = IRREVOCABLE;
                return;
            }
            if (mode == OPTIMISTIC && readOnlyAttempt && onRead) {
                mode = SNAPSHOT;
                return;
            }
            mode = options.irrevocable() ? IRREVOCABLE : OPTIMISTIC;
            if (decision == ContentionManager.RETRY_NOW) {
                return;
            }
            backoff();
            return;
        }
        if (attempts >= IRREVOCABLE_AFTER) {
            if (mode != IRREVOCABLE) {
                recordEscalation();
            }
            mode = IRREVOCABLE;
        } else if (mode == OPTIMISTIC && readOnlyAttempt && onRead) {
            mode = SNAPSHOT; // cannot lose on a read again: no backoff needed
            return;
        } else {
            mode = options.irrevocable() ? IRREVOCABLE : OPTIMISTIC;
        }
        backoff();
    }

    private void checkDeadline() {
        if (hasDeadline && System.nanoTime() - deadline >= 0) {
            recordAbort(AbortCause.TIMEOUT);
            throw new TransactionTimeoutException(options.timeout());
        }
    }

    /**
     * The body (or a hook, or the commit) threw: discard the attempt (nothing was published), run
     * the afterRollback hooks, and rethrow {@code failure} unchanged (declared to return so that
     * callers can write {@code throw rollback(e)}).
     */
    private RuntimeException rollback(Throwable failure) {
        recordAbort(failure instanceof TransactionInterruptedException ? AbortCause.INTERRUPTED
                : failure instanceof CommitRejectedException ? AbortCause.REJECTED
                : AbortCause.EXCEPTION);
        if (mode == IRREVOCABLE) {
            releaseReservations();
        }
        endAttempt();
        endAttemptHooks(failure);
        throw sneaky(failure);
    }

    /**
     * After an attempt rolled back: forget its hooks, running its afterRollback hooks outside the
     * transaction. A hook's exception is added to {@code failure} when the attempt failed with
     * one, and otherwise ends the transaction (the attempt is already rolled back).
     */
    private void endAttemptHooks(Throwable failure) {
        if (hooks.size == 0) {
            return;
        }
        if (!hooks.any(Hooks.AFTER_ROLLBACK, 0)) {
            hooks.clear();
            return;
        }
        Runnable[] afterRollback = hooks.copy(Hooks.AFTER_ROLLBACK, 0);
        hooks.clear();
        releaseToken(); // hooks run outside the transaction; a next irrevocable attempt takes it again
        Throwable hookFailure = runOutside(afterRollback);
        if (hookFailure != null) {
            if (failure != null) {
                failure.addSuppressed(hookFailure);
            } else {
                throw sneaky(hookFailure);
            }
        }
    }

    private void runBeforeCommitHooks() {
        Object bodyResultObject = resultObject; // a hook's nested value-returning atomic overwrites them
        long bodyResultBits = resultBits;
        for (int i = 0; i < hooks.size; i++) { // hooks may register more hooks
            if (hooks.kind(i) == Hooks.BEFORE_COMMIT) {
                hooks.hook(i).run();
            }
        }
        resultObject = bodyResultObject;
        resultBits = bodyResultBits;
    }

    private void runAfterCommitHooks() {
        Runnable[] afterCommit = hooks.copy(Hooks.AFTER_COMMIT, 0);
        hooks.clear();
        releaseToken();
        Throwable failure = runOutside(afterCommit);
        if (failure != null) {
            throw new AfterCommitException(failure);
        }
    }

    /**
     * Runs hooks on this thread outside the transaction (they may run transactions of their own on
     * this descriptor), preserving the state of the transaction being finished. Returns the first
     * exception thrown, with later ones suppressed on it, or null.
     */
    private Throwable runOutside(Runnable[] toRun) {
        int savedAttempts = attempts;
        int savedMode = mode;
        boolean savedSnapshotPartWayFailed = snapshotPartWayFailed;
        boolean savedToken = holdsToken;
        TxnOptions savedOptions = options;
        boolean savedReadOnly = readOnly;
        int savedMaxAttempts = maxAttempts;
        long savedDeadline = deadline;
        boolean savedHasDeadline = hasDeadline;
        long savedWaited = retryWaitedNanos;
        long savedResultBits = resultBits;
        Object savedResultObject = resultObject;
        long savedNumber = number;
        String savedSite = site;
        WeftEvents.CommitEvent savedCommitEvent = commitEvent;
        long savedOpponent = opponent;
        AbortCause savedAbortCause = abortCause;
        int savedDepth = depth;
        depth = 0;
        holdsToken = false;
        Throwable failure = null;
        for (Runnable hook : toRun) {
            try {
                hook.run();
            } catch (Throwable thrown) {
                if (failure == null) {
                    failure = thrown;
                } else {
                    failure.addSuppressed(thrown);
                }
            }
        }
        depth = savedDepth;
        attempts = savedAttempts;
        mode = savedMode;
        snapshotPartWayFailed = savedSnapshotPartWayFailed;
        holdsToken = savedToken;
        options = savedOptions;
        readOnly = savedReadOnly;
        maxAttempts = savedMaxAttempts;
        deadline = savedDeadline;
        hasDeadline = savedHasDeadline;
        retryWaitedNanos = savedWaited;
        resultBits = savedResultBits;
        resultObject = savedResultObject;
        number = savedNumber;
        site = savedSite;
        commitEvent = savedCommitEvent;
        opponent = savedOpponent;
        abortCause = savedAbortCause;
        decider = null;
        return failure;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable failure) throws T {
        throw (T) failure;
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

    private void conflictOnRead(TxnCell cell) {
        if (committing) { // most likely a cell this commit has locked
            throw misuseAtCommit("a read of a ref the commit is writing");
        }
        abortCause = AbortCause.READ_CONFLICT;
        conflictCell = cell;
        doomed = true;
        lostOnRead = true;
        throw ConflictSignal.INSTANCE;
    }

    /**
     * The error for {@code what}, done by a commute function or an external decider while the
     * commit runs them: the commit rolls back and the exception propagates from {@code atomic}.
     */
    private static IllegalStateException misuseAtCommit(String what) {
        return new IllegalStateException(what + " inside a commute function or an external decider: "
                + "they run inside the commit, holding its locks, and must be pure functions of their "
                + "argument (a decider must not touch refs); do that work in the body or in a "
                + "beforeCommit hook instead. The transaction rolled back.");
    }

    /**
     * A one-operation call or a peek ({@code toString}) found a cell commit-locked with
     * {@code word}: if the lock is this thread's own commit, which is running the caller (a
     * commute function or an external decider), waiting would never end; refuse instead.
     */
    static void refuseOwnCommit(long word) {
        if (LockWord.isCommitLocked(word) && LockWord.owner(word) != 0) {
            Transaction txn = current();
            if (txn.committing && word == txn.ownerWord) {
                throw misuseAtCommit("a one-operation call or toString() of a ref the commit is writing");
            }
        }
    }

    private void checkUsable() {
        if (doomed) {
            throw ConflictSignal.INSTANCE;
        }
    }

    private void requireActive(String operation) {
        if (depth == 0) {
            throw new IllegalStateException(operation + "() must be called inside a transaction on "
                    + "this thread (Stm.atomic(() -> ...)); no transaction is running on thread '"
                    + Thread.currentThread().getName() + "'.");
        }
    }

    // ------------------------------------------------------------------ retry

    /** {@code retry()}: abandon the attempt and wait until something it read changes. */
    public void retry() {
        requireActive("retry");
        if (committing) {
            throw misuseAtCommit("Stm.retry()");
        }
        throw RetrySignal.INSTANCE;
    }

    /**
     * {@code retryFor(nanos)}: as {@link #retry()}, but returns normally once this transaction has
     * spent {@code nanos} blocked in total.
     */
    public void retryFor(long nanos) {
        requireActive("retryFor");
        if (committing) {
            throw misuseAtCommit("Stm.retryFor");
        }
        if (retryWaitedNanos >= nanos) {
            return;
        }
        retryLimitNanos = Math.min(retryLimitNanos, nanos);
        throw RetrySignal.INSTANCE;
    }

    /**
     * The attempt called retry: roll it back, wait (see WaitTable for the protocol) until a cell it
     * read may have changed, its retryFor limit or deadline passes, or the thread is interrupted.
     */
    private void awaitChange() {
        recordAbort(AbortCause.RETRY);
        if (mode == SNAPSHOT) { // logged no reads (or not all): re-run at once as an ordinary attempt
            snapshotPartWayFailed |= reads.size > 0;
            endAttempt();
            endAttemptHooks(null);
            checkDeadline();
            mode = OPTIMISTIC;
            return;
        }
        if (reads.size == 0) {
            throw rollback(new IllegalStateException("retry() was called by a transaction that has "
                    + "read nothing, so no commit could ever wake it. Read the refs whose change "
                    + "should end the wait before calling retry()."));
        }
        if (mode == IRREVOCABLE) {
            releaseReservations();
        }
        releaseToken(); // never wait holding what other irrevocable transactions need
        if (hooks.size != 0) {
            runRollbackHooksBeforeWait();
        }
        Waiter self = waiter;
        if (self == null) {
            self = waiter = new Waiter(Thread.currentThread());
        }
        long limit = retryLimitNanos;
        boolean interrupted = false;
        boolean parked = false;
        boolean blockReported = false;
        long started = System.nanoTime();
        WaitTable.enter(self, reads.cells, reads.size);
        try {
            WaitProbe.run(WaitProbe.afterEnter);
            if (WaitProbe.skipValidation || readsUnchanged()) {
                WaitProbe.run(WaitProbe.beforePark);
                parked = true;
                counters.increment(TxnCounters.BLOCKED_WAITS);
                // A commit often follows within microseconds (a producer/consumer handoff): watch
                // the flag for a few microseconds, then yield a few times, before paying for a
                // park and an unpark (a yield lets the other thread of a handoff run at once).
                int spins = waitSpins;
                int spin = 0;
                while (spin < spins + WAIT_YIELDS && !self.isWoken()) {
                    if (spin++ < spins) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                }
                waitSpins = spin <= spins ? Math.min(MAX_WAIT_SPINS, spins * 2) : Math.max(MIN_WAIT_SPINS, spins / 2);
                if (contentionManager != null && !self.isWoken()) {
                    contentionManager.beforeBlock(); // only a wait that outlived the spin phase
                    blockReported = true;
                }
                for (;;) {
                    if (self.isWoken()) {
                        break;
                    }
                    if (Thread.interrupted()) {
                        interrupted = true;
                        break;
                    }
                    long now = System.nanoTime();
                    long remaining = Long.MAX_VALUE;
                    if (limit != Long.MAX_VALUE) {
                        remaining = limit - retryWaitedNanos - (now - started);
                    }
                    if (hasDeadline) {
                        remaining = Math.min(remaining, deadline - now);
                    }
                    if (remaining <= 0) {
                        break;
                    }
                    if (remaining == Long.MAX_VALUE) {
                        LockSupport.park(this);
                    } else {
                        LockSupport.parkNanos(this, remaining);
                    }
                }
            }
        } finally {
            WaitTable.leave(self);
            if (blockReported) {
                contentionManager.afterBlock();
            }
            long waited = System.nanoTime() - started;
            retryWaitedNanos += waited;
            if (WeftEvents.waitEnabled()) {
                WeftEvents.RetryWaitEvent event = new WeftEvents.RetryWaitEvent();
                event.refs = reads.size;
                event.waited = waited;
                event.outcome = !parked ? "changed-before-park" : interrupted ? "interrupted"
                        : self.isWoken() ? "woken" : "timed-out";
                event.commit();
            }
        }
        endAttempt();
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw rollback(new TransactionInterruptedException());
        }
        endAttemptHooks(null);
        checkDeadline();
        if (mode == SNAPSHOT) {
            mode = OPTIMISTIC;
        }
    }

    /**
     * Runs the afterRollback hooks of an attempt that called retry() before it waits, not after:
     * they release what the attempt took outside Weft (a permit, a reservation), and the thread
     * whose commit would end the wait may need it (until session 18 they ran after the wait, and
     * such a pair deadlocked). No wake-up is lost: the wait registers and checks the attempt's
     * reads after the hooks, against the attempt's read version. The hooks may run transactions
     * on this descriptor, which clear its logs and set its read version and retryFor limit, so
     * the reads the wait needs are set aside meanwhile and the two restored; the rest of the
     * attempt ends first (endAttempt: the attempt is rolled back, and a hook's transaction must
     * start with empty logs). A throwing hook ends the transaction with its exception, as it does
     * after any other rolled-back attempt.
     */
    private void runRollbackHooksBeforeWait() {
        ReadLog aside = readsSetAside;
        readsSetAside = null; // taken: a hook's transaction that waits with hooks of its own makes another
        if (aside == null) {
            aside = new ReadLog();
        }
        reads.swapContents(aside);
        endAttempt(); // the reads are aside: this drops the writes, locals, undo records and decider
        long savedReadVersion = readVersion;
        long savedDeferredVersion = deferredVersion;
        long savedRetryLimit = retryLimitNanos; // a retryFor(..) limit: a hook's begin() resets it
        Throwable hookFailure = null;
        try {
            endAttemptHooks(null);
        } catch (Throwable thrown) {
            hookFailure = thrown;
        }
        reads.clear(); // empty unless a hook's transaction failed half way
        reads.swapContents(aside);
        readsSetAside = aside; // empty again, for the next wait
        readVersion = savedReadVersion;
        deferredVersion = savedDeferredVersion;
        retryLimitNanos = savedRetryLimit;
        if (hookFailure != null) {
            endAttempt();
            throw sneaky(hookFailure);
        }
    }

    /** Whether every logged read is still of the version read and not commit-locked. */
    private boolean readsUnchanged() {
        ReadLog log = reads;
        boolean reserved = mode == IRREVOCABLE;
        long bound = validationBound();
        for (int i = 0, n = log.size; i < n; i++) {
            long word = CellAccess.lockWordVolatile(log.cells[i]);
            if (LockWord.isCommitLocked(word)) {
                return false;
            }
            long version = LockWord.version(word);
            if (reserved ? version != log.reservedVersions[i] : version > bound) {
                return false;
            }
        }
        return true;
    }

    /**
     * The version no logged optimistic read exceeds and every later commit to a logged cell does:
     * the read version, or while it is DEFERRED the version of the one cell read.
     */
    private long validationBound() {
        return readVersion == DEFERRED ? deferredVersion : readVersion;
    }

    // ------------------------------------------------------------------ hooks, locals, decider

    public void beforeCommit(Runnable hook) {
        requireActive("beforeCommit");
        hooks.add(Hooks.BEFORE_COMMIT, hook);
    }

    public void afterCommit(Runnable hook) {
        requireActive("afterCommit");
        hooks.add(Hooks.AFTER_COMMIT, hook);
    }

    public void afterRollback(Runnable hook) {
        requireActive("afterRollback");
        hooks.add(Hooks.AFTER_ROLLBACK, hook);
    }

    public void setExternalDecider(ExternalDecider externalDecider) {
        requireActive("setExternalDecider");
        if (decider != null && decider != externalDecider) {
            throw new IllegalStateException("This transaction already has an external decider; "
                    + "a transaction commits with at most one.");
        }
        decider = externalDecider;
    }

    /** The attempt's value of a transaction-local, creating it with {@code initial} on first use. */
    public Object localGet(LocalKey key, Supplier<?> initial) {
        requireActive("TxnLocal.get");
        checkUsable();
        WriteLog log = locals;
        int entry = log.indexOf(key);
        if (entry >= 0) {
            return log.objects[entry];
        }
        Object value = initial.get();
        entry = log.indexOf(key); // the supplier may have set it
        if (entry < 0) {
            entry = log.append(key);
            log.objects[entry] = value;
            return value;
        }
        return log.objects[entry];
    }

    public void localSet(LocalKey key, Object value) {
        requireActive("TxnLocal.set");
        checkUsable();
        WriteLog log = locals;
        int entry = log.indexOf(key);
        if (entry < 0) {
            entry = log.append(key);
        } else if (entry < localsSavepoint) {
            undo.record(log, entry);
        }
        log.objects[entry] = value;
    }

    // ------------------------------------------------------------------ reads and writes

    public long readLong(TxnCell cell) {
        load(cell);
        return loadedBits;
    }

    /**
     * The primitive half of the cell the latest {@link #readObject} or {@link #readLong} loaded
     * (a cell may carry raw bits next to its reference value: both are committed, versioned and
     * kept for snapshot readers together).
     */
    public long lastLoadedBits() {
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

    /** Writes both halves of a cell: raw bits next to a reference value (see {@link #lastLoadedBits}). */
    public void writeBitsAndObject(TxnCell cell, long bits, Object value) {
        write(cell, bits, value);
    }

    private void write(TxnCell cell, long bits, Object value) {
        int entry = entryForWrite(cell);
        WriteLog log = writes;
        log.bits[entry] = bits;
        log.objects[entry] = value;
    }

    /** The redo-log entry a write goes to (appended if new; old content saved in nested scopes). */
    private int entryForWrite(TxnCell cell) {
        checkUsable();
        if (readOnly) {
            throw new IllegalStateException("Write in a read-only transaction (TxnOptions.readOnly): "
                    + "run it without readOnly, or move the write out of this transaction.");
        }
        if (mode != OPTIMISTIC) {
            if (mode == IRREVOCABLE) {
                reserve(cell);
            } else { // a registered snapshot logs no reads, so it cannot validate a write
                snapshotPartWayFailed |= reads.size > 0;
                abortCause = AbortCause.READ_CONFLICT;
                doomed = true;
                throw ConflictSignal.INSTANCE;
            }
        }
        WriteLog log = writes;
        int entry = log.indexOf(cell);
        if (entry < 0) {
            if (committing) {
                throw misuseAtCommit("a write of a ref the transaction did not write before");
            }
            appended = true;
            return log.append(cell);
        }
        appended = false;
        if (entry < savepoint) {
            undo.record(log, entry);
        }
        return entry;
    }

    /**
     * {@code commute}: adds {@code delta} to a {@code long} (or, with {@code intCell}, an
     * {@code int}) cell at commit, to whatever value it then holds, without reading it now.
     */
    public void commuteAdd(TxnCell cell, long delta, boolean intCell) {
        if (mode == IRREVOCABLE) { // nothing can conflict with it: update in place
            long current = readLong(cell);
            writeLong(cell, intCell ? (int) current + (int) delta : current + delta);
            return;
        }
        int entry = entryForWrite(cell);
        WriteLog log = writes;
        Object pending = log.objects[entry];
        Commute mark = intCell ? Commute.ADD_INT_MARK : Commute.ADD_LONG_MARK;
        if (appended) {
            log.bits[entry] = delta;
            log.objects[entry] = mark;
            log.hasCommutes = true;
        } else if (pending == mark) {
            log.bits[entry] = intCell ? (int) log.bits[entry] + (int) delta : log.bits[entry] + delta;
        } else if (pending instanceof Commute) {
            log.objects[entry] = new Commute(intCell ? Commute.ADD_INT : Commute.ADD_LONG, delta, null,
                    Commute.chainOf(pending, log.bits[entry]));
        } else {
            long current = log.bits[entry];
            log.bits[entry] = intCell ? (int) current + (int) delta : current + delta;
        }
    }

    /** {@code commute} with a function on a primitive cell's raw bits. */
    public void commuteLong(TxnCell cell, LongUnaryOperator function) {
        if (mode == IRREVOCABLE) {
            writeLong(cell, function.applyAsLong(readLong(cell)));
            return;
        }
        int entry = entryForWrite(cell);
        WriteLog log = writes;
        Object pending = log.objects[entry];
        if (appended) {
            log.objects[entry] = new Commute(Commute.LONG_FUNCTION, 0, function, null);
            log.hasCommutes = true;
        } else if (pending instanceof Commute) {
            log.objects[entry] = new Commute(Commute.LONG_FUNCTION, 0, function,
                    Commute.chainOf(pending, log.bits[entry]));
        } else {
            log.bits[entry] = function.applyAsLong(log.bits[entry]);
        }
    }

    /** {@code commute} with a function on a reference cell. */
    public void commuteObject(TxnCell cell, UnaryOperator<?> function) {
        if (mode == IRREVOCABLE) {
            @SuppressWarnings("unchecked") UnaryOperator<Object> f = (UnaryOperator<Object>) function;
            writeObject(cell, f.apply(readObject(cell)));
            return;
        }
        int entry = entryForWrite(cell);
        WriteLog log = writes;
        Object pending = log.objects[entry];
        if (appended) {
            log.objects[entry] = new Commute(Commute.OBJECT_FUNCTION, 0, function, null);
            log.hasCommutes = true;
        } else if (pending instanceof Commute) {
            log.objects[entry] = new Commute(Commute.OBJECT_FUNCTION, 0, function,
                    Commute.chainOf(pending, log.bits[entry]));
        } else {
            @SuppressWarnings("unchecked") UnaryOperator<Object> f = (UnaryOperator<Object>) function;
            log.objects[entry] = f.apply(pending);
        }
    }

    /** Loads the cell's value as of this transaction into loadedBits / loadedObject. */
    private void load(TxnCell cell) {
        checkUsable();
        WriteLog log = writes;
        if (log.size != 0) {
            int entry = log.indexOf(cell);
            if (entry >= 0) {
                Object object = log.objects[entry];
                if (log.hasCommutes && object instanceof Commute) {
                    materialize(cell, entry, (Commute) object);
                    object = log.objects[entry];
                }
                loadedBits = log.bits[entry];
                loadedObject = object;
                return;
            }
        }
        loadCommitted(cell);
    }

    /**
     * The transaction reads a cell it has pending commutes on: read the cell as any other read
     * (validated at commit from now on) and apply the commutes to it, turning the entry into an
     * ordinary write.
     */
    private void materialize(TxnCell cell, int entry, Commute pending) {
        WriteLog log = writes;
        long pendingBits = log.bits[entry];
        loadCommitted(cell);
        if (entry < savepoint) {
            undo.record(log, entry);
        }
        if (pending.kind == Commute.OBJECT_FUNCTION) {
            log.objects[entry] = pending.applyObject(loadedObject);
            log.bits[entry] = 0;
        } else {
            log.bits[entry] = pending.applyLong(loadedBits, pendingBits);
            log.objects[entry] = null;
        }
        loadedObject = null;
    }

    /** Loads the committed value visible to this transaction (ignoring its own writes). */
    private void loadCommitted(TxnCell cell) {
        if (mode != IRREVOCABLE) {
            long first = CellAccess.lockWordAcquire(cell);
            long bits = CellAccess.longValueOpaque(cell);
            Object object = CellAccess.objectValue(cell);
            VarHandle.acquireFence();
            long second = CellAccess.lockWordOpaque(cell);
            if (LockWord.sameValue(first, second)) {
                long version = LockWord.version(first);
                if (version <= readVersion) {
                    if (mode == OPTIMISTIC) {
                        reads.add(cell); // a registered snapshot is never validated
                    }
                    loadedBits = bits;
                    loadedObject = object;
                    return;
                }
                if (mode == OPTIMISTIC) {
                    catchUp(cell, version);
                    loadedBits = bits;
                    loadedObject = object;
                    return;
                }
            }
        }
        loadSlow(cell);
    }

    /**
     * An optimistic read found the cell unlocked at {@code version}, newer than the snapshot (it
     * was committed since the clock last moved; see GlobalClock): advance the clock past it, log
     * the read, and extend the snapshot to the clock's time by validating every logged read, this
     * one included, after reading that time (LSA). On return the value read belongs to the new
     * snapshot; otherwise the attempt aborts. The clock is advanced even when the extension is
     * refused or fails, so that the next attempt starts with a snapshot that includes the cell.
     *
     * <p>The first read of an attempt only logs the cell and marks the snapshot {@link #DEFERRED}:
     * a single cell is consistent on its own, and a transaction that reads one hot cell (an
     * increment) then commits without ever writing the clock. Every later read comes here (no
     * version is at most DEFERRED), re-reading that same cell at the same version returns at once,
     * and any other read extends as above, to a time at least the deferred version, validating
     * the deferred read with the rest.
     * Kept apart from {@link #loadSlow} (which also ends here once a locked cell is free again)
     * and small: a thread that reads what it wrote a moment ago comes here often, and the JIT
     * inlines this path into every read where it would not inline the whole slow path.
     */
    private void catchUp(TxnCell cell, long version) {
        long target = version;
        if (readVersion == DEFERRED) {
            if (version == deferredVersion && reads.cells[0] == cell) {
                return; // the one cell read so far, unchanged
            }
            target = Math.max(version, deferredVersion);
        } else if (reads.size == 0) {
            reads.add(cell); // one cell is a consistent snapshot on its own: defer
            deferredVersion = version;
            readVersion = DEFERRED;
            return;
        }
        long now = GlobalClock.advanceTo(target);
        if (reads.size > EXTEND_LIMIT && writes.size == 0) {
            if (snapshotPartWayFailed) {
                conflictOnRead(cell); // re-run on a registered snapshot from the start
            }
            if (continueAsSnapshot(cell, version)) {
                return;
            }
            // every snapshot slot is taken: extend as any attempt does (below), aborting only if
            // a cell already read has changed
        }
        if (!validateReads() || !stillAt(cell, version)) {
            conflictOnRead(cell);
        }
        reads.add(cell);
        readVersion = now;
    }

    /**
     * A long read-only attempt (more than EXTEND_LIMIT reads, no write) met {@code cell} at
     * {@code version}, newer than its snapshot: instead of aborting and re-running the whole
     * body as a registered snapshot reader, it registers now and validates its log once. Why
     * that is a snapshot: registering ticks the clock to the new read version after the slot is
     * claimed, exactly as a SNAPSHOT attempt's begin does, so every commit stamped above it keeps
     * the old versions this attempt needs (see GlobalClock and SnapshotRegistry), and a commit
     * stamped at or below it read the clock before the tick, so it held its locks before the
     * validation below starts: every logged cell found unchanged (unlocked, no newer than the old
     * read version), and this one found still at the version whose value the caller returns,
     * still has, at the new read version, the value read. From here on the attempt reads as a
     * SNAPSHOT attempt does and logs nothing more; the reads logged so far are never validated
     * again. One pass over the log instead of a lost attempt: a traversal of thousands of cells
     * next to short writers (StmBench7's, the bank's audit) no longer throws away its reads.
     *
     * <p>Such an attempt cannot validate a write or wait in retry() (its log lacks the reads
     * after the switch): both abort it, and the transaction's later attempts no longer switch.
     *
     * @return whether the attempt now reads a registered snapshot; false when every slot of the
     *         registry is taken (the caller extends its snapshot instead)
     */
    private boolean continueAsSnapshot(TxnCell cell, long version) {
        int slot = SnapshotRegistry.register();
        if (slot < 0) {
            return false; // every slot taken
        }
        long snapshotVersion = SnapshotRegistry.readVersion(slot);
        if (!validateReads() || !stillAt(cell, version)) {
            SnapshotRegistry.deregister(slot);
            conflictOnRead(cell);
        }
        snapshotSlot = slot;
        mode = SNAPSHOT;
        readVersion = snapshotVersion;
        return true;
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
                    opponent = LockWord.owner(first);
                    conflictOnRead(cell);
                }
                pause(spins);
                continue;
            }
            long bits = CellAccess.longValueOpaque(cell);
            Object object = CellAccess.objectValue(cell);
            OldVersion history = null;
            long previousVersion = CellAccess.NO_PREVIOUS;
            long previousBits = 0;
            if (mode == SNAPSHOT) {
                previousVersion = CellAccess.previousVersion(cell);
                previousBits = CellAccess.previousBits(cell);
                history = CellAccess.history(cell);
            }
            VarHandle.acquireFence();
            long second = CellAccess.lockWordOpaque(cell);
            if (!LockWord.sameValue(first, second)) {
                continue;
            }
            long version = LockWord.version(first);
            if (version <= readVersion) {
                if (mode == OPTIMISTIC) {
                    reads.add(cell);
                }
                loadedBits = bits;
                loadedObject = object;
                return;
            }
            if (mode == SNAPSHOT) {
                if (previousVersion <= readVersion) { // the newest kept version (see historyAfter)
                    loadedBits = previousBits;
                    loadedObject = null;
                    return;
                }
                OldVersion old = OldVersion.visibleAt(history, readVersion);
                if (old == null) {
                    conflictOnRead(cell); // cannot happen while registered; fail safe
                }
                loadedBits = old.bits;
                loadedObject = old.object;
                return;
            }
            catchUp(cell, version);
            loadedBits = bits;
            loadedObject = object;
            return;
        }
    }

    /**
     * Every logged read is still of the version read: not locked by another committer, and at a
     * version no newer than validationBound() (see the overview, "Validation"). Cells this
     * transaction has commit-locked are checked with the version saved at lock time.
     */
    private boolean validateReads() {
        ReadLog log = reads;
        TxnCell[] cells = log.cells;
        long bound = validationBound();
        for (int i = 0, n = log.size; i < n; i++) {
            TxnCell cell = cells[i];
            long word = CellAccess.lockWordAcquire(cell);
            if (LockWord.isCommitLocked(word)) {
                if (word != ownerWord) {
                    conflictCell = cell;
                    opponent = LockWord.owner(word);
                    return false;
                }
                word = writes.lockedWords[writes.indexOf(cell)];
            }
            if (LockWord.version(word) > bound) {
                conflictCell = cell;
                if (WriterTable.enabled) {
                    opponent = WriterTable.ownerOf(LockWord.version(word));
                }
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
                reads.addReserved(cell, LockWord.version(word));
                return;
            }
        }
    }

    /**
     * Whether {@code cell}, just read at {@code version} (newer than the snapshot, so not covered
     * by validateReads' bound), is still at it and not commit-locked.
     */
    private boolean stillAt(TxnCell cell, long version) {
        long word = CellAccess.lockWordAcquire(cell);
        if (LockWord.isCommitLocked(word) || LockWord.version(word) != version) {
            conflictCell = cell;
            return false;
        }
        return true;
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
        if (count == 0) { // read-only with a decider
            if (decider != null && !decide()) {
                throw new CommitRejectedException();
            }
            if (mode == IRREVOCABLE) {
                releaseReservations(); // it reserved what it read
            }
            endAttempt();
            return true;
        }
        int locked = 0;
        long writeVersion;
        boolean keepHistory;
        boolean wake;
        try {
            locked = mode == IRREVOCABLE ? lockReserved() : lockWrites();
            if (locked < count) {
                unlock(locked);
                return false;
            }
            long observed = GlobalClock.now(); // after the locks: see GlobalClock
            // Reads of cells this commit locked were checked when it locked them (see lockWrites);
            // if they are all the reads there are, the read log is already validated.
            boolean allReadsChecked = readsCheckedAtLock == reads.size && reads.size <= EARLY_CHECK_READS;
            boolean skipValidation = allReadsChecked || Faults.ENABLED && Faults.skipValidation;
            if (mode != IRREVOCABLE && !skipValidation && !validateReads()) {
                abortCause = AbortCause.VALIDATION;
                unlock(count);
                return false;
            }
            writeVersion = Faults.ENABLED && Faults.skipClockBump
                    ? observed : GlobalClock.writeVersion(observed, newestLockedVersion(count));
            if (log.hasCommutes) {
                committing = true;
                try {
                    applyCommutes();
                } finally {
                    committing = false;
                }
            }
            if (WriterTable.enabled) {
                WriterTable.record(writeVersion, ownerId());
            }
            keepHistory = prepareHistories(writeVersion);
            wake = WaitTable.anyWaiting(); // after the lock CAS: see WaitTable for why
            if (decider != null && !decide()) {
                throw new CommitRejectedException();
            }
        } catch (Throwable failure) {
            unlock(locked);
            throw failure;
        }
        for (int i = 0; i < count; i++) {
            publish(log.cells[i], log.bits[i], log.objects[i], writeVersion, keepHistory, log.histories[i],
                    log.previousVersions[i]);
        }
        if (wake) {
            WaitTable.wake(log.cells, count);
        }
        if (site != null) {
            ConflictProfiler.committed(site, log.cells, count);
        }
        if (mode == IRREVOCABLE) {
            releaseReservations(); // cells only read; published cells no longer carry the bit
        }
        endAttempt();
        return true;
    }

    /** Asks the external decider, which runs inside the commit (see {@link #committing}). */
    private boolean decide() {
        committing = true;
        try {
            return decider.shouldCommit();
        } finally {
            committing = false;
        }
    }

    /**
     * Replaces every pending commute in the redo log by its result on the value the cell holds now
     * (all written cells are commit-locked by us, so that value cannot change any more). User
     * functions run here; if one throws, the caller unlocks and nothing is published.
     */
    private void applyCommutes() {
        WriteLog log = writes;
        for (int i = 0, n = log.size; i < n; i++) {
            if (log.objects[i] instanceof Commute pending) {
                TxnCell cell = log.cells[i];
                if (pending.kind == Commute.OBJECT_FUNCTION) {
                    log.objects[i] = pending.applyObject(CellAccess.objectValue(cell));
                } else {
                    log.bits[i] = pending.applyLong(CellAccess.longValueOpaque(cell), log.bits[i]);
                    log.objects[i] = null;
                }
            }
        }
    }

    /**
     * Step 1: CAS every written cell to locked-by-us. Returns how many it locked: the first that
     * many entries, or the first that many of {@code lockOrder} when {@link #sortedLocking}.
     *
     * <p>No hold-and-wait in two orders: entries are locked in log order until a cell is found
     * locked by someone else while this commit already holds a lock. Then it releases what it
     * holds and locks everything again in the order of the cells' hashes, one order shared by
     * every transaction, waiting (within the spin bound) only in that order. So two commits never
     * each hold a cell the other waits for: without this, two transfers in opposite directions
     * could each lock one account, both give up, and retry in step (Lincheck's model checker found
     * such a run for two commuting transfers). The uncontended path pays nothing for it.
     */
    private int lockWrites() {
        sortedLocking = false;
        int locked = lockInOrder();
        if (locked >= 0) {
            return locked;
        }
        WriteLog log = writes;
        long[] order = log.lockOrder;
        for (int i = 0, n = log.size; i < n; i++) {
            order[i] = (long) CellAccess.hash(log.cells[i]) << 32 | i;
        }
        Arrays.sort(order, 0, log.size);
        sortedLocking = true;
        return lockInOrder();
    }

    /**
     * Locks the written cells in log order, or in {@code lockOrder} when {@link #sortedLocking};
     * returns how many it locked, or -1 (holding nothing) when, in log order, it met a cell locked
     * by another while holding one.
     */
    private int lockInOrder() {
        WriteLog log = writes;
        TxnCell[] cells = log.cells;
        long[] order = log.lockOrder;
        boolean sorted = sortedLocking;
        long snapshot = validationBound();
        readsCheckedAtLock = 0;
        for (int k = 0, n = log.size; k < n; k++) {
            int i = sorted ? (int) order[k] : k;
            TxnCell cell = cells[i];
            for (int spins = 0; ; ) {
                long word = CellAccess.lockWordVolatile(cell);
                if (LockWord.isFree(word)) {
                    int outcome = lockFree(cell, word, snapshot, i);
                    if (outcome == LOCKED) {
                        break;
                    }
                    if (outcome == MUST_ABORT) {
                        return k;
                    }
                } else if (!sorted && k > 0 && !LockWord.isReserved(word)) {
                    unlock(k); // held by another committer: do not wait while holding: re-lock in hash order
                    return -1;
                } else if (LockWord.isReserved(word)
                        || (++spins > LOCK_SPINS && !(reads.size == 0 && log.objects[i] instanceof Commute))) {
                    return lockConflict(cell, word, k);
                } else {
                    // a commute of an attempt that read nothing cannot be invalidated: it waits for
                    // the holder as long as it takes (pause parks) and never re-runs, so commuting
                    // transactions do not conflict (guide.md); other writers give up after LOCK_SPINS
                    pause(spins);
                }
            }
        }
        return log.size;
    }

    private static final int LOCKED = 1;
    private static final int CAS_LOST = 0;
    private static final int MUST_ABORT = -1;

    /**
     * Tries to lock entry {@code entry}'s cell, found free at {@code word}: {@link #LOCKED},
     * {@link #CAS_LOST} (the caller reads the word again), or {@link #MUST_ABORT} when the cell
     * was read and has changed since (validation would fail: abort before touching the clock).
     * (While the snapshot extension is deferred, the only read is of one cell, at
     * {@code deferredVersion}: that is the {@code snapshot} to compare with.)
     */
    private int lockFree(TxnCell cell, long word, long snapshot, int entry) {
        boolean read = wasRead(cell);
        if (read && LockWord.version(word) > snapshot && !(Faults.ENABLED && Faults.skipValidation)) {
            abortCause = AbortCause.VALIDATION;
            conflictCell = cell;
            if (WriterTable.enabled) {
                opponent = WriterTable.ownerOf(LockWord.version(word));
            }
            return MUST_ABORT;
        }
        if (Faults.ENABLED && Faults.loseNextLockCas) {
            Faults.loseNextLockCas = false;
            return CAS_LOST;
        }
        if (!CellAccess.casLockWord(cell, word, ownerWord)) {
            return CAS_LOST;
        }
        if (read) {
            readsCheckedAtLock++;
        }
        writes.lockedWords[entry] = word;
        return LOCKED;
    }

    /** A cell stayed locked (or is reserved): record the conflict; returns {@code lockedCount}. */
    private int lockConflict(TxnCell cell, long word, int lockedCount) {
        opponent = LockWord.isCommitLocked(word) ? LockWord.owner(word) : -1;
        abortCause = AbortCause.WRITE_CONFLICT;
        conflictCell = cell;
        return lockedCount;
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

    /** The newest version among the locked cells' old words: the write version must exceed it. */
    private long newestLockedVersion(int count) {
        long[] words = writes.lockedWords;
        long newest = 0;
        for (int i = 0; i < count; i++) {
            newest = Math.max(newest, LockWord.version(words[i]));
        }
        return newest;
    }

    /**
     * Restores the words of the cells locked so far: all of them, or the first {@code lockedCount}
     * in the order they were locked (drops reservations too).
     */
    private void unlock(int lockedCount) {
        WriteLog log = writes;
        if (lockedCount == log.size || !sortedLocking) {
            for (int i = 0; i < lockedCount; i++) {
                CellAccess.setLockWordRelease(log.cells[i], log.lockedWords[i]);
            }
            return;
        }
        for (int k = 0; k < lockedCount; k++) {
            int i = (int) log.lockOrder[k];
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
            TxnCell cell = log.cells[i];
            long lockedWord = log.lockedWords[i];
            int kept = keptVersions(cell, lockedWord, writeVersion, readers);
            log.histories[i] = historyAfter(cell, lockedWord, readers, kept);
            log.previousVersions[i] = previousAfter(cell, lockedWord, kept);
        }
        return true;
    }

    /** Captures the registered snapshot readers, for a commit without a running transaction. */
    static SnapshotSet captureSnapshotReaders() {
        return SnapshotRegistry.anyActive() ? current().snapshotReaders.capture() : SnapshotSet.NONE;
    }

    /*
     * Keeping old versions. A registered snapshot reader that meets a cell newer than its read
     * version reads the newest older version the cell keeps: first the one kept in place
     * (previousVersion/previousBits: a primitive value or a null reference), else the chain of
     * OldVersion nodes (history), newest first. Invariant: the version kept in place, when there
     * is one, is newer than every node, so it is the newest kept version. A committer that
     * overwrites a cell (holding its lock) keeps exactly what some registered reader may need
     * (SnapshotSet.needs: the reader's version lies between a value's version and the version
     * that superseded it; for older values the next kept version is used as the upper end, which
     * only keeps more):
     *   - the current value, when needed: in place if it is primitive or null (nothing allocated,
     *     no reference stored: what a long reader next to a writer of numeric refs costs), else
     *     as a new node at the head of the chain;
     *   - the version kept in place, when still needed: stays in place if the current value is
     *     not kept, else becomes a node just below the current value's place;
     *   - the chain's nodes still needed (OldVersion.retain).
     * Why a reader finds what it needs: the commit that superseded the version visible at its
     * read version ran after the reader registered, so it saw the reader (SnapshotRegistry) and
     * kept that version; every later commit keeps it too while the reader stays registered.
     */

    /** {@link #keptVersions}: a registered snapshot needs the value being overwritten. */
    static final int KEEP_CURRENT = 1;
    /** {@link #keptVersions}: a registered snapshot needs the version kept in place. */
    static final int KEEP_PREVIOUS = 2;
    /** {@link #keptVersions}: no registered snapshot predates the value being overwritten. */
    static final int NONE_OLDER = 4;

    /**
     * Which old versions of a locked cell some registered reader still needs once its current
     * value (committed at {@code lockedWord}) is superseded at {@code writeVersion} (see above):
     * the {@link #KEEP_CURRENT}, {@link #KEEP_PREVIOUS} and {@link #NONE_OLDER} bits. Decided once
     * per cell; {@link #historyAfter} and {@link #previousAfter} derive what to install from it.
     */
    static int keptVersions(TxnCell cell, long lockedWord, long writeVersion, SnapshotSet readers) {
        long oldVersion = LockWord.version(lockedWord);
        int kept = readers.needs(oldVersion, writeVersion) ? KEEP_CURRENT : 0;
        // Every older version predates the current value: if no registered snapshot does, none is
        // needed, and neither the version in place nor the (probably cold) chain need be looked at.
        if (readers.noneOlderThan(oldVersion)) {
            return kept | NONE_OLDER;
        }
        long previousVersion = CellAccess.previousVersion(cell);
        if (previousVersion != CellAccess.NO_PREVIOUS && readers.needs(previousVersion, oldVersion)) {
            kept |= KEEP_PREVIOUS;
        }
        return kept;
    }

    /**
     * The node chain a locked cell must have once its current value is superseded, given what
     * {@link #keptVersions} decided. May allocate; changes nothing a reader could miss.
     */
    static OldVersion historyAfter(TxnCell cell, long lockedWord, SnapshotSet readers, int keptVersions) {
        long oldVersion = LockWord.version(lockedWord);
        OldVersion existing = CellAccess.history(cell);
        OldVersion kept = existing == null || (keptVersions & NONE_OLDER) != 0
                ? null : OldVersion.retain(existing, oldVersion, readers);
        boolean keepCurrent = (keptVersions & KEEP_CURRENT) != 0;
        Object current = CellAccess.objectValue(cell);
        if (keepCurrent && (keptVersions & KEEP_PREVIOUS) != 0) {
            // the current value takes the place: its predecessor moves to a node
            kept = new OldVersion(CellAccess.previousVersion(cell), CellAccess.previousBits(cell), null, kept);
        }
        if (keepCurrent && current != null) {
            kept = new OldVersion(oldVersion, CellAccess.longValueOpaque(cell), current, kept);
        }
        return kept;
    }

    /**
     * The {@code previousVersion} a locked cell must have once its current value is superseded,
     * given what {@link #keptVersions} decided: the current version if the current value is kept
     * in place (primitive or null), the version kept in place now if it stays, else
     * {@link CellAccess#NO_PREVIOUS}. Allocates nothing.
     */
    static long previousAfter(TxnCell cell, long lockedWord, int keptVersions) {
        if ((keptVersions & KEEP_CURRENT) != 0) {
            return CellAccess.objectValue(cell) == null ? LockWord.version(lockedWord) : CellAccess.NO_PREVIOUS;
        }
        return (keptVersions & KEEP_PREVIOUS) != 0 ? CellAccess.previousVersion(cell) : CellAccess.NO_PREVIOUS;
    }

    /**
     * Step 4 for one cell the caller has commit-locked: install what {@link #historyAfter} and
     * {@link #previousAfter} derived (or drop stale history when no reader is registered), write
     * the value, release-store the new version. Allocates nothing and cannot fail.
     */
    static void publish(TxnCell cell, long bits, Object object, long writeVersion,
                        boolean keepHistory, OldVersion history, long previousVersion) {
        OldVersion currentHistory = CellAccess.history(cell);
        OldVersion next = keepHistory ? history : null;
        if (currentHistory != next) {
            CellAccess.setHistory(cell, next);
        }
        long currentPrevious = CellAccess.previousVersion(cell);
        long nextPrevious = keepHistory ? previousVersion : CellAccess.NO_PREVIOUS;
        if (nextPrevious != currentPrevious) {
            if (nextPrevious == CellAccess.NO_PREVIOUS) {
                CellAccess.clearPrevious(cell);
            } else { // the value being overwritten is kept in place (previousAfter)
                CellAccess.setPrevious(cell, nextPrevious, CellAccess.longValueOpaque(cell));
            }
        }
        if (Faults.ENABLED && Faults.releaseLockEarly) {
            CellAccess.setLockWordRelease(cell, LockWord.unlocked(writeVersion));
            Thread.yield(); // widen the window in which readers see the new version, old value
        }
        CellAccess.setLongValueOpaque(cell, bits);
        if (object != CellAccess.objectValue(cell)) { // primitive cells keep null: no barriered store
            CellAccess.setObjectValue(cell, object);
        }
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

    /** Whether the running attempt reads a registered snapshot. */
    public boolean isSnapshot() {
        return depth > 0 && mode == SNAPSHOT && snapshotSlot >= 0;
    }
}
