package dev.weft.collections;

import dev.weft.collections.internal.RollbackWatch;
import dev.weft.collections.internal.TransactionRequired;
import dev.weft.refs.IntRef;
import dev.weft.refs.Ref;
import dev.weft.stm.Stm;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A growable transactional list with random access: every index is its own cell.
 *
 * <pre>{@code
 * TList<String> log = new TList<>();
 * log.asList().add("started");                         // a transaction of its own
 * atomic(() -> {                                       // read, append and count in one step
 *     if (!log.get(log.size() - 1).equals("stopped")) {
 *         log.add("stopped");
 *         stops.increment();
 *     }
 * });
 * }</pre>
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when none is running; they compose with every
 * other ref and collection the transaction touches. {@link #asList()} is a {@link List} in which
 * each call is one atomic transaction, or joins the running one when made inside a transaction.
 *
 * <p><b>Conflicts.</b> {@link #get} and {@link #set} touch the one slot of their index (and the
 * chunk holding it), not the size, so they conflict only with changes of that index: reads and
 * writes of different indexes never conflict, not even with appends. {@link #add(Object)} reads and
 * writes the size and writes the slot it fills, so two appends conflict on the size and nothing
 * else (an append that starts a new chunk also writes that chunk's cell, which no other index
 * uses). {@link #add(int, Object)} and {@link #remove(int)} move every element after the index: they
 * conflict with any access to those indexes. {@link #size()} conflicts with every append and
 * removal; {@link #isEmpty()} reads index 0 only.
 *
 * <p><b>Null policy:</b> null elements throw {@link NullPointerException} at the call, before
 * anything is written (an empty slot is how an index past the end is recognised without reading
 * the size). <b>Iteration:</b> the view's iterators and list iterators are snapshots copied in one
 * transaction when they are created, O(n); inside a transaction, as that transaction sees the list.
 * Their {@code remove}, {@code set} and {@code add} write through to the list at the iterator's
 * index, each in a transaction that first checks that the list still holds, at that index, the
 * element the iterator saw there, and throws {@link ConcurrentModificationException} if not. Inside
 * a transaction, once a scope in which an iterator copied the list or wrote through it rolls back
 * (the attempt, or a nested {@code atomic} or {@code orElse} alternative), the list goes back and
 * the iterator's copy would not: the iterator then throws {@link ConcurrentModificationException}
 * from every call that reads or changes through it.
 *
 * <p><b>Complexity:</b>
 * <table>
 *   <caption>Cost of each operation (n elements)</caption>
 *   <tr><th>operation</th><th>cost</th><th>cells written</th></tr>
 *   <tr><td>{@code get(i)}, {@code set(i, e)}</td><td>O(1)</td><td>{@code set}: the slot</td></tr>
 *   <tr><td>{@code add(e)}</td><td>O(1); the first append to a new chunk allocates it</td>
 *       <td>the slot and the size</td></tr>
 *   <tr><td>{@code add(i, e)}, {@code remove(i)}</td><td>O(n - i)</td>
 *       <td>slots i to n, and the size</td></tr>
 *   <tr><td>{@code size()}, {@code isEmpty()}</td><td>O(1)</td><td>none</td></tr>
 *   <tr><td>{@code clear()}</td><td>O(log n)</td><td>the size and each chunk's cell</td></tr>
 *   <tr><td>the view's {@code indexOf}, {@code contains}, {@code removeIf}, {@code sort},
 *       iterators</td><td>O(n)</td><td></td></tr>
 * </table>
 * Chunk k holds 16 &middot; 2<sup>k</sup> slots, so the chunks of a list of n elements hold at most
 * about 2n slots; removals do not shrink them, {@link #clear()} releases them all.
 *
 * <p><b>Thread-safety:</b> safe for use by any number of threads, platform or virtual; the
 * {@link List#subList sub-lists} of the view are views for one thread (see {@link #asList()}).
 *
 * @param <E> the type of elements
 */
public final class TList<E> {
    /*
     * Overview.
     *
     * Index i lives in a slot (a Ref) of chunk k, where chunk k holds 16 * 2^k consecutive indexes
     * starting at 16 * (2^k - 1): with v = i + 16, k = floor(log2 v) - 4 and the offset is
     * v - 2^(k + 4) (the index scheme of java.util.stream's SpinedBuffer). The chunks are reached
     * through a fixed array of 27 cells, created with the list (chunk 26 ends just below 2^31),
     * each null until the first append into its chunk: there is no growing spine that every
     * access would read, so appends never conflict with reads of other indexes.
     *
     * Invariant SLOTS: the slot of index i is non-null exactly when i < size. So get and set
     * decide "in bounds" from the slot alone, without reading size: that keeps them apart from
     * appends. Every change keeps SLOTS: an append fills slot size and then counts it; add(i, e)
     * moves slots i..size-1 up by one; remove(i) moves them down and empties slot size - 1;
     * clear() drops every chunk and sets size to 0.
     */

    private static final int FIRST_CHUNK_SHIFT = 4;
    private static final int FIRST_CHUNK_SIZE = 1 << FIRST_CHUNK_SHIFT;
    private static final int CHUNKS = 27;
    /** The most elements a list holds (2<sup>31</sup> - 16): the slots of its chunks 0 to 26. */
    public static final int MAX_SIZE = (int) (FIRST_CHUNK_SIZE * ((1L << CHUNKS) - 1));

    /** One chunk's slots; immutable apart from the slots' contents. */
    private static final class Chunk<E> {
        final Ref<E>[] slots;

        @SuppressWarnings("unchecked")
        Chunk(int size) {
            slots = (Ref<E>[]) new Ref<?>[size];
            for (int i = 0; i < size; i++) {
                slots[i] = new Ref<>();
            }
        }
    }

    private final Ref<Chunk<E>>[] chunks; // chunks[k]: written by the append that starts chunk k, and by clear
    private final IntRef size = new IntRef(); // written by appends, insertions, removals, clear
    private final ListView view = new ListView();

    /** Creates an empty list. */
    @SuppressWarnings("unchecked")
    public TList() {
        chunks = (Ref<Chunk<E>>[]) new Ref<?>[CHUNKS];
        for (int k = 0; k < CHUNKS; k++) {
            chunks[k] = new Ref<>();
        }
    }

    private static void check(String method) {
        TransactionRequired.check("TList", method, "asList()");
    }

    private static <E> E requireElement(E element) {
        return Objects.requireNonNull(element, "TList does not accept null elements");
    }

    /** The chunk number of index {@code index} (not negative, below {@link #MAX_SIZE}). */
    private static int chunkOf(int index) {
        return 63 - Long.numberOfLeadingZeros(index + (long) FIRST_CHUNK_SIZE) - FIRST_CHUNK_SHIFT;
    }

    /** The offset of {@code index} inside chunk {@code chunk}. */
    private static int offsetIn(int chunk, int index) {
        return (int) (index + (long) FIRST_CHUNK_SIZE - (1L << (chunk + FIRST_CHUNK_SHIFT)));
    }

    /** The slot of {@code index}, or null when its chunk does not exist (then index >= size). */
    private Ref<E> slotOrNull(int index) {
        if (index < 0 || index >= MAX_SIZE) {
            return null;
        }
        int k = chunkOf(index);
        Chunk<E> chunk = chunks[k].get();
        return chunk == null ? null : chunk.slots[offsetIn(k, index)];
    }

    /** The slot of {@code index}, creating its chunk if needed (index at most size). */
    private Ref<E> slotCreating(int index) {
        int k = chunkOf(index);
        Chunk<E> chunk = chunks[k].get();
        if (chunk == null) {
            chunk = new Chunk<>(FIRST_CHUNK_SIZE << k);
            chunks[k].set(chunk);
        }
        return chunk.slots[offsetIn(k, index)];
    }

    /** The element at an index below size (by SLOTS its slot exists). */
    private E at(int index) {
        return slotOrNull(index).get();
    }

    private IndexOutOfBoundsException outOfBounds(int index) {
        return new IndexOutOfBoundsException("Index " + index + " out of bounds for length " + size.get());
    }

    /**
     * The element at {@code index}, in the running transaction (reads that index only, not the size).
     *
     * @param index the index, from 0 to {@code size() - 1}
     * @return the element at {@code index}
     * @throws IndexOutOfBoundsException if index is outside [0, size)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E get(int index) {
        check("get");
        Ref<E> slot = slotOrNull(index);
        E element = slot == null ? null : slot.get();
        if (element == null) {
            throw outOfBounds(index);
        }
        return element;
    }

    /**
     * Replaces the element at {@code index}, in the running transaction (touches that index only).
     *
     * @param index the index, from 0 to {@code size() - 1}
     * @param element the new element, not null
     * @return the element previously at {@code index}
     * @throws IndexOutOfBoundsException if index is outside [0, size)
     * @throws NullPointerException if element is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E set(int index, E element) {
        check("set");
        requireElement(element);
        Ref<E> slot = slotOrNull(index);
        E previous = slot == null ? null : slot.get();
        if (previous == null) {
            throw outOfBounds(index);
        }
        slot.set(element);
        return previous;
    }

    /**
     * Appends {@code element} at the end, in the running transaction.
     *
     * @implNote Cost model. O(1): reads and writes the size and writes the slot; the first append
     * into chunk k allocates its 16&middot;2<sup>k</sup> slots (one ref each) and writes that
     * chunk's cell. Two appends conflict on the size.
     *
     * @param element the element, not null
     * @return true
     * @throws NullPointerException if element is null (nothing is written)
     * @throws IllegalStateException if the list already holds {@value #MAX_SIZE} elements, or if no
     *         transaction is running on this thread
     */
    public boolean add(E element) {
        check("add");
        requireElement(element);
        int n = size.get();
        if (n == MAX_SIZE) {
            throw new IllegalStateException("a TList holds at most " + MAX_SIZE + " elements");
        }
        slotCreating(n).set(element);
        size.set(n + 1);
        return true;
    }

    /**
     * Inserts {@code element} at {@code index}, moving the elements from there on up by one, in the
     * running transaction; O(size - index).
     *
     * @implNote Cost model. O(n - index): reads and writes every slot from {@code index} to the end
     * and the size, so it conflicts with any concurrent access to those indexes and with appends.
     *
     * @param index the index, from 0 to {@code size()} (the end)
     * @param element the element, not null
     * @throws IndexOutOfBoundsException if index is outside [0, size]
     * @throws NullPointerException if element is null (nothing is written)
     * @throws IllegalStateException if the list already holds {@value #MAX_SIZE} elements, or if no
     *         transaction is running on this thread
     */
    public void add(int index, E element) {
        check("add");
        requireElement(element);
        int n = size.get();
        Objects.checkIndex(index, n + 1);
        if (n == MAX_SIZE) {
            throw new IllegalStateException("a TList holds at most " + MAX_SIZE + " elements");
        }
        Ref<E> target = slotCreating(n);
        for (int i = n; i > index; i--) {
            Ref<E> below = slotOrNull(i - 1);
            target.set(below.get());
            target = below;
        }
        target.set(element);
        size.set(n + 1);
    }

    /**
     * Removes the element at {@code index}, moving the elements after it down by one, in the running
     * transaction; O(size - index).
     *
     * @implNote Cost model. O(n - index): reads and writes every slot from {@code index} to the end
     * and the size, so it conflicts with any concurrent access to those indexes and with appends.
     *
     * @param index the index, from 0 to {@code size() - 1}
     * @return the element removed
     * @throws IndexOutOfBoundsException if index is outside [0, size)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E remove(int index) {
        check("remove");
        int n = size.get();
        Objects.checkIndex(index, n);
        Ref<E> target = slotOrNull(index);
        E removed = target.get();
        for (int i = index + 1; i < n; i++) {
            Ref<E> above = slotOrNull(i);
            target.set(above.get());
            target = above;
        }
        target.set(null);
        size.set(n - 1);
        return removed;
    }

    /**
     * The number of elements, in the running transaction (conflicts with appends and removals).
     *
     * @return the number of elements
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int size() {
        check("size");
        return size.get();
    }

    /**
     * Whether the list is empty, in the running transaction; reads index 0 only, so appends to a
     * non-empty list do not conflict with it.
     *
     * @return whether the list is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean isEmpty() {
        check("isEmpty");
        Chunk<E> first = chunks[0].get();
        return first == null || first.slots[0].get() == null;
    }

    /**
     * Removes every element and releases the chunks, in the running transaction.
     *
     * @implNote Cost model. O(log n): writes the size and the cell of each chunk in use (at most
     * 27), not the slots; the chunks become garbage.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void clear() {
        check("clear");
        for (Ref<Chunk<E>> chunk : chunks) {
            if (chunk.get() == null) {
                break; // chunks exist from 0 up to the last one used
            }
            chunk.set(null);
        }
        size.set(0);
    }

    /**
     * The {@link List} view: each call is one atomic transaction, or joins the running one.
     *
     * <p>Bulk methods ({@code addAll}, {@code removeIf}, {@code removeAll}, {@code retainAll},
     * {@code replaceAll}, {@code sort}, {@code clear}) are one transaction each: all or nothing.
     * {@code equals}, {@code hashCode} and {@code toString} follow the {@link List} contract, on
     * one consistent state. {@link List#subList subList} returns a <em>view</em> in the sense of
     * {@link AbstractList#subList}: an index window onto this list whose every call is a
     * transaction, that writes through, and that keeps its own size as it changes the list. It
     * is for one thread, like the sub-lists of {@code java.util} lists: if other threads add or
     * remove elements while it is used, its window shifts with them and its size goes stale
     * (it never throws {@link ConcurrentModificationException}). For a consistent copy of a range
     * use {@code atomic(() -> List.copyOf(list.asList().subList(from, to)))}.
     *
     * @implNote Cost model. Outside a transaction each call runs the matching operation as a
     * transaction of its own ({@code Stm.atomic}): that operation's costs plus a begin (one
     * volatile read of the clock) and a commit, and a call that passes arguments allocates one
     * small lambda. Inside a transaction a call costs what the operation costs there. {@code get}
     * and {@code set} are O(1) each. Creating an iterator or list iterator copies the list in one
     * transaction, O(n), and each write-through of an iterator is a transaction of its own;
     * {@code indexOf}, {@code contains}, {@code equals}, {@code hashCode}, the bulk methods and
     * {@code sort} are O(n), one transaction each.
     *
     * @return the view (the same object on every call)
     */
    public List<E> asList() {
        return view;
    }

    /** Shows the elements in order (the latest committed state, or the running transaction's). */
    @Override
    public String toString() {
        return "TList" + view;
    }

    /** The elements, in the running transaction. */
    private List<E> elements() {
        int n = size.get();
        List<E> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(at(i));
        }
        return out;
    }

    /** Removes every element matching {@code filter} in one pass, keeping the order; O(n). */
    private boolean removeMatching(Predicate<? super E> filter) {
        return removeMatchingIn(0, size.get(), filter) != 0;
    }

    /**
     * Removes the elements of indexes [from, to) that {@code filter} accepts, in the running
     * transaction, moving the rest (and everything after {@code to}) down; returns how many.
     */
    private int removeMatchingIn(int from, int to, Predicate<? super E> filter) {
        int n = size.get();
        Objects.checkFromToIndex(from, to, n);
        int kept = from;
        for (int i = from; i < to; i++) {
            E e = at(i);
            if (!filter.test(e)) {
                if (kept != i) {
                    slotOrNull(kept).set(e);
                }
                kept++;
            }
        }
        int removed = to - kept;
        if (removed > 0) {
            for (int i = to; i < n; i++) {
                slotOrNull(i - removed).set(at(i));
            }
            for (int i = n - removed; i < n; i++) {
                slotOrNull(i).set(null);
            }
            size.set(n - removed);
        }
        return removed;
    }

    /** Throws unless the list holds {@code expected} (by identity) at {@code index}. */
    private void expect(int index, E expected) {
        Ref<E> slot = slotOrNull(index);
        if (slot == null || slot.get() != expected) {
            throw new ConcurrentModificationException("the list changed since the iterator's snapshot: index "
                    + index + " no longer holds " + expected);
        }
    }

    /**
     * A list iterator over a copy taken in one transaction; changes write through (checked).
     *
     * <p>Inside a transaction the copy and the iterator's own write-throughs belong to the running
     * scope: if that scope (or the attempt) rolls back, the list goes back but the copy would not,
     * and the iterator would go on over elements that are not there (or miss ones that are); its
     * {@link RollbackWatch} then makes it throw {@link ConcurrentModificationException}.
     */
    private final class SnapshotIterator implements ListIterator<E> {
        private final List<E> snapshot;
        private int cursor;
        private int last = -1;
        /** Marks the iterator stale when a scope it copied or wrote in rolls back. */
        private final RollbackWatch rollbacks = new RollbackWatch();

        SnapshotIterator(int index) {
            snapshot = Stm.atomic(TList.this::elements);
            Objects.checkIndex(index, snapshot.size() + 1);
            cursor = index;
            rollbacks.watch();
        }

        @Override
        public boolean hasNext() {
            return cursor < snapshot.size();
        }

        @Override
        public E next() {
            rollbacks.check();
            if (cursor >= snapshot.size()) {
                throw new NoSuchElementException("the iteration has no more elements");
            }
            last = cursor++;
            return snapshot.get(last);
        }

        @Override
        public boolean hasPrevious() {
            return cursor > 0;
        }

        @Override
        public E previous() {
            rollbacks.check();
            if (cursor <= 0) {
                throw new NoSuchElementException("the iteration has no previous element");
            }
            last = --cursor;
            return snapshot.get(last);
        }

        @Override
        public int nextIndex() {
            return cursor;
        }

        @Override
        public int previousIndex() {
            return cursor - 1;
        }

        @Override
        public void remove() {
            rollbacks.check();
            if (last < 0) {
                throw new IllegalStateException("remove() needs a preceding next() or previous(), once per element");
            }
            int index = last;
            E expected = snapshot.get(index);
            Stm.atomic(() -> {
                expect(index, expected);
                TList.this.remove(index);
            });
            rollbacks.watch();
            snapshot.remove(index);
            cursor = index;
            last = -1;
        }

        @Override
        public void set(E e) {
            requireElement(e);
            rollbacks.check();
            if (last < 0) {
                throw new IllegalStateException("set() needs a preceding next() or previous(), and no add or remove since");
            }
            int index = last;
            E expected = snapshot.get(index);
            Stm.atomic(() -> {
                expect(index, expected);
                TList.this.set(index, e);
            });
            rollbacks.watch();
            snapshot.set(index, e);
        }

        @Override
        public void add(E e) {
            requireElement(e);
            rollbacks.check();
            int index = cursor;
            E before = index == 0 ? null : snapshot.get(index - 1);
            Stm.atomic(() -> {
                if (before != null) {
                    expect(index - 1, before);
                }
                TList.this.add(index, e);
            });
            rollbacks.watch();
            snapshot.add(index, e);
            cursor++;
            last = -1;
        }
    }

    /**
     * As {@code AbstractList.subList}: IndexOutOfBoundsException for an endpoint out of range,
     * IllegalArgumentException if from > to.
     */
    private static void checkSubListRange(int fromIndex, int toIndex, int size) {
        if (fromIndex < 0) {
            throw new IndexOutOfBoundsException("fromIndex = " + fromIndex);
        }
        if (toIndex > size) {
            throw new IndexOutOfBoundsException("toIndex = " + toIndex + " > size " + size);
        }
        if (fromIndex > toIndex) {
            throw new IllegalArgumentException("fromIndex(" + fromIndex + ") > toIndex(" + toIndex + ")");
        }
    }

    /**
     * A sub-list of the view (see {@link #asList()}): an index window onto the list, for one
     * thread, whose every call is one transaction (bulk calls included: all or nothing). The
     * window's size (and its parents') is a field that changes only after a transaction that
     * added or removed elements has committed, by the count that transaction returned: a body
     * that rolls back or runs again leaves it as it was.
     */
    private final class SubListView extends AbstractList<E> implements RandomAccess {
        private final SubListView parent; // null: a window onto the whole list
        private final int offset;
        private int size;

        SubListView(SubListView parent, int offset, int size) {
            this.parent = parent;
            this.offset = offset;
            this.size = size;
        }

        private void resized(int delta) {
            for (SubListView window = this; window != null; window = window.parent) {
                window.size += delta;
            }
        }

        @Override
        public E get(int index) {
            Objects.checkIndex(index, size);
            return Stm.atomic(() -> TList.this.get(offset + index));
        }

        @Override
        public E set(int index, E element) {
            requireElement(element);
            Objects.checkIndex(index, size);
            return Stm.atomic(() -> TList.this.set(offset + index, element));
        }

        @Override
        public void add(int index, E element) {
            requireElement(element);
            Objects.checkIndex(index, size + 1);
            Stm.atomic(() -> TList.this.add(offset + index, element));
            resized(1);
        }

        @Override
        public E remove(int index) {
            Objects.checkIndex(index, size);
            E removed = Stm.atomic(() -> TList.this.remove(offset + index));
            resized(-1);
            return removed;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        protected void removeRange(int fromIndex, int toIndex) {
            Objects.checkFromToIndex(fromIndex, toIndex, size);
            int removed = Stm.atomicInt(() -> removeMatchingIn(offset + fromIndex, offset + toIndex, e -> true));
            resized(-removed);
        }

        @Override
        public boolean addAll(Collection<? extends E> c) {
            return addAll(size, c);
        }

        @Override
        public boolean addAll(int index, Collection<? extends E> c) {
            Objects.checkIndex(index, size + 1);
            List<E> copy = new ArrayList<>(c);
            for (E e : copy) {
                requireElement(e);
            }
            Stm.atomic(() -> {
                for (int k = 0; k < copy.size(); k++) {
                    TList.this.add(offset + index + k, copy.get(k));
                }
            });
            resized(copy.size());
            return !copy.isEmpty();
        }

        @Override
        public boolean removeIf(Predicate<? super E> filter) {
            Objects.requireNonNull(filter);
            int removed = Stm.atomicInt(() -> removeMatchingIn(offset, offset + size, filter));
            resized(-removed);
            return removed > 0;
        }

        @Override
        public boolean removeAll(Collection<?> c) {
            Objects.requireNonNull(c);
            return removeIf(c::contains);
        }

        @Override
        public boolean retainAll(Collection<?> c) {
            Objects.requireNonNull(c);
            return removeIf(e -> !c.contains(e));
        }

        @Override
        public void replaceAll(UnaryOperator<E> operator) {
            Objects.requireNonNull(operator);
            Stm.atomic(() -> {
                for (int i = offset; i < offset + size; i++) {
                    Ref<E> slot = slotOrNull(i);
                    slot.set(requireElement(operator.apply(slot.get())));
                }
            });
        }

        @Override
        public void sort(Comparator<? super E> c) {
            Stm.atomic(() -> {
                List<E> part = new ArrayList<>(size);
                for (int i = offset; i < offset + size; i++) {
                    part.add(at(i));
                }
                part.sort(c);
                for (int i = 0; i < part.size(); i++) {
                    slotOrNull(offset + i).set(part.get(i));
                }
            });
        }

        @Override
        public List<E> subList(int fromIndex, int toIndex) {
            checkSubListRange(fromIndex, toIndex, size);
            return new SubListView(this, offset + fromIndex, toIndex - fromIndex);
        }

        /** {@link List#equals}, on one state of the list (one transaction). */
        @Override
        public boolean equals(Object o) {
            return Stm.atomicBoolean(() -> super.equals(o));
        }

        @Override
        public int hashCode() {
            return Stm.atomicInt(super::hashCode);
        }

        @Override
        public String toString() {
            return Stm.atomic(super::toString);
        }
    }

    private final class ListView extends AbstractList<E> implements RandomAccess {
        @Override
        public E get(int index) {
            return Stm.atomic(() -> TList.this.get(index));
        }

        @Override
        public E set(int index, E element) {
            requireElement(element);
            return Stm.atomic(() -> TList.this.set(index, element));
        }

        @Override
        public boolean add(E element) {
            requireElement(element);
            return Stm.atomicBoolean(() -> TList.this.add(element));
        }

        @Override
        public void add(int index, E element) {
            requireElement(element);
            Stm.atomic(() -> TList.this.add(index, element));
        }

        @Override
        public E remove(int index) {
            return Stm.atomic(() -> TList.this.remove(index));
        }

        @Override
        public int size() {
            return Stm.atomicInt(TList.this::size);
        }

        @Override
        public boolean isEmpty() {
            return Stm.atomicBoolean(TList.this::isEmpty);
        }

        @Override
        public void clear() {
            Stm.atomic(TList.this::clear);
        }

        @Override
        public boolean remove(Object o) {
            if (o == null) {
                return false;
            }
            return Stm.atomicBoolean(() -> {
                int index = indexOf(o);
                if (index < 0) {
                    return false;
                }
                TList.this.remove(index);
                return true;
            });
        }

        @Override
        public int indexOf(Object o) {
            if (o == null) {
                return -1;
            }
            return Stm.atomicInt(() -> {
                int n = TList.this.size.get();
                for (int i = 0; i < n; i++) {
                    if (o.equals(at(i))) {
                        return i;
                    }
                }
                return -1;
            });
        }

        @Override
        public int lastIndexOf(Object o) {
            if (o == null) {
                return -1;
            }
            return Stm.atomicInt(() -> {
                for (int i = TList.this.size.get() - 1; i >= 0; i--) {
                    if (o.equals(at(i))) {
                        return i;
                    }
                }
                return -1;
            });
        }

        @Override
        public boolean contains(Object o) {
            return indexOf(o) >= 0;
        }

        @Override
        public boolean containsAll(Collection<?> c) {
            Objects.requireNonNull(c);
            return Stm.atomicBoolean(() -> super.containsAll(c));
        }

        /** All elements at the end in one transaction (none if one of them is null). */
        @Override
        public boolean addAll(Collection<? extends E> c) {
            List<E> copy = nonNullCopy(c);
            Stm.atomic(() -> {
                for (E e : copy) {
                    TList.this.add(e);
                }
            });
            return !copy.isEmpty();
        }

        /** All elements at {@code index} in one transaction, O(n); none if one of them is null. */
        @Override
        public boolean addAll(int index, Collection<? extends E> c) {
            List<E> copy = nonNullCopy(c);
            Stm.atomic(() -> {
                int n = TList.this.size.get();
                Objects.checkIndex(index, n + 1);
                List<E> moved = new ArrayList<>(copy);
                for (int i = index; i < n; i++) {
                    moved.add(at(i));
                }
                for (int i = index; i < n; i++) {
                    slotOrNull(i).set(moved.get(i - index)); // overwrite the old tail in place...
                }
                for (int i = n; i < n + copy.size(); i++) {
                    TList.this.add(moved.get(i - index));   // ...and append the rest
                }
            });
            return !copy.isEmpty();
        }

        private List<E> nonNullCopy(Collection<? extends E> c) {
            List<E> copy = new ArrayList<>(c);
            for (E e : copy) {
                requireElement(e);
            }
            return copy;
        }

        @Override
        public boolean removeIf(Predicate<? super E> filter) {
            Objects.requireNonNull(filter);
            return Stm.atomicBoolean(() -> removeMatching(filter));
        }

        @Override
        public boolean removeAll(Collection<?> c) {
            Objects.requireNonNull(c);
            return Stm.atomicBoolean(() -> removeMatching(c::contains));
        }

        @Override
        public boolean retainAll(Collection<?> c) {
            Objects.requireNonNull(c);
            return Stm.atomicBoolean(() -> removeMatching(e -> !c.contains(e)));
        }

        @Override
        protected void removeRange(int fromIndex, int toIndex) {
            Stm.atomic(() -> {
                int n = TList.this.size.get();
                Objects.checkFromToIndex(fromIndex, toIndex, n);
                int gap = toIndex - fromIndex;
                for (int i = fromIndex; i < n - gap; i++) {
                    slotOrNull(i).set(at(i + gap));
                }
                for (int i = Math.max(fromIndex, n - gap); i < n; i++) {
                    slotOrNull(i).set(null);
                }
                TList.this.size.set(n - gap);
            });
        }

        @Override
        public void replaceAll(UnaryOperator<E> operator) {
            Objects.requireNonNull(operator);
            Stm.atomic(() -> {
                int n = TList.this.size.get();
                for (int i = 0; i < n; i++) {
                    Ref<E> slot = slotOrNull(i);
                    slot.set(requireElement(operator.apply(slot.get())));
                }
            });
        }

        @Override
        public void sort(Comparator<? super E> c) {
            Stm.atomic(() -> {
                List<E> sorted = elements();
                sorted.sort(c);
                for (int i = 0; i < sorted.size(); i++) {
                    slotOrNull(i).set(sorted.get(i));
                }
            });
        }

        /** A window onto [fromIndex, toIndex) of the list now: see {@link SubListView}. */
        @Override
        public List<E> subList(int fromIndex, int toIndex) {
            checkSubListRange(fromIndex, toIndex, size());
            return new SubListView(null, fromIndex, toIndex - fromIndex);
        }

        @Override
        public Object[] toArray() {
            return Stm.atomic(TList.this::elements).toArray();
        }

        @Override
        public <T> T[] toArray(T[] a) {
            return Stm.atomic(TList.this::elements).toArray(a);
        }

        @Override
        public Iterator<E> iterator() {
            return new SnapshotIterator(0);
        }

        @Override
        public ListIterator<E> listIterator() {
            return new SnapshotIterator(0);
        }

        @Override
        public ListIterator<E> listIterator(int index) {
            return new SnapshotIterator(index);
        }

        @Override
        public Spliterator<E> spliterator() {
            return Spliterators.spliterator(toArray(), Spliterator.ORDERED | Spliterator.NONNULL);
        }
    }
}
