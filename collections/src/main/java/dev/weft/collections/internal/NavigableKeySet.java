package dev.weft.collections.internal;

import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.SortedSet;
import java.util.Spliterator;

/**
 * The key set of a {@link NavigableMapView} (or of one of its sub-maps), and the
 * {@code NavigableSet} view of a {@code TSortedSet}. Each method is one transaction (bulk methods
 * included), joining the running one inside a transaction; {@code add} puts {@code addValue} if
 * the set was made with one. Iterators as the map's: weakly consistent, a leaf per transaction;
 * the whole-set reads ({@code equals}, {@code hashCode}, {@code toString}, {@code toArray},
 * {@code containsAll}, {@code forEach}) run in one transaction ({@link OneStateSet}).
 * Thread-safe.
 */
public final class NavigableKeySet<K, V> extends OneStateSet<K> implements NavigableSet<K> {
    private final NavigableMapView<K, V> map;
    private final V addValue;

    public NavigableKeySet(NavigableMapView<K, V> map, V addValue) {
        this.map = map;
        this.addValue = addValue;
    }

    private NavigableKeySet<K, V> over(java.util.NavigableMap<K, V> sub) {
        return new NavigableKeySet<>((NavigableMapView<K, V>) sub, addValue);
    }

    @Override
    public Iterator<K> iterator() {
        return map.iterator(NavigableMapView.ViewIterator.KEYS);
    }

    @Override
    public Iterator<K> descendingIterator() {
        return descendingSet().iterator();
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

    /** Outside a transaction the map's iterators fetch a leaf per transaction. */
    @Override
    protected boolean snapshotIterators() {
        return false;
    }

    @Override
    protected int characteristics() {
        return Spliterator.ORDERED | Spliterator.DISTINCT;
    }

    @Override
    public K lower(K e) {
        return map.lowerKey(e);
    }

    @Override
    public K floor(K e) {
        return map.floorKey(e);
    }

    @Override
    public K ceiling(K e) {
        return map.ceilingKey(e);
    }

    @Override
    public K higher(K e) {
        return map.higherKey(e);
    }

    @Override
    public K pollFirst() {
        Map.Entry<K, V> e = map.pollFirstEntry();
        return e == null ? null : e.getKey();
    }

    @Override
    public K pollLast() {
        Map.Entry<K, V> e = map.pollLastEntry();
        return e == null ? null : e.getKey();
    }

    @Override
    public K first() {
        return map.firstKey();
    }

    @Override
    public K last() {
        return map.lastKey();
    }

    @Override
    public Comparator<? super K> comparator() {
        return map.comparator();
    }

    @Override
    public NavigableSet<K> descendingSet() {
        return over(map.descendingMap());
    }

    @Override
    public NavigableSet<K> subSet(K fromElement, boolean fromInclusive, K toElement, boolean toInclusive) {
        return over(map.subMap(fromElement, fromInclusive, toElement, toInclusive));
    }

    @Override
    public NavigableSet<K> headSet(K toElement, boolean inclusive) {
        return over(map.headMap(toElement, inclusive));
    }

    @Override
    public NavigableSet<K> tailSet(K fromElement, boolean inclusive) {
        return over(map.tailMap(fromElement, inclusive));
    }

    @Override
    public SortedSet<K> subSet(K fromElement, K toElement) {
        return subSet(fromElement, true, toElement, false);
    }

    @Override
    public SortedSet<K> headSet(K toElement) {
        return headSet(toElement, false);
    }

    @Override
    public SortedSet<K> tailSet(K fromElement) {
        return tailSet(fromElement, true);
    }
}
