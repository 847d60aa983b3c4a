package dev.weft.collections;

import dev.weft.collections.internal.BTree;
import dev.weft.collections.internal.NavigableMapView;
import dev.weft.collections.internal.TransactionRequired;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A transactional sorted map: a B+ tree of immutable nodes in refs, with range queries.
 *
 * <pre>{@code
 * TSortedMap<Long, Order> book = new TSortedMap<>();
 * atomic(() -> {                                  // take the best order and record it, atomically
 *     Map.Entry<Long, Order> best = book.pollFirstEntry();
 *     if (best != null) filled.put(best.getValue().id(), best.getValue());
 * });
 * book.asMap().subMap(100L, 200L).forEach(...);   // a range, read in one transaction
 * }</pre>
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's
 * running transaction and throw {@link IllegalStateException} when none is running. {@link #asMap()}
 * is a {@link ConcurrentNavigableMap} whose every method, on the map and on its sub-map, descending
 * and key-set views, is one atomic transaction, or joins the running transaction when called
 * inside one; so inside a transaction the whole {@code NavigableMap} API composes with everything
 * else the transaction does.
 *
 * <p><b>Conflicts.</b> A change writes the ref of one leaf (up to 32 neighbouring entries); about
 * one change in 8 to 16 also splits or merges a leaf and writes its parent. Two transactions
 * conflict when they change entries in the same leaf, or when one reads what the other changes
 * (a range it scanned, a key it looked up, {@link #size()}). The size is a striped count, not a
 * cell every insert writes.
 *
 * <p><b>Null policy</b> as {@link java.util.concurrent.ConcurrentSkipListMap}: null keys and values
 * throw {@link NullPointerException}; keys must be mutually comparable (natural order or the
 * comparator), else {@link ClassCastException}; nothing is written in either case.
 *
 * <p><b>Iteration.</b> Iterators of the views read one leaf (up to 32 entries) per transaction:
 * entries from one leaf belong to one state, and the iteration as a whole is weakly consistent
 * (each entry at most once, never a {@link java.util.ConcurrentModificationException}). Inside a
 * transaction every leaf is read in that transaction, so the iteration sees exactly its state. For
 * one consistent state of a range outside a transaction, read it in one, e.g.
 * {@code atomic(() -> new TreeMap<>(map.asMap().subMap(a, b)))}.
 *
 * <p><b>Complexity.</b> get, put, remove, floor/ceiling/lower/higher, first/last/poll: O(log n)
 * cells read (height log<sub>16..32</sub> n), one written in the common case; get and the
 * key-returning navigation methods of this class allocate nothing. {@code size()} of the whole map:
 * O(stripes); of a sub-map: O(entries in range). Range iteration: O(log n + k).
 *
 * <p><b>Thread-safety:</b> safe for use by any number of threads. The comparator and functions
 * passed to {@code compute}-style methods may run more than once and must not have side effects.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class TSortedMap<K, V> {
    private final BTree<K, V> tree;
    private final NavigableMapView<K, V> view;

    /** Creates an empty map ordered by the keys' natural order. */
    public TSortedMap() {
        this(null);
    }

    /**
     * Creates an empty map ordered by {@code comparator}.
     *
     * @param comparator the order of keys, or null for their natural order
     */
    public TSortedMap(Comparator<? super K> comparator) {
        this.tree = new BTree<>(comparator);
        this.view = new NavigableMapView<>(tree);
    }

    /**
     * The value of {@code key}, or null. Allocates nothing.
     *
     * @param key the key, not null
     * @return the value of {@code key}, or null
     */
    public V get(Object key) {
        check("get");
        tree.checkKey(key);
        return tree.txGet(key);
    }

    /**
     * Whether {@code key} has a value.
     *
     * @param key the key, not null
     * @return whether {@code key} has a value
     */
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    /**
     * @param key the key, not null
     * @param value the value, not null
     * @return the previous value, or null
     */
    public V put(K key, V value) {
        check("put");
        return view.put(key, value);
    }

    /**
     * @param key the key, not null
     * @param value the value, not null
     * @return the present value (unchanged), or null if {@code value} was added
     */
    public V putIfAbsent(K key, V value) {
        check("putIfAbsent");
        return view.putIfAbsent(key, value);
    }

    /**
     * @param key the key, not null
     * @return the removed value, or null
     */
    public V remove(Object key) {
        check("remove");
        return view.remove(key);
    }

    /**
     * As {@link Map#compute}.
     *
     * @param key the key, not null
     * @param function a function without side effects; it may run more than once
     * @return the new value, or null if the entry was removed
     */
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> function) {
        check("compute");
        return view.compute(key, function);
    }

    /**
     * As {@link Map#computeIfAbsent}.
     *
     * @param key the key, not null
     * @param function a function without side effects; it may run more than once
     * @return the present or computed value, or null if the function returned null
     */
    public V computeIfAbsent(K key, Function<? super K, ? extends V> function) {
        check("computeIfAbsent");
        return view.computeIfAbsent(key, function);
    }

    /**
     * As {@link Map#merge}.
     *
     * @param key the key, not null
     * @param value the value, not null
     * @param function a function without side effects; it may run more than once
     * @return the new value, or null if the entry was removed
     */
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> function) {
        check("merge");
        return view.merge(key, value, function);
    }

    /**
     * The least key, or null if the map is empty. Allocates nothing.
     *
     * @return the least key, or null if the map is empty
     */
    public K firstKey() {
        return edgeKey(true, "firstKey");
    }

    /**
     * The greatest key, or null if the map is empty. Allocates nothing.
     *
     * @return the greatest key, or null if the map is empty
     */
    public K lastKey() {
        return edgeKey(false, "lastKey");
    }

    @SuppressWarnings("unchecked")
    private K edgeKey(boolean first, String method) {
        check(method);
        BTree.Leaf leaf = tree.txEdgeLeaf(first);
        return leaf == null ? null : (K) leaf.keys[first ? 0 : leaf.size() - 1];
    }

    /**
     * The greatest key strictly less than {@code key}, or null. Allocates nothing.
     *
     * @param key the key, not null
     * @return the greatest key strictly less than {@code key}, or null
     */
    public K lowerKey(K key) {
        return relativeKey(key, BTree.LT, "lowerKey");
    }

    /**
     * The greatest key less than or equal to {@code key}, or null. Allocates nothing.
     *
     * @param key the key, not null
     * @return the greatest key less than or equal to {@code key}, or null
     */
    public K floorKey(K key) {
        return relativeKey(key, BTree.LE, "floorKey");
    }

    /**
     * The least key greater than or equal to {@code key}, or null. Allocates nothing.
     *
     * @param key the key, not null
     * @return the least key greater than or equal to {@code key}, or null
     */
    public K ceilingKey(K key) {
        return relativeKey(key, BTree.GE, "ceilingKey");
    }

    /**
     * The least key strictly greater than {@code key}, or null. Allocates nothing.
     *
     * @param key the key, not null
     * @return the least key strictly greater than {@code key}, or null
     */
    public K higherKey(K key) {
        return relativeKey(key, BTree.GT, "higherKey");
    }

    @SuppressWarnings("unchecked")
    private K relativeKey(K key, int relation, String method) {
        check(method);
        tree.checkKey(key);
        BTree.Leaf leaf = tree.txFindLeaf(key, relation);
        return leaf == null ? null : (K) leaf.keys[tree.indexIn(leaf, key, relation)];
    }

    /**
     * The entry with the least key (an immutable snapshot), or null.
     *
     * @return the entry with the least key (an immutable snapshot), or null
     */
    public Map.Entry<K, V> firstEntry() {
        check("firstEntry");
        return view.firstEntry();
    }

    /**
     * The entry with the greatest key (an immutable snapshot), or null.
     *
     * @return the entry with the greatest key (an immutable snapshot), or null
     */
    public Map.Entry<K, V> lastEntry() {
        check("lastEntry");
        return view.lastEntry();
    }

    /**
     * Removes and returns the entry with the least key, or null if the map is empty.
     *
     * @return the entry with the least key, or null if the map is empty
     */
    public Map.Entry<K, V> pollFirstEntry() {
        check("pollFirstEntry");
        return view.pollFirstEntry();
    }

    /**
     * Removes and returns the entry with the greatest key, or null if the map is empty.
     *
     * @return the entry with the greatest key, or null if the map is empty
     */
    public Map.Entry<K, V> pollLastEntry() {
        check("pollLastEntry");
        return view.pollLastEntry();
    }

    /**
     * The number of entries (saturated at {@link Integer#MAX_VALUE}); reads every count stripe.
     *
     * @return the number of entries (saturated at {@link Integer#MAX_VALUE}); reads every count stripe
     */
    public int size() {
        check("size");
        long n = tree.txSize();
        return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    }

    /**
     * Whether the map has no entries (reads only the tree's root path, not the count).
     *
     * @return whether the map has no entries (reads only the tree's root path, not the count)
     */
    public boolean isEmpty() {
        check("isEmpty");
        return tree.txEdgeLeaf(true) == null;
    }

    /** Removes every entry. */
    public void clear() {
        check("clear");
        tree.txClear();
    }

    /**
     * The {@link ConcurrentNavigableMap} view: each method (of the view, its sub-maps, its
     * descending map and its key sets) is one atomic transaction of its own, or joins the running
     * transaction when called inside one. Iterators: see the class comment.
     *
     * @return the view (the same object on every call)
     */
    public ConcurrentNavigableMap<K, V> asMap() {
        return view;
    }

    /** Shows the entries in order (read leaf by leaf, see the class comment). */
    @Override
    public String toString() {
        return "TSortedMap" + view;
    }

    private static void check(String method) {
        TransactionRequired.check("TSortedMap", method, "asMap()");
    }
}
