package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.collections.internal.HashTrie;
import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;

class TMapTest {
    /** A key whose hash code the test chooses, to force collisions and deep tries. */
    record Key(int id, int hash) {
        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.id == id;
        }
    }

    @Test
    void inTransactionMethodsOutsideATransactionThrowWithAdvice() {
        TMap<String, Integer> map = new TMap<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> map.put("a", 1));
        assertTrue(e.getMessage().contains("Stm.atomic("), e.getMessage());
        assertTrue(e.getMessage().contains("map.asMap().put("), e.getMessage());
        assertThrows(IllegalStateException.class, () -> map.get("a"));
        assertThrows(IllegalStateException.class, map::size);
        assertEquals(0, map.asMap().size(), "nothing was written");
    }

    @Test
    void nullKeysAndValuesThrowAndWriteNothing() {
        TMap<String, Integer> map = new TMap<>();
        ConcurrentMap<String, Integer> view = map.asMap();
        assertThrows(NullPointerException.class, () -> view.put(null, 1));
        assertThrows(NullPointerException.class, () -> view.put("a", null));
        assertThrows(NullPointerException.class, () -> atomic(() -> map.put("b", null)));
        assertThrows(NullPointerException.class, () -> view.putAll(mapWithNullValue()));
        assertTrue(view.isEmpty());
    }

    private static Map<String, Integer> mapWithNullValue() {
        Map<String, Integer> m = new HashMap<>();
        m.put("x", 1);
        m.put("y", null);
        return m;
    }

    @Test
    void randomOperationsAgreeWithHashMap() {
        randomOperationsAgreeWithHashMap(Scale.of(3_000), false);
    }

    /** Enough keys for the deep levels: narrow nodes, and large leaves that keep their hashes. */
    @Test
    void randomOperationsOnABigMapAgreeWithHashMap() {
        randomOperationsAgreeWithHashMap(Scale.of(40_000), true);
    }

    /**
     * Key {@code id}'s hash code: every seventh of the first 14,000 ids share one (a leaf below
     * the last level grows far past its limit), the others spread. Not more under -Pstress: each
     * write copies that leaf, so its size, not the step count, would set the run time.
     */
    private static int hashOf(int id) {
        return id % 7 == 0 && id < 14_000 ? 42 : id * 31;
    }

    private static void randomOperationsAgreeWithHashMap(int keys, boolean prefill) {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        TMap<Key, Integer> map = new TMap<>();
        ConcurrentMap<Key, Integer> view = map.asMap();
        Map<Key, Integer> model = new HashMap<>();
        for (int id = 0; prefill && id < keys; id += 2) {
            Key key = new Key(id, hashOf(id));
            model.put(key, id);
            view.put(key, id);
        }
        // Some hash codes collide completely, so leaves below the last level grow past their limit.
        for (int step = 0; step < Scale.of(60_000); step++) {
            int id = random.nextInt(keys);
            Key key = new Key(id, hashOf(id));
            int value = random.nextInt(100);
            String where = "step " + step + " (seed " + seed + ")";
            switch (random.nextInt(9)) {
                case 0 -> assertEquals(model.put(key, value), view.put(key, value), where);
                case 1 -> assertEquals(model.remove(key), view.remove(key), where);
                case 2 -> assertEquals(model.putIfAbsent(key, value), view.putIfAbsent(key, value), where);
                case 3 -> assertEquals(model.merge(key, value, Integer::sum), view.merge(key, value, Integer::sum), where);
                case 4 -> assertEquals(model.computeIfPresent(key, (k, v) -> v % 2 == 0 ? null : v + 1),
                        view.computeIfPresent(key, (k, v) -> v % 2 == 0 ? null : v + 1), where);
                case 5 -> assertEquals(model.replace(key, value), atomic(() -> map.replace(key, value)), where);
                case 6 -> assertEquals(model.remove(key, value), atomic(() -> map.remove(key, value)), where);
                case 7 -> assertEquals(model.get(key), atomic(() -> map.get(key)), where);
                default -> assertEquals(model.get(key), view.get(key), where);
            }
            if (step % 5_000 == 0) {
                assertEquals(model, view, where);
            }
        }
        assertEquals(model.size(), view.size(), "seed " + seed);
        assertEquals(model, view, "seed " + seed);
        assertEquals(view, model, "seed " + seed);
        assertEquals(model.hashCode(), view.hashCode(), "seed " + seed);
    }

    /**
     * Keys whose mixed hashes share their low 15 bits all fall into one slot at depth 2, where a
     * leaf grows to {@code 32} entries before it splits and keeps its keys' hashes once it holds
     * more than 8. The map is filled and drained across those sizes (9 and 33 included) in both
     * directions, outside transactions and in them, some keys with one full hash, and compared
     * with a HashMap after every step and through a snapshot iterator after every phase.
     */
    @Test
    void oneDeepLeafGrowsPastEightKeepsHashesSplitsAndShrinks() {
        int[] hashes = new int[44];
        for (int h = 0, found = 0; found < hashes.length; h++) {
            if ((HashTrie.spread(h) & 0x7FFF) == 0x2A5B) {
                hashes[found++] = h;
            }
        }
        Key[] keys = new Key[hashes.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new Key(i, i % 11 == 0 ? hashes[0] : hashes[i]); // every 11th: one full hash
        }
        long seed = System.nanoTime();
        Random random = new Random(seed);
        TMap<Key, Integer> map = new TMap<>();
        ConcurrentMap<Key, Integer> view = map.asMap();
        Map<Key, Integer> model = new HashMap<>();
        // Fill to the target, drain to the next one: 0 -> 20 -> 5 -> 32 -> 7 -> 44 -> 0.
        int[] targets = {20, 5, 32, 7, 44, 0};
        int step = 0;
        for (int target : targets) {
            while (model.size() != target) {
                Key key = keys[random.nextInt(keys.length)];
                int value = random.nextInt(1_000);
                String where = "step " + step++ + ", size " + model.size() + " (seed " + seed + ")";
                boolean inTransaction = random.nextBoolean();
                if (model.size() < target) {
                    assertEquals(model.put(key, value), inTransaction
                            ? atomic(() -> map.put(key, value)) : view.put(key, value), where);
                } else {
                    assertEquals(model.remove(key), inTransaction
                            ? atomic(() -> map.remove(key)) : view.remove(key), where);
                }
                Key probe = keys[random.nextInt(keys.length)];
                assertEquals(model.get(probe), view.get(probe), where);
                assertEquals(model.get(probe), atomic(() -> map.get(probe)), where);
            }
            for (Key key : keys) {
                assertEquals(model.get(key), view.get(key), "after the phase to " + target + " (seed " + seed + ")");
            }
            Map<Key, Integer> iterated = new HashMap<>();
            view.forEach(iterated::put);
            assertEquals(model, iterated, "iteration after the phase to " + target + " (seed " + seed + ")");
            assertEquals(model.size(), view.size(), "seed " + seed);
        }
        assertTrue(view.isEmpty());
    }

    @Test
    void anExceptionRollsBackEveryWriteOfTheTransaction() {
        TMap<String, Integer> map = new TMap<>();
        map.asMap().put("kept", 1);
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            map.put("added", 2);
            map.remove("kept");
            map.merge("merged", 3, Integer::sum);
            throw new DeliberateFailure();
        }));
        assertEquals(Map.of("kept", 1), map.asMap());
        assertEquals(1, map.asMap().size());
    }

    @Test
    void aTransactionSeesItsOwnWrites() {
        TMap<Integer, Integer> map = new TMap<>();
        atomic(() -> {
            for (int i = 0; i < 100; i++) {
                map.put(i, i);
            }
            assertEquals(100, map.size());
            assertEquals(50, map.get(50));
            int[] sum = {0};
            map.forEach((k, v) -> sum[0] += v);
            assertEquals(4950, sum[0]);
            int seen = 0;
            for (Iterator<Integer> it = map.asMap().keySet().iterator(); it.hasNext(); it.next()) {
                seen++;
            }
            assertEquals(100, seen);
        });
    }

    @Test
    void iteratorsOutsideATransactionSeeTheSnapshotOfTheirCreation() {
        TMap<Integer, Integer> map = new TMap<>();
        ConcurrentMap<Integer, Integer> view = map.asMap();
        for (int i = 0; i < 1_000; i++) {
            view.put(i, i);
        }
        Map<Integer, Integer> expected = new HashMap<>(view);
        Iterator<Map.Entry<Integer, Integer>> it = view.entrySet().iterator();
        for (int i = 0; i < 1_000; i += 2) {
            view.remove(i);
            view.put(i + 10_000, i);
            view.put(i + 1, -1);
        }
        Map<Integer, Integer> seen = new HashMap<>();
        while (it.hasNext()) {
            Map.Entry<Integer, Integer> e = it.next();
            seen.put(e.getKey(), e.getValue());
        }
        assertEquals(expected, seen);
        assertEquals(1_000, view.size());
        assertEquals(-1, view.get(1));
        assertNull(view.get(0));
        assertEquals(0, view.get(10_000));
    }

    @Test
    void anIteratorMadeInATransactionCannotBeUsedAfterIt() {
        TMap<Integer, Integer> map = new TMap<>();
        for (int i = 0; i < 500; i++) {
            map.asMap().put(i, i);
        }
        Iterator<Integer> escaped = Stm.atomic(() -> {
            Iterator<Integer> it = map.asMap().keySet().iterator();
            it.next();
            return it;
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            while (escaped.hasNext()) {
                escaped.next();
            }
        });
        assertTrue(e.getMessage().contains("outside a transaction"), e.getMessage());
    }

    /**
     * A map that grows past a few hundred entries replaces its 32-slot root node by a 1,024-slot
     * one (the top two levels in one); every entry stays, a snapshot taken before sees the old
     * contents, and the map goes on growing and shrinking like a HashMap. Once with one-commit
     * writes outside transactions, once with writes in transactions of ten.
     */
    @Test
    void theRootWidensAndKeepsEveryEntry() {
        for (int mode = 0; mode < 2; mode++) {
            boolean inTransactions = mode == 1;
            long seed = System.nanoTime();
            Random random = new Random(seed);
            TMap<Integer, Integer> map = new TMap<>();
            ConcurrentMap<Integer, Integer> view = map.asMap();
            Map<Integer, Integer> model = new HashMap<>();
            Iterator<Map.Entry<Integer, Integer>> before = null;
            Map<Integer, Integer> atBefore = null;
            String where = (inTransactions ? "in transactions" : "one-commit writes") + ", seed " + seed;
            while (map.trie().rootWidth() < 1_024) {
                assertTrue(model.size() < 5_000, "the root never widened: " + where);
                if (before == null && model.size() >= 100) {
                    before = view.entrySet().iterator();
                    atBefore = new HashMap<>(model);
                }
                int[] keys = random.ints(10, 0, 1 << 20).toArray();
                if (inTransactions) {
                    atomic(() -> {
                        for (int k : keys) {
                            map.put(k, -k);
                        }
                    });
                } else {
                    for (int k : keys) {
                        view.put(k, -k);
                    }
                }
                for (int k : keys) {
                    model.put(k, -k);
                }
            }
            assertTrue(model.size() > 200, "widened at " + model.size() + " entries: " + where);
            for (int k : model.keySet()) {
                assertEquals(-k, view.get(k), where);
                assertEquals(-k, atomic(() -> map.get(k)), where);
            }
            assertEquals(model.size(), view.size(), where);
            assertEquals(model, new HashMap<>(view), where);
            Map<Integer, Integer> snapshot = new HashMap<>();
            before.forEachRemaining(e -> snapshot.put(e.getKey(), e.getValue()));
            assertEquals(atBefore, snapshot, "a snapshot taken before the widening: " + where);
            for (int step = 0; step < 20_000; step++) {
                int k = random.nextInt(1 << 20);
                int i = step;
                if (random.nextBoolean()) {
                    assertEquals(model.put(k, i), inTransactions ? atomic(() -> map.put(k, i)) : view.put(k, i), where);
                } else {
                    int r = random.nextBoolean() || model.isEmpty() ? k : model.keySet().iterator().next();
                    assertEquals(model.remove(r), inTransactions ? atomic(() -> map.remove(r)) : view.remove(r), where);
                }
            }
            assertEquals(model, new HashMap<>(view), where);
            assertEquals(model.size(), view.size(), where);
            assertEquals(1_024, map.trie().rootWidth(), where);
        }
    }

    /**
     * Snapshots copy the root lazily (see HashTrie, "Lazy root copies"): each holds the map as it
     * was when taken, however many later snapshots and writes follow, while lookups, transactions
     * and later snapshots see every write. Random writes (one-commit, in transactions of a few
     * keys, removals) with a snapshot every few, on a narrow root, across the widening and on a
     * wide one; each snapshot's iterator is drained only at the end and compared with a copy of
     * the model taken with it, and every write is checked at once by a lookup and a transaction.
     */
    @Test
    void everySnapshotKeepsTheMapAsItWasWhileLaterWritesStayVisible() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        TMap<Integer, Integer> map = new TMap<>();
        ConcurrentMap<Integer, Integer> view = map.asMap();
        Map<Integer, Integer> model = new HashMap<>();
        List<Iterator<Map.Entry<Integer, Integer>>> snapshots = new ArrayList<>();
        List<Map<Integer, Integer>> expected = new ArrayList<>();
        int keyRange = 4_000;
        for (int step = 0; step < Scale.of(6_000); step++) {
            int k = random.nextInt(keyRange);
            int v = step;
            switch (random.nextInt(4)) {
                case 0 -> assertEquals(model.put(k, v), view.put(k, v), "put, seed " + seed);
                case 1 -> assertEquals(model.remove(k), view.remove(k), "remove, seed " + seed);
                case 2 -> {
                    int other = random.nextInt(keyRange);
                    atomic(() -> {
                        map.put(k, v);
                        map.put(other, -v);
                    });
                    model.put(k, v);
                    model.put(other, -v);
                    assertEquals(model.get(other), view.get(other), "a transaction's second put, seed " + seed);
                }
                default -> {
                    assertEquals(model.get(k), atomic(() -> map.get(k)), "a read in a transaction, seed " + seed);
                    continue;
                }
            }
            assertEquals(model.get(k), view.get(k), "a lookup after the write, step " + step + ", seed " + seed);
            if (step % 25 == 0) {
                snapshots.add(view.entrySet().iterator());
                expected.add(new HashMap<>(model));
            }
        }
        assertEquals(1_024, map.trie().rootWidth(), "the test never reached a wide root, seed " + seed);
        assertEquals(model, new HashMap<>(view), "final, seed " + seed);
        for (int s = 0; s < snapshots.size(); s++) {
            Map<Integer, Integer> seen = new HashMap<>();
            snapshots.get(s).forEachRemaining(e -> seen.put(e.getKey(), e.getValue()));
            assertEquals(expected.get(s), seen, "snapshot " + s + " of " + snapshots.size() + ", seed " + seed);
        }
    }

    /**
     * After a snapshot each root slot gets its cell of the new generation when first used: a
     * lookup must follow to it, not read the cell the snapshot froze. Every key is rewritten
     * after the snapshot (so every slot of the wide root gets a new cell) and read back at once.
     */
    @Test
    void lookupsAfterASnapshotFollowEachSlotToItsNewCell() {
        TMap<Integer, Integer> map = new TMap<>();
        ConcurrentMap<Integer, Integer> view = map.asMap();
        for (int k = 0; k < 3_000; k++) {
            view.put(k, k);
        }
        for (int round = 1; round <= 3; round++) {
            Iterator<Integer> frozen = view.values().iterator();
            for (int k = 0; k < 3_000; k++) {
                int key = k;
                int v = round * 10_000 + k;
                if (k % 2 == 0) {
                    view.put(key, v);
                } else {
                    atomic(() -> map.put(key, v));
                }
                assertEquals(v, view.get(key), "round " + round + ", key " + key);
            }
            long sumBefore = 0;
            while (frozen.hasNext()) {
                sumBefore += frozen.next();
            }
            long expectedBefore = 0;
            for (int k = 0; k < 3_000; k++) {
                expectedBefore += (round - 1) * 10_000L + k;
            }
            assertEquals(expectedBefore, sumBefore, "the snapshot of round " + round);
        }
    }

    /** A root whose slots all hold small leaves when it widens: their entries are distributed. */
    @Test
    void aWideningDistributesTheLeavesOfTheNarrowRoot() {
        // 23 slots of the narrow root split into nodes (eight colliding keys each, plus one), the
        // other nine hold up to eight keys each; the split of a 24th slot widens the root.
        Map<Integer, List<Integer>> bySlot = new HashMap<>();
        for (int k = 0; bySlot.values().stream().filter(l -> l.size() >= 9).count() < 32; k++) {
            bySlot.computeIfAbsent(HashTrie.spread(k) & 31, s -> new ArrayList<>()).add(k);
        }
        TMap<Integer, Integer> map = new TMap<>();
        ConcurrentMap<Integer, Integer> view = map.asMap();
        Map<Integer, Integer> model = new HashMap<>();
        for (int slot = 0; slot < 32; slot++) {
            List<Integer> keys = bySlot.get(slot);
            int count = slot < 23 ? 9 : 8;
            for (int k : keys.subList(0, count)) {
                view.put(k, k + 1);
                model.put(k, k + 1);
            }
        }
        assertEquals(32, map.trie().rootWidth(), "23 nodes do not widen the root");
        int last = bySlot.get(23).get(8);
        view.put(last, last + 1);
        model.put(last, last + 1);
        assertEquals(1_024, map.trie().rootWidth(), "the 24th node widens it");
        assertEquals(model, new HashMap<>(view));
        for (int k : model.keySet()) {
            assertEquals(k + 1, view.get(k));
            assertTrue(view.containsKey(k));
        }
        for (List<Integer> keys : bySlot.values()) {
            for (int k : keys.subList(9, keys.size())) {
                assertNull(view.get(k), "an absent key of a distributed leaf");
            }
        }
    }

    @Test
    void clearEmptiesTheMapAndItsCount() {
        TMap<Integer, Integer> map = new TMap<>();
        for (int i = 0; i < 2_000; i++) {
            map.asMap().put(i, i);
        }
        assertEquals(1_024, map.trie().rootWidth(), "2,000 keys widen the root");
        map.asMap().clear();
        assertEquals(0, map.trie().rootWidth(), "clear() drops the wide root");
        assertTrue(map.asMap().isEmpty());
        assertFalse(map.asMap().containsKey(5));
        map.asMap().put(5, 5);
        assertEquals(Map.of(5, 5), map.asMap());
        for (int i = 0; i < 2_000; i++) {
            map.asMap().put(i, -i);
        }
        assertEquals(1_024, map.trie().rootWidth(), "a cleared map widens again");
        for (int i = 0; i < 2_000; i++) {
            assertEquals(-i, map.asMap().get(i));
        }
    }
}
