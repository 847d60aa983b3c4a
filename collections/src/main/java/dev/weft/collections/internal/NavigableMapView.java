package dev.weft.collections.internal;

import dev.weft.stm.Stm;
import dev.weft.stm.spi.Barrier;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The {@link ConcurrentNavigableMap} view of a {@code TSortedMap}, or of a range of it (a sub-map),
 * in ascending or descending order. Every method is one transaction, joining the running one when
 * called inside a transaction; outside one, {@code get}, the navigation calls (lower, floor,
 * ceiling, higher, first, last) and {@code put}, {@code putIfAbsent} and {@code remove} are
 * linearizable walks of the tree without a transaction when they can (see {@link BTree}).
 * Iterators fetch one leaf (up to 32 entries) per transaction: within a leaf they see one state,
 * across leaves they are weakly consistent (they see each entry at most once, never throw
 * {@link java.util.ConcurrentModificationException}, and reflect changes made after their
 * creation in parts not yet reached). Thread-safe.
 */
public final class NavigableMapView<K, V> extends AbstractMap<K, V> implements ConcurrentNavigableMap<K, V> {
    /*
     * Bounds are kept in ascending order (lo below hi) whatever the view's direction; descending
     * views swap the meaning of first/last, lower/higher and head/tail when they translate a call.
     * A null bound means unbounded (the map holds no null keys).
     */
    private final BTree<K, V> tree;
    private final Object lo;
    private final boolean loInclusive;
    private final Object hi;
    private final boolean hiInclusive;
    private final boolean descending;
    /** The body of a one-call get: non-capturing, so {@link #get} allocates no lambda. */
    private static final BiFunction<BTree<?, ?>, Object, Object> GET = BTree::txGet;

    public NavigableMapView(BTree<K, V> tree) {
        this(tree, null, false, null, false, false);
    }

    private NavigableMapView(BTree<K, V> tree, Object lo, boolean loInclusive, Object hi, boolean hiInclusive,
                             boolean descending) {
        if (lo != null && hi != null && tree.compare(lo, hi) > 0) {
            throw new IllegalArgumentException("inconsistent range: " + lo + " is above " + hi);
        }
        this.tree = tree;
        this.lo = lo;
        this.loInclusive = loInclusive;
        this.hi = hi;
        this.hiInclusive = hiInclusive;
        this.descending = descending;
    }

    // ------------------------------------------------------------------ bounds

    private boolean tooLow(Object key) {
        if (lo == null) {
            return false;
        }
        int c = tree.compare(key, lo);
        return c < 0 || (c == 0 && !loInclusive);
    }

    private boolean tooHigh(Object key) {
        if (hi == null) {
            return false;
        }
        int c = tree.compare(key, hi);
        return c > 0 || (c == 0 && !hiInclusive);
    }

    private boolean inRange(Object key) {
        return !tooLow(key) && !tooHigh(key);
    }

    private boolean bounded() {
        return lo != null || hi != null;
    }

    private void checkInRange(Object key) {
        if (!inRange(key)) {
            throw new IllegalArgumentException("key out of range: " + key + " is outside " + rangeString());
        }
    }

    private String rangeString() {
        return (lo == null ? "(-inf" : (loInclusive ? "[" : "(") + lo) + ", "
                + (hi == null ? "+inf)" : hi + (hiInclusive ? "]" : ")"));
    }

    private Object checkedKey(Object key) {
        tree.checkKey(key);
        return key;
    }

    // ------------------------------------------------------------------ navigation (ascending space)

    /** A place in an immutable leaf. */
    private record Position(BTree.Leaf leaf, int index) {
        Object key() {
            return leaf.keys[index];
        }

        <K, V> Map.Entry<K, V> entry() {
            @SuppressWarnings("unchecked")
            Map.Entry<K, V> e = new SimpleImmutableEntry<>((K) leaf.keys[index], (V) leaf.values[index]);
            return e;
        }
    }

    /** What {@link #find} answers with: a {@link Position}, the key, or an immutable entry. */
    private static final int AS_POSITION = 0;
    private static final int AS_KEY = 1;
    private static final int AS_ENTRY = 2;

    /**
     * In the running transaction: the in-range entry in {@code relation} (ascending space) to
     * {@code key}; with a null key, the lowest (GE, GT) or highest (LE, LT) in range.
     */
    private Position position(Object key, int relation) {
        return (Position) find(key, relation, false, AS_POSITION);
    }

    /**
     * The in-range entry in {@code relation} (ascending space) to {@code key} as {@code as}
     * says, or null if there is none: in the running transaction, or with {@code outside} found
     * by the tree's walks without a transaction, which may answer
     * {@link BTree#TRY_IN_TRANSACTION}. A key answer allocates nothing.
     */
    private Object find(Object key, int relation, boolean outside, int as) {
        boolean up = relation >= BTree.GE;
        if (key == null || (up ? tooLow(key) : tooHigh(key))) {
            Object bound = up ? lo : hi;
            if (bound == null) {
                Object edge = outside ? tree.edgeLeafOutside(up) : tree.txEdgeLeaf(up);
                if (!(edge instanceof BTree.Leaf leaf)) {
                    return edge; // null or TRY_IN_TRANSACTION
                }
                return checked(leaf, up ? 0 : leaf.size() - 1, up, as);
            }
            key = bound;
            relation = up ? (loInclusive ? BTree.GE : BTree.GT) : (hiInclusive ? BTree.LE : BTree.LT);
        }
        Object found = outside ? tree.findLeafOutside(key, relation) : tree.txFindLeaf(key, relation);
        if (!(found instanceof BTree.Leaf leaf)) {
            return found; // null or TRY_IN_TRANSACTION
        }
        return checked(leaf, tree.indexIn(leaf, key, relation), up, as);
    }

    private Object checked(BTree.Leaf leaf, int index, boolean up, int as) {
        Object k = leaf.keys[index];
        if (up ? tooHigh(k) : tooLow(k)) {
            return null;
        }
        return switch (as) {
            case AS_KEY -> k;
            case AS_ENTRY -> new SimpleImmutableEntry<>(k, leaf.values[index]);
            default -> new Position(leaf, index);
        };
    }

    /** Translates a relation of this view's order into ascending space. */
    private int absolute(int relation) {
        return descending ? 3 - relation : relation;
    }

    /**
     * {@link #find} as one call: outside a transaction by a walk without one (see
     * {@link BTree#findLeafOutside}), in a transaction of its own if the walk gives up, and
     * inside a running transaction in that one.
     */
    private Object findAnywhere(Object key, int absoluteRelation, int as) {
        if (!Stm.inTransaction()) {
            Object answer = find(key, absoluteRelation, true, as);
            if (answer != BTree.TRY_IN_TRANSACTION) {
                return answer;
            }
        }
        return Stm.atomic(() -> find(key, absoluteRelation, false, as));
    }

    @SuppressWarnings("unchecked")
    private Map.Entry<K, V> entryAt(Object key, int relation) {
        return (Map.Entry<K, V>) findAnywhere(key, absolute(relation), AS_ENTRY);
    }

    @SuppressWarnings("unchecked")
    private K keyAt(Object key, int relation) {
        return (K) findAnywhere(key, absolute(relation), AS_KEY);
    }

    @SuppressWarnings("unchecked")
    private Map.Entry<K, V> edgeEntry(boolean first, boolean poll) {
        int abs = absolute(first ? BTree.GE : BTree.LE);
        if (!poll) {
            return (Map.Entry<K, V>) findAnywhere(null, abs, AS_ENTRY);
        }
        Position p = Stm.atomic(() -> {
            Position found = position(null, abs);
            if (found != null) {
                tree.txRemove(found.key());
            }
            return found;
        });
        return p == null ? null : p.entry();
    }

    @Override
    public Map.Entry<K, V> lowerEntry(K key) {
        return entryAt(checkedKey(key), BTree.LT);
    }

    @Override
    public K lowerKey(K key) {
        return keyAt(checkedKey(key), BTree.LT);
    }

    @Override
    public Map.Entry<K, V> floorEntry(K key) {
        return entryAt(checkedKey(key), BTree.LE);
    }

    @Override
    public K floorKey(K key) {
        return keyAt(checkedKey(key), BTree.LE);
    }

    @Override
    public Map.Entry<K, V> ceilingEntry(K key) {
        return entryAt(checkedKey(key), BTree.GE);
    }

    @Override
    public K ceilingKey(K key) {
        return keyAt(checkedKey(key), BTree.GE);
    }

    @Override
    public Map.Entry<K, V> higherEntry(K key) {
        return entryAt(checkedKey(key), BTree.GT);
    }

    @Override
    public K higherKey(K key) {
        return keyAt(checkedKey(key), BTree.GT);
    }

    @Override
    public Map.Entry<K, V> firstEntry() {
        return edgeEntry(true, false);
    }

    @Override
    public Map.Entry<K, V> lastEntry() {
        return edgeEntry(false, false);
    }

    @Override
    public Map.Entry<K, V> pollFirstEntry() {
        return edgeEntry(true, true);
    }

    @Override
    public Map.Entry<K, V> pollLastEntry() {
        return edgeEntry(false, true);
    }

    @Override
    @SuppressWarnings("unchecked")
    public K firstKey() {
        Object k = findAnywhere(null, absolute(BTree.GE), AS_KEY);
        if (k == null) {
            throw new NoSuchElementException("the map is empty");
        }
        return (K) k;
    }

    @Override
    @SuppressWarnings("unchecked")
    public K lastKey() {
        Object k = findAnywhere(null, absolute(BTree.LE), AS_KEY);
        if (k == null) {
            throw new NoSuchElementException("the map is empty");
        }
        return (K) k;
    }

    @Override
    public Comparator<? super K> comparator() {
        Comparator<? super K> c = tree.comparator();
        return descending ? Collections.reverseOrder(c) : c;
    }

    // ------------------------------------------------------------------ queries

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        checkedKey(key);
        if (!inRange(key)) {
            return null;
        }
        if (!Stm.inTransaction()) {
            Object value = tree.getOutside(key);
            if (value != BTree.TRY_IN_TRANSACTION) {
                return (V) value;
            }
        }
        return (V) Barrier.atomic(GET, tree, key); // no capturing lambda: a get allocates nothing
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
        Objects.requireNonNull(value, "TSortedMap holds no null values");
        return Stm.atomicBoolean(() -> {
            for (Iterator<V> it = new ViewIterator<>(ViewIterator.VALUES); it.hasNext(); ) {
                if (value.equals(it.next())) {
                    return true;
                }
            }
            return false;
        });
    }

    /** {@link Map#equals} over one state of the range: one transaction (which a Weft {@code o} joins). */
    @Override
    public boolean equals(Object o) {
        return o == this || Stm.atomicBoolean(() -> super.equals(o));
    }

    /** {@link Map#hashCode} of one state of the range: one transaction. */
    @Override
    public int hashCode() {
        return Stm.atomicInt(super::hashCode);
    }

    /** The entries of one state of the range, in this view's order: one transaction. */
    @Override
    public String toString() {
        return Stm.atomic(super::toString);
    }

    @Override
    public int size() {
        long n = longSize();
        return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    }

    /** Entries in range: O(1) cells for the whole map, O(entries in range) for a sub-map. */
    public long longSize() {
        if (!bounded()) {
            return tree.sizeAnywhere();
        }
        return Stm.atomicLong(() -> {
            long n = 0;
            for (Position p = position(null, BTree.GE); p != null; ) {
                BTree.Leaf leaf = p.leaf();
                int i = p.index();
                while (i < leaf.size() && !tooHigh(leaf.keys[i])) {
                    n++;
                    i++;
                }
                if (i < leaf.size()) {
                    break;
                }
                p = position(leaf.keys[leaf.size() - 1], BTree.GT);
            }
            return n;
        });
    }

    @Override
    public boolean isEmpty() {
        return !bounded() ? tree.sizeAnywhere() == 0 : firstEntry() == null;
    }

    // ------------------------------------------------------------------ updates

    private static void checkValue(Object value) {
        Objects.requireNonNull(value, "TSortedMap does not accept null values (as ConcurrentSkipListMap); "
                + "use remove(key) to remove an entry");
    }

    @Override
    @SuppressWarnings("unchecked")
    public V put(K key, V value) {
        checkedKey(key);
        checkValue(value);
        checkInRange(key);
        Object old = outside(key, value, BTree.PUT);
        return (V) (old != BTree.TRY_IN_TRANSACTION ? old : Stm.atomic(() -> tree.txPut(key, value, false)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public V putIfAbsent(K key, V value) {
        checkedKey(key);
        checkValue(value);
        checkInRange(key);
        Object old = outside(key, value, BTree.PUT_IF_ABSENT);
        return (V) (old != BTree.TRY_IN_TRANSACTION ? old : Stm.atomic(() -> tree.txPut(key, value, true)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public V remove(Object key) {
        checkedKey(key);
        if (!inRange(key)) {
            return null;
        }
        Object old = outside(key, null, BTree.REMOVE);
        return (V) (old != BTree.TRY_IN_TRANSACTION ? old : Stm.atomic(() -> tree.txRemove(key)));
    }

    /**
     * A put, putIfAbsent or remove outside a transaction as one guarded commit, or
     * {@link BTree#TRY_IN_TRANSACTION} (also inside a transaction, which it then joins).
     */
    private Object outside(Object key, Object value, int op) {
        return Stm.inTransaction() ? BTree.TRY_IN_TRANSACTION : tree.updateOutside(key, value, op);
    }

    @Override
    public boolean remove(Object key, Object value) {
        checkedKey(key);
        if (value == null || !inRange(key)) {
            return false;
        }
        return Stm.atomicBoolean(() -> {
            V current = tree.txGet(key);
            if (current == null || !current.equals(value)) {
                return false;
            }
            tree.txRemove(key);
            return true;
        });
    }

    @Override
    public V replace(K key, V value) {
        checkedKey(key);
        checkValue(value);
        checkInRange(key); // as ConcurrentSkipListMap's sub-maps (TreeMap's answer null)
        return Stm.atomic(() -> {
            V current = tree.txGet(key);
            if (current != null) {
                tree.txPut(key, value, false);
            }
            return current;
        });
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        checkedKey(key);
        checkValue(oldValue);
        checkValue(newValue);
        checkInRange(key); // as ConcurrentSkipListMap's sub-maps (TreeMap's answer false)
        return Stm.atomicBoolean(() -> {
            V current = tree.txGet(key);
            if (current == null || !current.equals(oldValue)) {
                return false;
            }
            tree.txPut(key, newValue, false);
            return true;
        });
    }

    /** Writes {@code updated} (null removes) unless it is {@code current}; returns it. */
    private V store(K key, V current, V updated) {
        // the function may itself have written the key (it may use the map): compare with what
        // the key holds now, not only with what it held before
        if (updated != current || updated != (inRange(key) ? tree.txGet(key) : null)) {
            if (updated == null) {
                tree.txRemove(key);
            } else {
                checkInRange(key);
                tree.txPut(key, updated, false);
            }
        }
        return updated;
    }

    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> function) {
        checkedKey(key);
        Objects.requireNonNull(function, "function");
        return Stm.atomic(() -> {
            V current = inRange(key) ? tree.txGet(key) : null;
            return store(key, current, function.apply(key, current));
        });
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> function) {
        checkedKey(key);
        Objects.requireNonNull(function, "function");
        return Stm.atomic(() -> {
            V current = inRange(key) ? tree.txGet(key) : null;
            return current != null ? current : store(key, null, function.apply(key));
        });
    }

    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> function) {
        checkedKey(key);
        Objects.requireNonNull(function, "function");
        return Stm.atomic(() -> {
            V current = inRange(key) ? tree.txGet(key) : null;
            return current == null ? null : store(key, current, function.apply(key, current));
        });
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> function) {
        checkedKey(key);
        checkValue(value);
        Objects.requireNonNull(function, "function");
        return Stm.atomic(() -> {
            V current = inRange(key) ? tree.txGet(key) : null;
            return store(key, current, current == null ? value : function.apply(current, value));
        });
    }

    /**
     * All entries in one transaction: either all are put or none. The entries are copied once,
     * then checked and written: an argument that changes while this runs cannot slip an
     * unchecked entry (a null, a key outside the range) into the second pass.
     */
    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        List<Object> entries = new ArrayList<>(2 * m.size());
        for (Map.Entry<? extends K, ? extends V> e : m.entrySet()) {
            K key = e.getKey();
            V value = e.getValue();
            checkedKey(key);
            checkValue(value);
            checkInRange(key);
            entries.add(key);
            entries.add(value);
        }
        Stm.atomic(() -> {
            for (int i = 0; i < entries.size(); i += 2) {
                @SuppressWarnings("unchecked") K key = (K) entries.get(i);
                @SuppressWarnings("unchecked") V value = (V) entries.get(i + 1);
                tree.txPut(key, value, false);
            }
        });
    }

    @Override
    public void clear() {
        if (!bounded()) {
            Stm.atomic(tree::txClear);
            return;
        }
        Stm.atomic(() -> {
            for (K key : keysInTransaction()) {
                tree.txRemove(key);
            }
        });
    }

    /** The keys in range, in this view's order, read in the running transaction. */
    @SuppressWarnings("unchecked")
    private List<K> keysInTransaction() {
        List<K> keys = new ArrayList<>();
        for (Iterator<K> it = new ViewIterator<>(ViewIterator.KEYS); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    /** In this view's order; in one transaction (so over one state) inside or outside one. */
    @Override
    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<? super K, ? super V> action) {
        Objects.requireNonNull(action, "action");
        List<Object> entries = Stm.atomic(() -> {
            List<Object> all = new ArrayList<>();
            for (ViewIterator<Object> it = new ViewIterator<>(ViewIterator.KEYS); it.hasNext(); ) {
                all.add(it.next());
                all.add(it.lastValue);
            }
            return all;
        });
        for (int i = 0; i < entries.size(); i += 2) {
            action.accept((K) entries.get(i), (V) entries.get(i + 1));
        }
    }

    /** One transaction over the whole range. */
    @Override
    @SuppressWarnings("unchecked")
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        Objects.requireNonNull(function, "function");
        Stm.atomic(() -> {
            List<Object> entries = new ArrayList<>();
            for (ViewIterator<Object> it = new ViewIterator<>(ViewIterator.KEYS); it.hasNext(); ) {
                entries.add(it.next());
                entries.add(it.lastValue);
            }
            for (int i = 0; i < entries.size(); i += 2) {
                K key = (K) entries.get(i);
                V updated = function.apply(key, (V) entries.get(i + 1));
                checkValue(updated);
                tree.txPut(key, updated, false);
            }
        });
    }

    // ------------------------------------------------------------------ sub-map views

    /**
     * A bound of a narrower view (null: none) must lie in this view's range, as in TreeMap's
     * sub-maps: an inclusive bound inside it as the view's own bounds say, an exclusive one
     * inside its closed range (an exclusive bound on an exclusive end of the range is allowed).
     */
    private void checkBound(Object bound, boolean inclusive) {
        if (bound == null) {
            return;
        }
        boolean inside = inclusive ? inRange(bound)
                : (lo == null || tree.compare(bound, lo) >= 0) && (hi == null || tree.compare(bound, hi) <= 0);
        if (!inside) {
            throw new IllegalArgumentException("key out of range: " + bound + " is outside " + rangeString());
        }
    }

    private NavigableMapView<K, V> subView(Object from, boolean fromInclusive, Object to, boolean toInclusive) {
        if (descending) { // from/to are in this view's order: swap into ascending space
            Object t = from;
            from = to;
            to = t;
            boolean ti = fromInclusive;
            fromInclusive = toInclusive;
            toInclusive = ti;
        }
        checkBound(from, fromInclusive);
        checkBound(to, toInclusive);
        if (from == null) {
            from = lo;
            fromInclusive = loInclusive;
        }
        if (to == null) {
            to = hi;
            toInclusive = hiInclusive;
        }
        return new NavigableMapView<>(tree, from, fromInclusive, to, toInclusive, descending);
    }

    @Override
    public ConcurrentNavigableMap<K, V> subMap(K fromKey, boolean fromInclusive, K toKey, boolean toInclusive) {
        checkedKey(fromKey);
        checkedKey(toKey);
        if (tree.compare(fromKey, toKey) * (descending ? -1 : 1) > 0) {
            throw new IllegalArgumentException("fromKey " + fromKey + " is after toKey " + toKey);
        }
        return subView(fromKey, fromInclusive, toKey, toInclusive);
    }

    @Override
    public ConcurrentNavigableMap<K, V> headMap(K toKey, boolean inclusive) {
        checkedKey(toKey);
        return subView(null, false, toKey, inclusive);
    }

    @Override
    public ConcurrentNavigableMap<K, V> tailMap(K fromKey, boolean inclusive) {
        checkedKey(fromKey);
        return subView(fromKey, inclusive, null, false);
    }

    @Override
    public ConcurrentNavigableMap<K, V> subMap(K fromKey, K toKey) {
        return subMap(fromKey, true, toKey, false);
    }

    @Override
    public ConcurrentNavigableMap<K, V> headMap(K toKey) {
        return headMap(toKey, false);
    }

    @Override
    public ConcurrentNavigableMap<K, V> tailMap(K fromKey) {
        return tailMap(fromKey, true);
    }

    @Override
    public ConcurrentNavigableMap<K, V> descendingMap() {
        return new NavigableMapView<>(tree, lo, loInclusive, hi, hiInclusive, !descending);
    }

    // ------------------------------------------------------------------ collection views

    @Override
    public NavigableSet<K> navigableKeySet() {
        return new NavigableKeySet<>(this, null);
    }

    @Override
    public NavigableSet<K> keySet() {
        return navigableKeySet();
    }

    @Override
    public NavigableSet<K> descendingKeySet() {
        return descendingMap().navigableKeySet();
    }

    @Override
    public Collection<V> values() {
        return new Values();
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return new EntrySet();
    }

    /** An iterator in this view's order (the key set's, the values', the entries'). */
    <T> Iterator<T> iterator(int kind) {
        return new ViewIterator<>(kind);
    }

    private final class Values extends OneStateCollection<V> {
        @Override
        public Iterator<V> iterator() {
            return new ViewIterator<>(ViewIterator.VALUES);
        }

        @Override
        public int size() {
            return NavigableMapView.this.size();
        }

        @Override
        public boolean isEmpty() {
            return NavigableMapView.this.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return containsValue(o);
        }

        @Override
        public void clear() {
            NavigableMapView.this.clear();
        }

        @Override
        public boolean remove(Object o) {
            return HashMapView.atomically(() -> super.remove(o));
        }

        /** Outside a transaction the view's iterators fetch a leaf per transaction. */
        @Override
        protected boolean snapshotIterators() {
            return false;
        }

        @Override
        protected int characteristics() {
            return Spliterator.ORDERED;
        }
    }

    private final class EntrySet extends OneStateSet<Map.Entry<K, V>> {
        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
            return new ViewIterator<>(ViewIterator.ENTRIES);
        }

        @Override
        public int size() {
            return NavigableMapView.this.size();
        }

        @Override
        public boolean isEmpty() {
            return NavigableMapView.this.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
                return false;
            }
            V v;
            try {
                v = get(e.getKey());
            } catch (ClassCastException incomparable) {
                return false;
            }
            return v != null && v.equals(e.getValue());
        }

        @Override
        public boolean remove(Object o) {
            if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
                return false;
            }
            try {
                return NavigableMapView.this.remove(e.getKey(), e.getValue());
            } catch (ClassCastException incomparable) {
                return false;
            }
        }

        @Override
        public void clear() {
            NavigableMapView.this.clear();
        }

        /** Outside a transaction the view's iterators fetch a leaf per transaction. */
        @Override
        protected boolean snapshotIterators() {
            return false;
        }

        @Override
        protected int characteristics() {
            return Spliterator.ORDERED | Spliterator.DISTINCT;
        }
    }

    /**
     * Walks the view's range in its order, one immutable leaf per transaction (see the class
     * comment); {@code remove()} removes the last key returned.
     */
    final class ViewIterator<T> implements Iterator<T> {
        static final int KEYS = 0;
        static final int VALUES = 1;
        static final int ENTRIES = 2;

        private final int kind;
        private final boolean up = !descending;
        /** The attempt and scopes an iterator made inside a transaction reads in, else null. */
        private final IteratorScope owner = Stm.inTransaction() ? new IteratorScope() : null;
        private BTree.Leaf leaf;   // null at the end
        private int index;
        private Object lastKey;
        Object lastValue;

        ViewIterator(int kind) {
            this.kind = kind;
            moveTo(seek(null, up ? BTree.GE : BTree.LE));
        }

        /**
         * The position of the entry in relation to {@code key}: read in the running transaction
         * by an iterator made in one (a read-only walk needs no scope of its own, and a lambda
         * per leaf would allocate), else in a transaction of its own.
         */
        private Position seek(Object key, int relation) {
            return owner != null ? position(key, relation) : Stm.atomic(() -> position(key, relation));
        }

        private void moveTo(Position p) {
            leaf = p == null ? null : p.leaf();
            index = p == null ? 0 : p.index();
        }

        @Override
        public boolean hasNext() {
            checkOwner();
            return leaf != null;
        }

        /**
         * An iterator made inside a transaction holds leaves of that attempt (its own writes
         * included): it must not hand them out once the attempt has ended.
         */
        private void checkOwner() {
            if (owner != null) {
                owner.check("iterate without one");
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public T next() {
            checkOwner();
            if (leaf == null) {
                throw new NoSuchElementException("the iteration has no more elements");
            }
            Object key = leaf.keys[index];
            Object value = leaf.values[index];
            lastKey = key;
            lastValue = value;
            advance();
            return (T) switch (kind) {
                case KEYS -> key;
                case VALUES -> value;
                default -> new HashMapView.WriteThroughEntry<>(NavigableMapView.this, (K) key, (V) value);
            };
        }

        private void advance() {
            int next = up ? index + 1 : index - 1;
            if (next >= 0 && next < leaf.size()) {
                Object k = leaf.keys[next];
                if (up ? tooHigh(k) : tooLow(k)) {
                    leaf = null;
                } else {
                    index = next;
                }
                return;
            }
            moveTo(seek(leaf.keys[index], up ? BTree.GT : BTree.LT));
        }

        @Override
        public void remove() {
            if (lastKey == null) {
                throw new IllegalStateException("remove() needs a preceding next(), once per element");
            }
            NavigableMapView.this.remove(lastKey);
            lastKey = null;
        }
    }
}
