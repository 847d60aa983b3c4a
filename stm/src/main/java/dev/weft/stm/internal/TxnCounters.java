package dev.weft.stm.internal;

import dev.weft.stm.AbortCause;
import dev.weft.stm.StmStatistics;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One thread's statistics counters, and the registry that sums them.
 *
 * <p>Overview. Each descriptor owns one {@code TxnCounters}; only its thread writes it, with
 * opaque stores of plain increments (no atomic instruction, no shared cache line: counting costs
 * a load and a store in the owner's own memory). {@link #snapshot()} reads every registered
 * counter set with opaque loads, so it never sees a torn value.
 *
 * <p>The registry is a singly linked list of counter sets, newest first. Registering (once per
 * thread) pushes onto it with one compare-and-set: no lock, no hash table, no loop that grows
 * with the number of threads. Each set holds its owner (the descriptor) only weakly; once the
 * owner is collected (its thread ended) nobody writes the set again, and the next
 * <em>sweep</em> that meets it adds its counts to the retired totals and unlinks it. Sweeps run
 * under {@code RETIRED_LOCK}: a full one on the thread that asks for a snapshot, and a bounded one
 * on every registering thread that finds the lock free, which examines {@value #SWEEP_STEPS} sets
 * after a cursor that walks the list round and round. Each registration adds one set and examines
 * two, so dead sets are reclaimed faster than threads arrive and millions of short-lived virtual
 * threads never accumulate. No step of a registration loops over the list: a model checker
 * (Lincheck) takes a loop of unbounded length inside a thread's first transaction for a hung
 * thread, which is what a {@code ConcurrentHashMap} resize, and then a full sweep at
 * registration, made it report. There is no background thread either: a
 * {@link java.lang.ref.Cleaner} thread touches shared state outside the threads a model checker
 * controls.
 *
 * <p>Concurrency of the list: pushers write only {@code head} (by CAS) and the {@code next} of
 * their own, not yet published, set; the single sweeper (under the lock) writes only the
 * {@code next} of sets behind the head and never unlinks the head itself, so a push never races
 * with an unlink. Readers walk the list from a volatile read of {@code head}.
 */
final class TxnCounters {
    static final int COMMITS = 0;
    static final int READ_ONLY_COMMITS = 1;
    static final int ESCALATIONS = 2;
    static final int BLOCKED_WAITS = 3;
    private static final int ABORTS = 4; // one slot per AbortCause from here
    private static final AbortCause[] CAUSES = AbortCause.values();
    private static final int SLOTS = ABORTS + CAUSES.length;
    private static final int SWEEP_STEPS = 2;

    // The newest registered set: written by registering threads (CAS), read by every walker.
    private static volatile TxnCounters head;
    // Where the next bounded sweep starts: a set that is in the list (sweeps unlink only the set
    // after it; a full sweep resets it). Guarded by RETIRED_LOCK; null means "from the head".
    private static TxnCounters sweepCursor;
    private static final long[] RETIRED = new long[SLOTS]; // guarded by RETIRED_LOCK
    private static final ReentrantLock RETIRED_LOCK = new ReentrantLock();

    private final long[] counts = new long[SLOTS];
    private final WeakReference<Object> owner;
    // The next older set: written before publication by the pusher, later only by the sweeper
    // under RETIRED_LOCK (release); read by walkers (acquire).
    private volatile TxnCounters next;

    private TxnCounters(Object owner) {
        this.owner = new WeakReference<>(owner);
    }

    /** Creates and registers the counters of {@code owner} (which they must not reference). */
    static TxnCounters register(Object owner) {
        TxnCounters counters = new TxnCounters(owner);
        for (;;) {
            TxnCounters first = head;
            NEXT.setRelease(counters, first);
            if (HEAD.compareAndSet(first, counters)) {
                break;
            }
        }
        if (RETIRED_LOCK.tryLock()) {
            try {
                sweepSome();
            } finally {
                RETIRED_LOCK.unlock();
            }
        }
        return counters;
    }

    /** A bounded sweep of {@value #SWEEP_STEPS} sets after the cursor; caller holds {@code RETIRED_LOCK}. */
    private static void sweepSome() {
        TxnCounters previous = sweepCursor != null ? sweepCursor : head;
        for (int step = 0; step < SWEEP_STEPS && previous != null; step++) {
            previous = retireNextIfDead(previous);
        }
        sweepCursor = previous; // null at the end of the list: start again from the head
    }

    /** A full sweep (before a snapshot); caller holds {@code RETIRED_LOCK}. */
    private static void sweepAll() {
        for (TxnCounters previous = head; previous != null; ) {
            previous = retireNextIfDead(previous);
        }
        sweepCursor = null; // it may have pointed at a set this sweep unlinked
    }

    /**
     * Looks at the set after {@code previous} (which is in the list): if its owner is gone, folds
     * its counts into the retired totals, unlinks it and returns {@code previous} again; otherwise
     * returns that set. Returns null at the end of the list.
     */
    private static TxnCounters retireNextIfDead(TxnCounters previous) {
        TxnCounters set = previous.next;
        if (set == null) {
            return null;
        }
        if (set.owner.get() != null) {
            return set;
        }
        for (int i = 0; i < SLOTS; i++) {
            RETIRED[i] += (long) COUNT.getOpaque(set.counts, i);
        }
        NEXT.setRelease(previous, set.next);
        return previous;
    }

    void increment(int slot) {
        long[] c = counts;
        COUNT.setOpaque(c, slot, c[slot] + 1);
    }

    void abort(AbortCause cause) {
        increment(ABORTS + cause.ordinal());
    }

    static StmStatistics snapshot() {
        long[] total = new long[SLOTS];
        RETIRED_LOCK.lock(); // a set moves from the list to RETIRED only under this lock
        try {
            sweepAll();
            for (int i = 0; i < SLOTS; i++) {
                total[i] = RETIRED[i];
            }
            for (TxnCounters set = head; set != null; set = set.next) {
                long[] c = set.counts;
                for (int i = 0; i < SLOTS; i++) {
                    total[i] += (long) COUNT.getOpaque(c, i);
                }
            }
        } finally {
            RETIRED_LOCK.unlock();
        }
        Map<AbortCause, Long> aborts = new EnumMap<>(AbortCause.class);
        for (AbortCause cause : CAUSES) {
            aborts.put(cause, total[ABORTS + cause.ordinal()]);
        }
        return new StmStatistics(total[COMMITS], total[READ_ONLY_COMMITS], aborts, total[ESCALATIONS],
                total[BLOCKED_WAITS]);
    }

    /**
     * Subtracts the current totals from the retired totals, so the next snapshot counts from zero
     * (counters owned by running threads are never written by another thread).
     */
    static void reset() {
        StmStatistics now = snapshot();
        RETIRED_LOCK.lock();
        try {
            RETIRED[COMMITS] -= now.commits();
            RETIRED[READ_ONLY_COMMITS] -= now.readOnlyCommits();
            RETIRED[ESCALATIONS] -= now.escalations();
            RETIRED[BLOCKED_WAITS] -= now.blockedWaits();
            for (AbortCause cause : CAUSES) {
                RETIRED[ABORTS + cause.ordinal()] -= now.aborts(cause);
            }
        } finally {
            RETIRED_LOCK.unlock();
        }
    }

    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle HEAD;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findStaticVarHandle(TxnCounters.class, "head", TxnCounters.class);
            NEXT = lookup.findVarHandle(TxnCounters.class, "next", TxnCounters.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
