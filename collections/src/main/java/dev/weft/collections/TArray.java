package dev.weft.collections;

import dev.weft.collections.internal.TransactionRequired;
import dev.weft.refs.Ref;
import dev.weft.stm.Stm;
import dev.weft.stm.spi.Barrier;
import java.util.AbstractList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.UnaryOperator;

/**
 * A fixed-length transactional array of references; {@code null} is a valid element.
 *
 * <p><b>Transactional semantics.</b> {@link #get} and {@link #set} act in the calling thread's
 * running transaction and throw {@link IllegalStateException} when none is running. {@link #asList()}
 * is a fixed-size {@link List} in which each call is one atomic transaction (or joins the running
 * one); its {@code get} outside a transaction is one lock-free read that allocates nothing.
 *
 * <p><b>Conflicts.</b> Every slot is its own cell: transactions that touch different indexes never
 * conflict. <b>Iteration</b> of the list view reads each slot when reached (weakly consistent);
 * inside a transaction every read is part of it. Read a consistent copy with
 * {@code atomic(() -> new ArrayList<>(array.asList()))}. <b>Complexity:</b> get, set: O(1).
 *
 * <p><b>Thread-safety:</b> safe for use by any number of threads.
 *
 * @param <E> the type of elements
 */
public final class TArray<E> {
    private final Ref<E>[] slots;
    private final ListView view = new ListView();

    /**
     * Creates an array of {@code length} nulls.
     *
     * @param length the number of slots, not negative
     * @throws IllegalArgumentException if length is negative
     */
    @SuppressWarnings("unchecked")
    public TArray(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative, was " + length);
        }
        slots = (Ref<E>[]) new Ref<?>[length];
        for (int i = 0; i < length; i++) {
            slots[i] = new Ref<>();
        }
    }

    /**
     * Creates an array holding {@code elements}, in order.
     *
     * @param elements the initial elements (copied; nulls allowed)
     * @param <E> the type of elements
     * @return the array
     */
    @SafeVarargs
    public static <E> TArray<E> of(E... elements) {
        TArray<E> array = new TArray<>(elements.length);
        for (int i = 0; i < elements.length; i++) {
            array.slots[i] = new Ref<>(elements[i]);
        }
        return array;
    }

    /**
     * The fixed length; may be called outside a transaction.
     *
     * @return the fixed length
     */
    public int length() {
        return slots.length;
    }

    /**
     * The element at {@code index}, in the running transaction.
     *
     * @param index the slot, from 0 to {@code length() - 1}
     * @return the element at {@code index}, in the running transaction
     * @throws IndexOutOfBoundsException if index is outside [0, length)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E get(int index) {
        check("get");
        return slots[Objects.checkIndex(index, slots.length)].get();
    }

    /**
     * Sets the element at {@code index}, in the running transaction.
     *
     * @param index the slot, from 0 to {@code length() - 1}
     * @param element the new element, may be null
     * @return the previous element, may be null
     * @throws IndexOutOfBoundsException if index is outside [0, length)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E set(int index, E element) {
        check("set");
        return slots[Objects.checkIndex(index, slots.length)].getAndSet(element);
    }

    /**
     * The fixed-size {@link List} view: each call one atomic transaction, or joins the running one.
     *
     * @implNote Cost model. {@code get} and {@code set} outside a transaction are single-cell
     * operations on the slot (design.md, "Single-operation transactions"): a read is one seqlock
     * snapshot with no lock, no shared write and no allocation; a write one CAS, a volatile read of
     * the clock and a release store. Inside a transaction they cost a transactional read or write.
     * Iteration reads each slot when reached, O(n) single-cell reads; {@code replaceAll} and the
     * other bulk methods are one transaction each, O(n).
     *
     * @return the view (the same object on every call)
     */
    public List<E> asList() {
        return view;
    }

    @Override
    public String toString() {
        return "TArray" + view;
    }

    private static void check(String method) {
        TransactionRequired.check("TArray", method, "asList()");
    }

    private final class ListView extends AbstractList<E> implements RandomAccess {
        @Override
        @SuppressWarnings("unchecked")
        public E get(int index) {
            // one single-cell read, or a read in the running transaction; no view object per slot
            return (E) Barrier.getObject(slots[Objects.checkIndex(index, slots.length)]);
        }

        @Override
        @SuppressWarnings("unchecked")
        public E set(int index, E element) {
            return (E) Barrier.getAndSetObject(slots[Objects.checkIndex(index, slots.length)], element);
        }

        @Override
        public int size() {
            return slots.length;
        }

        /** One transaction over the whole array. */
        @Override
        public void replaceAll(UnaryOperator<E> operator) {
            Objects.requireNonNull(operator);
            Stm.atomic(() -> {
                for (Ref<E> slot : slots) {
                    slot.set(operator.apply(slot.get()));
                }
            });
        }

        /** One transaction over the whole array: reads every slot, writes them back in order. */
        @Override
        public void sort(Comparator<? super E> c) {
            Stm.atomic(() -> super.sort(c));
        }

        /**
         * A window onto the array ({@link AbstractList#subList}): single reads and writes as the
         * array's, and its bulk writes ({@code replaceAll}, {@code sort}) one transaction each.
         */
        @Override
        public List<E> subList(int fromIndex, int toIndex) {
            return new Window<>(super.subList(fromIndex, toIndex));
        }
    }

    /**
     * A sub-list of the array's view whose bulk writes are one transaction each. The array has a
     * fixed length, so the window's size never changes and the calls it delegates to inside a
     * transaction leave no state of their own to roll back.
     */
    private static final class Window<E> extends AbstractList<E> implements RandomAccess {
        private final List<E> window;

        Window(List<E> window) {
            this.window = window;
        }

        @Override
        public E get(int index) {
            return window.get(index);
        }

        @Override
        public E set(int index, E element) {
            return window.set(index, element);
        }

        @Override
        public int size() {
            return window.size();
        }

        @Override
        public void replaceAll(UnaryOperator<E> operator) {
            Objects.requireNonNull(operator);
            Stm.atomic(() -> window.replaceAll(operator));
        }

        @Override
        public void sort(Comparator<? super E> c) {
            Stm.atomic(() -> window.sort(c));
        }

        @Override
        public List<E> subList(int fromIndex, int toIndex) {
            return new Window<>(window.subList(fromIndex, toIndex));
        }
    }
}
