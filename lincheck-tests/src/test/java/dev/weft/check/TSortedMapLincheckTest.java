package dev.weft.check;

import static dev.weft.stm.Stm.atomic;

import dev.weft.collections.TSortedMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * {@link TSortedMap} is linearizable against a {@link TreeMap}: its {@code ConcurrentNavigableMap}
 * view (updates, navigation, polls, a sub-map's size) and its in-transaction edge lookups. Keys
 * 1..4 share one leaf of the B+ tree, so every pair of changes conflicts and navigation reads what
 * the writers write.
 */
class TSortedMapLincheckTest {

    @Param(name = "key", gen = IntGen.class, conf = "1:4")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class SortedMapView {
        final TSortedMap<Integer, Integer> map = new TSortedMap<>();
        final ConcurrentNavigableMap<Integer, Integer> view = map.asMap();

        @Operation
        public Integer get(@Param(name = "key") int key) {
            return view.get(key);
        }

        @Operation
        public Integer put(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.put(key, value);
        }

        @Operation
        public Integer putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.putIfAbsent(key, value);
        }

        @Operation
        public Integer remove(@Param(name = "key") int key) {
            return view.remove(key);
        }

        @Operation
        public Integer merge(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.merge(key, value, Integer::sum);
        }

        @Operation
        public Integer ceilingKey(@Param(name = "key") int key) {
            return view.ceilingKey(key);
        }

        @Operation
        public Integer floorKey(@Param(name = "key") int key) {
            return view.floorKey(key);
        }

        @Operation
        public Integer higherKey(@Param(name = "key") int key) {
            return view.higherKey(key);
        }

        @Operation
        public Integer lowerKey(@Param(name = "key") int key) {
            return view.lowerKey(key);
        }

        /** The in-transaction method: null when empty (the view's firstKey throws). */
        @Operation
        public Integer firstKey() {
            return atomic(() -> map.firstKey());
        }

        @Operation
        public Integer lastKey() {
            return atomic(() -> map.lastKey());
        }

        @Operation
        public String pollFirstEntry() {
            return text(view.pollFirstEntry());
        }

        @Operation
        public String pollLastEntry() {
            return text(view.pollLastEntry());
        }

        /** Entries with keys in [key, key + 1]: a sub-map counted in one transaction. */
        @Operation
        public int rangeSize(@Param(name = "key") int key) {
            return view.subMap(key, true, key + 1, true).size();
        }

        @Operation
        public int size() {
            return view.size();
        }
    }

    /** Broken twin: {@code pollFirstEntry} finds the first key in one transaction and removes it in another. */
    @Param(name = "key", gen = IntGen.class, conf = "1:4")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class SplitPollSortedMap {
        final TSortedMap<Integer, Integer> map = new TSortedMap<>();
        final ConcurrentNavigableMap<Integer, Integer> view = map.asMap();

        @Operation
        public Integer put(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.put(key, value);
        }

        @Operation
        public String pollFirstEntry() {
            Integer first = atomic(() -> map.firstKey());
            if (first == null) {
                return text(null);
            }
            Integer value = view.remove(first); // another poll may have taken it since
            return first + "=" + value;
        }
    }

    /** Filler keys of {@link SplittingSortedMap}: one short of a full root leaf (32 entries). */
    static final int FILLERS = 31;

    /**
     * The view's calls outside transactions (lock-free get, one-commit put, putIfAbsent and
     * remove) on a map one or two inserts away from splitting its root leaf: the split runs as a
     * transaction while the other thread walks and commits around it.
     */
    @Param(name = "key", gen = IntGen.class, conf = "1:4")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class SplittingSortedMap {
        final ConcurrentNavigableMap<Integer, Integer> view = new TSortedMap<Integer, Integer>().asMap();

        public SplittingSortedMap() {
            for (int i = 0; i < FILLERS; i++) {
                view.put(100 + i, 100 + i);
            }
        }

        @Operation
        public Integer get(@Param(name = "key") int key) {
            return view.get(key);
        }

        @Operation
        public Integer put(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.put(key, value);
        }

        @Operation
        public Integer putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.putIfAbsent(key, value);
        }

        @Operation
        public Integer remove(@Param(name = "key") int key) {
            return view.remove(key);
        }

        @Operation
        public int size() {
            return view.size();
        }
    }

    /** {@link SortedMapSpec} with {@link SplittingSortedMap}'s fillers. */
    public static class SplittingSortedMapSpec extends SortedMapSpec {
        public SplittingSortedMapSpec() {
            for (int i = 0; i < FILLERS; i++) {
                map.put(100 + i, 100 + i);
            }
        }
    }

    /** The sequential specification: a {@link TreeMap}; the edge keys of an empty map are null. */
    public static class SortedMapSpec {
        final TreeMap<Integer, Integer> map = new TreeMap<>();

        public Integer get(int key) {
            return map.get(key);
        }

        public Integer put(int key, int value) {
            return map.put(key, value);
        }

        public Integer putIfAbsent(int key, int value) {
            return map.putIfAbsent(key, value);
        }

        public Integer remove(int key) {
            return map.remove(key);
        }

        public Integer merge(int key, int value) {
            return map.merge(key, value, Integer::sum);
        }

        public Integer ceilingKey(int key) {
            return map.ceilingKey(key);
        }

        public Integer floorKey(int key) {
            return map.floorKey(key);
        }

        public Integer higherKey(int key) {
            return map.higherKey(key);
        }

        public Integer lowerKey(int key) {
            return map.lowerKey(key);
        }

        public Integer firstKey() {
            return map.isEmpty() ? null : map.firstKey();
        }

        public Integer lastKey() {
            return map.isEmpty() ? null : map.lastKey();
        }

        public String pollFirstEntry() {
            return text(map.pollFirstEntry());
        }

        public String pollLastEntry() {
            return text(map.pollLastEntry());
        }

        public int rangeSize(int key) {
            return map.subMap(key, true, key + 1, true).size();
        }

        public int size() {
            return map.size();
        }
    }

    /** An entry as {@code key=value}, or {@code none}: results compare by value, whatever the entry class. */
    static String text(Map.Entry<Integer, Integer> entry) {
        return entry == null ? "none" : entry.getKey() + "=" + entry.getValue();
    }

    @Test
    void navigableMapViewIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(SortedMapSpec.class).check(SortedMapView.class);
    }

    @Test
    void navigableMapViewIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(SortedMapSpec.class).check(SortedMapView.class);
    }

    @Test
    void callsOutsideTransactionsAroundARootSplitAreLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(SplittingSortedMapSpec.class)
                .check(SplittingSortedMap.class);
    }

    @Test
    void pollFirstEntryOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> CollectionLincheck.twin(SortedMapSpec.class).check(SplitPollSortedMap.class));
    }
}
