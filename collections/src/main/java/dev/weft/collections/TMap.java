package dev.weft.collections;

import dev.weft.collections.internal.HashMapView;
import dev.weft.collections.internal.HashTrie;
import dev.weft.collections.internal.TransactionRequired;
import dev.weft.stm.Stm;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A transactional hash map.
 *
 * <pre>{@code
 * TMap<String, Long> stock = new TMap<>(), reserved = new TMap<>();
 * atomic(() -> {                                   // move an entry between maps, all or nothing
 *     Long n = stock.remove("apples");
 *     if (n != null) reserved.put("apples", n);
 * });
 * ConcurrentMap<String, Long> view = stock.asMap(); // each call its own transaction
 * view.merge("pears", 1L, Long::sum);
 * }</pre>
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's
 * running transaction ({@link dev.weft.stm.Stm#atomic(Runnable)}) and throw
 * {@link IllegalStateException} when none is running: their effects commit or roll back with the
 * transaction and compose with every other ref and collection it touches. {@link #asMap()} is a
 * {@link ConcurrentMap} in which each call (including {@code compute}, {@code merge} and the other
 * default methods) is one atomic transaction, or joins the running transaction when called inside
 * one.
 *
 * <p><b>Conflicts.</b> Two transactions conflict on a map only when they change entries whose
 * hashes put them in the same leaf (at most {@value #LEAF_ENTRIES} entries), or when one changes
 * what the other read (a key, {@link #size()}); inserts count their size change in a striped
 * counter, so there is no cell every insert writes. Reading {@code size()} conflicts with every
 * concurrent insert and removal.
 *
 * <p><b>Null policy</b> as {@link java.util.concurrent.ConcurrentHashMap}: null keys and values
 * throw {@link NullPointerException} at the call, and nothing is written.
 *
 * <p><b>Iteration.</b> Iterators of {@link #asMap()} and its collection views created outside a
 * transaction iterate over a <em>snapshot</em>: one consistent state of the whole map, taken in
 * O(1) when the iterator is created (one short transaction and a copy of the root node's array
 * of 32 or 1,024 references, about 0.4 µs; independent of the size; the root's slots are copied
 * lazily, by the first operation that uses each afterwards); later changes
 * are not seen, and the iterator never throws {@link java.util.ConcurrentModificationException}.
 * Inside a transaction, iterators (and {@link #forEach}) read the live map in that transaction,
 * so they see its own writes made before they were created (later ones only in the part not yet
 * visited, and never its own {@code clear()}), and throw {@link IllegalStateException} when used
 * after it ended or after a nested scope they read in rolled back. Iteration order is unspecified.
 *
 * <p><b>Complexity.</b> get, put, remove and the compute family: O(1) expected cells read (the
 * trie is at most 7 levels deep, about log<sub>32</sub>(n/4) in practice, and its top two levels
 * merge into one node of 1,024 slots once the map holds a few hundred entries) and one cell written,
 * plus a striped count cell on insert and removal. {@code get} allocates nothing; writes copy one
 * leaf of at most {@value #LEAF_ENTRIES} entries. {@code size()}: O(stripes). {@code clear()}:
 * O(stripes). Iteration: O(n). The map does not shrink its inner nodes on removal (as
 * {@code ConcurrentHashMap} does not shrink its table); {@code clear()} releases everything.
 * Keys with equal {@code hashCode()}s share one leaf: with k of them, operations on them cost
 * O(log k) comparisons (and an insert one O(k) array copy) when they are all of one class that
 * implements {@code Comparable} of itself, and O(k) {@code equals} calls otherwise, as in
 * {@code ConcurrentHashMap}.
 *
 * <p><b>Thread-safety:</b> safe for use by any number of threads; functions passed to
 * {@code compute}-style methods may run more than once (when the transaction retries) and must
 * not have side effects.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class TMap<K, V> {
    /** Entries per trie leaf before it splits. */
    public static final int LEAF_ENTRIES = 8;

    private final HashTrie<K, V> trie = new HashTrie<>();

    /** The engine, for tests of its structure in this package. */
    HashTrie<K, V> trie() {
        return trie;
    }
    private final HashMapView<K, V> view = new HashMapView<>(trie);

    /** Creates an empty map. */
    public TMap() {}

    /**
     * The value of {@code key}, or null. Allocates nothing.
     *
     * @implNote Cost model. A walk down the hash trie: one transactional read per level (at most
     * 7, about log<sub>32</sub>(n/4) in practice) plus a scan of one leaf of at most
     * {@value #LEAF_ENTRIES} entries with {@code equals}. Each level read is a read-log entry, so a
     * transaction conflicts with writers of the same leaf only, and a read-only transaction of
     * many gets validates O(gets x depth) entries. Through {@link #asMap()} outside a transaction
     * the same walk is lock-free, with no transaction at all.
     *
     * @param key the key, not null
     * @return the value of {@code key}, or null
     * @throws NullPointerException if key is null
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V get(Object key) {
        check("get");
        HashTrie.checkKey(key);
        return trie.txGet(key);
    }

    /**
     * The value of {@code key}, or {@code defaultValue} if absent.
     *
     * @param key the key, not null
     * @param defaultValue returned when {@code key} has no value
     * @return the value of {@code key}, or {@code defaultValue} if absent
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V getOrDefault(Object key, V defaultValue) {
        V v = get(key);
        return v == null ? defaultValue : v;
    }

    /**
     * Whether {@code key} has a value.
     *
     * @param key the key, not null
     * @return whether {@code key} has a value
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    /**
     * Associates {@code value} with {@code key}.
     *
     * @param key the key, not null
     * @param value the value, not null
     * @return the previous value, or null
     * @throws NullPointerException if {@code key} or {@code value} is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    @SuppressWarnings("unchecked")
    public V put(K key, V value) {
        check("put");
        HashTrie.checkKey(key);
        HashTrie.checkValue(value);
        return (V) trie.txUpdate(key, HashTrie.PUT, value, null);
    }

    /**
     * Associates {@code value} with {@code key} unless it has a value.
     *
     * @param key the key, not null
     * @param value the value, not null
     * @return the present value (unchanged), or null if {@code value} was added
     * @throws NullPointerException if {@code key} or {@code value} is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    @SuppressWarnings("unchecked")
    public V putIfAbsent(K key, V value) {
        check("putIfAbsent");
        HashTrie.checkKey(key);
        HashTrie.checkValue(value);
        return (V) trie.txUpdate(key, HashTrie.PUT_IF_ABSENT, value, null);
    }

    /**
     * Removes the entry of {@code key}.
     *
     * @param key the key, not null
     * @return the removed value, or null if there was none
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if no transaction is running on this thread
     */
    @SuppressWarnings("unchecked")
    public V remove(Object key) {
        check("remove");
        HashTrie.checkKey(key);
        return (V) trie.txUpdate((K) key, HashTrie.REMOVE, null, null);
    }

    /**
     * Removes the entry of {@code key} if its value equals {@code value}.
     *
     * @param key the key, not null
     * @param value the value expected
     * @return whether it was removed
     * @throws NullPointerException if {@code key} is null (a null {@code value} matches nothing:
     * the result is false)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    @SuppressWarnings("unchecked")
    public boolean remove(Object key, Object value) {
        check("remove");
        HashTrie.checkKey(key);
        if (value == null) {
            return false;
        }
        return trie.txUpdate((K) key, HashTrie.REMOVE_IF_EQUALS, value, null) == Boolean.TRUE;
    }

    /**
     * Replaces the value of {@code key} if it has one.
     *
     * @param key the key, not null
     * @param value the value, not null
     * @return the previous value, or null (and nothing changed)
     * @throws NullPointerException if {@code key} or {@code value} is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    @SuppressWarnings("unchecked")
    public V replace(K key, V value) {
        check("replace");
        HashTrie.checkKey(key);
        HashTrie.checkValue(value);
        return (V) trie.txUpdate(key, HashTrie.REPLACE, value, null);
    }

    /**
     * Replaces the value of {@code key} if it equals {@code oldValue}.
     *
     * @param key the key, not null
     * @param oldValue the value expected, not null
     * @param newValue the new value, not null
     * @return whether it was replaced
     * @throws NullPointerException if {@code key}, {@code oldValue} or {@code newValue} is null
     * (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean replace(K key, V oldValue, V newValue) {
        check("replace");
        HashTrie.checkKey(key);
        HashTrie.checkValue(oldValue);
        HashTrie.checkValue(newValue);
        return trie.txUpdate(key, HashTrie.REPLACE_IF_EQUALS, oldValue, newValue) == Boolean.TRUE;
    }

    /**
     * As {@link java.util.Map#compute}: the function sees the current value (or null) and returns
     * the new one (null removes the entry). The call is a nested scope of the running
     * transaction: if the function throws, whatever it wrote is rolled back with it (session 18;
     * the four compute calls kept it until then).
     *
     * @param key the key, not null
     * @param function a function without side effects; it may run more than once
     * @return the new value, or null
     * @throws NullPointerException if {@code key} or {@code function} is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> function) {
        check("compute");
        HashTrie.checkKey(key);
        Objects.requireNonNull(function, "function");
        // a nested scope: a function that writes (to this map or anything else) and then throws
        // leaves nothing behind, as Map.compute leaves the mapping when its function throws
        return Stm.atomic(() -> trie.txCompute(key, HashTrie.COMPUTE, function, null));
    }

    /**
     * As {@link java.util.Map#computeIfAbsent}.
     *
     * @param key the key, not null
     * @param function a function without side effects; it may run more than once
     * @return the present or computed value, or null if the function returned null
     * @throws NullPointerException if {@code key} or {@code function} is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V computeIfAbsent(K key, Function<? super K, ? extends V> function) {
        check("computeIfAbsent");
        HashTrie.checkKey(key);
        Objects.requireNonNull(function, "function");
        return Stm.atomic(() -> trie.txCompute(key, HashTrie.COMPUTE_IF_ABSENT, function, null)); // a scope: see compute
    }

    /**
     * As {@link java.util.Map#computeIfPresent}.
     *
     * @param key the key, not null
     * @param function a function without side effects; it may run more than once
     * @return the new value, or null
     * @throws NullPointerException if {@code key} or {@code function} is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> function) {
        check("computeIfPresent");
        HashTrie.checkKey(key);
        Objects.requireNonNull(function, "function");
        return Stm.atomic(() -> trie.txCompute(key, HashTrie.COMPUTE_IF_PRESENT, function, null)); // a scope: see compute
    }

    /**
     * As {@link java.util.Map#merge}.
     *
     * @param key the key, not null
     * @param value the value, not null
     * @param function a function without side effects; it may run more than once
     * @return the new value, or null if the entry was removed
     * @throws NullPointerException if {@code key}, {@code value} or {@code function} is null
     * (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> function) {
        check("merge");
        HashTrie.checkKey(key);
        HashTrie.checkValue(value);
        Objects.requireNonNull(function, "function");
        return Stm.atomic(() -> trie.txCompute(key, HashTrie.MERGE, function, value)); // a scope: see compute
    }

    /**
     * The number of entries (saturated at {@link Integer#MAX_VALUE}); see {@link #longSize()}.
     * Reads every count stripe: conflicts with concurrent inserts and removals.
     *
     * @implNote Cost model. Reads every stripe of the map's striped count (four per core, 4 to 64):
     * O(stripes) read-log entries, no allocation. Any insert or removal that commits meanwhile
     * invalidates this transaction, so transactions that must not conflict with writers should not
     * read it.
     *
     * @return the number of entries (saturated at {@link Integer#MAX_VALUE}); see {@link #longSize()}
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int size() {
        long n = longSize();
        return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    }

    /**
     * The number of entries.
     *
     * @implNote Cost model. Reads every stripe of the map's striped count (four per core, 4 to 64):
     * O(stripes) read-log entries, no allocation. Any insert or removal that commits meanwhile
     * invalidates this transaction, so transactions that must not conflict with writers should not
     * read it.
     *
     * @return the number of entries
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long longSize() {
        check("size");
        return trie.txSize();
    }

    /**
     * Whether the map has no entries.
     *
     * @implNote Cost model. Computed from {@link #longSize()}: reads every count stripe,
     * O(stripes), and conflicts with concurrent inserts and removals.
     *
     * @return whether the map has no entries
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean isEmpty() {
        return longSize() == 0;
    }

    /**
     * Removes every entry, in the running transaction.
     *
     * @implNote Cost model. Writes the root ref and every count stripe, O(stripes), without
     * reading the entries; the old trie becomes garbage. Every operation on the map reads the root,
     * so a clear conflicts with every transaction using the map concurrently.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void clear() {
        check("clear");
        trie.txClear();
    }

    /**
     * Calls {@code action} for each entry, in this transaction, in unspecified order.
     *
     * @implNote Cost model. Reads every inner node and leaf of the trie in this transaction: O(n)
     * time and read-log entries, all validated at commit, so any change to the map committed
     * meanwhile makes the transaction run again; allocates one cursor. For a traversal that does
     * not conflict with writers, iterate over {@link #asMap()} outside a transaction: its iterators
     * walk an O(1) snapshot.
     *
     * @param action called once for each entry, in this transaction
     * @throws NullPointerException if {@code action} is null
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void forEach(BiConsumer<? super K, ? super V> action) {
        check("forEach");
        Objects.requireNonNull(action, "action");
        trie.txForEach(action);
    }

    /**
     * The {@link ConcurrentMap} view: each method is one atomic transaction of its own, or joins
     * the running transaction when called inside one. {@code get} and {@code containsKey} outside a
     * transaction are lock-free and allocate nothing. Iterators created outside a transaction see a
     * snapshot (see the class comment). {@code replaceAll} is one transaction over the whole map.
     *
     * @implNote Cost model. Outside a transaction {@code get}, {@code getOrDefault} and
     * {@code containsKey} are lock-free walks of single-cell reads: no transaction, no lock, no
     * allocation. {@code put}, {@code putIfAbsent}, {@code remove}, {@code replace} and their
     * two-argument forms run no transaction either: the same walk, then one commit of the changed
     * leaf (and, if the size changes, a count stripe) that checks nothing changed since it read
     * them, allocating only the leaf copy (a walk through a node a snapshot still shares, or a
     * write that keeps losing races, runs as a transaction instead). Every other call runs the
     * matching operation of this class as a transaction of its own: its costs plus a begin and a
     * commit, and a call that passes arguments allocates one small lambda. Creating an iterator
     * outside a transaction takes a snapshot in O(1): one transaction that replaces the root node
     * by a copy (32 new refs); as it writes the root, it
     * conflicts with the transactions using the map at that moment, and writers afterwards copy
     * each node they change below it once. Bulk methods ({@code putAll}, {@code replaceAll},
     * {@code removeIf} of the collection views, ...) are one transaction over everything they
     * touch.
     *
     * @return the view (the same object on every call)
     */
    public ConcurrentMap<K, V> asMap() {
        return view;
    }

    /**
     * Shows the entries: outside a transaction those of a snapshot, inside one as that
     * transaction sees them.
     */
    @Override
    public String toString() {
        return "TMap" + view;
    }

    private static void check(String method) {
        TransactionRequired.check("TMap", method, "asMap()");
    }
}
