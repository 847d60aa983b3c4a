package dev.weft.collections.internal;

import java.util.Iterator;

/**
 * The key set of a {@link HashMapView}, and the {@code Set} view of a {@code TSet}. Each method is
 * one transaction (bulk methods included), joining the running one inside a transaction, and
 * the whole-set reads see one state ({@link OneStateSet}).
 * {@code add} puts {@code addValue}, if the set was made with one. Iterators as the map's.
 * Thread-safe.
 */
public final class KeySetView<K, V> extends OneStateSet<K> {
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
    public boolean remove(Object o) {
        return map.remove(o) != null;
    }

    @Override
    public void clear() {
        map.clear();
    }

    /** Outside a transaction the map's iterators are snapshots. */
    @Override
    protected boolean snapshotIterators() {
        return true;
    }
}
