package dev.weft.collections.internal;

import dev.weft.stm.Stm;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The {@link ConcurrentMap} view of a {@code TMap}: every method is one transaction (joining the
 * running one when called inside a transaction). Thread-safe. Iterators created outside a
 * transaction walk a frozen snapshot ({@link HashTrie#snapshot()}); inside, they read in the
 * running transaction.
 */
public final class HashMapView<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V> {
    private final HashTrie<K, V> trie;
    private KeySetView<K, V> keySet;
    private Values values;
    private EntrySet entrySet;

    public HashMapView(HashTrie<K, V> trie) {
        this.trie = trie;
    }

    // ------------------------------------------------------------------ queries

    @Override
    public int size() {
        long n = trie.sizeAnywhere();
        return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    }

    /** The number of entries, not saturated. */
    public long longSize() {
        return trie.sizeAnywhere();
    }

    @Override
    public boolean isEmpty() {
        return trie.sizeAnywhere() == 0;
    }

    @Override
    public V get(Object key) {
        HashTrie.checkKey(key);
        return trie.lookupAnywhere(key);
    }

    @Override
    public V getOrDefault(Object key, V defaultValue) {
        V v = get(key);
        return v == null ? defaultValue : v;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public boolean containsValue(Object value) {
        Objects.requireNonNull(value, "TMap holds no null values");
        for (EntryIterator<V> it = new EntryIterator<>(this, EntryIterator.VALUES); it.hasNext(); ) {
            if (value.equals(it.next())) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ single-key updates

    @Override
    @SuppressWarnings("unchecked")
    public V put(K key, V value) {
        HashTrie.checkKey(key);
        HashTrie.checkValue(value);
        return (V) update(key, HashTrie.PUT, value, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V putIfAbsent(K key, V value) {
        HashTrie.checkKey(key);
        HashTrie.checkValue(value);
        return (V) update(key, HashTrie.PUT_IF_ABSENT, value, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V remove(Object key) {
        HashTrie.checkKey(key);
        return (V) update((K) key, HashTrie.REMOVE, null, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean remove(Object key, Object value) {
        HashTrie.checkKey(key);
        return value != null && update((K) key, HashTrie.REMOVE_IF_EQUALS, value, null) == Boolean.TRUE;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V replace(K key, V value) {
        HashTrie.checkKey(key);
        HashTrie.checkValue(value);
        return (V) update(key, HashTrie.REPLACE, value, null);
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        HashTrie.checkKey(key);
        HashTrie.checkValue(oldValue);
        HashTrie.checkValue(newValue);
        return update(key, HashTrie.REPLACE_IF_EQUALS, oldValue, newValue) == Boolean.TRUE;
    }

    private Object update(K key, int op, Object a, Object b) {
        if (!Stm.inTransaction()) {
            Object result = trie.updateOutside(key, op, a, b);
            if (result != HashTrie.TRY_IN_TRANSACTION) {
                return result;
            }
        }
        return Stm.atomic(() -> trie.txUpdate(key, op, a, b));
    }

    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> function) {
        HashTrie.checkKey(key);
        Objects.requireNonNull(function, "function");
        return Stm.atomic(() -> trie.txCompute(key, HashTrie.COMPUTE, function, null));
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> function) {
        HashTrie.checkKey(key);
        Objects.requireNonNull(function, "function");
        V present = trie.lookupAnywhere(key); // the common hit needs no transaction
        if (present != null) {
            return present;
        }
        return Stm.atomic(() -> trie.txCompute(key, HashTrie.COMPUTE_IF_ABSENT, function, null));
    }

    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> function) {
        HashTrie.checkKey(key);
        Objects.requireNonNull(function, "function");
        return Stm.atomic(() -> trie.txCompute(key, HashTrie.COMPUTE_IF_PRESENT, function, null));
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> function) {
        HashTrie.checkKey(key);
        HashTrie.checkValue(value);
        Objects.requireNonNull(function, "function");
        return Stm.atomic(() -> trie.txCompute(key, HashTrie.MERGE, function, value));
    }

    // ------------------------------------------------------------------ whole-map operations

    /**
     * All entries in one transaction: either all are put or (if a key or value is null) none.
     * The entries are copied once, then checked and written: an argument that changes while
     * this runs cannot slip an unchecked entry into the second pass.
     */
    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        List<Object> entries = new ArrayList<>(2 * m.size());
        for (Map.Entry<? extends K, ? extends V> e : m.entrySet()) {
            K key = e.getKey();
            V value = e.getValue();
            HashTrie.checkKey(key);
            HashTrie.checkValue(value);
            entries.add(key);
            entries.add(value);
        }
        Stm.atomic(() -> {
            for (int i = 0; i < entries.size(); i += 2) {
                @SuppressWarnings("unchecked") K key = (K) entries.get(i);
                trie.txUpdate(key, HashTrie.PUT, entries.get(i + 1), null);
            }
        });
    }

    @Override
    public void clear() {
        Stm.atomic(trie::txClear);
    }

    /** Over a snapshot outside a transaction; in the running transaction inside one. */
    @Override
    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<? super K, ? super V> action) {
        Objects.requireNonNull(action, "action");
        HashTrie.Cursor<K, V> cursor = Stm.inTransaction() ? trie.txCursor() : HashTrie.frozenCursor(trie.snapshot());
        while (cursor.advance()) {
            action.accept((K) cursor.key, (V) cursor.value);
        }
    }

    /** One transaction over the whole map. */
    @Override
    @SuppressWarnings("unchecked")
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        Objects.requireNonNull(function, "function");
        Stm.atomic(() -> {
            List<Object> entries = new ArrayList<>();
            HashTrie.Cursor<K, V> cursor = trie.txCursor();
            while (cursor.advance()) {
                entries.add(cursor.key);
                entries.add(cursor.value);
            }
            for (int i = 0; i < entries.size(); i += 2) {
                K key = (K) entries.get(i);
                V updated = function.apply(key, (V) entries.get(i + 1));
                HashTrie.checkValue(updated);
                trie.txUpdate(key, HashTrie.PUT, updated, null);
            }
        });
    }

    // ------------------------------------------------------------------ collection views

    @Override
    public Set<K> keySet() {
        KeySetView<K, V> k = keySet;
        return k != null ? k : (keySet = new KeySetView<>(this, null));
    }

    @Override
    public Collection<V> values() {
        Values v = values;
        return v != null ? v : (values = new Values());
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        EntrySet e = entrySet;
        return e != null ? e : (entrySet = new EntrySet());
    }

    /** Makes a bulk operation of a collection view one transaction. */
    static boolean atomically(java.util.function.BooleanSupplier body) {
        return Stm.atomicBoolean(body);
    }

    private final class Values extends OneStateCollection<V> {
        @Override
        public Iterator<V> iterator() {
            return new EntryIterator<>(HashMapView.this, EntryIterator.VALUES);
        }

        @Override
        public int size() {
            return HashMapView.this.size();
        }

        @Override
        public boolean isEmpty() {
            return HashMapView.this.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return containsValue(o);
        }

        @Override
        public void clear() {
            HashMapView.this.clear();
        }

        @Override
        public boolean remove(Object o) {
            return atomically(() -> super.remove(o));
        }

        /** Outside a transaction the map's iterators are snapshots. */
        @Override
        protected boolean snapshotIterators() {
            return true;
        }
    }

    /**
     * {@link Map#equals}, on one state of this map: the entries come from one iterator (a
     * snapshot outside a transaction, the running transaction's view inside one) and are counted
     * as they come. {@code AbstractMap.equals} would compare a {@code size()} of one moment with
     * the entries of another and could answer true for a state the map never had.
     */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Map<?, ?> other)) {
            return false;
        }
        int count = 0;
        try {
            for (Map.Entry<K, V> entry : entrySet()) {
                count++;
                if (!entry.getValue().equals(other.get(entry.getKey()))) {
                    return false;
                }
            }
        } catch (ClassCastException | NullPointerException unused) {
            return false; // as AbstractMap.equals: the other map cannot hold our keys
        }
        return count == other.size();
    }

    @Override
    public int hashCode() {
        return super.hashCode(); // one iterator: one state
    }

    private final class EntrySet extends OneStateSet<Map.Entry<K, V>> {
        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
            return new EntryIterator<>(HashMapView.this, EntryIterator.ENTRIES);
        }

        @Override
        public int size() {
            return HashMapView.this.size();
        }

        @Override
        public boolean isEmpty() {
            return HashMapView.this.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
                return false;
            }
            V v = get(e.getKey());
            return v != null && v.equals(e.getValue());
        }

        @Override
        public boolean remove(Object o) {
            if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
                return false;
            }
            return HashMapView.this.remove(e.getKey(), e.getValue());
        }

        @Override
        public void clear() {
            HashMapView.this.clear();
        }

        /** Outside a transaction the map's iterators are snapshots. */
        @Override
        protected boolean snapshotIterators() {
            return true;
        }
    }

    /**
     * Iterates keys, values or write-through entries of a view. Outside a transaction over a
     * snapshot taken at creation; inside one, in that transaction. {@code remove()} removes the
     * last key returned from the live map.
     */
    static final class EntryIterator<T> implements Iterator<T> {
        static final int KEYS = 0;
        static final int VALUES = 1;
        static final int ENTRIES = 2;

        private final HashMapView<?, ?> map;
        private final int kind;
        private final HashTrie.Cursor<?, ?> cursor;
        private boolean ready;
        private Object lastKey;

        EntryIterator(HashMapView<?, ?> map, int kind) {
            this.map = map;
            this.kind = kind;
            this.cursor = Stm.inTransaction() ? map.trie.txCursor() : HashTrie.frozenCursor(map.trie.snapshot());
            this.ready = cursor.advance();
        }

        @Override
        public boolean hasNext() {
            cursor.checkUsable(); // as next(): an iterator of an ended attempt refuses
            return ready;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public T next() {
            if (!ready) {
                throw new NoSuchElementException("the iteration has no more elements");
            }
            Object key = cursor.key;
            Object value = cursor.value;
            lastKey = key;
            ready = cursor.advance();
            return (T) switch (kind) {
                case KEYS -> key;
                case VALUES -> value;
                default -> new WriteThroughEntry(map, key, value);
            };
        }

        @Override
        public void remove() {
            if (lastKey == null) {
                throw new IllegalStateException("remove() needs a preceding next(), once per element");
            }
            map.remove(lastKey);
            lastKey = null;
        }
    }

    /** An entry of an iteration; {@code setValue} writes through to the map (as a put). */
    static final class WriteThroughEntry<K, V> implements Map.Entry<K, V> {
        private final ConcurrentMap<K, V> map;
        private final K key;
        private V value;

        WriteThroughEntry(ConcurrentMap<K, V> map, K key, V value) {
            this.map = map;
            this.key = key;
            this.value = value;
        }

        @Override
        public K getKey() {
            return key;
        }

        @Override
        public V getValue() {
            return value;
        }

        @Override
        public V setValue(V newValue) {
            HashTrie.checkValue(newValue);
            V old = value;
            value = newValue;
            map.put(key, newValue);
            return old;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> e && key.equals(e.getKey()) && value.equals(e.getValue());
        }

        @Override
        public int hashCode() {
            return key.hashCode() ^ value.hashCode();
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }
}
