package dev.weft.check;

import static dev.weft.check.BlockingScenario.call;
import static dev.weft.stm.Stm.atomic;

import dev.weft.collections.TSortedMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * {@link TSortedMap} is linearizable against a {@link TreeMap}: its {@code ConcurrentNavigableMap}
 * view (updates, navigation, polls, a sub-map's size) and its in-transaction edge lookups. Keys
 * 1..4 share one leaf of the B+ tree, so every pair of changes conflicts and navigation reads what
 * the writers write. {@link SplittingSortedMap} checks the view's calls outside transactions
 * around a split of the root leaf, with navigation that then reads two leaves.
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

    /**
     * Filler keys of {@link SplittingSortedMap} below its middle keys, and above them: together
     * one short of a full root leaf (32 entries).
     */
    static final int LOW_FILLERS = 15;
    static final int HIGH_FILLERS = 16;

    /** Puts the fillers: {@code -LOW_FILLERS .. -1} and {@code 100 .. 100 + HIGH_FILLERS - 1}. */
    static void putFillers(Map<Integer, Integer> map) {
        for (int i = 1; i <= LOW_FILLERS; i++) {
            map.put(-i, -i);
        }
        for (int i = 0; i < HIGH_FILLERS; i++) {
            map.put(100 + i, 100 + i);
        }
    }

    /**
     * The map key of operation key {@code k} (1..4) in {@link SplittingSortedMap}: 1 and 4 lie
     * beyond all fillers, so the first and last keys change; 2 and 3 lie between the two groups
     * of fillers. The root leaf splits at the second of these keys put (at a middle key or at
     * 100), so that navigation from the middle keys crosses from one leaf to the other.
     */
    static int splittingKey(int k) {
        return switch (k) {
            case 1 -> -100;
            case 4 -> 200;
            default -> k;
        };
    }

    /**
     * The view's calls outside transactions (lock-free get, lower, floor, ceiling, higher, first
     * and last; one-commit put, putIfAbsent and remove) on a map one or two inserts away from
     * splitting its root leaf: the split runs as a transaction while the other thread walks and
     * commits around it, and after it a navigation call may read both leaves.
     */
    @Param(name = "key", gen = IntGen.class, conf = "1:4")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class SplittingSortedMap {
        final ConcurrentNavigableMap<Integer, Integer> view = new TSortedMap<Integer, Integer>().asMap();

        public SplittingSortedMap() {
            putFillers(view);
        }

        @Operation
        public Integer get(@Param(name = "key") int key) {
            return view.get(splittingKey(key));
        }

        @Operation
        public Integer put(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.put(splittingKey(key), value);
        }

        @Operation
        public Integer putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.putIfAbsent(splittingKey(key), value);
        }

        @Operation
        public Integer remove(@Param(name = "key") int key) {
            return view.remove(splittingKey(key));
        }

        @Operation
        public Integer lowerKey(@Param(name = "key") int key) {
            return view.lowerKey(splittingKey(key));
        }

        @Operation
        public Integer floorKey(@Param(name = "key") int key) {
            return view.floorKey(splittingKey(key));
        }

        @Operation
        public Integer ceilingKey(@Param(name = "key") int key) {
            return view.ceilingKey(splittingKey(key));
        }

        @Operation
        public Integer higherKey(@Param(name = "key") int key) {
            return view.higherKey(splittingKey(key));
        }

        /** The view's firstKey, null instead of NoSuchElementException (as the specification's). */
        @Operation
        public Integer firstKey() {
            try {
                return view.firstKey();
            } catch (NoSuchElementException empty) {
                return null;
            }
        }

        @Operation
        public Integer lastKey() {
            try {
                return view.lastKey();
            } catch (NoSuchElementException empty) {
                return null;
            }
        }

        @Operation
        public int size() {
            return view.size();
        }
    }

    /** {@link SortedMapSpec} with {@link SplittingSortedMap}'s fillers and keys. */
    public static class SplittingSortedMapSpec extends SortedMapSpec {
        public SplittingSortedMapSpec() {
            putFillers(map);
        }

        @Override
        public Integer get(int key) {
            return super.get(splittingKey(key));
        }

        @Override
        public Integer put(int key, int value) {
            return super.put(splittingKey(key), value);
        }

        @Override
        public Integer putIfAbsent(int key, int value) {
            return super.putIfAbsent(splittingKey(key), value);
        }

        @Override
        public Integer remove(int key) {
            return super.remove(splittingKey(key));
        }

        @Override
        public Integer lowerKey(int key) {
            return super.lowerKey(splittingKey(key));
        }

        @Override
        public Integer floorKey(int key) {
            return super.floorKey(splittingKey(key));
        }

        @Override
        public Integer ceilingKey(int key) {
            return super.ceilingKey(splittingKey(key));
        }

        @Override
        public Integer higherKey(int key) {
            return super.higherKey(splittingKey(key));
        }
    }

    /**
     * Broken twin for {@link #ceilingAcrossTheSplitLeavesScenario}: {@code ceilingKey} looks
     * below 3 (the left leaf's range after the split) and then, if it found nothing, from 3 on,
     * as two calls: a walk that read its two leaves at different moments without checking the
     * first again.
     */
    @Param(name = "key", gen = IntGen.class, conf = "1:4")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class TwoCallCeilingSortedMap {
        final ConcurrentNavigableMap<Integer, Integer> view = new TSortedMap<Integer, Integer>().asMap();

        public TwoCallCeilingSortedMap() {
            putFillers(view);
        }

        @Operation
        public Integer put(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.put(splittingKey(key), value);
        }

        @Operation
        public Integer remove(@Param(name = "key") int key) {
            return view.remove(splittingKey(key));
        }

        @Operation
        public Integer ceilingKey(@Param(name = "key") int key) {
            Integer below = view.headMap(3).ceilingKey(splittingKey(key));
            return below != null ? below : view.tailMap(3).ceilingKey(splittingKey(key));
        }
    }

    /**
     * Keys 2 and 3 put (the root leaf splits at 3) and 2 removed: the ceiling of 2 is not in its
     * leaf, so the walk reads the right leaf too. Meanwhile the other thread puts 2 and removes
     * 3: the ceiling is 3, then 2, never 100, which a walk that read the right leaf after both
     * changes without checking its own leaf again would answer.
     */
    static ExecutionScenario ceilingAcrossTheSplitLeavesScenario(Class<?> structure) {
        return BlockingScenario.of(structure).before(call("put", 2, 1), call("put", 3, 1), call("remove", 2))
                .thread(call("ceilingKey", 2))
                .thread(call("put", 2, 2), call("remove", 3))
                .build();
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
    void aCeilingThatReadsBothLeavesWhileBothChangeIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().iterations(0).addCustomScenario(
                ceilingAcrossTheSplitLeavesScenario(SplittingSortedMap.class))
                .sequentialSpecification(SplittingSortedMapSpec.class).check(SplittingSortedMap.class);
    }

    @Test
    void aCeilingOfTwoCallsAcrossTheSplitLeavesIsCaught() {
        ExpectedViolation.assertCaught(() -> CollectionLincheck.twin(SplittingSortedMapSpec.class).iterations(0)
                .addCustomScenario(ceilingAcrossTheSplitLeavesScenario(TwoCallCeilingSortedMap.class))
                .check(TwoCallCeilingSortedMap.class));
    }

    @Test
    void pollFirstEntryOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> CollectionLincheck.twin(SortedMapSpec.class).check(SplitPollSortedMap.class));
    }
}
