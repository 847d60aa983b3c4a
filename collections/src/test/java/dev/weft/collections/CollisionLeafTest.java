package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Keys whose hash codes are all equal: they share one leaf at the trie's last level, which
 * cannot split. Past 32 entries such a leaf keeps keys of one self-comparable class sorted
 * (HashTrie's overview, "Collisions"), so a lookup is a binary search; other keys are compared
 * one by one. Checked: every operation agrees with {@link HashMap} through the hashed and the
 * sorted form and the changes between them (a key of another class, a shrink to 32), inside and
 * outside transactions; and the number of key comparisons a lookup makes.
 */
class CollisionLeafTest {

    /** 2^blocks distinct Strings with one hash code: each block is "Aa" or "BB" (equal hashes). */
    private static List<String> collidingStrings(int blocks) {
        List<String> strings = new ArrayList<>();
        for (int bits = 0; bits < 1 << blocks; bits++) {
            StringBuilder text = new StringBuilder();
            for (int b = 0; b < blocks; b++) {
                text.append((bits >>> b & 1) == 0 ? "Aa" : "BB");
            }
            strings.add(text.toString());
        }
        return strings;
    }

    /**
     * Comparable to itself by {@code order} only, equal by {@code order} and {@code id}: several
     * keys compare as equal without being equal, which the sorted search must step through.
     */
    record LooseKey(int order, int id, int hash) implements Comparable<LooseKey> {
        @Override
        public int compareTo(LooseKey other) {
            return Integer.compare(order, other.order);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    @Test
    void collidingKeysAgreeWithHashMapThroughSortedAndHashedLeaves() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<String> strings = collidingStrings(9); // 512 keys
        int hash = strings.get(0).hashCode();
        List<Object> keys = new ArrayList<>(strings);
        keys.add(hash); // an Integer with the same hash code: a key of another class
        for (int i = 0; i < 60; i++) {
            keys.add(new LooseKey(i / 3, i, hash)); // another self-comparable class, runs of three
        }
        TMap<Object, Integer> map = new TMap<>();
        ConcurrentMap<Object, Integer> view = map.asMap();
        Map<Object, Integer> model = new HashMap<>();
        for (int step = 0; step < Scale.of(30_000); step++) {
            // mostly Strings, so the leaf stays past 32 entries and sorted; now and then another class
            int pick = random.nextInt(20) == 0 ? strings.size() + random.nextInt(keys.size() - strings.size())
                    : random.nextInt(strings.size());
            Object key = keys.get(pick);
            int value = random.nextInt(100);
            String where = "step " + step + ", key " + key + " (seed " + seed + ")";
            switch (random.nextInt(8)) {
                case 0, 1 -> assertEquals(model.put(key, value), view.put(key, value), where);
                case 2 -> assertEquals(model.remove(key), view.remove(key), where);
                case 3 -> assertEquals(model.putIfAbsent(key, value), atomic(() -> map.putIfAbsent(key, value)), where);
                case 4 -> assertEquals(model.merge(key, value, Integer::sum), view.merge(key, value, Integer::sum), where);
                case 5 -> assertEquals(model.get(key), atomic(() -> map.get(key)), where);
                case 6 -> { // a removal and a put in a transaction whose nested scope rolls back
                    Integer expected = model.remove(key);
                    assertEquals(expected, atomic(() -> {
                        Integer removed = map.remove(key);
                        try {
                            Stm.atomic(() -> {
                                map.put(key, -7);
                                throw new IllegalStateException("roll the nested scope back");
                            });
                        } catch (IllegalStateException expectedRollback) {
                            // the nested put is undone
                        }
                        return removed;
                    }), where);
                }
                default -> assertEquals(model.get(key), view.get(key), where);
            }
            if (step % 2_000 == 0 || model.size() < 40) {
                assertEquals(model, view, where);
            }
        }
        assertEquals(model, view, "seed " + seed);
        assertEquals(view, model, "seed " + seed);
        assertEquals(model.size(), view.size(), "seed " + seed);
        for (Object key : keys) { // every key, present or not, through the lock-free lookup
            assertEquals(model.get(key), view.get(key), "key " + key + " (seed " + seed + ")");
        }
    }

    /** Counts the comparisons made on it (compareTo and equals); one hash code for all. */
    static final class CountedKey implements Comparable<CountedKey> {
        static final AtomicLong COMPARISONS = new AtomicLong();
        final int id;

        CountedKey(int id) {
            this.id = id;
        }

        @Override
        public int compareTo(CountedKey other) {
            COMPARISONS.incrementAndGet();
            return Integer.compare(id, other.id);
        }

        @Override
        public boolean equals(Object other) {
            COMPARISONS.incrementAndGet();
            return other instanceof CountedKey key && key.id == id;
        }

        @Override
        public int hashCode() {
            return 12345;
        }
    }

    /** The same key, not comparable: the twin that must be compared one by one. */
    static final class UncomparableKey {
        final int id;

        UncomparableKey(int id) {
            this.id = id;
        }

        @Override
        public boolean equals(Object other) {
            CountedKey.COMPARISONS.incrementAndGet();
            return other instanceof UncomparableKey key && key.id == id;
        }

        @Override
        public int hashCode() {
            return 12345;
        }
    }

    /**
     * Invariant: in a leaf of 4,096 colliding self-comparable keys a lookup (hit or miss, in a
     * transaction or not) and an insert make O(log k) comparisons; a hash-flooded map stays
     * usable. The twin with keys that are not comparable makes thousands, so the check can fail.
     */
    @Test
    void aLookupAmongManyCollidingComparableKeysMakesLogarithmicallyManyComparisons() {
        int keys = 4_096;
        TMap<CountedKey, Integer> map = new TMap<>();
        ConcurrentMap<CountedKey, Integer> view = map.asMap();
        for (int i = 0; i < keys; i += 2) {
            view.put(new CountedKey(i), i);
        }
        long bound = 2 * (Integer.numberOfTrailingZeros(keys) + 2); // binary search, then equals
        for (int i = 0; i < 200; i++) {
            CountedKey key = new CountedKey(i * 17 % keys);
            CountedKey.COMPARISONS.set(0);
            Integer found = view.get(key);
            assertEquals(key.id % 2 == 0 ? Integer.valueOf(key.id) : null, found, "key " + key.id);
            assertTrue(CountedKey.COMPARISONS.get() <= bound,
                    "a lookup made " + CountedKey.COMPARISONS.get() + " comparisons (bound " + bound + ")");
            CountedKey.COMPARISONS.set(0);
            atomic(() -> map.get(key));
            assertTrue(CountedKey.COMPARISONS.get() <= bound,
                    "a lookup in a transaction made " + CountedKey.COMPARISONS.get() + " comparisons");
        }
        CountedKey.COMPARISONS.set(0);
        view.put(new CountedKey(1), 1); // absent: a search, then a sorted insert
        assertTrue(CountedKey.COMPARISONS.get() <= 3 * bound,
                "an insert made " + CountedKey.COMPARISONS.get() + " comparisons");
        assertEquals(keys / 2 + 1, view.size());

        TMap<UncomparableKey, Integer> twin = new TMap<>();
        for (int i = 0; i < keys; i += 2) {
            twin.asMap().put(new UncomparableKey(i), i);
        }
        CountedKey.COMPARISONS.set(0);
        twin.asMap().get(new UncomparableKey(1));
        assertTrue(CountedKey.COMPARISONS.get() >= keys / 2,
                "the twin's miss should compare with every key: " + CountedKey.COMPARISONS.get());
    }
}
