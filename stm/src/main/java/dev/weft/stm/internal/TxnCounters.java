package dev.weft.stm.internal;

import dev.weft.stm.AbortCause;
import dev.weft.stm.StmStatistics;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One thread's statistics counters, and the registry that sums them.
 *
 * <p>Overview. Each descriptor owns one {@code TxnCounters}; only its thread writes it, with
 * opaque stores of plain increments (no atomic instruction, no shared cache line: counting costs
 * a load and a store in the owner's own memory). {@link #snapshot()} reads every live counter set
 * with opaque loads, so it never sees a torn value, and adds the totals of threads that have
 * ended. Registration is one insertion into a concurrent set plus a {@link Cleaner} registration;
 * when a descriptor becomes unreachable (its thread ended), the cleaner's thread folds its counts
 * into the retired totals and drops it, so millions of short-lived (virtual) threads do not
 * accumulate entries, and no user thread ever loops over dead entries.
 */
final class TxnCounters {
    static final int COMMITS = 0;
    static final int READ_ONLY_COMMITS = 1;
    static final int ESCALATIONS = 2;
    static final int BLOCKED_WAITS = 3;
    private static final int ABORTS = 4; // one slot per AbortCause from here
    private static final AbortCause[] CAUSES = AbortCause.values();
    private static final int SLOTS = ABORTS + CAUSES.length;

    private static final Cleaner CLEANER = Cleaner.create();
    private static final Set<TxnCounters> LIVE = ConcurrentHashMap.newKeySet();
    private static final long[] RETIRED = new long[SLOTS]; // guarded by RETIRED_LOCK
    private static final ReentrantLock RETIRED_LOCK = new ReentrantLock();

    private final long[] counts = new long[SLOTS];

    /** Creates and registers the counters of {@code owner} (which they must not reference). */
    static TxnCounters register(Object owner) {
        TxnCounters counters = new TxnCounters();
        LIVE.add(counters);
        CLEANER.register(owner, counters::retire);
        return counters;
    }

    /** The owner is gone: move its counts to the retired totals (on the cleaner's thread). */
    private void retire() {
        RETIRED_LOCK.lock(); // a counter set moves from LIVE to RETIRED only under this lock
        try {
            if (LIVE.remove(this)) {
                for (int i = 0; i < SLOTS; i++) {
                    RETIRED[i] += (long) COUNT.getOpaque(counts, i);
                }
            }
        } finally {
            RETIRED_LOCK.unlock();
        }
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
        RETIRED_LOCK.lock(); // an entry moves from LIVE to RETIRED only under this lock
        try {
            for (int i = 0; i < SLOTS; i++) {
                total[i] = RETIRED[i];
            }
            for (TxnCounters live : LIVE) {
                long[] c = live.counts;
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
}
