package dev.weft.collections;

import dev.weft.collections.internal.TimeoutArgument;
import dev.weft.collections.internal.TransactionRequired;
import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.time.Duration;

/**
 * A transactional count-down latch: {@link #await} waits (with {@link Stm#retry()}) until the
 * count reaches zero.
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when none is running; a count-down in a
 * transaction that rolls back never happened. {@link #atomic()} runs each call as its own
 * transaction (or joins the running one); {@code await} parks the thread and throws
 * {@link dev.weft.stm.TransactionInterruptedException} (unchecked) on interrupt.
 *
 * <p>The count lives in one cell. <b>Thread-safety:</b> safe for use by any number of threads.
 */
public final class TLatch {
    private final LongRef count;
    private final Atomic view = new Atomic();

    /**
     * Creates a latch that opens after {@code count} count-downs (at once if zero).
     *
     * @param count the initial count, not negative
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public TLatch(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, was " + count);
        }
        this.count = new LongRef(count);
    }

    /**
     * Decrements the count unless it is already zero, in the running transaction.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void countDown() {
        TransactionRequired.check("TLatch", "countDown", "atomic()");
        long c = count.get();
        if (c > 0) {
            count.set(c - 1);
        }
    }

    /**
     * Waits until the count is zero, in the running transaction: while it is not, this calls
     * {@link Stm#retry()}, so the whole transaction rolls back and waits until a commit changes the
     * count (or, inside {@link Stm#orElse}, the next alternative runs instead).
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void await() {
        TransactionRequired.check("TLatch", "await", "atomic()");
        if (count.get() > 0) {
            Stm.retry();
        }
    }

    /**
     * The current count.
     *
     * @return the current count
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long getCount() {
        TransactionRequired.check("TLatch", "getCount", "atomic()");
        return count.get();
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
        return "TLatch[count=" + view.getCount() + "]";
    }

    /**
     * One-operation access to a {@link TLatch}: each method is one transaction, or part of the
     * running one. Thread-safe.
     *
     * @implNote Cost model. Each call outside a transaction runs the matching method of the latch
     * as a transaction of its own ({@code Stm.atomic}): a begin, one read and at most one write of
     * the latch's one cell, and a commit; a call that passes arguments allocates one small lambda.
     * A blocking call parks the thread in {@code retry()} until a commit changes the cell.
     */
    public final class Atomic {
        private Atomic() {}

        /** Decrements the count unless it is zero, as one transaction. */
        public void countDown() {
            Stm.atomic(TLatch.this::countDown);
        }

        /**
         * Blocks until the count is zero.
         *
         * @throws dev.weft.stm.TransactionInterruptedException if the thread is interrupted while
         *         it waits (the interrupt status stays set)
         */
        public void await() {
            Stm.atomic(TLatch.this::await);
        }

        /**
         * Blocks until the count is zero or {@code timeout} passed; returns whether it is zero.
         *
         * @param timeout the longest time to wait in total
         * @return whether the count reached zero within the timeout
         * @throws IllegalArgumentException if {@code timeout} is negative
         * @throws dev.weft.stm.TransactionInterruptedException if the thread is interrupted while
         *         it waits (the interrupt status stays set)
         */
        public boolean await(Duration timeout) {
            TimeoutArgument.check(timeout);
            return Stm.atomicBoolean(() -> {
                if (count.get() > 0) {
                    Stm.retryFor(timeout);
                }
                return count.get() == 0;
            });
        }

        /**
         * The current count, read in one transaction.
         *
         * @return the count, zero once the latch is open
         */
        public long getCount() {
            return Stm.atomicLong(TLatch.this::getCount);
        }
    }
}
