package dev.weft.collections;

import dev.weft.collections.internal.TransactionRequired;
import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import dev.weft.stm.spi.Barrier;
import java.util.Objects;

/**
 * A fixed-length transactional array of unboxed {@code long}s.
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when none is running. {@link #atomic()} gives
 * the methods of {@link java.util.concurrent.atomic.AtomicLongArray}: each is a linearizable
 * one-slot transaction (no descriptor, nothing allocated), or joins the running transaction.
 *
 * <p><b>Conflicts:</b> every slot is its own cell; transactions on different indexes never
 * conflict. <b>Complexity:</b> O(1) per operation; {@link #sum()} reads every slot.
 *
 * <p><b>Thread-safety:</b> safe for use by any number of threads.
 */
public final class TLongArray {
    private final LongRef[] slots;
    private final Atomic view = new Atomic();

    /**
     * Creates an array of {@code length} zeros.
     *
     * @param length the number of slots, not negative
     * @throws IllegalArgumentException if length is negative
     */
    public TLongArray(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative, was " + length);
        }
        slots = new LongRef[length];
        for (int i = 0; i < length; i++) {
            slots[i] = new LongRef();
        }
    }

    /**
     * The fixed length; may be called outside a transaction.
     *
     * @return the fixed length
     */
    public int length() {
        return slots.length;
    }

    private LongRef slot(int index, String method) {
        TransactionRequired.check("TLongArray", method, "atomic()");
        return slots[Objects.checkIndex(index, slots.length)];
    }

    /**
     * The value at {@code index}, in the running transaction.
     *
     * @param index the slot, from 0 to {@code length() - 1}
     * @return the value at {@code index}, in the running transaction
     * @throws IndexOutOfBoundsException if index is outside [0, length)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long get(int index) {
        return slot(index, "get").get();
    }

    /**
     * Sets the value at {@code index}, in the running transaction.
     *
     * @param index the slot, from 0 to {@code length() - 1}
     * @param value the new value
     * @throws IndexOutOfBoundsException if index is outside [0, length)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void set(int index, long value) {
        slot(index, "set").set(value);
    }

    /**
     * Adds {@code delta} at {@code index} and returns the new value, in the running transaction.
     *
     * @param index the slot, from 0 to {@code length() - 1}
     * @param delta the amount to add (may be negative)
     * @return the new value of the slot
     * @throws IndexOutOfBoundsException if index is outside [0, length)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long addAndGet(int index, long delta) {
        return slot(index, "addAndGet").addAndGet(delta);
    }

    /**
     * The sum of all slots, in the running transaction (reads every slot).
     *
     * @implNote Cost model. O(length): one transactional read per slot, so it conflicts with every
     * concurrent change of the array.
     *
     * @return the sum of all slots, in the running transaction (reads every slot)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long sum() {
        TransactionRequired.check("TLongArray", "sum", "atomic()");
        long total = 0;
        for (LongRef slot : slots) {
            total += slot.get();
        }
        return total;
    }

    /**
     * One-operation access in the style of {@link java.util.concurrent.atomic.AtomicLongArray}:
     * each method of the view is a linearizable transaction of its own outside a transaction, and
     * joins the running transaction inside one.
     *
     * @return the view (the same object on every call)
     */
    public Atomic atomic() {
        return view;
    }

    /** Shows the latest committed values, slot by slot; never joins a transaction. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("TLongArray[");
        for (int i = 0; i < slots.length; i++) {
            s.append(i == 0 ? "" : ", ").append(Barrier.peekLong(slots[i]));
        }
        return s.append(']').toString();
    }

    /**
     * One-slot operations: each is a linearizable transaction of its own outside a transaction
     * (one cell, no descriptor, no allocation), and joins the running transaction inside one.
     * Thread-safe.
     *
     * @implNote Cost model, outside a transaction: the one-slot methods cost what the same
     * methods of {@link dev.weft.refs.LongRef.Atomic} cost (a read is one seqlock snapshot; an
     * update one CAS, a volatile read of the clock and a release store). {@link #sum()} is one
     * transaction over every slot, O(length).
     */
    public final class Atomic {
        private Atomic() {}

        private LongRef at(int index) {
            return slots[Objects.checkIndex(index, slots.length)];
        }

        /**
         * The fixed length.
         *
         * @return the fixed length
         */
        public int length() {
            return slots.length;
        }

        /**
         * Reads the slot: outside a transaction its latest committed value, inside one its value as
         * of that transaction.
         *
         * @param index the slot, from 0 to {@code length() - 1}
         * @return the slot's value
         * @throws IndexOutOfBoundsException if index is outside [0, length)
         */
        public long get(int index) {
            return Barrier.getLong(at(index));
        }

        /**
         * Writes the slot: outside a transaction it is committed at once, inside one it is written
         * in that transaction.
         *
         * @param index the slot, from 0 to {@code length() - 1}
         * @param value the new value
         * @throws IndexOutOfBoundsException if index is outside [0, length)
         */
        public void set(int index, long value) {
            Barrier.setLong(at(index), value);
        }

        /**
         * Writes {@code value} to the slot and returns the value it replaced, atomically.
         *
         * @param index the slot, from 0 to {@code length() - 1}
         * @param value the new value
         * @return the previous value
         * @throws IndexOutOfBoundsException if index is outside [0, length)
         */
        public long getAndSet(int index, long value) {
            return Barrier.getAndSetLong(at(index), value);
        }

        /**
         * Sets the slot to {@code update} if it holds {@code expected}.
         *
         * @param index the slot, from 0 to {@code length() - 1}
         * @param expected the value expected
         * @param update the new value
         * @return whether the slot held {@code expected} and now holds {@code update}
         */
        public boolean compareAndSet(int index, long expected, long update) {
            return Barrier.compareAndSetLong(at(index), expected, update);
        }

        /**
         * Adds {@code delta} to the slot atomically.
         *
         * @param index the slot, from 0 to {@code length() - 1}
         * @param delta the amount to add (may be negative)
         * @return the previous value
         * @throws IndexOutOfBoundsException if index is outside [0, length)
         */
        public long getAndAdd(int index, long delta) {
            return Barrier.getAndAddLong(at(index), delta);
        }

        /**
         * Adds {@code delta} to the slot atomically.
         *
         * @param index the slot, from 0 to {@code length() - 1}
         * @param delta the amount to add (may be negative)
         * @return the new value
         * @throws IndexOutOfBoundsException if index is outside [0, length)
         */
        public long addAndGet(int index, long delta) {
            return Barrier.getAndAddLong(at(index), delta) + delta;
        }

        /**
         * Adds one to the slot atomically.
         *
         * @param index the slot, from 0 to {@code length() - 1}
         * @return the new value
         * @throws IndexOutOfBoundsException if index is outside [0, length)
         */
        public long incrementAndGet(int index) {
            return addAndGet(index, 1);
        }

        /**
         * The sum of all slots as one transaction (a consistent total).
         *
         * @return the sum of all slots as one transaction (a consistent total)
         */
        public long sum() {
            return Stm.atomicLong(TLongArray.this::sum);
        }
    }
}
