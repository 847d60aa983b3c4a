package dev.weft.collections;

import dev.weft.collections.internal.NavigableKeySet;
import dev.weft.collections.internal.NavigableMapView;
import dev.weft.collections.internal.TransactionRequired;
import java.util.Comparator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;

/**
 * A transactional sorted set, built on the same B+ tree as {@link TSortedMap}.
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when none is running. {@link #asSet()} is a
 * {@link NavigableSet} in which each call, on the set and on its sub-set and descending views, is
 * one atomic transaction, or joins the running transaction when called inside one.
 *
 * <p><b>Null policy:</b> null elements throw {@link NullPointerException}; elements must be
 * mutually comparable. <b>Iteration and complexity:</b> as {@link TSortedMap} (weakly consistent
 * iterators reading a leaf of up to 32 elements per transaction; O(log n) per operation).
 *
 * <p><b>Thread-safety:</b> safe for use by any number of threads.
 *
 * @param <E> the type of elements
 */
public final class TSortedSet<E> {
    private final TSortedMap<E, Boolean> map;
    private final NavigableKeySet<E, Boolean> view;

    /** Creates an empty set in the elements' natural order. */
    public TSortedSet() {
        this(null);
    }

    /** @param comparator the order of elements, or null for their natural order */
    public TSortedSet(Comparator<? super E> comparator) {
        this.map = new TSortedMap<>(comparator);
        this.view = new NavigableKeySet<>((NavigableMapView<E, Boolean>) map.asMap(), Boolean.TRUE);
    }

    /**
     * @param element the element, not null
     * @return whether {@code element} was absent (and is now present)
     */
    public boolean add(E element) {
        check("add");
        Objects.requireNonNull(element, "TSortedSet does not accept null elements");
        return map.putIfAbsent(element, Boolean.TRUE) == null;
    }

    /**
     * @param element the element, not null
     * @return whether {@code element} was present (and is now removed)
     */
    public boolean remove(Object element) {
        check("remove");
        return map.remove(element) != null;
    }

    /**
     * Whether {@code element} is present. Allocates nothing.
     *
     * @param element the element, not null
     * @return whether {@code element} is present
     */
    public boolean contains(Object element) {
        check("contains");
        return map.containsKey(element);
    }

    /**
     * The least element, or null if empty.
     *
     * @return the least element, or null if empty
     */
    public E first() {
        check("first");
        return map.firstKey();
    }

    /**
     * The greatest element, or null if empty.
     *
     * @return the greatest element, or null if empty
     */
    public E last() {
        check("last");
        return map.lastKey();
    }

    /**
     * The greatest element strictly less than {@code e}, or null.
     *
     * @param e the element to compare with, not null
     * @return the greatest element strictly less than {@code e}, or null
     */
    public E lower(E e) {
        check("lower");
        return map.lowerKey(e);
    }

    /**
     * The greatest element less than or equal to {@code e}, or null.
     *
     * @param e the element to compare with, not null
     * @return the greatest element less than or equal to {@code e}, or null
     */
    public E floor(E e) {
        check("floor");
        return map.floorKey(e);
    }

    /**
     * The least element greater than or equal to {@code e}, or null.
     *
     * @param e the element to compare with, not null
     * @return the least element greater than or equal to {@code e}, or null
     */
    public E ceiling(E e) {
        check("ceiling");
        return map.ceilingKey(e);
    }

    /**
     * The least element strictly greater than {@code e}, or null.
     *
     * @param e the element to compare with, not null
     * @return the least element strictly greater than {@code e}, or null
     */
    public E higher(E e) {
        check("higher");
        return map.higherKey(e);
    }

    /**
     * Removes and returns the least element, or null if empty.
     *
     * @return the least element, or null if empty
     */
    public E pollFirst() {
        check("pollFirst");
        Map.Entry<E, Boolean> e = map.pollFirstEntry();
        return e == null ? null : e.getKey();
    }

    /**
     * Removes and returns the greatest element, or null if empty.
     *
     * @return the greatest element, or null if empty
     */
    public E pollLast() {
        check("pollLast");
        Map.Entry<E, Boolean> e = map.pollLastEntry();
        return e == null ? null : e.getKey();
    }

    /**
     * The number of elements; reads every count stripe.
     *
     * @return the number of elements; reads every count stripe
     */
    public int size() {
        check("size");
        return map.size();
    }

    /**
     * Whether the set is empty.
     *
     * @return whether the set is empty
     */
    public boolean isEmpty() {
        check("isEmpty");
        return map.isEmpty();
    }

    /** Removes every element. */
    public void clear() {
        check("clear");
        map.clear();
    }

    /**
     * The {@link NavigableSet} view: each method is one atomic transaction, or joins the running one.
     *
     * @return the view (the same object on every call)
     */
    public NavigableSet<E> asSet() {
        return view;
    }

    /** Shows the elements in order. */
    @Override
    public String toString() {
        return "TSortedSet" + view;
    }

    private static void check(String method) {
        TransactionRequired.check("TSortedSet", method, "asSet()");
    }
}
