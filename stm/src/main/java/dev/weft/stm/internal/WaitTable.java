package dev.weft.stm.internal;

import dev.weft.stm.spi.TxnCell;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

abstract class WaitTablePadding1 {
    long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class WaitTableCount extends WaitTablePadding1 {
    // Written (getAndAdd) by threads starting and ending a wait in retry(); read (volatile) by
    // every writing commit after it holds its locks. On its own line: it changes only when waiters
    // come and go, so committers usually find it in their cache.
    volatile int waiting;
}

abstract class WaitTablePadding2 extends WaitTableCount {
    long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}

/**
 * Where threads blocked in {@code retry()} wait for a cell they read to be committed.
 *
 * <p>Overview. Cells hash to one of {@link #STRIPES} stripes; a stripe holds the waiters that read
 * any cell hashing to it. A waiter (its {@link Waiter}, one per thread, reused):
 * <ol>
 *   <li>increments {@code waiting} (volatile read-modify-write);
 *   <li>adds itself to the stripe of every cell it read (under the stripe's lock, which also
 *       publishes the stripe's volatile {@code size});
 *   <li>re-reads every cell's lock word (volatile) and gives up waiting at once if any is locked or
 *       at a version other than the one it read;
 *   <li>parks until woken (or its deadline, or an interrupt), then removes itself from its stripes
 *       and decrements {@code waiting}.
 * </ol>
 * A committer, after it holds the commit locks of the cells it writes (a volatile CAS each), reads
 * {@code waiting} (volatile); only if it is non-zero does it, after publishing, visit the stripe of
 * each written cell and wake the waiters there.
 *
 * <p>No lost wake-up. All the accesses named above are synchronization actions, so they are
 * totally ordered. If the committer read {@code waiting == 0}, the waiter's increment comes later,
 * so its step-3 read of the lock word comes after the committer's lock CAS and sees the lock or
 * the new version: it does not park. If the committer read a non-zero count but found the stripe
 * empty ({@code size == 0}), the waiter's step-2 write of {@code size} comes later, so again its
 * step 3 sees the lock or the new version. Otherwise the committer takes the stripe lock and wakes
 * every waiter it finds there, which includes this one if it registered before; if it registered
 * after, step 3 again follows the committer's lock CAS.
 *
 * <p>Precision. A wake-up is for a stripe, not a cell, so an unrelated commit whose cell shares a
 * stripe wakes a waiter spuriously; the waiter re-runs its transaction, which calls
 * {@code retry()} again and goes back to sleep. With 4,096 stripes this is rare unless thousands
 * of distinct cells are waited on at once. Waiters are never woken by commits to other stripes,
 * and committers pay one read of {@code waiting} (a line that is almost always cached) when
 * nobody waits.
 *
 * <p>Stripe locks are {@link ReentrantLock}s, held for a few instructions: they park virtual threads
 * instead of pinning their carriers, and waiting itself uses {@code LockSupport.park}.
 */
final class WaitTable extends WaitTablePadding2 {
    static final int STRIPES = 4096;

    private static final WaitTable INSTANCE = new WaitTable();

    private final Stripe[] stripes = new Stripe[STRIPES];

    private WaitTable() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** Whether any thread is waiting in {@code retry()}: read by committers after locking. */
    static boolean anyWaiting() {
        return INSTANCE.waiting != 0;
    }

    /** Threads currently between enter and leave (tests and diagnostics). */
    static int waitingCount() {
        return INSTANCE.waiting;
    }

    /** Wakes the waiters of the stripes of {@code cells[0..count)} (called after publishing). */
    static void wake(TxnCell[] cells, int count) {
        Stripe[] stripes = INSTANCE.stripes;
        for (int i = 0; i < count; i++) {
            stripes[stripeOf(cells[i])].wakeAll();
        }
    }

    /** Wakes the waiters of one cell's stripe. */
    static void wake(TxnCell cell) {
        INSTANCE.stripes[stripeOf(cell)].wakeAll();
    }

    static int stripeOf(TxnCell cell) {
        int h = CellAccess.hash(cell);
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    /**
     * Steps 1 and 2 of the protocol: announces {@code waiter} and adds it to the stripes of
     * {@code cells[0..count)}. The caller must then validate (step 3), park, and always call
     * {@link #leave}.
     */
    static void enter(Waiter waiter, TxnCell[] cells, int count) {
        WaitTable table = INSTANCE;
        WAITING.getAndAdd(table, 1);
        waiter.prepare();
        for (int i = 0; i < count; i++) {
            int stripe = stripeOf(cells[i]);
            if (waiter.addStripe(stripe)) {
                table.stripes[stripe].add(waiter);
            }
        }
    }

    /** Removes {@code waiter} from every stripe it entered and un-announces it. */
    static void leave(Waiter waiter) {
        WaitTable table = INSTANCE;
        int[] entered = waiter.stripes;
        int count = waiter.stripeCount;
        for (int i = 0; i < count; i++) {
            table.stripes[entered[i]].remove(waiter);
        }
        waiter.clearStripes(count);
        waiter.stripeCount = 0;
        WAITING.getAndAdd(table, -1);
    }

    /** Waiters in one stripe; the lock guards {@code waiters}, {@code size} is also read racily. */
    private static final class Stripe {
        private final ReentrantLock lock = new ReentrantLock();
        private Waiter[] waiters = new Waiter[2];
        private volatile int size;

        void add(Waiter waiter) {
            lock.lock();
            try {
                int n = size;
                if (n == waiters.length) {
                    waiters = java.util.Arrays.copyOf(waiters, n * 2);
                }
                waiters[n] = waiter;
                size = n + 1;
            } finally {
                lock.unlock();
            }
        }

        void remove(Waiter waiter) {
            lock.lock();
            try {
                Waiter[] all = waiters;
                int n = size;
                for (int i = 0; i < n; i++) {
                    if (all[i] == waiter) {
                        all[i] = all[n - 1];
                        all[n - 1] = null;
                        size = n - 1;
                        return;
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        void wakeAll() {
            if (size == 0) {
                return;
            }
            lock.lock();
            try {
                Waiter[] all = waiters;
                for (int i = 0, n = size; i < n; i++) {
                    all[i].wake();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private static final VarHandle WAITING;

    static {
        try {
            WAITING = MethodHandles.lookup().findVarHandle(WaitTableCount.class, "waiting", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
