package dev.weft.stm.internal;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread blocked in {@code retry()}, as seen by {@link WaitTable}; one per transaction
 * descriptor, reused for every wait.
 *
 * <p>{@code thread} and the stripe list are written and read by the owner only (the stripe list
 * while it is not parked). {@code woken} is written by committers (volatile) and read by the owner.
 */
final class Waiter {
    final Thread thread;
    int[] stripes = new int[8];   // stripes entered by the current wait, owner only
    int stripeCount;
    private final long[] entered = new long[WaitTable.STRIPES / 64]; // the same, as a set
    private volatile boolean woken;

    Waiter(Thread thread) {
        this.thread = thread;
    }

    /**
     * Starts a wait from a clean state: no stripe entered, not woken. Clearing here (not only in
     * {@link WaitTable#leave}) means nothing a previous wait left behind can make this one skip a
     * stripe, which would lose its wake-up.
     */
    void prepare() {
        if (stripeCount != 0) {
            clearStripes(stripeCount);
            stripeCount = 0;
        }
        java.util.Arrays.fill(entered, 0L);
        woken = false;
    }

    /** Records {@code stripe}; false if this wait already entered it. */
    boolean addStripe(int stripe) {
        long bit = 1L << stripe;
        int word = stripe >>> 6;
        if ((entered[word] & bit) != 0) {
            return false;
        }
        entered[word] |= bit;
        if (stripeCount == stripes.length) {
            stripes = Arrays.copyOf(stripes, stripeCount * 2);
        }
        stripes[stripeCount++] = stripe;
        return true;
    }

    /** Clears the stripe set (after {@link WaitTable#leave}). */
    void clearStripes(int count) {
        for (int i = 0; i < count; i++) {
            entered[stripes[i] >>> 6] = 0;
        }
    }

    boolean isWoken() {
        return woken;
    }

    /** Called by a committer holding the stripe lock. */
    void wake() {
        if (!woken) {
            woken = true;
            LockSupport.unpark(thread);
        }
    }
}
