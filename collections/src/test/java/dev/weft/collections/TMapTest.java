package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.HashMap;
import java.util.Iterator;
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

    private static void randomOperationsAgreeWithHashMap(int keys, boolean prefill) {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        TMap<Key, Integer> map = new TMap<>();
        ConcurrentMap<Key, Integer> view = map.asMap();
        Map<Key, Integer> model = new HashMap<>();
        for (int id = 0; prefill && id < keys; id += 2) {
            Key key = new Key(id, id % 7 == 0 ? 42 : id * 31);
            model.put(key, id);
            view.put(key, id);
        }
        // Some hash codes collide completely, so leaves below the last level grow past their limit.
        for (int step = 0; step < Scale.of(60_000); step++) {
            int id = random.nextInt(keys);
            Key key = new Key(id, id % 7 == 0 ? 42 : id * 31);
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

    @Test
    void clearEmptiesTheMapAndItsCount() {
        TMap<Integer, Integer> map = new TMap<>();
        for (int i = 0; i < 2_000; i++) {
            map.asMap().put(i, i);
        }
        map.asMap().clear();
        assertTrue(map.asMap().isEmpty());
        assertFalse(map.asMap().containsKey(5));
        map.asMap().put(5, 5);
        assertEquals(Map.of(5, 5), map.asMap());
    }
}
