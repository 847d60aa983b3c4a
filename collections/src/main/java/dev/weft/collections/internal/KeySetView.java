package dev.weft.collections.internal;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The key set of a {@link HashMapView}, and the {@code Set} view of a {@code TSet}. Each method is
 * one transaction (bulk methods included), joining the running one inside a transaction.
 * {@code add} puts {@code addValue}, if the set was made with one. Iterators as the map's.
 * Thread-safe.
 */
public final class KeySetView<K, V> extends AbstractSet<K> {
    private final HashMapView<K, V> map;
    private final V addValue;

    public KeySetView(HashMapView<K, V> map, V addValue) {
        this.map = map;
        this.addValue = addValue;
    }

    @Override
    public Iterator<K> iterator() {
        return new HashMapView.EntryIterator<>(map, HashMapView.EntryIterator.KEYS);
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public boolean isEmpty() {
        return map.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
        return map.containsKey(o);
    }

    @Override
    public boolean add(K e) {
        if (addValue == null) {
            throw new UnsupportedOperationException("the key set of a map cannot add keys; put into the map");
        }
        return map.putIfAbsent(e, addValue) == null;
    }

    @Override
    public boolean addAll(Collection<? extends K> c) {
        Objects.requireNonNull(c);
        return HashMapView.atomically(() -> super.addAll(c));
    }

    @Override
    public boolean remove(Object o) {
        return map.remove(o) != null;
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        Objects.requireNonNull(c);
        return HashMapView.atomically(() -> super.removeAll(c));
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        Objects.requireNonNull(c);
        return HashMapView.atomically(() -> super.retainAll(c));
    }

    @Override
    public boolean removeIf(Predicate<? super K> filter) {
        Objects.requireNonNull(filter);
        return HashMapView.atomically(() -> super.removeIf(filter));
    }

    /** {@link Set#equals}, on one state of the map: see {@link #sameElements}. */
    @Override
    public boolean equals(Object o) {
        return sameElements(this, o);
    }

    /**
     * Whether {@code o} is a set with the elements of {@code self}, taken from one iterator of
     * {@code self} (a snapshot outside a transaction, the running transaction's view inside one)
     * and counted as they come. {@code AbstractSet.equals} would compare a {@code size()} of one
     * moment with contents of another and could answer true for a state the map never had.
     */
    static boolean sameElements(Set<?> self, Object o) {
        if (o == self) {
            return true;
        }
        if (!(o instanceof Set<?> other)) {
            return false;
        }
        int count = 0;
        try {
            for (Object element : self) {
                count++;
                if (!other.contains(element)) {
                    return false;
                }
            }
        } catch (ClassCastException | NullPointerException unused) {
            return false; // as AbstractSet.equals: the other set cannot hold our elements
        }
        return count == other.size();
    }

    @Override
    public int hashCode() {
        return super.hashCode(); // one iterator: one state
    }
}
