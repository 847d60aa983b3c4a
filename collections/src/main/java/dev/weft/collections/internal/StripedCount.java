package dev.weft.collections.internal;

import dev.weft.refs.LongRef;
import dev.weft.stm.spi.Barrier;

/**
 * A transactional count split over several {@link LongRef} stripes, so that transactions on
 * different threads that change the count do not conflict on one hot cell.
 *
 * <p>Overview. {@link #add} commutes an addition onto the stripe of the calling thread (chosen by
 * thread id, so threads created one after another land on different stripes): it does not read
 * the stripe, so adders never conflict with each other, and the stripes keep their commit-time
 * locks apart. {@link #sum} reads every stripe and so conflicts with concurrent adders. All
 * methods act in the running transaction.
 * Thread-safe; the stripes are created up front (no lazy growth that would itself be a hot cell).
 */
public final class StripedCount {
    private static final int STRIPES = stripesFor(Runtime.getRuntime().availableProcessors());

    private final LongRef[] stripes;

    public StripedCount() {
        LongRef[] s = new LongRef[STRIPES];
        for (int i = 0; i < s.length; i++) {
            s[i] = new LongRef();
        }
        this.stripes = s;
    }

    /** Four stripes per core, a power of two between 4 and 64. */
    static int stripesFor(int cores) {
        int wanted = Math.min(64, Math.max(4, cores * 4));
        return Integer.highestOneBit(wanted - 1) << 1;
    }

    /** Adds {@code delta} to this thread's stripe, in the running transaction. */
    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; getId() is the same number
    public void add(long delta) {
        stripes[(int) Thread.currentThread().getId() & (stripes.length - 1)].commuteAdd(delta);
    }

    /**
     * Adds {@code delta} to this thread's stripe as a one-cell transaction of its own (no
     * descriptor, nothing allocated), or in the running transaction inside one.
     */
    @SuppressWarnings("deprecation")
    public void addAnywhere(long delta) {
        Barrier.getAndAddLong(stripes[(int) Thread.currentThread().getId() & (stripes.length - 1)], delta);
    }

    /** The total, in the running transaction (reads every stripe). */
    public long sum() {
        long total = 0;
        for (LongRef stripe : stripes) {
            total += stripe.get();
        }
        return total;
    }

    /** Sets the total to zero, in the running transaction. */
    public void reset() {
        for (LongRef stripe : stripes) {
            stripe.set(0);
        }
    }
}
