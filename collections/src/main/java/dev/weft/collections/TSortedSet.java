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

    /**
     * Creates an empty set ordered by {@code comparator}.
     *
     * @param comparator the order of elements, or null for their natural order
     */
    public TSortedSet(Comparator<? super E> comparator) {
        this.map = new TSortedMap<>(comparator);
        this.view = new NavigableKeySet<>((NavigableMapView<E, Boolean>) map.asMap(), Boolean.TRUE);
    }

    /**
     * Adds {@code element} if it is absent, in the running transaction.
     *
     * @implNote Cost model. As {@link TSortedMap#put}: O(log n) reads down to the element's leaf
     * and one write of a copy of that leaf (at most 32 elements), sometimes also its parent; the
     * size change commutes onto the calling thread's count stripe.
     *
     * @param element the element, not null
     * @return whether {@code element} was absent (and is now present)
     * @throws NullPointerException if {@code element} is null (nothing is written)
     * @throws ClassCastException if {@code element} cannot be compared with the elements of the set
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean add(E element) {
        check("add");
        Objects.requireNonNull(element, "TSortedSet does not accept null elements");
        return map.putIfAbsent(element, Boolean.TRUE) == null;
    }

    /**
     * Removes {@code element} if it is present, in the running transaction.
     *
     * @implNote Cost model. As {@link TSortedMap#put}: O(log n) reads down to the element's leaf
     * and one write of a copy of that leaf (at most 32 elements), sometimes also its parent; the
     * size change commutes onto the calling thread's count stripe.
     *
     * @param element the element, not null
     * @return whether {@code element} was present (and is now removed)
     * @throws NullPointerException if {@code element} is null
     * @throws ClassCastException if {@code element} cannot be compared with the elements of the set
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean remove(Object element) {
        check("remove");
        return map.remove(element) != null;
    }

    /**
     * Whether {@code element} is present. Allocates nothing.
     *
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @param element the element, not null
     * @return whether {@code element} is present
     * @throws NullPointerException if {@code element} is null
     * @throws ClassCastException if {@code element} cannot be compared with the elements of the set
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean contains(Object element) {
        check("contains");
        return map.containsKey(element);
    }

    /**
     * The least element, or null if empty.
     *
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @return the least element, or null if empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E first() {
        check("first");
        return map.firstKey();
    }

    /**
     * The greatest element, or null if empty.
     *
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @return the greatest element, or null if empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E last() {
        check("last");
        return map.lastKey();
    }

    /**
     * The greatest element strictly less than {@code e}, or null.
     *
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @param e the element to compare with, not null
     * @return the greatest element strictly less than {@code e}, or null
     * @throws NullPointerException if {@code e} is null
     * @throws ClassCastException if {@code e} cannot be compared with the elements of the set
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E lower(E e) {
        check("lower");
        return map.lowerKey(e);
    }

    /**
     * The greatest element less than or equal to {@code e}, or null.
     *
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @param e the element to compare with, not null
     * @return the greatest element less than or equal to {@code e}, or null
     * @throws NullPointerException if {@code e} is null
     * @throws ClassCastException if {@code e} cannot be compared with the elements of the set
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E floor(E e) {
        check("floor");
        return map.floorKey(e);
    }

    /**
     * The least element greater than or equal to {@code e}, or null.
     *
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @param e the element to compare with, not null
     * @return the least element greater than or equal to {@code e}, or null
     * @throws NullPointerException if {@code e} is null
     * @throws ClassCastException if {@code e} cannot be compared with the elements of the set
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E ceiling(E e) {
        check("ceiling");
        return map.ceilingKey(e);
    }

    /**
     * The least element strictly greater than {@code e}, or null.
     *
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @param e the element to compare with, not null
     * @return the least element strictly greater than {@code e}, or null
     * @throws NullPointerException if {@code e} is null
     * @throws ClassCastException if {@code e} cannot be compared with the elements of the set
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E higher(E e) {
        check("higher");
        return map.higherKey(e);
    }

    /**
     * Removes and returns the least element, or null if empty.
     *
     * @implNote Cost model. O(log n): reads the edge path and writes a copy of the edge leaf (at
     * most 32 elements), merging it with a neighbour about once in 8 to 16 removals; the removal
     * commutes onto the calling thread's count stripe. All pollers of one end conflict with each
     * other.
     *
     * @return the least element, or null if empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E pollFirst() {
        check("pollFirst");
        Map.Entry<E, Boolean> e = map.pollFirstEntry();
        return e == null ? null : e.getKey();
    }

    /**
     * Removes and returns the greatest element, or null if empty.
     *
     * @implNote Cost model. O(log n): reads the edge path and writes a copy of the edge leaf (at
     * most 32 elements), merging it with a neighbour about once in 8 to 16 removals; the removal
     * commutes onto the calling thread's count stripe. All pollers of one end conflict with each
     * other.
     *
     * @return the greatest element, or null if empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E pollLast() {
        check("pollLast");
        Map.Entry<E, Boolean> e = map.pollLastEntry();
        return e == null ? null : e.getKey();
    }

    /**
     * The number of elements; reads every count stripe.
     *
     * @implNote Cost model. Reads every stripe of the set's striped count (four per core, 4 to 64):
     * O(stripes); any add or removal that commits meanwhile invalidates this transaction.
     * {@link #isEmpty()} does not read the count.
     *
     * @return the number of elements; reads every count stripe
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int size() {
        check("size");
        return map.size();
    }

    /**
     * Whether the set is empty.
     *
     * @implNote Cost model. O(log n) reads down the leftmost path, and no count stripe, so adds and
     * removals elsewhere in the set do not conflict with it.
     *
     * @return whether the set is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean isEmpty() {
        check("isEmpty");
        return map.isEmpty();
    }

    /**
     * Removes every element, in the running transaction.
     *
     * @implNote Cost model. Writes the root ref and every count stripe, O(stripes), without
     * reading the elements; it conflicts with every transaction using the set concurrently.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void clear() {
        check("clear");
        map.clear();
    }

    /**
     * The {@link NavigableSet} view: each method is one atomic transaction, or joins the running one.
     *
     * @implNote Cost model. As {@link TSortedMap#asMap()}: outside a transaction {@code contains}
     * runs no transaction, {@code add} and {@code remove} are one commit each unless they split or
     * merge a leaf, every other call is one transaction of the matching operation (O(log n) for
     * lookups and changes, plus a begin and a commit; a call with arguments allocates one small
     * lambda), and iterators read one leaf of up to 32 elements per transaction.
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
