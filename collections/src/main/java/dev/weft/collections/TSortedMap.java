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
     * @implNote Cost model. O(log n): one transactional read per tree level (height
     * log<sub>16..32</sub> n) and a binary search of one leaf with the comparator; allocates
     * nothing. Conflicts only with changes to that leaf and with splits or merges on its path.
     *
     * @param key the key, not null
     * @return the value of {@code key}, or null
     * @throws NullPointerException if {@code key} is null
     * @throws ClassCastException if {@code key} cannot be compared with the keys in the map
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V get(Object key) {
        check("get");
        tree.checkKey(key);
        return tree.txGet(key);
    }

    /**
     * Whether {@code key} has a value.
     *
     * @implNote Cost model. As {@link #get}: O(log n), no allocation.
     *
     * @param key the key, not null
     * @return whether {@code key} has a value
     * @throws NullPointerException if {@code key} is null
     * @throws ClassCastException if {@code key} cannot be compared with the keys in the map
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    /**
     * Associates {@code value} with {@code key}, in the running transaction.
     *
     * @implNote Cost model. O(log n) reads down to the key's leaf, then one write of that leaf's
     * ref with a copy of the leaf (at most 32 entries); about one change in 8 to 16 also splits or
     * merges the leaf and writes its parent. An insert or removal adds to the calling thread's
     * count stripe by commute, so the count is no point of conflict. Conflicts with changes to the
     * same leaf.
     *
     * @param key the key, not null
     * @param value the value, not null
     * @return the previous value, or null
     * @throws NullPointerException if {@code key} or {@code value} is null (nothing is written)
     * @throws ClassCastException if {@code key} cannot be compared with the keys in the map
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V put(K key, V value) {
        check("put");
        return view.put(key, value);
    }

    /**
     * Associates {@code value} with {@code key} unless it has a value, in the running transaction.
     *
     * @implNote Cost model. O(log n) reads down to the key's leaf, then one write of that leaf's
     * ref with a copy of the leaf (at most 32 entries); about one change in 8 to 16 also splits or
     * merges the leaf and writes its parent. An insert or removal adds to the calling thread's
     * count stripe by commute, so the count is no point of conflict. Conflicts with changes to the
     * same leaf.
     *
     * @param key the key, not null
     * @param value the value, not null
     * @return the present value (unchanged), or null if {@code value} was added
     * @throws NullPointerException if {@code key} or {@code value} is null (nothing is written)
     * @throws ClassCastException if {@code key} cannot be compared with the keys in the map
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V putIfAbsent(K key, V value) {
        check("putIfAbsent");
        return view.putIfAbsent(key, value);
    }

    /**
     * Removes the entry of {@code key}, in the running transaction.
     *
     * @implNote Cost model. O(log n) reads down to the key's leaf, then one write of that leaf's
     * ref with a copy of the leaf (at most 32 entries); about one change in 8 to 16 also splits or
     * merges the leaf and writes its parent. An insert or removal adds to the calling thread's
     * count stripe by commute, so the count is no point of conflict. Conflicts with changes to the
     * same leaf.
     *
     * @param key the key, not null
     * @return the removed value, or null
     * @throws NullPointerException if {@code key} is null
     * @throws ClassCastException if {@code key} cannot be compared with the keys in the map
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V remove(Object key) {
        check("remove");
        return view.remove(key);
    }

    /**
     * As {@link Map#compute}.
     *
     * @implNote Cost model. O(log n) reads down to the key's leaf, then one write of that leaf's
     * ref with a copy of the leaf (at most 32 entries); about one change in 8 to 16 also splits or
     * merges the leaf and writes its parent. An insert or removal adds to the calling thread's
     * count stripe by commute, so the count is no point of conflict. Conflicts with changes to the
     * same leaf.
     *
     * @param key the key, not null
     * @param function a function without side effects; it may run more than once
     * @return the new value, or null if the entry was removed
     * @throws NullPointerException if {@code key} or {@code function} is null (nothing is written)
     * @throws ClassCastException if {@code key} cannot be compared with the keys in the map
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> function) {
        check("compute");
        return view.compute(key, function);
    }

    /**
     * As {@link Map#computeIfAbsent}.
     *
     * @implNote Cost model. O(log n) reads down to the key's leaf, then one write of that leaf's
     * ref with a copy of the leaf (at most 32 entries); about one change in 8 to 16 also splits or
     * merges the leaf and writes its parent. An insert or removal adds to the calling thread's
     * count stripe by commute, so the count is no point of conflict. Conflicts with changes to the
     * same leaf.
     *
     * @param key the key, not null
     * @param function a function without side effects; it may run more than once
     * @return the present or computed value, or null if the function returned null
     * @throws NullPointerException if {@code key} or {@code function} is null (nothing is written)
     * @throws ClassCastException if {@code key} cannot be compared with the keys in the map
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V computeIfAbsent(K key, Function<? super K, ? extends V> function) {
        check("computeIfAbsent");
        return view.computeIfAbsent(key, function);
    }

    /**
     * As {@link Map#merge}.
     *
     * @implNote Cost model. O(log n) reads down to the key's leaf, then one write of that leaf's
     * ref with a copy of the leaf (at most 32 entries); about one change in 8 to 16 also splits or
     * merges the leaf and writes its parent. An insert or removal adds to the calling thread's
     * count stripe by commute, so the count is no point of conflict. Conflicts with changes to the
     * same leaf.
     *
     * @param key the key, not null
     * @param value the value, not null
     * @param function a function without side effects; it may run more than once
     * @return the new value, or null if the entry was removed
     * @throws NullPointerException if {@code key}, {@code value} or {@code function} is null
     * (nothing is written)
     * @throws ClassCastException if {@code key} cannot be compared with the keys in the map
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> function) {
        check("merge");
        return view.merge(key, value, function);
    }

    /**
     * The least key, or null if the map is empty. Allocates nothing.
     *
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @return the least key, or null if the map is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public K firstKey() {
        return edgeKey(true, "firstKey");
    }

    /**
     * The greatest key, or null if the map is empty. Allocates nothing.
     *
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @return the greatest key, or null if the map is empty
     * @throws IllegalStateException if no transaction is running on this thread
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
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @param key the key, not null
     * @return the greatest key strictly less than {@code key}, or null
     * @throws NullPointerException if {@code key} is null
     * @throws ClassCastException if {@code key} cannot be compared with the keys in the map
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public K lowerKey(K key) {
        return relativeKey(key, BTree.LT, "lowerKey");
    }

    /**
     * The greatest key less than or equal to {@code key}, or null. Allocates nothing.
     *
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @param key the key, not null
     * @return the greatest key less than or equal to {@code key}, or null
     * @throws NullPointerException if {@code key} is null
     * @throws ClassCastException if {@code key} cannot be compared with the keys in the map
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public K floorKey(K key) {
        return relativeKey(key, BTree.LE, "floorKey");
    }

    /**
     * The least key greater than or equal to {@code key}, or null. Allocates nothing.
     *
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @param key the key, not null
     * @return the least key greater than or equal to {@code key}, or null
     * @throws NullPointerException if {@code key} is null
     * @throws ClassCastException if {@code key} cannot be compared with the keys in the map
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public K ceilingKey(K key) {
        return relativeKey(key, BTree.GE, "ceilingKey");
    }

    /**
     * The least key strictly greater than {@code key}, or null. Allocates nothing.
     *
     * @implNote Cost model. O(log n): reads one root-to-leaf path (height log<sub>16..32</sub> n),
     * allocates nothing; conflicts only with changes to the leaf it ends in and splits or merges on
     * its path.
     *
     * @param key the key, not null
     * @return the least key strictly greater than {@code key}, or null
     * @throws NullPointerException if {@code key} is null
     * @throws ClassCastException if {@code key} cannot be compared with the keys in the map
     * @throws IllegalStateException if no transaction is running on this thread
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
     * @implNote Cost model. O(log n): reads the edge path of the tree and allocates the returned
     * entry.
     *
     * @return the entry with the least key (an immutable snapshot), or null
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public Map.Entry<K, V> firstEntry() {
        check("firstEntry");
        return view.firstEntry();
    }

    /**
     * The entry with the greatest key (an immutable snapshot), or null.
     *
     * @implNote Cost model. O(log n): reads the edge path of the tree and allocates the returned
     * entry.
     *
     * @return the entry with the greatest key (an immutable snapshot), or null
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public Map.Entry<K, V> lastEntry() {
        check("lastEntry");
        return view.lastEntry();
    }

    /**
     * Removes and returns the entry with the least key, or null if the map is empty.
     *
     * @implNote Cost model. O(log n): reads the edge path and writes a copy of the edge leaf (at
     * most 32 entries), merging it with a neighbour about once in 8 to 16 removals; the removal
     * commutes onto the calling thread's count stripe. All pollers of one end conflict with each
     * other.
     *
     * @return the entry with the least key, or null if the map is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public Map.Entry<K, V> pollFirstEntry() {
        check("pollFirstEntry");
        return view.pollFirstEntry();
    }

    /**
     * Removes and returns the entry with the greatest key, or null if the map is empty.
     *
     * @implNote Cost model. O(log n): reads the edge path and writes a copy of the edge leaf (at
     * most 32 entries), merging it with a neighbour about once in 8 to 16 removals; the removal
     * commutes onto the calling thread's count stripe. All pollers of one end conflict with each
     * other.
     *
     * @return the entry with the greatest key, or null if the map is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public Map.Entry<K, V> pollLastEntry() {
        check("pollLastEntry");
        return view.pollLastEntry();
    }

    /**
     * The number of entries (saturated at {@link Integer#MAX_VALUE}); reads every count stripe.
     *
     * @implNote Cost model. Reads every stripe of the map's striped count (four per core, 4 to 64):
     * O(stripes), no allocation; any insert or removal that commits meanwhile invalidates this
     * transaction. {@link #isEmpty()} does not read the count.
     *
     * @return the number of entries (saturated at {@link Integer#MAX_VALUE}); reads every count stripe
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int size() {
        check("size");
        long n = tree.txSize();
        return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    }

    /**
     * Whether the map has no entries (reads only the tree's root path, not the count).
     *
     * @implNote Cost model. O(log n) reads down the leftmost path; as it reads no count stripe,
     * inserts and removals elsewhere in the map do not conflict with it.
     *
     * @return whether the map has no entries (reads only the tree's root path, not the count)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean isEmpty() {
        check("isEmpty");
        return tree.txEdgeLeaf(true) == null;
    }

    /**
     * Removes every entry, in the running transaction.
     *
     * @implNote Cost model. Writes the root ref and every count stripe, O(stripes), without
     * reading the entries; the old tree becomes garbage. Every operation on the map reads the root,
     * so a clear conflicts with every transaction using the map concurrently.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void clear() {
        check("clear");
        tree.txClear();
    }

    /**
     * The {@link ConcurrentNavigableMap} view: each method (of the view, its sub-maps, its
     * descending map and its key sets) is one atomic transaction of its own, or joins the running
     * transaction when called inside one. Iterators: see the class comment.
     *
     * @implNote Cost model. Outside a transaction {@code get} and {@code containsKey} run no
     * transaction: a lock-free O(log n) walk of single-cell reads, allocating nothing. Nor do the
     * navigation calls ({@code lowerKey}, {@code floorKey}, {@code ceilingKey}, {@code higherKey},
     * their {@code ...Entry} forms, {@code firstKey}, {@code lastKey}, {@code firstEntry},
     * {@code lastEntry}, also of sub-maps and descending maps): the same walk, reading the
     * leaf next to the key's when that holds the answer, and allocating only the result (the
     * returned entry and a small record).
     * {@code put}, {@code putIfAbsent} and {@code remove} are the same walk plus one commit of the
     * changed leaf (with a count stripe) that checks nothing it read changed, unless the change
     * splits or merges a leaf (about once per 8 to 16 changes of a leaf), which runs as a
     * transaction; so does a walk that keeps racing with structural changes. Every other call
     * runs the matching operation as a transaction of its own: its costs (O(log n) for lookups
     * and changes) plus a begin and a commit, and a call that passes arguments allocates one
     * small lambda.
     * {@code size()} of the whole map is O(stripes), of a sub-map O(entries in its range).
     * Iterators run one transaction per leaf (up to 32 entries), so a range of k entries costs
     * O(log n + k) and about k/16 to k/32 transactions. Bulk methods are one transaction each.
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
