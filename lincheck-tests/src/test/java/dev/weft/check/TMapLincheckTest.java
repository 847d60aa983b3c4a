package dev.weft.check;

import static dev.weft.stm.Stm.atomic;

import dev.weft.collections.TMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * {@link TMap}'s {@code ConcurrentMap} view is linearizable against a {@link HashMap}: every call,
 * the conditional ones ({@code putIfAbsent}, {@code remove(k, v)}, {@code replace}) and the
 * function-taking ones ({@code compute}, {@code computeIfAbsent}, {@code merge}, whose functions
 * may also remove) included, and a read-modify-write written with the in-transaction methods
 * composes with them. Three keys share one trie leaf, so every pair of writes conflicts.
 */
class TMapLincheckTest {
    /** What the compute and merge functions return instead of a sum above this: null, a removal. */
    static final int LARGEST_VALUE = 4;

    @Param(name = "key", gen = IntGen.class, conf = "1:3")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class MapView {
        final TMap<Integer, Integer> map = new TMap<>();
        final ConcurrentMap<Integer, Integer> view = map.asMap();

        @Operation
        public Integer get(@Param(name = "key") int key) {
            return view.get(key);
        }

        @Operation
        public boolean containsKey(@Param(name = "key") int key) {
            return view.containsKey(key);
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
        public boolean removeIfEquals(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.remove(key, value);
        }

        @Operation
        public Integer replace(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.replace(key, value);
        }

        @Operation
        public boolean replaceIfEquals(@Param(name = "key") int key, @Param(name = "value") int expected,
                @Param(name = "value") int value) {
            return view.replace(key, expected, value);
        }

        @Operation
        public Integer compute(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.compute(key, (k, old) -> sumOrRemove(old, value));
        }

        @Operation
        public Integer computeIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.computeIfAbsent(key, k -> value);
        }

        @Operation
        public Integer merge(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.merge(key, value, TMapLincheckTest::sumOrRemove);
        }

        /** Read, then write, with the in-transaction methods: one transaction. */
        @Operation
        public int increment(@Param(name = "key") int key) {
            return atomic(() -> {
                Integer old = map.get(key);
                int next = old == null ? 1 : old + 1;
                map.put(key, next);
                return next;
            });
        }

        @Operation
        public int size() {
            return view.size();
        }
    }

    /** Broken twin: {@code putIfAbsent} reads in one transaction and puts in another. */
    @Param(name = "key", gen = IntGen.class, conf = "1:2")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class CheckThenPutMap {
        final ConcurrentMap<Integer, Integer> view = new TMap<Integer, Integer>().asMap();

        @Operation
        public Integer get(@Param(name = "key") int key) {
            return view.get(key);
        }

        @Operation
        public Integer putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
            Integer present = view.get(key);
            if (present == null) {
                view.put(key, value); // another putIfAbsent may have inserted since the read
            }
            return present;
        }

        @Operation
        public Integer remove(@Param(name = "key") int key) {
            return view.remove(key);
        }
    }

    /** Filler keys already in the map before each scenario of {@link SplittingMap}: a full root leaf. */
    static final int FILLERS = 8;

    /**
     * {@link MapView}'s operations on a map whose root leaf starts full (eight filler keys), so the
     * first insert of a new key turns it into a node while other operations read, filter and write
     * around it: the lock-free lookup across a split, and the key filters of the freshly split
     * slots (fails when a split leaves a slot's filter empty).
     */
    @Param(name = "key", gen = IntGen.class, conf = "1:3")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class SplittingMap extends MapView {
        public SplittingMap() {
            for (int i = 0; i < FILLERS; i++) {
                view.put(100 + i, 100 + i);
            }
        }
    }

    /** {@link MapSpec} with {@link SplittingMap}'s fillers. */
    public static class SplittingMapSpec extends MapSpec {
        public SplittingMapSpec() {
            for (int i = 0; i < FILLERS; i++) {
                put(100 + i, 100 + i);
            }
        }
    }

    /**
     * The single-key writes outside transactions (each one guarded commit of a leaf and a count
     * stripe) against iterations outside a transaction, each of which replaces the root to freeze
     * the trie as its snapshot, and against size(). The map starts with nine filler keys, so its
     * root is a node. The snapshot's transaction reads only the root and its first slot and copies
     * the root node's elements; each other slot gets its cell of the new generation from the first
     * operation that uses it, and those cells' making races with the writes here. The root guard
     * of deeper writes, and clear(), are checked by TMapConcurrencyTest's deterministic tests. (With clear() among these operations the model
     * checker reported a hang it could not replay, "non-determinism found", when other tests had
     * run first in the same JVM.)
     */
    @Param(name = "key", gen = IntGen.class, conf = "1:3")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class RootReplacingMap {
        final ConcurrentMap<Integer, Integer> view = new TMap<Integer, Integer>().asMap();

        public RootReplacingMap() {
            for (int i = 0; i <= FILLERS; i++) {
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

        /** Iterates outside a transaction: a snapshot. */
        @Operation
        public String entries() {
            Map<Integer, Integer> sorted = new TreeMap<>();
            for (Map.Entry<Integer, Integer> entry : view.entrySet()) {
                sorted.put(entry.getKey(), entry.getValue());
            }
            return sorted.toString();
        }
    }

    /** {@link MapSpec} with {@link RootReplacingMap}'s fillers and iteration. */
    public static class RootReplacingMapSpec extends MapSpec {
        public RootReplacingMapSpec() {
            for (int i = 0; i <= FILLERS; i++) {
                put(100 + i, 100 + i);
            }
        }

        public String entries() {
            return new TreeMap<>(map).toString();
        }
    }

    /**
     * Filler keys that bring a map to the eve of its root's widening (see HashTrie's overview): 23
     * of the narrow root's 32 slots hold nine keys each, so they are nodes, and the slot of key 1
     * holds eight, a full leaf. The first put of key 1 splits that slot, the 24th node, and its
     * write replaces the root by the wide one while the other operations read and write around it.
     * The slots come from {@link #spread}, a copy of HashTrie.spread (not exported).
     */
    static final int[] WIDENING_FILLERS = wideningFillers();

    static int spread(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }

    private static int[] wideningFillers() {
        int keySlot = spread(Integer.hashCode(1)) & 31;
        int[] wanted = new int[32];
        for (int slot = 0, nodes = 0; slot < 32; slot++) {
            if (slot == keySlot) {
                wanted[slot] = 8;
            } else if (nodes < 23) {
                wanted[slot] = 9;
                nodes++;
            }
        }
        int[] fillers = new int[23 * 9 + 8];
        int found = 0;
        for (int k = 100; found < fillers.length; k++) {
            int slot = spread(Integer.hashCode(k)) & 31;
            if (wanted[slot] > 0) {
                wanted[slot]--;
                fillers[found++] = k;
            }
        }
        return fillers;
    }

    /** A key other than 1 in key 1's slot: put after the fillers, it widens the root. */
    static final int WIDENING_KEY = wideningKey();

    private static int wideningKey() {
        int keySlot = spread(Integer.hashCode(1)) & 31;
        int k = WIDENING_FILLERS[WIDENING_FILLERS.length - 1] + 1;
        while ((spread(Integer.hashCode(k)) & 31) != keySlot) {
            k++;
        }
        return k;
    }

    /** {@link MapView}'s operations on a map at the eve of its root's widening. */
    @Param(name = "key", gen = IntGen.class, conf = "1:3")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class WideningMap extends MapView {
        public WideningMap() {
            for (int k : WIDENING_FILLERS) {
                view.put(k, k);
            }
        }
    }

    /** {@link MapSpec} with {@link WideningMap}'s fillers. */
    public static class WideningMapSpec extends MapSpec {
        public WideningMapSpec() {
            for (int k : WIDENING_FILLERS) {
                put(k, k);
            }
        }
    }

    /** {@link WideningMap} with {@link #WIDENING_KEY} put too: the operations run on a wide root. */
    @Param(name = "key", gen = IntGen.class, conf = "1:3")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class WideMap extends WideningMap {
        public WideMap() {
            view.put(WIDENING_KEY, WIDENING_KEY);
        }
    }

    /** {@link WideningMapSpec} with {@link #WIDENING_KEY}. */
    public static class WideMapSpec extends WideningMapSpec {
        public WideMapSpec() {
            put(WIDENING_KEY, WIDENING_KEY);
        }
    }

    /**
     * {@link WideMap} with iterations outside transactions: each takes a snapshot, which freezes
     * the wide root and gives the live one its slots lazily (see HashTrie's overview), racing
     * with the one-commit writes and the transactions that make those slots' new cells.
     */
    @Param(name = "key", gen = IntGen.class, conf = "1:3")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class SnapshottingWideMap extends WideMap {
        /** Iterates outside a transaction (a snapshot): the operation keys' entries and the count. */
        @Operation
        public String entries() {
            return entriesOf(view);
        }
    }

    /** {@link WideMapSpec} with {@link SnapshottingWideMap}'s iteration. */
    public static class SnapshottingWideMapSpec extends WideMapSpec {
        public String entries() {
            return entriesOf(map);
        }
    }

    /** The entries of keys 1 to 3 (the operations' keys), in order, and the number of entries. */
    static String entriesOf(Map<Integer, Integer> map) {
        Map<Integer, Integer> sorted = new TreeMap<>();
        int count = 0;
        for (Map.Entry<Integer, Integer> entry : map.entrySet()) {
            count++;
            if (entry.getKey() <= 3) {
                sorted.put(entry.getKey(), entry.getValue());
            }
        }
        return sorted + " of " + count;
    }

    /** A key whose hash code is one for all: every such key lands in one last-level leaf. */
    record CollidingKey(int id) implements Comparable<CollidingKey> {
        @Override
        public int compareTo(CollidingKey other) {
            return Integer.compare(id, other.id);
        }

        @Override
        public int hashCode() {
            return 77;
        }
    }

    /**
     * Colliding filler keys: past 32 of them the leaf keeps its keys sorted (HashTrie,
     * "Collisions"); 33, so that one removal turns it back to its hashed form.
     */
    static final int COLLIDING_FILLERS = 33;

    /**
     * The map's single-key operations, in and out of transactions, on keys that all collide, in a
     * leaf that starts with {@link #COLLIDING_FILLERS} fillers, so sorted: every insert is a
     * binary search and an array copy, every removal down to 32 entries turns the leaf back to
     * its hashed form.
     */
    @Param(name = "key", gen = IntGen.class, conf = "1:3")
    @Param(name = "value", gen = IntGen.class, conf = "1:2")
    public static class CollidingMap {
        final TMap<CollidingKey, Integer> map = new TMap<>();
        final ConcurrentMap<CollidingKey, Integer> view = map.asMap();

        public CollidingMap() {
            for (int i = 0; i < COLLIDING_FILLERS; i++) {
                view.put(new CollidingKey(100 + i), i);
            }
        }

        @Operation
        public Integer get(@Param(name = "key") int key) {
            return view.get(new CollidingKey(key));
        }

        @Operation
        public Integer put(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.put(new CollidingKey(key), value);
        }

        @Operation
        public Integer remove(@Param(name = "key") int key) {
            return view.remove(new CollidingKey(key));
        }

        @Operation
        public Integer putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
            return view.putIfAbsent(new CollidingKey(key), value);
        }

        /** Removes a filler and puts the key in one transaction: the leaf shrinks and grows. */
        @Operation
        public Integer swapFiller(@Param(name = "key") int key, @Param(name = "value") int value) {
            return atomic(() -> {
                map.remove(new CollidingKey(100 + key));
                return map.put(new CollidingKey(key), value);
            });
        }

        @Operation
        public int size() {
            return view.size();
        }
    }

    /** {@link CollidingMap}'s specification: a {@link HashMap} of the same fillers. */
    public static class CollidingMapSpec {
        final Map<Integer, Integer> map = new HashMap<>();

        public CollidingMapSpec() {
            for (int i = 0; i < COLLIDING_FILLERS; i++) {
                map.put(100 + i, i);
            }
        }

        public Integer get(int key) {
            return map.get(key);
        }

        public Integer put(int key, int value) {
            return map.put(key, value);
        }

        public Integer remove(int key) {
            return map.remove(key);
        }

        public Integer putIfAbsent(int key, int value) {
            return map.putIfAbsent(key, value);
        }

        public Integer swapFiller(int key, int value) {
            map.remove(100 + key);
            return map.put(key, value);
        }

        public int size() {
            return map.size();
        }
    }

    /** The sequential specification: a {@link HashMap}. */
    public static class MapSpec {
        final Map<Integer, Integer> map = new HashMap<>();

        public Integer get(int key) {
            return map.get(key);
        }

        public boolean containsKey(int key) {
            return map.containsKey(key);
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

        public boolean removeIfEquals(int key, int value) {
            return map.remove(key, value);
        }

        public Integer replace(int key, int value) {
            return map.replace(key, value);
        }

        public boolean replaceIfEquals(int key, int expected, int value) {
            return map.replace(key, expected, value);
        }

        public Integer compute(int key, int value) {
            return map.compute(key, (k, old) -> sumOrRemove(old, value));
        }

        public Integer computeIfAbsent(int key, int value) {
            return map.computeIfAbsent(key, k -> value);
        }

        public Integer merge(int key, int value) {
            return map.merge(key, value, TMapLincheckTest::sumOrRemove);
        }

        public int increment(int key) {
            return map.merge(key, 1, Integer::sum);
        }

        public int size() {
            return map.size();
        }
    }

    /** old + value, or null (remove the key) when that exceeds {@link #LARGEST_VALUE}. */
    static Integer sumOrRemove(Integer old, Integer value) {
        int sum = old == null ? value : old + value;
        return sum > LARGEST_VALUE ? null : sum;
    }

    @Test
    void concurrentMapViewIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(MapSpec.class).check(MapView.class);
    }

    @Test
    void concurrentMapViewIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(MapSpec.class).check(MapView.class);
    }

    @Test
    void aRootLeafSplittingUnderConcurrentCallsIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(SplittingMapSpec.class).check(SplittingMap.class);
    }

    @Test
    void theRootWideningUnderConcurrentCallsIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(WideningMapSpec.class).check(WideningMap.class);
    }

    @Test
    void snapshotsOfAWideRootUnderConcurrentCallsAreLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(SnapshottingWideMapSpec.class)
                .check(SnapshottingWideMap.class);
    }

    @Test
    void aWideRootUnderConcurrentCallsIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(WideMapSpec.class).check(WideMap.class);
    }

    @Test
    void oneCommitWritesAgainstSnapshotsAreLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(RootReplacingMapSpec.class)
                .check(RootReplacingMap.class);
    }

    @Test
    void oneCommitWritesAgainstSnapshotsAreLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(RootReplacingMapSpec.class)
                .check(RootReplacingMap.class);
    }

    @Test
    void aSortedCollisionLeafIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(CollidingMapSpec.class).check(CollidingMap.class);
    }

    @Test
    void putIfAbsentOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> CollectionLincheck.twin(MapSpec.class).check(CheckThenPutMap.class));
    }
}
