package dev.weft.collections;

import dev.weft.collections.internal.TimeoutArgument;
import dev.weft.collections.internal.TransactionRequired;
import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.time.Duration;

/**
 * A transactional counting semaphore: {@link #acquire} waits (with {@link Stm#retry()}) until
 * enough permits are available.
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when none is running: permits taken by a
 * transaction that rolls back are never taken, and acquiring two semaphores in one transaction is
 * atomic (no lock-ordering deadlock). {@link #atomic()} runs each call as its own transaction
 * (or joins the running one); its waits park the thread and throw
 * {@link dev.weft.stm.TransactionInterruptedException} (unchecked) on interrupt.
 *
 * <p>Not fair: a waiter is woken by every release and competes with newcomers. Permits live in one
 * cell, so every acquire and release conflicts with the others. <b>Thread-safety:</b> safe for
 * use by any number of threads, platform or virtual.
 */
public final class TSemaphore {
    private final LongRef permits;
    private final Atomic view = new Atomic();

    /**
     * Creates a semaphore with {@code permits} permits available.
     *
     * @param permits the initial number of permits, not negative
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public TSemaphore(long permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must not be negative, was " + permits);
        }
        this.permits = new LongRef(permits);
    }

    private static void checkCount(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("the number of permits must be at least 1, was " + n);
        }
    }

    /**
     * Takes {@code n} permits, in the running transaction, waiting until that many are available.
     * If fewer are available this calls {@link Stm#retry()}: the whole transaction rolls back and
     * waits until a commit changes the permits, or, inside {@link Stm#orElse}, the next alternative
     * runs instead.
     *
     * @param n the number of permits, at least 1
     * @throws IllegalArgumentException if {@code n} is below 1
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void acquire(long n) {
        TransactionRequired.check("TSemaphore", "acquire", "atomic()");
        checkCount(n);
        long available = permits.get();
        if (available < n) {
            Stm.retry();
        }
        permits.set(available - n);
    }

    /**
     * Takes one permit, in the running transaction, waiting (with {@link Stm#retry()}) until one
     * is available; see {@link #acquire(long)}.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void acquire() {
        acquire(1);
    }

    /**
     * Takes {@code n} permits if available now; returns whether it did.
     *
     * @param n the number of permits, at least 1
     * @return whether the permits were taken
     * @throws IllegalArgumentException if {@code n} is below 1
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean tryAcquire(long n) {
        TransactionRequired.check("TSemaphore", "tryAcquire", "atomic()");
        checkCount(n);
        long available = permits.get();
        if (available < n) {
            return false;
        }
        permits.set(available - n);
        return true;
    }

    /**
     * Returns {@code n} permits.
     *
     * @param n the number of permits, at least 1
     * @throws IllegalArgumentException if {@code n} is below 1, or the count would exceed Long.MAX_VALUE
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void release(long n) {
        TransactionRequired.check("TSemaphore", "release", "atomic()");
        checkCount(n);
        if (permits.get() > Long.MAX_VALUE - n) {
            throw new IllegalArgumentException("releasing " + n + " permits would overflow the count of "
                    + permits.get() + " (as java.util.concurrent.Semaphore, the count is at most Long.MAX_VALUE)");
        }
        permits.add(n);
    }

    /**
     * Returns one permit, in the running transaction.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void release() {
        release(1);
    }

    /**
     * The permits available now.
     *
     * @return the permits available now
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long availablePermits() {
        TransactionRequired.check("TSemaphore", "availablePermits", "atomic()");
        return permits.get();
    }

    /**
     * One-operation access: each method of the view is a transaction of its own outside a
     * transaction, and joins the running transaction inside one.
     *
     * @return the view (the same object on every call)
     */
    public Atomic atomic() {
        return view;
    }

    @Override
    public String toString() {
        return "TSemaphore[permits=" + view.availablePermits() + "]";
    }

    /**
     * One-operation access to a {@link TSemaphore}: each method is one transaction, or part of the
     * running one. Thread-safe.
     *
     * @implNote Cost model. Each call outside a transaction runs the matching method of the
     * semaphore as a transaction of its own ({@code Stm.atomic}): a begin, one read and at most
     * one write of the semaphore's one cell, and a commit; a call that passes arguments allocates
     * one small lambda. A blocking call parks the thread in {@code retry()} until a commit changes
     * the cell.
     */
    public final class Atomic {
        private Atomic() {}

        /**
         * Takes one permit, blocking until one is available.
         *
         * @throws dev.weft.stm.TransactionInterruptedException if the thread is interrupted while
         *         it waits (the interrupt status stays set)
         */
        public void acquire() {
            Stm.atomic(() -> TSemaphore.this.acquire(1));
        }

        /**
         * Takes {@code n} permits, blocking until that many are available.
         *
         * @param n the number of permits, at least 1
         * @throws IllegalArgumentException if {@code n} is below 1
         * @throws dev.weft.stm.TransactionInterruptedException if the thread is interrupted while
         *         it waits (the interrupt status stays set)
         */
        public void acquire(long n) {
            Stm.atomic(() -> TSemaphore.this.acquire(n));
        }

        /**
         * Takes {@code n} permits if that many become available within {@code timeout}.
         *
         * @param n the number of permits, at least 1
         * @param timeout the longest time to wait in total
         * @return whether the permits were taken within the timeout
         * @throws IllegalArgumentException if {@code n} is below 1, or {@code timeout} is negative
         * @throws dev.weft.stm.TransactionInterruptedException if the thread is interrupted while
         *         it waits (the interrupt status stays set)
         */
        public boolean tryAcquire(long n, Duration timeout) {
            checkCount(n);
            TimeoutArgument.check(timeout);
            return Stm.atomicBoolean(() -> {
                if (permits.get() < n) {
                    Stm.retryFor(timeout);
                }
                return TSemaphore.this.tryAcquire(n);
            });
        }

        /** Returns one permit, as one transaction. */
        public void release() {
            Stm.atomic(() -> TSemaphore.this.release(1));
        }

        /**
         * Returns {@code n} permits, as one transaction.
         *
         * @param n the number of permits, at least 1
         * @throws IllegalArgumentException if {@code n} is below 1, or the count would exceed Long.MAX_VALUE
         */
        public void release(long n) {
            Stm.atomic(() -> TSemaphore.this.release(n));
        }

        /**
         * The permits available now.
         *
         * @return the permits available now
         */
        public long availablePermits() {
            return Stm.atomicLong(TSemaphore.this::availablePermits);
        }
    }
}
