package dev.weft.stm.internal;

import dev.weft.stm.AbortCause;
import dev.weft.stm.StmStatistics;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One thread's statistics counters, and the registry that sums them.
 *
 * <p>Overview. Each descriptor owns one {@code TxnCounters}; only its thread writes it, with
 * opaque stores of plain increments (no atomic instruction, no shared cache line: counting costs
 * a load and a store in the owner's own memory). {@link #snapshot()} reads every registered
 * counter set with opaque loads, so it never sees a torn value, and adds the totals of threads
 * that have ended. The registry holds each counter set strongly and its descriptor weakly; when a
 * descriptor is collected its counts are folded into the retired totals the next time a
 * descriptor registers or a snapshot is taken, so millions of short-lived (virtual) threads do not
 * accumulate entries.
 */
final class TxnCounters {
    static final int COMMITS = 0;
    static final int READ_ONLY_COMMITS = 1;
    static final int ESCALATIONS = 2;
    static final int BLOCKED_WAITS = 3;
    private static final int ABORTS = 4; // one slot per AbortCause from here
    private static final AbortCause[] CAUSES = AbortCause.values();
    private static final int SLOTS = ABORTS + CAUSES.length;

    private static final ReferenceQueue<Object> ENDED = new ReferenceQueue<>();
    private static final Map<Entry, Boolean> LIVE = new ConcurrentHashMap<>();
    private static final long[] RETIRED = new long[SLOTS]; // guarded by RETIRED_LOCK
    private static final java.util.concurrent.locks.ReentrantLock RETIRED_LOCK =
            new java.util.concurrent.locks.ReentrantLock();

    private final long[] counts = new long[SLOTS];

    /** Creates and registers the counters of {@code owner}. */
    static TxnCounters register(Object owner) {
        reapEnded();
        TxnCounters counters = new TxnCounters();
        LIVE.put(new Entry(owner, counters), Boolean.TRUE);
        return counters;
    }

    void increment(int slot) {
        long[] c = counts;
        COUNT.setOpaque(c, slot, c[slot] + 1);
    }

    void abort(AbortCause cause) {
        increment(ABORTS + cause.ordinal());
    }

    static StmStatistics snapshot() {
        reapEnded();
        long[] total = new long[SLOTS];
        RETIRED_LOCK.lock(); // an entry moves from LIVE to RETIRED only under this lock
        try {
            for (int i = 0; i < SLOTS; i++) {
                total[i] = RETIRED[i];
            }
            for (Entry entry : LIVE.keySet()) {
                long[] c = entry.counters.counts;
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

    private static void reapEnded() {
        for (Object ended; (ended = ENDED.poll()) != null; ) {
            Entry entry = (Entry) ended;
            RETIRED_LOCK.lock();
            try {
                if (LIVE.remove(entry) != null) {
                    long[] c = entry.counters.counts;
                    for (int i = 0; i < SLOTS; i++) {
                        RETIRED[i] += (long) COUNT.getOpaque(c, i);
                    }
                }
            } finally {
                RETIRED_LOCK.unlock();
            }
        }
    }

    /** A descriptor (weak) and its counters (strong). Identity equality. */
    private static final class Entry extends WeakReference<Object> {
        final TxnCounters counters;

        Entry(Object owner, TxnCounters counters) {
            super(owner, ENDED);
            this.counters = counters;
        }
    }

    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
}
