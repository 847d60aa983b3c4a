package dev.weft.collections.internal;

import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnHandle;

/**
 * A transactional count split over several stripes (cells), so that transactions on different
 * threads that change the count do not conflict on one hot cell.
 *
 * <p>Overview. {@link #add} commutes an addition onto the stripe of the calling thread (chosen by
 * thread id, so threads created one after another land on different stripes): it does not read
 * the stripe, so adders never conflict with each other, and the stripes keep their commit-time
 * locks apart. {@link #sum} reads every stripe and so conflicts with concurrent adders. All
 * methods act in the running transaction.
 * Thread-safe; the stripes are created up front (no lazy growth that would itself be a hot cell).
 *
 * <p>Each stripe is a {@link PaddedCell}: stripes are allocated one after another,
 * and without padding two or three of them share a cache line, so two threads adding to "their
 * own" stripes would still pass that line back and forth (measured: a one-operation add at two
 * threads ran slower than one thread alone).
 */
public final class StripedCount {
    private static final int STRIPES = stripesFor(Runtime.getRuntime().availableProcessors());

    private final PaddedCell[] stripes;

    public StripedCount() {
        PaddedCell[] s = new PaddedCell[STRIPES];
        for (int i = 0; i < s.length; i++) {
            s[i] = new PaddedCell(0L);
        }
        this.stripes = s;
    }

    /** Four stripes per core, a power of two between 4 and 64. */
    static int stripesFor(int cores) {
        int wanted = Math.min(64, Math.max(4, cores * 4));
        return Integer.highestOneBit(wanted - 1) << 1;
    }

    /** Adds {@code delta} to this thread's stripe, in the running transaction. */
    public void add(long delta) {
        Barrier.commuteAdd(stripe(), delta, false);
    }

    /** Adds {@code delta} to this thread's stripe at commit, in the running transaction {@code txn}. */
    public void add(TxnHandle txn, long delta) {
        Barrier.addAtCommit(txn, stripe(), delta, false);
    }

    /**
     * Adds {@code delta} to this thread's stripe as a one-cell transaction of its own (no
     * descriptor, nothing allocated), or in the running transaction inside one.
     */
    public void addAnywhere(long delta) {
        Barrier.getAndAddLong(stripe(), delta);
    }

    /** The calling thread's stripe, by thread id. */
    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; getId() is the same number
    PaddedCell stripe() {
        return stripes[(int) Thread.currentThread().getId() & (stripes.length - 1)];
    }

    /** The total, in the running transaction (reads every stripe). */
    public long sum() {
        long total = 0;
        for (PaddedCell stripe : stripes) {
            total += Barrier.readLong(stripe);
        }
        return total;
    }

    /** Sets the total to zero, in the running transaction. */
    public void reset() {
        for (PaddedCell stripe : stripes) {
            Barrier.writeLong(stripe, 0);
        }
    }
}
