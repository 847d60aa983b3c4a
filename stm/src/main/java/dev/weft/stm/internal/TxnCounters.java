package dev.weft.stm.internal;

import dev.weft.stm.AbortCause;
import dev.weft.stm.StmStatistics;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <em>expunge</em> adds its counts to the retired totals and unlinks it. Expunging runs under
 * {@code RETIRED_LOCK} on the thread that asks for a snapshot, or on a registering thread once
 * the registrations since the last expunge outnumber the sets that were alive then (so millions
 * of short-lived virtual threads cost amortized O(1) each and never accumulate). There is no
 * background thread: a {@link java.lang.ref.Cleaner} thread touching shared state outside the
 * threads a model checker controls made Lincheck report hangs, and the hash set it replaced
 * resized inside the first transaction of a new thread.
 *
 * <p>Concurrency of the list: pushers write only {@code head} (by CAS) and the {@code next} of
 * their own, not yet published, set; the single expunger (under the lock) writes only the
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
    private static final int MIN_EXPUNGE_INTERVAL = 64;

    // The newest registered set: written by registering threads (CAS), read by every walker.
    private static volatile TxnCounters head;
    // Registrations since the last expunge, and the live sets that expunge left: registering
    // threads add to the first and compare; the expunger resets both.
    private static final AtomicInteger REGISTERED_SINCE_EXPUNGE = new AtomicInteger();
    private static volatile int expungeInterval = MIN_EXPUNGE_INTERVAL;
    private static final long[] RETIRED = new long[SLOTS]; // guarded by RETIRED_LOCK
    private static final ReentrantLock RETIRED_LOCK = new ReentrantLock();

    private final long[] counts = new long[SLOTS];
    private final WeakReference<Object> owner;
    // The next older set: written before publication by the pusher, later only by the expunger
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
        if (REGISTERED_SINCE_EXPUNGE.incrementAndGet() > expungeInterval && RETIRED_LOCK.tryLock()) {
            try {
                expunge();
            } finally {
                RETIRED_LOCK.unlock();
            }
        }
        return counters;
    }

    /**
     * Folds the counts of every set whose owner is gone into the retired totals and unlinks it;
     * caller holds {@code RETIRED_LOCK}.
     */
    private static void expunge() {
        int live = 1;
        TxnCounters previous = head;
        if (previous == null) {
            return;
        }
        for (TxnCounters set = previous.next; set != null; set = set.next) {
            if (set.owner.get() == null) {
                for (int i = 0; i < SLOTS; i++) {
                    RETIRED[i] += (long) COUNT.getOpaque(set.counts, i);
                }
                NEXT.setRelease(previous, set.next);
            } else {
                previous = set;
                live++;
            }
        }
        REGISTERED_SINCE_EXPUNGE.set(0);
        expungeInterval = Math.max(MIN_EXPUNGE_INTERVAL, live);
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
            expunge();
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
