package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import org.junit.jupiter.api.Test;

class TSortedMapTest {
    @Test
    void inTransactionMethodsOutsideATransactionThrowWithAdvice() {
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> map.put(1, 1));
        assertTrue(e.getMessage().contains("Stm.atomic("), e.getMessage());
        assertTrue(e.getMessage().contains("asMap().put("), e.getMessage());
        assertThrows(IllegalStateException.class, () -> map.ceilingKey(1));
        assertTrue(map.asMap().isEmpty());
    }

    @Test
    void nullAndIncomparableKeysThrowAndWriteNothing() {
        TSortedMap<Object, Integer> map = new TSortedMap<>();
        map.asMap().put("a", 1);
        assertThrows(NullPointerException.class, () -> map.asMap().put(null, 1));
        assertThrows(NullPointerException.class, () -> map.asMap().put("b", null));
        assertThrows(ClassCastException.class, () -> map.asMap().put(3, 1));
        assertEquals(Map.of("a", 1), map.asMap());
    }

    /** Random operations on the map and on random sub-map views, against a TreeMap. */
    @Test
    void randomOperationsAndRangeViewsAgreeWithTreeMap() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        NavigableMap<Integer, Integer> model = new TreeMap<>();
        int keys = Scale.of(5_000);
        for (int step = 0; step < Scale.of(80_000); step++) {
            String where = "step " + step + " (seed " + seed + ")";
            // a random view: the whole map, a range, its descending form
            NavigableMap<Integer, Integer> expected = model;
            ConcurrentNavigableMap<Integer, Integer> actual = map.asMap();
            if (random.nextInt(4) == 0) {
                int a = random.nextInt(keys);
                int b = a + random.nextInt(keys / 4 + 1);
                boolean ai = random.nextBoolean();
                boolean bi = random.nextBoolean();
                expected = expected.subMap(a, ai, b, bi);
                actual = actual.subMap(a, ai, b, bi);
                if (random.nextBoolean()) {
                    expected = expected.descendingMap();
                    actual = actual.descendingMap();
                }
            }
            int key = random.nextInt(keys);
            int value = random.nextInt(1000);
            boolean inside = isInRange(expected, key);
            switch (random.nextInt(10)) {
                case 0, 1 -> {
                    if (inside) {
                        assertEquals(expected.put(key, value), actual.put(key, value), where);
                    } else {
                        ConcurrentNavigableMap<Integer, Integer> range = actual;
                        assertThrows(IllegalArgumentException.class, () -> range.put(key, value), where);
                    }
                }
                case 2 -> assertEquals(expected.remove(key), actual.remove(key), where);
                case 3 -> assertEquals(expected.ceilingEntry(key), actual.ceilingEntry(key), where);
                case 4 -> assertEquals(expected.lowerKey(key), actual.lowerKey(key), where);
                case 5 -> assertEquals(expected.higherEntry(key), actual.higherEntry(key), where);
                case 6 -> assertEquals(expected.floorKey(key), actual.floorKey(key), where);
                case 7 -> {
                    if (random.nextInt(20) == 0) {
                        assertEquals(expected.pollFirstEntry(), actual.pollFirstEntry(), where);
                    } else {
                        assertEquals(expected.firstEntry(), actual.firstEntry(), where);
                        assertEquals(expected.lastEntry(), actual.lastEntry(), where);
                    }
                }
                case 8 -> {
                    if (expected != model && random.nextInt(50) == 0) {
                        assertEquals(expected.size(), actual.size(), where);
                        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), where);
                    }
                }
                default -> assertEquals(expected.get(key), actual.get(key), where);
            }
        }
        assertEquals(model.size(), map.asMap().size(), "seed " + seed);
        assertEquals(new ArrayList<>(model.entrySet()), new ArrayList<>(map.asMap().entrySet()), "seed " + seed);
        assertEquals(new ArrayList<>(model.descendingMap().keySet()),
                new ArrayList<>(map.asMap().descendingKeySet()), "seed " + seed);
    }

    private static boolean isInRange(NavigableMap<Integer, Integer> view, int key) {
        try {
            view.subMap(key, true, key, true);
            return true;
        } catch (IllegalArgumentException outside) {
            return false;
        }
    }

    @Test
    void aSlidingWindowOfKeysKeepsTheTreeSmall() {
        TSortedMap<Long, Long> map = new TSortedMap<>();
        ConcurrentNavigableMap<Long, Long> view = map.asMap();
        int window = 100;
        for (long k = 0; k < Scale.of(50_000); k++) {
            view.put(k, k);
            if (k >= window) {
                assertEquals(k - window, view.pollFirstEntry().getKey());
            }
        }
        assertEquals(window, view.size());
        // every leaf holds something: iterating a window costs a handful of leaf transactions
        assertEquals(List.copyOf(view.keySet()).size(), window);
    }

    @Test
    void aComparatorOrdersTheMapAndItsViews() {
        TSortedMap<String, Integer> map = new TSortedMap<>(Comparator.reverseOrder());
        for (String s : List.of("a", "b", "c", "d")) {
            map.asMap().put(s, s.charAt(0) - 'a');
        }
        assertEquals(List.of("d", "c", "b", "a"), List.copyOf(map.asMap().keySet()));
        assertEquals(List.of("c", "b"), List.copyOf(map.asMap().subMap("c", "a").keySet()));
        assertEquals("d", Stm.atomic(map::firstKey));
    }

    @Test
    void inATransactionTheMapAndItsRangesSeeItsOwnWrites() {
        TSortedMap<Integer, String> map = new TSortedMap<>();
        atomic(() -> {
            for (int i = 0; i < 200; i++) {
                map.put(i, "v" + i);
            }
            assertEquals(200, map.size());
            assertEquals(10, map.asMap().subMap(50, 60).size());
            assertEquals(49, map.lowerKey(50));
            assertEquals(0, map.firstKey());
            assertEquals(199, map.lastKey());
            map.remove(0);
            assertEquals(1, map.pollFirstEntry().getKey());
            assertEquals(2, map.asMap().firstKey());
        });
        assertEquals(198, map.asMap().size());
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            map.asMap().headMap(100).clear();
            assertEquals(100, map.firstKey());
            throw new DeliberateFailure();
        }));
        assertEquals(2, map.asMap().firstKey());
        assertNull(map.asMap().get(1));
    }
}
