package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.stm.Stm;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Adversarial tests of the {@code java.util} views and of bad input, beyond what the Guava testlib
 * suites check: sub-map and descending views mutated against {@code TreeMap}, nested view calls
 * that throw inside a transaction, rolled-back transactions full of view calls, bulk calls that
 * fail half way, argument validation of the synchronizers, and the advice of the "no transaction"
 * errors. Random tests print their seed; sizes are small by default ({@link Scale}).
 */
class AdversarialViewsTest {

    // ================================================================== TSortedMap views vs TreeMap

    /** What a call did: its result, or the class of the exception it threw. */
    /** Whether {@code key} lies in the range of {@code view} (a TreeMap view: its subMap refuses keys outside). */
    private static boolean inRange(NavigableMap<Integer, Integer> view, int key) {
        try {
            view.subMap(key, true, key, true);
            return true;
        } catch (IllegalArgumentException outside) {
            return false;
        }
    }

    private static Object outcome(Supplier<?> call) {
        try {
            Object result = call.get();
            // entries are compared by key and value, whatever their class
            if (result instanceof Map.Entry<?, ?> e) {
                return Map.entry(e.getKey(), e.getValue());
            }
            return result;
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }

    /** A random narrower view (sub, head or tail map, maybe descending) of both maps, or of neither. */
    private static List<NavigableMap<Integer, Integer>> narrowBoth(NavigableMap<Integer, Integer> expected,
            NavigableMap<Integer, Integer> actual, SplittableRandom random, int keys, long seed) {
        int a = random.nextInt(-5, keys + 5);
        int b = a + random.nextInt(0, keys / 2 + 1);
        boolean ai = random.nextBoolean();
        boolean bi = random.nextBoolean();
        int kind = random.nextInt(4);
        List<NavigableMap<Integer, Integer>> out = new ArrayList<>(2);
        for (NavigableMap<Integer, Integer> m : List.of(expected, actual)) {
            boolean down = m.comparator() != null && m.comparator().compare(0, 1) > 0;
            int lo = down ? b : a;
            int hi = down ? a : b;
            try {
                out.add(switch (kind) {
                    case 0 -> m.subMap(lo, ai, hi, bi);
                    case 1 -> m.headMap(hi, bi);
                    case 2 -> m.tailMap(lo, ai);
                    default -> m.descendingMap();
                });
            } catch (IllegalArgumentException refused) {
                out.add(null);
            }
        }
        assertEquals(out.get(0) == null, out.get(1) == null, "one map refused the bounds " + a + " " + b + " (seed " + seed + ")");
        return out.get(0) == null ? List.of(expected, actual) : out;
    }

    /**
     * docs/collections.md: the view and its sub-map and descending views are a
     * ConcurrentNavigableMap. Random writes through random nested sub-maps and descending maps
     * (compute, merge, polls, entry setValue, key-set and iterator removals, range clears) agree
     * with the same calls on the same views of a TreeMap: results, exceptions, and the whole map.
     */
    @Test
    void writesThroughNestedSubMapsAndDescendingMapsAgreeWithTreeMap() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        int keys = 120;
        TreeMap<Integer, Integer> model = new TreeMap<>();
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        for (int step = 0; step < Scale.of(6_000); step++) {
            NavigableMap<Integer, Integer> expected = model;
            NavigableMap<Integer, Integer> actual = map.asMap();
            for (int level = random.nextInt(3); level > 0; level--) {
                List<NavigableMap<Integer, Integer>> both = narrowBoth(expected, actual, random, keys, seed);
                expected = both.get(0);
                actual = both.get(1);
            }
            int key = random.nextInt(-2, keys + 2);
            int value = random.nextInt(1, 30);
            NavigableMap<Integer, Integer> e = expected;
            NavigableMap<Integer, Integer> a = actual;
            String where = "step " + step + " on " + e.getClass().getSimpleName() + " " + describe(e) + ", key " + key
                    + " (seed " + seed + ")";
            int op = random.nextInt(22);
            switch (op) {
                case 0 -> assertEquals(outcome(() -> e.put(key, value)), outcome(() -> a.put(key, value)), where);
                case 1 -> assertEquals(outcome(() -> e.putIfAbsent(key, value)),
                        outcome(() -> a.putIfAbsent(key, value)), where);
                case 2 -> assertEquals(outcome(() -> e.remove(key)), outcome(() -> a.remove(key)), where);
                case 3 -> assertEquals(outcome(() -> e.remove(key, value)), outcome(() -> a.remove(key, value)), where);
                // replace outside a sub-map's range throws, as ConcurrentSkipListMap's (TreeMap's answers)
                case 4 -> assertEquals(inRange(e, key) ? outcome(() -> e.replace(key, value)) : IllegalArgumentException.class,
                        outcome(() -> a.replace(key, value)), where);
                case 5 -> assertEquals(inRange(e, key) ? outcome(() -> e.replace(key, value, value + 1))
                        : IllegalArgumentException.class, outcome(() -> a.replace(key, value, value + 1)), where);
                case 6 -> assertEquals(outcome(() -> e.compute(key, AdversarialViewsTest::step)),
                        outcome(() -> a.compute(key, AdversarialViewsTest::step)), where);
                case 7 -> assertEquals(outcome(() -> e.computeIfAbsent(key, k -> k % 4 == 0 ? null : k + 1)),
                        outcome(() -> a.computeIfAbsent(key, k -> k % 4 == 0 ? null : k + 1)), where);
                case 8 -> assertEquals(outcome(() -> e.computeIfPresent(key, AdversarialViewsTest::step)),
                        outcome(() -> a.computeIfPresent(key, AdversarialViewsTest::step)), where);
                case 9 -> assertEquals(outcome(() -> e.merge(key, value, (x, y) -> x % 2 == 0 ? null : x + y)),
                        outcome(() -> a.merge(key, value, (x, y) -> x % 2 == 0 ? null : x + y)), where);
                case 10 -> assertEquals(outcome(e::pollFirstEntry), outcome(a::pollFirstEntry), where);
                case 11 -> assertEquals(outcome(e::pollLastEntry), outcome(a::pollLastEntry), where);
                case 12 -> {
                    assertEquals(outcome(e::firstKey), outcome(a::firstKey), where);
                    assertEquals(outcome(e::lastKey), outcome(a::lastKey), where);
                    assertEquals(outcome(() -> e.navigableKeySet().first()), outcome(() -> a.navigableKeySet().first()),
                            where);
                    assertEquals(outcome(() -> e.descendingKeySet().last()), outcome(() -> a.descendingKeySet().last()),
                            where);
                }
                case 13 -> {
                    assertEquals(outcome(() -> e.navigableKeySet().remove(key)),
                            outcome(() -> a.navigableKeySet().remove(key)), where);
                    assertEquals(outcome(() -> e.descendingKeySet().pollFirst()),
                            outcome(() -> a.descendingKeySet().pollFirst()), where);
                }
                case 14 -> { // setValue on every other entry, through both entry iterators
                    setEveryOtherValue(e, value);
                    setEveryOtherValue(a, value);
                }
                case 15 -> { // iterator removal of keys divisible by 3, in the view's order
                    removeDivisibleByThree(e.keySet().iterator());
                    removeDivisibleByThree(a.keySet().iterator());
                }
                case 16 -> {
                    if (e != model && random.nextInt(8) == 0) {
                        e.clear();
                        a.clear();
                    }
                }
                case 17 -> {
                    assertEquals(outcome(() -> e.ceilingEntry(key)), outcome(() -> a.ceilingEntry(key)), where);
                    assertEquals(outcome(() -> e.lowerKey(key)), outcome(() -> a.lowerKey(key)), where);
                    assertEquals(outcome(() -> e.get(key)), outcome(() -> a.get(key)), where);
                    assertEquals(outcome(() -> e.containsKey(key)), outcome(() -> a.containsKey(key)), where);
                }
                case 18 -> {
                    assertEquals(e.size(), a.size(), where);
                    assertEquals(e.isEmpty(), a.isEmpty(), where);
                    assertEquals(e.toString(), a.toString(), where);
                    assertEquals(e.hashCode(), a.hashCode(), where);
                    assertEquals(e, a, where);
                    assertEquals(a, e, where);
                    assertEquals(new ArrayList<>(e.values()), new ArrayList<>(a.values()), where);
                    assertEquals(e.keySet(), a.keySet(), where);
                    assertEquals(a.entrySet(), e.entrySet(), where);
                }
                case 19 -> {
                    if (random.nextInt(4) == 0) {
                        e.replaceAll((k, v) -> (v + k) % 50 + 1);
                        a.replaceAll((k, v) -> (v + k) % 50 + 1);
                    }
                }
                case 20 -> {
                    assertEquals(outcome(() -> e.entrySet().remove(Map.entry(key, value))),
                            outcome(() -> a.entrySet().remove(Map.entry(key, value))), where);
                    assertEquals(outcome(() -> e.values().remove(value)), outcome(() -> a.values().remove(value)),
                            where);
                    assertEquals(outcome(() -> e.entrySet().contains(Map.entry(key, value))),
                            outcome(() -> a.entrySet().contains(Map.entry(key, value))), where);
                }
                default -> { // an out-of-range put into a narrower view of this one must throw and write nothing
                    boolean narrows = outcome(() -> e.headMap(key, false)) instanceof NavigableMap<?, ?>;
                    NavigableMap<Integer, Integer> eh = narrows ? e.headMap(key, false) : null;
                    if (eh != null) {
                        NavigableMap<Integer, Integer> ah = a.headMap(key, false);
                        assertEquals(outcome(() -> eh.put(key, value)), outcome(() -> ah.put(key, value)), where);
                        assertEquals(outcome(() -> eh.merge(key, value, Integer::sum)),
                                outcome(() -> ah.merge(key, value, Integer::sum)), where);
                    }
                }
            }
            if (op != 18 && step % 7 == 0) {
                assertEquals(model, atomic(() -> new TreeMap<>(map.asMap())), where + " after op " + op);
            }
        }
        assertEquals(model, map.asMap(), "seed " + seed);
    }

    /**
     * The NavigableSet view of TSortedSet, through random nested sub-sets, head and tail sets and
     * descending sets, agrees with the same calls on a TreeSet: adds (IllegalArgumentException
     * outside the range), removals, polls at both ends, first/last (NoSuchElementException when
     * empty), navigation, and removals through ascending and descending iterators.
     */
    @Test
    void nestedSubSetsAndDescendingSetsAgreeWithTreeSet() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        int keys = 120;
        TreeSet<Integer> model = new TreeSet<>();
        TSortedSet<Integer> set = new TSortedSet<>();
        for (int step = 0; step < Scale.of(5_000); step++) {
            NavigableSet<Integer> expected = model;
            NavigableSet<Integer> actual = set.asSet();
            for (int level = random.nextInt(3); level > 0; level--) {
                int a = random.nextInt(-5, keys + 5);
                int b = a + random.nextInt(0, keys / 2 + 1);
                boolean ai = random.nextBoolean();
                boolean bi = random.nextBoolean();
                int kind = random.nextInt(4);
                List<NavigableSet<Integer>> both = new ArrayList<>(2);
                for (NavigableSet<Integer> v : List.of(expected, actual)) {
                    boolean down = v.comparator() != null && v.comparator().compare(0, 1) > 0;
                    int lo = down ? b : a;
                    int hi = down ? a : b;
                    try {
                        both.add(switch (kind) {
                            case 0 -> v.subSet(lo, ai, hi, bi);
                            case 1 -> v.headSet(hi, bi);
                            case 2 -> v.tailSet(lo, ai);
                            default -> v.descendingSet();
                        });
                    } catch (IllegalArgumentException refused) {
                        both.add(null);
                    }
                }
                assertEquals(both.get(0) == null, both.get(1) == null,
                        "bounds " + a + " " + b + " (seed " + seed + ")");
                if (both.get(0) != null) {
                    expected = both.get(0);
                    actual = both.get(1);
                }
            }
            int key = random.nextInt(-2, keys + 2);
            NavigableSet<Integer> e = expected;
            NavigableSet<Integer> a = actual;
            String where = "step " + step + ", key " + key + " (seed " + seed + ")";
            switch (random.nextInt(10)) {
                case 0, 1 -> assertEquals(outcome(() -> e.add(key)), outcome(() -> a.add(key)), where);
                case 2 -> assertEquals(outcome(() -> e.remove(key)), outcome(() -> a.remove(key)), where);
                case 3 -> assertEquals(outcome(e::pollFirst), outcome(a::pollFirst), where);
                case 4 -> assertEquals(outcome(e::pollLast), outcome(a::pollLast), where);
                case 5 -> {
                    assertEquals(outcome(e::first), outcome(a::first), where);
                    assertEquals(outcome(e::last), outcome(a::last), where);
                    assertEquals(outcome(() -> e.lower(key)), outcome(() -> a.lower(key)), where);
                    assertEquals(outcome(() -> e.ceiling(key)), outcome(() -> a.ceiling(key)), where);
                    assertEquals(outcome(() -> e.contains(key)), outcome(() -> a.contains(key)), where);
                }
                case 6 -> {
                    removeDivisibleByThree(e.descendingIterator());
                    removeDivisibleByThree(a.descendingIterator());
                }
                case 7 -> {
                    Iterator<Integer> ei = e.iterator();
                    Iterator<Integer> ai = a.iterator();
                    while (ei.hasNext()) {
                        assertEquals(ei.next(), ai.next(), where);
                        if (random.nextInt(5) == 0) {
                            ei.remove();
                            ai.remove();
                        }
                    }
                    assertFalse(ai.hasNext(), where);
                }
                case 8 -> {
                    assertEquals(e, a, where);
                    assertEquals(a, e, where);
                    assertEquals(e.hashCode(), a.hashCode(), where);
                    assertEquals(e.toString(), a.toString(), where);
                    assertEquals(e.size(), a.size(), where);
                }
                default -> {
                    List<Integer> adds = List.of(key, key + 1, key + 2);
                    boolean admitted = adds.stream().allMatch(x -> isInRange(e, x));
                    Object expectedOutcome = outcome(() -> e.containsAll(adds) ? false
                            : admitted ? e.addAll(adds) : IllegalArgumentException.class);
                    assertEquals(expectedOutcome, outcome(() -> a.addAll(adds)), where);
                }
            }
        }
        assertEquals(model, set.asSet(), "seed " + seed);
    }

    /** Whether {@code set} (a view of a TreeSet) admits {@code x}: its own add would not throw. */
    private static boolean isInRange(NavigableSet<Integer> set, int x) {
        try {
            set.subSet(x, true, x, true);
            return true;
        } catch (IllegalArgumentException outside) {
            return false;
        }
    }

    /**
     * Range writes over a tree of several levels: sub-map clears, bulk puts and removeIf over
     * thousands of keys (many leaf merges and splits in one transaction), polls from the top of a
     * range, and transactions that clear two ranges and then roll back. The map stays equal to a
     * TreeMap, with the same size and navigation outside transactions.
     */
    @Test
    void largeRangeWritesAndRolledBackOnesKeepAMultiLevelTreeEqualToTreeMap() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        TreeMap<Integer, Integer> model = new TreeMap<>();
        int keys = 6_000;
        for (int step = 0; step < Scale.of(150); step++) {
            int lo = random.nextInt(keys);
            int hi = lo + random.nextInt(keys / 3);
            String where = "step " + step + ", range [" + lo + ", " + hi + ") (seed " + seed + ")";
            switch (random.nextInt(6)) {
                case 0 -> {
                    atomic(() -> {
                        for (int k = lo; k < hi; k++) {
                            map.put(k, k);
                        }
                    });
                    for (int k = lo; k < hi; k++) {
                        model.put(k, k);
                    }
                }
                case 1 -> {
                    map.asMap().subMap(lo, hi).clear();
                    model.subMap(lo, hi).clear();
                }
                case 2 -> assertThrows(DeliberateFailure.class, () -> atomic(() -> {
                    map.asMap().subMap(lo, hi).clear();
                    map.asMap().tailMap(hi).descendingMap().headMap(hi + 500).clear();
                    map.asMap().putAll(Map.of(-1, -1, keys * 2, 0));
                    throw new DeliberateFailure();
                }), where);
                case 3 -> {
                    Map<Integer, Integer> add = new TreeMap<>();
                    for (int k = lo; k < hi; k += 3) {
                        add.put(k, -k);
                    }
                    map.asMap().subMap(lo, hi).putAll(add);
                    model.putAll(add);
                }
                case 4 -> assertEquals(
                        model.subMap(lo, true, hi, false).entrySet().removeIf(e -> e.getKey() % 2 == 0),
                        map.asMap().subMap(lo, hi).descendingMap().entrySet().removeIf(e -> e.getKey() % 2 == 0),
                        where);
                default -> {
                    for (int i = 0; i < 50; i++) {
                        assertEquals(model.subMap(lo, true, hi, false).pollLastEntry(),
                                map.asMap().subMap(lo, hi).pollLastEntry(), where);
                    }
                }
            }
            if (step % 10 == 0) {
                assertEquals(model, atomic(() -> new TreeMap<>(map.asMap())), where);
                assertEquals(model.size(), map.asMap().size(), where);
                int q = random.nextInt(keys);
                assertEquals(model.floorKey(q), map.asMap().floorKey(q), where);
                assertEquals(model.higherEntry(q), map.asMap().higherEntry(q), where);
                assertEquals(model.subMap(lo, hi).size(), map.asMap().subMap(lo, hi).size(), where);
            }
        }
        assertEquals(model, map.asMap(), "seed " + seed);
    }

    private static Integer step(Integer k, Integer v) {
        return v == null ? Integer.valueOf(k + 100) : (v % 3 == 0 ? null : Integer.valueOf(v + 1));
    }

    private static String describe(NavigableMap<Integer, Integer> m) {
        return m.comparator() == null ? "ascending" : "descending";
    }

    private static void setEveryOtherValue(NavigableMap<Integer, Integer> m, int value) {
        int i = 0;
        for (Map.Entry<Integer, Integer> entry : m.entrySet()) {
            if (i++ % 2 == 0) {
                assertEquals(entry.getValue(), entry.setValue(value + entry.getKey()));
                assertEquals(value + entry.getKey(), entry.getValue());
            }
        }
    }

    private static void removeDivisibleByThree(Iterator<Integer> it) {
        while (it.hasNext()) {
            if (it.next() % 3 == 0) {
                it.remove();
            }
        }
    }

    /**
     * docs/collections.md: sub-maps throw IllegalArgumentException for keys outside the range and
     * nothing is written; bulk calls are all or nothing. A putAll whose last entry lies outside a
     * sub-map (plain, descending, head, tail) and the key set of a sub-set adding an outside element
     * last: both throw and write none of the entries before it, outside and inside a transaction.
     */
    @Test
    void bulkWritesWithOneKeyOutsideTheRangeWriteNothing() {
        TSortedMap<Integer, String> map = new TSortedMap<>();
        ConcurrentNavigableMap<Integer, String> view = map.asMap();
        view.put(50, "fifty");
        Map<Integer, String> lastOutside = new LinkedHashMap<>();
        lastOutside.put(11, "a");
        lastOutside.put(12, "b");
        lastOutside.put(99, "out");
        List<ConcurrentNavigableMap<Integer, String>> ranges = List.of(view.subMap(10, 20), view.headMap(20),
                view.tailMap(10).headMap(20, true), view.subMap(10, true, 20, false).descendingMap(),
                view.descendingMap().subMap(20, false, 10, true));
        for (ConcurrentNavigableMap<Integer, String> range : ranges) {
            assertThrows(IllegalArgumentException.class, () -> range.putAll(lastOutside), range.toString());
            assertEquals(Map.of(50, "fifty"), view, "putAll wrote part of its entries");
            atomic(() -> {
                view.put(1, "kept");
                assertThrows(IllegalArgumentException.class, () -> range.putAll(lastOutside));
            });
            assertEquals(Map.of(1, "kept", 50, "fifty"), view, "a caught putAll left a trace in the transaction");
            view.remove(1);
        }
        TSortedSet<Integer> set = new TSortedSet<>();
        NavigableSet<Integer> sub = set.asSet().subSet(10, true, 20, true);
        assertThrows(IllegalArgumentException.class, () -> sub.addAll(List.of(11, 12, 21)));
        assertThrows(IllegalArgumentException.class, () -> sub.descendingSet().add(9));
        assertThrows(IllegalArgumentException.class, () -> sub.headSet(15).addAll(List.of(14, 15)));
        assertTrue(set.asSet().isEmpty(), "a sub-set's bulk add wrote part of its elements: " + set);
    }

    /**
     * docs/collections.md: "Sorted collections throw ClassCastException for keys their order cannot
     * compare", and nothing is written. A key comparable with itself but not with the keys present
     * passes the up-front check, so it must fail in the write: every entry of the same putAll, and
     * every earlier write of the caught nested call, is rolled back.
     */
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void keysTheOrderCannotCompareThrowClassCastExceptionAndWriteNothing() {
        TSortedMap<Object, Object> map = new TSortedMap<>();
        ConcurrentNavigableMap<Object, Object> view = map.asMap();
        view.put(5, "five");
        Map<Object, Object> mixed = new LinkedHashMap<>();
        mixed.put(1, "one");
        mixed.put(2, "two");
        mixed.put("three", "3"); // a String compares with itself, not with the Integers
        assertThrows(ClassCastException.class, () -> view.putAll(mixed));
        assertThrows(ClassCastException.class, () -> view.merge(6L, "x", (a, b) -> a));
        assertThrows(ClassCastException.class, () -> view.compute("k", (k, v) -> "x"));
        assertThrows(ClassCastException.class, () -> view.computeIfAbsent(7L, k -> "x"));
        assertThrows(ClassCastException.class, () -> view.headMap(10).put("z", "z"));
        assertThrows(ClassCastException.class, () -> view.put(new Object(), "object"));
        assertEquals(Map.of(5, "five"), view);
        atomic(() -> {
            view.put(4, "four");
            assertThrows(ClassCastException.class, () -> view.putAll(mixed));
        });
        assertEquals(Map.of(4, "four", 5, "five"), view, "a caught putAll left part of its entries");
        TSortedSet<Object> set = new TSortedSet<>();
        set.asSet().add(1);
        assertThrows(ClassCastException.class, () -> set.asSet().addAll(List.of(2, 3, "four")));
        assertEquals(Set.of(1), set.asSet());
        TPriorityQueue<Object> queue = new TPriorityQueue<>();
        queue.asQueue().add(1);
        assertThrows(ClassCastException.class, () -> queue.asQueue().addAll(List.of(2, 3, "four")));
        assertThrows(ClassCastException.class, () -> queue.asQueue().offer(new Object()));
        assertEquals(List.of(1), new ArrayList<>(queue.asQueue()));
    }

    /**
     * docs/collections.md and Stm: an exception thrown by a function passed to compute, merge,
     * replaceAll or removeIf propagates unchanged (the same instance) and the map is as before,
     * on the whole map, on a descending sub-map, on TMap, and when the call is a nested scope of a
     * transaction that catches it and commits.
     */
    @Test
    void functionsThatThrowLeaveTheMapsUnchangedAndTheExceptionUnchanged() {
        TSortedMap<Integer, Integer> sorted = new TSortedMap<>();
        TMap<Integer, Integer> hashed = new TMap<>();
        TMap<String, Integer> marker = new TMap<>();
        for (int i = 0; i < 100; i++) {
            if (i != 45) {
                sorted.asMap().put(i, i);
                hashed.asMap().put(i, i);
            }
        }
        Map<Integer, Integer> before = new TreeMap<>(sorted.asMap());
        RuntimeException thrown = new IllegalStateException("from the function");
        List<ConcurrentMap<Integer, Integer>> maps = List.of(sorted.asMap(),
                sorted.asMap().subMap(10, 60).descendingMap(), hashed.asMap());
        for (ConcurrentMap<Integer, Integer> m : maps) {
            List<Runnable> calls = List.of(
                    () -> m.compute(20, (k, v) -> { throw thrown; }),
                    () -> m.computeIfAbsent(45, k -> { throw thrown; }),
                    () -> m.computeIfPresent(20, (k, v) -> { throw thrown; }),
                    () -> m.merge(20, 1, (a, b) -> { throw thrown; }),
                    () -> m.replaceAll((k, v) -> {
                        if (k == 30) {
                            throw thrown;
                        }
                        return v + 1000;
                    }),
                    () -> m.entrySet().removeIf(e -> {
                        if (e.getKey() == 30) {
                            throw thrown;
                        }
                        return true;
                    }),
                    () -> m.values().removeIf(v -> {
                        if (v == 30) {
                            throw thrown;
                        }
                        return true;
                    }));
            for (int index = 0; index < calls.size(); index++) {
                int c = index;
                Runnable call = calls.get(c);
                String where = m.getClass().getSimpleName() + " call " + c;
                assertSame(thrown, assertThrows(IllegalStateException.class, call::run), where);
                RuntimeException inside = atomic(() -> {
                    marker.put(where, c);
                    try {
                        call.run();
                        return null;
                    } catch (IllegalStateException e) {
                        return e;
                    }
                });
                assertSame(thrown, inside, where);
                assertEquals(c, marker.asMap().get(where), where + ": the transaction that caught it did not commit");
                assertEquals(before, new TreeMap<>(sorted.asMap()), where + " changed the sorted map");
                assertEquals(before, new TreeMap<>(hashed.asMap()), where + " changed the hash map");
            }
        }
    }

    /**
     * Null values returned by replaceAll's function, and null arguments anywhere in a write,
     * throw NullPointerException and write nothing, also when the null comes after entries the
     * call already changed (docs/collections.md: "nothing is written").
     */
    @Test
    void nullsFromFunctionsAndInArgumentsThrowAndWriteNothing() {
        TSortedMap<Integer, Integer> sorted = new TSortedMap<>();
        TMap<Integer, Integer> hashed = new TMap<>();
        TList<Integer> list = new TList<>();
        for (int i = 0; i < 10; i++) {
            sorted.asMap().put(i, i);
            hashed.asMap().put(i, i);
            list.asList().add(i);
        }
        Map<Integer, Integer> before = new TreeMap<>(sorted.asMap());
        List<Integer> listBefore = List.copyOf(list.asList());
        for (ConcurrentMap<Integer, Integer> m : List.of(sorted.asMap(), sorted.asMap().tailMap(3).descendingMap(),
                hashed.asMap())) {
            String where = m.getClass().getSimpleName();
            assertThrows(NullPointerException.class, () -> m.replaceAll((k, v) -> k == 5 ? null : v + 1), where);
            assertThrows(NullPointerException.class, () -> m.put(null, 1), where);
            assertThrows(NullPointerException.class, () -> m.put(20, null), where);
            assertThrows(NullPointerException.class, () -> m.putIfAbsent(20, null), where);
            assertThrows(NullPointerException.class, () -> m.replace(5, null), where);
            assertThrows(NullPointerException.class, () -> m.replace(5, 5, null), where);
            assertThrows(NullPointerException.class, () -> m.merge(5, null, Integer::sum), where);
            assertThrows(NullPointerException.class, () -> m.merge(5, 1, null), where);
            assertThrows(NullPointerException.class, () -> m.compute(5, null), where);
            assertThrows(NullPointerException.class, () -> m.computeIfAbsent(null, k -> 1), where);
            assertThrows(NullPointerException.class, () -> m.putAll(null), where);
            assertThrows(NullPointerException.class, () -> m.keySet().removeAll(null), where);
            assertThrows(NullPointerException.class, () -> m.keySet().retainAll(null), where);
            assertThrows(NullPointerException.class, () -> m.values().removeIf(null), where);
            assertThrows(NullPointerException.class, () -> m.forEach(null), where);
            assertThrows(NullPointerException.class, () -> m.entrySet().iterator().next().setValue(null), where);
            assertEquals(before, new TreeMap<>(sorted.asMap()), where + " changed the sorted map");
            assertEquals(before, new TreeMap<>(hashed.asMap()), where + " changed the hash map");
        }
        List<Integer> view = list.asList();
        assertThrows(NullPointerException.class, () -> view.replaceAll(x -> x == 5 ? null : x + 1));
        assertThrows(NullPointerException.class, () -> view.addAll(3, Arrays.asList(1, 2, null)));
        assertThrows(NullPointerException.class, () -> view.addAll(Arrays.asList(1, 2, null)));
        assertThrows(NullPointerException.class, () -> view.set(3, null));
        assertThrows(NullPointerException.class, () -> view.listIterator(2).add(null));
        ListIterator<Integer> it = view.listIterator();
        it.next();
        assertThrows(NullPointerException.class, () -> it.set(null));
        assertThrows(NullPointerException.class, () -> view.removeIf(null));
        assertThrows(NullPointerException.class, () -> view.removeAll(null));
        assertThrows(NullPointerException.class, () -> view.replaceAll(null));
        assertEquals(listBefore, view);
    }

    // ================================================================== TList

    /**
     * docs/collections.md: subList is "an index window whose every call is a transaction and that
     * writes through". A removeIf on a sub-list whose predicate throws on the third element must
     * propagate and remove nothing, as the list's own removeIf does.
     */
    // Regression (session 16), was: TList.asList().subList(..).removeIf inherits Collection.removeIf: each removal is its own transaction
    @Test
    void aSubListRemoveIfThatThrowsRemovesNothing() {
        List<Integer> list = new TList<Integer>().asList();
        list.addAll(List.of(0, 1, 2, 3, 4, 5));
        List<Integer> window = list.subList(1, 5);
        int[] calls = {0};
        assertThrows(DeliberateFailure.class, () -> window.removeIf(x -> {
            if (++calls[0] == 3) {
                throw new DeliberateFailure();
            }
            return true;
        }));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), list, "the sub-list's removeIf removed part of its elements");
    }

    /**
     * docs/collections.md: "Nulls throw NullPointerException at the call, before anything is
     * written", and a sub-list call is a transaction. A sub-list replaceAll whose operator returns
     * null for the third element must throw and change nothing, as the list's own replaceAll does.
     */
    // Regression (session 16), was: TList.asList().subList(..).replaceAll inherits List.replaceAll: sets element by element, each its own transaction
    @Test
    void aSubListReplaceAllReturningNullChangesNothing() {
        List<Integer> list = new TList<Integer>().asList();
        list.addAll(List.of(0, 1, 2, 3, 4, 5));
        assertThrows(NullPointerException.class, () -> list.subList(1, 5).replaceAll(x -> x == 3 ? null : x * 10));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), list, "the sub-list's replaceAll changed elements before the null");
    }

    /**
     * The same for a sub-list's removeAll whose collection throws from contains() (a collection
     * that cannot answer for some element): the list's own removeAll removes nothing then, and so
     * must a sub-list's, whose every call is a transaction.
     */
    // Regression (session 16), was: TList.asList().subList(..).removeAll inherits AbstractCollection.removeAll: one transaction per removal
    @Test
    void aSubListRemoveAllThatThrowsRemovesNothing() {
        List<Integer> list = new TList<Integer>().asList();
        list.addAll(List.of(0, 1, 2, 3, 4, 5));
        Collection<Integer> refusesThree = new java.util.AbstractCollection<>() {
            @Override
            public boolean contains(Object o) {
                if (Integer.valueOf(3).equals(o)) {
                    throw new DeliberateFailure();
                }
                return true;
            }

            @Override
            public Iterator<Integer> iterator() {
                return Collections.emptyIterator();
            }

            @Override
            public int size() {
                return 0;
            }
        };
        assertThrows(DeliberateFailure.class, () -> list.removeAll(refusesThree));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), list, "the list's own removeAll removed part of its elements");
        assertThrows(DeliberateFailure.class, () -> list.subList(1, 5).removeAll(refusesThree));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), list, "the sub-list's removeAll removed part of its elements");
    }

    /**
     * A sub-list's writes go through to the list and a rolled-back transaction undoes them: a
     * clear of the window, an add and a set through its list iterator, committed or rolled back,
     * agree with ArrayList's sub-lists.
     */
    @Test
    void subListWritesGoThroughAndRollBackWithTheirTransaction() {
        List<Integer> list = new TList<Integer>().asList();
        List<Integer> model = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            list.add(i);
            model.add(i);
        }
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            list.subList(5, 30).clear();
            list.subList(0, 3).add(1, 99);
            throw new DeliberateFailure();
        }));
        assertEquals(model, list, "a rolled-back transaction left sub-list writes");
        for (List<Integer> l : List.of(model, list)) {
            List<Integer> window = l.subList(5, 30);
            window.subList(2, 10).clear();
            ListIterator<Integer> it = window.listIterator(3);
            it.add(-1);
            it.next();
            it.set(-2);
            it.previous();
            it.remove();
            window.add(7, -3);
            window.remove(Integer.valueOf(12));
            window.addAll(2, List.of(-4, -5));
            assertEquals(model.subList(5, 25).size(), l.subList(5, 25).size());
        }
        assertEquals(model, list);
        assertEquals(model.subList(3, 20).hashCode(), list.subList(3, 20).hashCode());
        assertEquals(model.subList(3, 20).toString(), list.subList(3, 20).toString());
        assertEquals(model.subList(3, 20).indexOf(-5), list.subList(3, 20).indexOf(-5));
    }

    /**
     * docs/collections.md: sort and replaceAll are one transaction each, all or nothing. A
     * comparator that throws part way, and elements that cannot be compared, leave the list as it
     * was; the exception is the comparator's own.
     */
    @Test
    void aSortThatThrowsLeavesTheListAsItWas() {
        TList<Object> tlist = new TList<>();
        List<Object> list = tlist.asList();
        for (int i = 0; i < 40; i++) {
            list.add((i * 17) % 40); // shuffled
        }
        List<Object> before = List.copyOf(list);
        DeliberateFailure thrown = new DeliberateFailure();
        int[] comparisons = {0};
        assertSame(thrown, assertThrows(DeliberateFailure.class, () -> list.sort((a, b) -> {
            if (++comparisons[0] == 60) {
                throw thrown;
            }
            return Integer.compare((Integer) a, (Integer) b);
        })));
        assertEquals(before, list);
        list.add("twenty-one");
        assertThrows(ClassCastException.class, () -> list.sort(null));
        assertEquals(before.size() + 1, list.size());
        assertEquals(before, list.subList(0, before.size()));
    }

    /**
     * Bad indexes throw IndexOutOfBoundsException naming the index and write nothing, on TList
     * (get, set, add, remove, addAll, listIterator, subList), TArray and TLongArray, in and outside
     * transactions.
     */
    @Test
    void badIndexesThrowNamingTheIndexAndWriteNothing() {
        TList<Integer> tlist = new TList<>();
        List<Integer> list = tlist.asList();
        list.addAll(List.of(1, 2, 3));
        List<Runnable> listCalls = List.of(() -> list.get(3), () -> list.get(-7), () -> list.set(3, 9),
                () -> list.set(-7, 9), () -> list.add(4, 9), () -> list.add(-7, 9), () -> list.remove(3),
                () -> list.remove(-7), () -> list.addAll(4, List.of(9)), () -> list.addAll(-7, List.of()),
                () -> list.listIterator(4), () -> atomic(() -> tlist.get(3)), () -> atomic(() -> tlist.set(-7, 9)),
                () -> atomic(() -> tlist.add(4, 9)), () -> atomic(() -> tlist.remove(3)));
        for (int i = 0; i < listCalls.size(); i++) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, listCalls.get(i)::run,
                    "list call " + i);
            assertTrue(e.getMessage() != null && (e.getMessage().contains("3") || e.getMessage().contains("4")
                    || e.getMessage().contains("-7")),
                    "list call " + i + " does not name the index: " + e.getMessage());
        }
        assertThrows(IndexOutOfBoundsException.class, () -> list.subList(2, 4));
        assertThrows(IllegalArgumentException.class, () -> list.subList(2, 1));
        assertEquals(List.of(1, 2, 3), list);
        TArray<String> array = TArray.of("a", null, "c");
        for (int index : new int[] {-1, 3, Integer.MIN_VALUE}) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> array.asList().set(index, "x"));
            assertTrue(e.getMessage().contains(Integer.toString(index)), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> atomic(() -> array.set(index, "x")));
        }
        assertEquals(Arrays.asList("a", null, "c"), array.asList());
        TLongArray longs = new TLongArray(3);
        longs.atomic().set(1, 5);
        for (int index : new int[] {-1, 3}) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> longs.atomic().addAndGet(index, 1));
            assertTrue(e.getMessage().contains(Integer.toString(index)), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> longs.atomic().compareAndSet(index, 0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> atomic(() -> longs.set(index, 1)));
        }
        assertEquals(5, longs.atomic().sum());
        assertThrows(IllegalArgumentException.class, () -> new TArray<>(-1));
        assertThrows(IllegalArgumentException.class, () -> new TLongArray(-1));
    }

    /**
     * TArray: "asList() is a fixed-size List in which each call is one atomic transaction";
     * "replaceAll and the other bulk methods are one transaction each". A replaceAll on a sub-list
     * of the array view whose operator throws on the third slot must change nothing, as the
     * view's own replaceAll does.
     */
    // Regression (session 16), was: TArray.asList().subList(..).replaceAll inherits List.replaceAll: one single-slot transaction per element
    @Test
    void anArraySubListReplaceAllThatThrowsChangesNothing() {
        TArray<Integer> array = TArray.of(0, 1, 2, 3, 4);
        DeliberateFailure thrown = new DeliberateFailure();
        assertSame(thrown, assertThrows(DeliberateFailure.class, () -> array.asList().replaceAll(x -> {
            if (x == 3) {
                throw thrown;
            }
            return x * 10;
        })));
        assertEquals(List.of(0, 1, 2, 3, 4), array.asList(), "the view's own replaceAll");
        assertSame(thrown, assertThrows(DeliberateFailure.class, () -> array.asList().subList(1, 4).replaceAll(x -> {
            if (x == 3) {
                throw thrown;
            }
            return x * 10;
        })));
        assertEquals(List.of(0, 1, 2, 3, 4), array.asList(),
                "the sub-list's replaceAll changed slots before the throw");
    }

    /**
     * TArray's "bulk methods are one transaction each": a sort of the array view, racing with a
     * thread that swaps two slots in one transaction (so the array always holds each token once),
     * must leave the array holding each token once. A sort that reads the slots one by one and
     * writes them back one by one can read a swap half done and write a token twice.
     */
    // Regression (session 16), was: TArray's ListView does not override sort: List.sort reads the slots one by one (toArray) and writes them back through the list iterator, one single-slot transaction each
    @Test
    void anArraySortRacingWithSwapsKeepsEachTokenOnce() {
        long seed = System.nanoTime();
        int n = 64;
        Integer[] tokens = new Integer[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = n - 1 - i;
        }
        TArray<Integer> array = TArray.of(tokens);
        java.util.concurrent.atomic.AtomicBoolean sorting = new java.util.concurrent.atomic.AtomicBoolean(true);
        int sorts = Scale.of(2_000);
        Racers.run(seed, t -> {
            for (int i = 0; i < sorts; i++) {
                array.asList().sort(i % 2 == 0 ? null : Comparator.<Integer>reverseOrder());
            }
            sorting.set(false);
        }, t -> {
            SplittableRandom random = new SplittableRandom(seed);
            while (sorting.get()) {
                int a = random.nextInt(n);
                int b = random.nextInt(n);
                atomic(() -> {
                    Integer x = array.get(a);
                    array.set(a, array.get(b));
                    array.set(b, x);
                });
            }
        });
        List<Integer> after = atomic(() -> new ArrayList<>(array.asList()));
        after.sort(null);
        assertEquals(java.util.stream.IntStream.range(0, n).boxed().toList(), after,
                "the array lost or doubled tokens (seed " + seed + ")");
    }

    // ================================================================== TDeque

    /**
     * docs/collections.md: the deque's iterators are snapshots whose remove() writes through. With
     * equal elements that are the same object (small Integers), removing through an ascending or
     * descending iterator after earlier removals shifted the others must remove the occurrence the
     * iterator returned, as LinkedBlockingDeque's iterators do: the deques agree element by
     * element after every step.
     */
    // Regression (session 16), was: TDeque's iterator remove() uses the snapshot position, stale after an earlier removal shifted elements, and then removes the first identical element instead
    @Test
    void dequeIteratorRemovalsRemoveTheReturnedOccurrenceAmongIdenticalElements() {
        BlockingDeque<Integer> minimal = new TDeque<Integer>().asBlockingDeque();
        minimal.addAll(List.of(1, 2, 2, 1));
        Iterator<Integer> first = minimal.iterator();
        first.next();
        first.next();
        first.next(); // the second 2
        first.remove();
        assertEquals(1, first.next()); // the last 1
        first.remove();
        assertEquals(List.of(1, 2), new ArrayList<>(minimal), "[1, 2, 2, 1]: removed the second 2, then the last 1");
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < Scale.of(400); round++) {
            BlockingDeque<Integer> deque = new TDeque<Integer>().asBlockingDeque();
            LinkedBlockingDeque<Integer> model = new LinkedBlockingDeque<>();
            int n = random.nextInt(1, 40);
            for (int i = 0; i < n; i++) {
                Integer e = random.nextInt(4); // cached: equal elements are the same object
                if (random.nextBoolean()) {
                    deque.addLast(e);
                    model.addLast(e);
                } else {
                    deque.addFirst(e);
                    model.addFirst(e);
                }
            }
            boolean descending = random.nextBoolean();
            Iterator<Integer> it = descending ? deque.descendingIterator() : deque.iterator();
            Iterator<Integer> expected = descending ? model.descendingIterator() : model.iterator();
            List<String> steps = new ArrayList<>();
            while (expected.hasNext()) {
                assertTrue(it.hasNext());
                assertEquals(expected.next(), it.next());
                if (random.nextInt(3) == 0) {
                    expected.remove();
                    it.remove();
                    steps.add("remove");
                } else {
                    steps.add("next");
                }
                assertEquals(new ArrayList<>(model), new ArrayList<>(deque), "round " + round + ", "
                        + (descending ? "descending" : "ascending") + " iteration after " + steps + " (seed " + seed
                        + ")");
            }
            assertFalse(it.hasNext());
        }
    }

    /**
     * BlockingDeque's both ends and occurrence removals agree with LinkedBlockingDeque on random
     * histories with many equal elements: offers and polls at both ends, first and last occurrence
     * removals, contains, peeks and drainTo with a limit.
     */
    @Test
    void dequeEndsAndOccurrenceRemovalsAgreeWithLinkedBlockingDeque() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        BlockingDeque<Integer> deque = new TDeque<Integer>().asBlockingDeque();
        LinkedBlockingDeque<Integer> model = new LinkedBlockingDeque<>();
        for (int step = 0; step < Scale.of(20_000); step++) {
            Integer e = random.nextInt(6);
            String where = "step " + step + " (seed " + seed + ")";
            switch (random.nextInt(12)) {
                case 0, 1 -> assertEquals(model.offerFirst(e), deque.offerFirst(e), where);
                case 2, 3 -> assertEquals(model.offerLast(e), deque.offerLast(e), where);
                case 4 -> assertEquals(model.pollFirst(), deque.pollFirst(), where);
                case 5 -> assertEquals(model.pollLast(), deque.pollLast(), where);
                case 6 -> assertEquals(model.removeFirstOccurrence(e), deque.removeFirstOccurrence(e), where);
                case 7 -> assertEquals(model.removeLastOccurrence(e), deque.removeLastOccurrence(e), where);
                case 8 -> {
                    assertEquals(model.contains(e), deque.contains(e), where);
                    assertEquals(model.peekFirst(), deque.peekFirst(), where);
                    assertEquals(model.peekLast(), deque.peekLast(), where);
                    assertEquals(outcome(model::getLast), outcome(deque::getLast), where);
                    assertEquals(outcome(model::removeFirst), outcome(deque::removeFirst), where);
                }
                case 9 -> {
                    List<Integer> a = new ArrayList<>();
                    List<Integer> b = new ArrayList<>();
                    int max = random.nextInt(-1, 4);
                    assertEquals(model.drainTo(a, max), deque.drainTo(b, max), where);
                    assertEquals(a, b, where);
                }
                case 10 -> assertEquals(model.remove(e), deque.remove(e), where);
                default -> {
                    List<Integer> down = new ArrayList<>();
                    deque.descendingIterator().forEachRemaining(down::add);
                    Collections.reverse(down);
                    assertEquals(new ArrayList<>(model), down, where);
                }
            }
            assertEquals(model.size(), deque.size(), where);
        }
        assertEquals(new ArrayList<>(model), new ArrayList<>(deque), "seed " + seed);
    }

    // ================================================================== TPriorityQueue

    /**
     * TPriorityQueue with a comparator that has ties agrees with PriorityQueue: each poll returns an
     * element of the least priority, the queues hold the same elements after every step, and
     * iterator removals and remove(Object) take exactly one occurrence.
     */
    @Test
    void priorityQueueWithTiesAgreesWithPriorityQueue() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        Comparator<Integer> byTens = Comparator.comparingInt(x -> x / 10);
        Queue<Integer> queue = new TPriorityQueue<>(byTens).asQueue();
        PriorityQueue<Integer> model = new PriorityQueue<>(byTens);
        for (int step = 0; step < Scale.of(5_000); step++) {
            String where = "step " + step + " (seed " + seed + ")";
            Integer e = random.nextInt(300);
            switch (random.nextInt(6)) {
                case 0, 1 -> assertEquals(model.offer(e), queue.offer(e), where);
                case 2 -> {
                    Integer expected = model.poll();
                    Integer actual = queue.poll();
                    assertEquals(expected == null, actual == null, where);
                    if (expected != null) {
                        assertEquals(expected / 10, actual / 10, where + ": polled a larger priority");
                        model.add(expected);
                        model.remove(actual); // the same priority: either was right
                    }
                }
                case 3 -> assertEquals(model.remove(e), queue.remove(e), where);
                case 4 -> {
                    int removals = 0;
                    for (Iterator<Integer> it = queue.iterator(); it.hasNext() && removals < 3; ) {
                        Integer x = it.next();
                        if (x % 7 == 0) {
                            removals++;
                            it.remove();
                            assertTrue(model.remove(x), where);
                        }
                    }
                }
                default -> {
                    Integer head = model.peek();
                    Integer actual = queue.peek();
                    assertEquals(head == null, actual == null, where);
                    if (head != null) {
                        assertEquals(head / 10, actual / 10, where);
                    }
                }
            }
            if (step % 10 == 0) {
                List<Integer> a = new ArrayList<>(model);
                List<Integer> b = new ArrayList<>(queue);
                a.sort(null);
                b.sort(null);
                assertEquals(a, b, where);
            }
            assertEquals(model.size(), queue.size(), where);
        }
        assertNull(new TPriorityQueue<Integer>().asQueue().poll());
        assertThrows(NoSuchElementException.class, () -> new TPriorityQueue<Integer>().asQueue().remove());
        assertThrows(NullPointerException.class, () -> queue.offer(null));
    }

    // ================================================================== synchronizers

    /**
     * Bad counts throw IllegalArgumentException and change nothing; a release beyond the permits
     * taken is allowed (as java.util.concurrent.Semaphore); a zero timeout does not wait.
     */
    @Test
    void semaphoreCountsAndTimeoutsAreCheckedAndChangeNothing() {
        TSemaphore semaphore = new TSemaphore(2);
        TSemaphore.Atomic permits = semaphore.atomic();
        assertThrows(IllegalArgumentException.class, () -> new TSemaphore(-1));
        assertThrows(IllegalArgumentException.class, () -> permits.acquire(0));
        assertThrows(IllegalArgumentException.class, () -> permits.acquire(-3));
        assertThrows(IllegalArgumentException.class, () -> permits.release(0));
        assertThrows(IllegalArgumentException.class, () -> permits.release(-3));
        assertThrows(IllegalArgumentException.class, () -> permits.tryAcquire(0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> permits.tryAcquire(3, Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> atomic(() -> semaphore.tryAcquire(-1)));
        assertEquals(2, permits.availablePermits());
        assertFalse(permits.tryAcquire(3, Duration.ZERO), "three of two permits");
        assertEquals(2, permits.availablePermits());
        permits.release(5);
        assertEquals(7, permits.availablePermits());
        assertTrue(permits.tryAcquire(7, Duration.ZERO));
        assertEquals(0, permits.availablePermits());
    }

    /**
     * TSemaphore.Atomic.tryAcquire, TLatch.Atomic.await and TPromise.Atomic.await document
     * "IllegalArgumentException if ... timeout is negative". A negative timeout must be refused
     * whether or not the call must wait (and then no permit taken); a null timeout likewise
     * (NullPointerException, as Stm.retryFor throws). A misuse found only in the rare case where
     * the call must wait hides for long. (java.util.concurrent treats negative timeouts as zero,
     * but this is Weft's documented API.)
     */
    // Regression (session 16), was: TSemaphore/TLatch/TPromise atomic() timed waits check the timeout only in Stm.retryFor, i.e. only when they must wait: a negative or null timeout is accepted (and tryAcquire takes permits) otherwise
    @Test
    void aNegativeOrNullTimeoutIsRefusedEvenWhenNoWaitIsNeeded() {
        TSemaphore semaphore = new TSemaphore(2);
        TLatch open = new TLatch(0);
        TPromise<String> done = new TPromise<>();
        done.atomic().complete("v");
        Map<String, Supplier<Object>> calls = new LinkedHashMap<>();
        calls.put("TSemaphore.atomic().tryAcquire(1, -1 ms)",
                () -> semaphore.atomic().tryAcquire(1, Duration.ofMillis(-1)));
        calls.put("TSemaphore.atomic().tryAcquire(1, null)", () -> semaphore.atomic().tryAcquire(1, null));
        calls.put("TLatch.atomic().await(-1 ms)", () -> open.atomic().await(Duration.ofMillis(-1)));
        calls.put("TLatch.atomic().await(null)", () -> open.atomic().await(null));
        calls.put("TPromise.atomic().await(-1 ms)", () -> done.atomic().await(Duration.ofMillis(-1)));
        calls.put("TPromise.atomic().await(null)", () -> done.atomic().await(null));
        List<String> accepted = new ArrayList<>();
        calls.forEach((name, call) -> {
            Object outcome = outcome(call);
            if (!(outcome == IllegalArgumentException.class || outcome == NullPointerException.class)) {
                accepted.add(name + " returned " + outcome);
            }
        });
        accepted.add("permits left: " + semaphore.atomic().availablePermits());
        assertEquals(List.of("permits left: 2"), accepted, "calls with a bad timeout that were not refused");
    }

    /**
     * A release that would overflow the permit count must be refused and change nothing, as
     * java.util.concurrent.Semaphore refuses it ("Maximum permit count exceeded"): otherwise the
     * count wraps negative and every later acquire waits forever.
     */
    // Regression (session 16), was: TSemaphore.release(n) adds without an overflow check: 1 + Long.MAX_VALUE wraps to a negative permit count
    @Test
    void aReleaseThatOverflowsThePermitCountIsRefused() {
        TSemaphore semaphore = new TSemaphore(1);
        try {
            semaphore.atomic().release(Long.MAX_VALUE);
        } catch (IllegalArgumentException | ArithmeticException | IllegalStateException refused) {
            // refusing is fine
        }
        long available = semaphore.atomic().availablePermits();
        assertTrue(available >= 1, "the permit count overflowed to " + available);
    }

    /**
     * A latch's count never goes below zero, a zero timeout answers at once, and a promise has one
     * value: a second completion returns false and keeps the first; null is refused.
     */
    @Test
    void latchAndPromiseMisuseChangesNothing() {
        assertThrows(IllegalArgumentException.class, () -> new TLatch(-1));
        TLatch latch = new TLatch(1);
        assertFalse(latch.atomic().await(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> latch.atomic().await(Duration.ofNanos(-1)));
        assertThrows(NullPointerException.class, () -> latch.atomic().await(null));
        latch.atomic().countDown();
        latch.atomic().countDown();
        assertEquals(0, latch.atomic().getCount());
        assertTrue(latch.atomic().await(Duration.ZERO));
        TPromise<String> promise = new TPromise<>();
        assertNull(promise.atomic().await(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> promise.atomic().await(Duration.ofNanos(-1)));
        assertThrows(NullPointerException.class, () -> promise.atomic().complete(null));
        assertThrows(NullPointerException.class, () -> atomic(() -> promise.complete(null)));
        assertNull(promise.atomic().getNow());
        assertTrue(promise.atomic().complete("first"));
        assertFalse(promise.atomic().complete("second"));
        assertFalse(atomic(() -> promise.complete("third")));
        assertEquals("first", promise.atomic().await());
        assertEquals("first", promise.atomic().await(Duration.ZERO));
        // a completion rolled back with its transaction leaves the promise pending
        TPromise<String> rolledBack = new TPromise<>();
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            rolledBack.complete("never");
            throw new DeliberateFailure();
        }));
        assertNull(rolledBack.atomic().getNow());
    }

    /**
     * The timed waits of the atomic() views, on a thread interrupted before the call, throw
     * TransactionInterruptedException with the status kept (docs/collections.md) and take
     * nothing; a call that need not wait completes and keeps the status too.
     */
    @Test
    void interruptedTimedWaitsOfTheSynchronizersThrowAndTakeNothing() {
        TSemaphore none = new TSemaphore(0);
        TLatch closed = new TLatch(1);
        TPromise<String> pending = new TPromise<>();
        List<Runnable> waits = List.of(() -> none.atomic().tryAcquire(1, Duration.ofHours(1)),
                () -> closed.atomic().await(Duration.ofHours(1)), () -> pending.atomic().await(Duration.ofHours(1)));
        for (int i = 0; i < waits.size(); i++) {
            Thread.currentThread().interrupt();
            assertThrows(dev.weft.stm.TransactionInterruptedException.class, waits.get(i)::run, "wait " + i);
            assertTrue(Thread.interrupted(), "wait " + i + " cleared the interrupt status");
        }
        assertEquals(0, none.atomic().availablePermits());
        TSemaphore one = new TSemaphore(1);
        Thread.currentThread().interrupt();
        try {
            assertTrue(one.atomic().tryAcquire(1, Duration.ofHours(1)));
        } finally {
            assertTrue(Thread.interrupted(), "a call that did not wait cleared the interrupt status");
        }
        assertEquals(0, one.atomic().availablePermits());
    }

    /**
     * An interrupt is for waits: on an interrupted thread, view calls that need not wait (writes,
     * compute, bulk calls, iteration, a take or acquire that finds what it needs) complete as
     * usual and leave the interrupt status set, as java.util.concurrent's maps and queues do.
     */
    @Test
    void callsThatNeedNotWaitIgnoreAnInterruptAndKeepIt() {
        TSortedMap<Integer, Integer> sorted = new TSortedMap<>();
        TMap<Integer, Integer> hashed = new TMap<>();
        TList<Integer> list = new TList<>();
        BlockingDeque<Integer> deque = new TDeque<Integer>().asBlockingDeque();
        TBoundedQueue<Integer> bounded = new TBoundedQueue<>(2);
        TSemaphore semaphore = new TSemaphore(1);
        TLatch open = new TLatch(0);
        deque.add(1);
        bounded.asBlockingQueue().add(1);
        Map<String, Supplier<Object>> calls = new LinkedHashMap<>();
        calls.put("sorted put", () -> sorted.asMap().put(1, 1));
        calls.put("sorted compute", () -> sorted.asMap().compute(1, (k, v) -> 2));
        calls.put("sorted sub-map copy", () -> new TreeMap<>(sorted.asMap().headMap(5)));
        calls.put("map merge", () -> hashed.asMap().merge(1, 1, Integer::sum));
        calls.put("list addAll", () -> list.asList().addAll(List.of(1, 2)));
        calls.put("deque takeFirst with an element", () -> uncheckedCall(deque::takeFirst));
        calls.put("bounded take with an element", () -> uncheckedCall(bounded.asBlockingQueue()::take));
        calls.put("semaphore acquire with a permit", () -> {
            semaphore.atomic().acquire();
            return "acquired";
        });
        calls.put("open latch await", () -> {
            open.atomic().await();
            return "passed";
        });
        List<String> wrong = new ArrayList<>();
        calls.forEach((name, call) -> {
            Thread.currentThread().interrupt();
            Object outcome = outcome(call);
            boolean kept = Thread.interrupted();
            if (outcome instanceof Class<?> || !kept) {
                wrong.add(name + ": " + outcome + ", interrupt status " + (kept ? "kept" : "cleared"));
            }
        });
        assertEquals(List.of(), wrong);
        assertEquals(Map.of(1, 2), sorted.asMap());
        assertEquals(0, semaphore.atomic().availablePermits());
    }

    // ================================================================== misuse outside transactions

    private static Object dummy(Class<?> type) {
        if (type == int.class || type == long.class) {
            return type == int.class ? (Object) 0 : (Object) 0L;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == Duration.class) {
            return Duration.ZERO;
        }
        if (type.isInterface()) {
            return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
                if (m.getName().equals("iterator")) {
                    return Collections.emptyIterator();
                }
                Class<?> r = m.getReturnType();
                return r == boolean.class ? false : r == int.class ? 0 : r == long.class ? 0L : null;
            });
        }
        return 1;
    }

    /**
     * docs/collections.md: "An in-transaction method called with no transaction running throws
     * IllegalStateException naming Stm.atomic(...) and the one-operation view to use instead."
     * Every public in-transaction method of every collection, called outside a transaction, throws
     * it, and the view method its message suggests exists on that view.
     */
    // Regression (session 16), was: TCounter.reset() outside a transaction advises counter.atomic().reset(...), which TCounter.Atomic does not have
    @Test
    void everyInTransactionMethodOutsideATransactionNamesAViewMethodThatExists() throws Exception {
        List<Object> collections = List.of(new TMap<>(), new TSortedMap<>(), new TSet<>(), new TSortedSet<>(),
                new TQueue<>(), new TBoundedQueue<>(4), new TDeque<>(), new TList<>(), new TPriorityQueue<>(),
                new TArray<>(2), new TLongArray(2), new TCounter(), new TSemaphore(1), new TLatch(1),
                new TPromise<>());
        Set<String> noTransactionNeeded = Set.of("length", "capacity", "toString", "equals", "hashCode");
        Pattern advice = Pattern.compile("e\\.g\\. \\w+\\.(\\w+)\\(\\)\\.(\\w+)\\(");
        List<String> wrong = new ArrayList<>();
        for (Object collection : collections) {
            for (Method method : collection.getClass().getDeclaredMethods()) {
                int mods = method.getModifiers();
                if (!Modifier.isPublic(mods) || Modifier.isStatic(mods) || method.isSynthetic()
                        || noTransactionNeeded.contains(method.getName()) || method.getName().startsWith("as")
                        || method.getName().equals("atomic")) {
                    continue;
                }
                String name = collection.getClass().getSimpleName() + "." + method.getName()
                        + Arrays.toString(method.getParameterTypes());
                Object[] args = Arrays.stream(method.getParameterTypes()).map(AdversarialViewsTest::dummy).toArray();
                Throwable thrown = null;
                try {
                    method.invoke(collection, args);
                } catch (InvocationTargetException e) {
                    thrown = e.getCause();
                }
                if (!(thrown instanceof IllegalStateException ise) || ise.getMessage() == null
                        || !ise.getMessage().contains("Stm.atomic(")) {
                    wrong.add(name + " threw " + thrown);
                    continue;
                }
                Matcher m = advice.matcher(ise.getMessage());
                if (!m.find()) {
                    wrong.add(name + " suggests no view method: " + ise.getMessage());
                    continue;
                }
                Object view = collection.getClass().getMethod(m.group(1)).invoke(collection);
                String suggested = m.group(2);
                boolean exists = Arrays.stream(view.getClass().getMethods())
                        .anyMatch(v -> v.getName().equals(suggested));
                if (!exists) {
                    wrong.add(name + " suggests " + m.group(1) + "()." + suggested + "(...), which "
                            + view.getClass().getName() + " does not have");
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    // ================================================================== views inside transactions

    /**
     * docs/collections.md: a view call inside a transaction joins it. A transaction that makes view
     * calls on every collection (sub-map writes and polls, key-set removals, sub-list clears, list
     * iterator adds, deque drains, priority queue polls, array and counter writes, semaphore,
     * latch and promise changes) and then throws leaves no trace of any of them.
     */
    @Test
    void aRolledBackTransactionLeavesNoTraceOfViewCalls() {
        TSortedMap<Integer, String> sorted = new TSortedMap<>();
        TMap<Integer, String> hashed = new TMap<>();
        TSortedSet<Integer> sortedSet = new TSortedSet<>();
        TSet<Integer> set = new TSet<>();
        TList<Integer> list = new TList<>();
        TDeque<Integer> deque = new TDeque<>();
        TQueue<Integer> queue = new TQueue<>();
        TBoundedQueue<Integer> bounded = new TBoundedQueue<>(10);
        TPriorityQueue<Integer> priority = new TPriorityQueue<>();
        TArray<String> array = TArray.of("a", "b");
        TLongArray longs = new TLongArray(2);
        TCounter counter = new TCounter();
        TSemaphore semaphore = new TSemaphore(3);
        TLatch latch = new TLatch(2);
        TPromise<String> promise = new TPromise<>();
        for (int i = 0; i < 50; i++) {
            sorted.asMap().put(i, "v" + i);
            hashed.asMap().put(i, "v" + i);
            sortedSet.asSet().add(i);
            set.asSet().add(i);
            list.asList().add(i);
            deque.asBlockingDeque().add(i);
            queue.asQueue().add(i);
            priority.asQueue().add(i);
        }
        bounded.asBlockingQueue().addAll(List.of(1, 2, 3));
        Supplier<String> state = () -> atomic(() -> new TreeMap<>(sorted.asMap()) + " " + new TreeMap<>(hashed.asMap())
                + " " + new TreeSet<>(sortedSet.asSet()) + " " + new TreeSet<>(set.asSet())
                + " " + List.copyOf(list.asList()) + " " + List.copyOf(deque.asBlockingDeque())
                + " " + List.copyOf(queue.asQueue()) + " " + List.copyOf(bounded.asBlockingQueue())
                + " " + new TreeSet<>(priority.asQueue()) + " " + array.asList() + " " + longs + " " + counter.get()
                + " " + semaphore.availablePermits() + " " + latch.getCount() + " " + promise.getNow());
        String before = state.get();
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            ConcurrentNavigableMap<Integer, String> range = sorted.asMap().subMap(10, true, 40, false).descendingMap();
            range.pollFirstEntry();
            range.headMap(30).clear();
            range.put(20, "changed");
            range.merge(11, "+", String::concat);
            range.navigableKeySet().remove(25);
            sorted.asMap().tailMap(45).entrySet().iterator().next().setValue("set");
            hashed.asMap().compute(3, (k, v) -> null);
            hashed.asMap().keySet().removeIf(k -> k % 2 == 0);
            hashed.asMap().put(100, "new");
            sortedSet.asSet().headSet(10, false).pollLast();
            sortedSet.asSet().descendingSet().add(-1);
            set.asSet().removeAll(List.of(1, 2, 3));
            list.asList().subList(5, 15).clear();
            ListIterator<Integer> it = list.asList().listIterator(2);
            it.add(-7);
            list.asList().sort(Comparator.reverseOrder());
            deque.asBlockingDeque().drainTo(list.asList(), 5);
            deque.asBlockingDeque().removeLastOccurrence(40);
            deque.asBlockingDeque().offerFirst(-2);
            queue.asQueue().poll();
            queue.asQueue().offer(-3);
            bounded.asBlockingQueue().poll();
            bounded.asBlockingQueue().offer(-4);
            uncheckedCall(() -> {
                bounded.asBlockingQueue().put(-5);
                return bounded.asBlockingQueue().take();
            });
            bounded.asBlockingQueue().remove(3);
            bounded.asBlockingQueue().drainTo(new ArrayList<>());
            bounded.asBlockingQueue().add(-6);
            priority.asQueue().poll();
            priority.asQueue().removeIf(x -> x > 40);
            array.asList().set(0, "x");
            array.asList().replaceAll(s -> s + "!");
            longs.atomic().addAndGet(1, 10);
            counter.atomic().add(5);
            semaphore.atomic().acquire(2);
            latch.atomic().countDown();
            promise.atomic().complete("done");
            throw new DeliberateFailure();
        }));
        assertEquals(before, state.get(), "a rolled-back transaction left view calls");
    }

    /**
     * Stm: "threads started inside a body do not join it". A thread started inside a transaction
     * gets the no-transaction IllegalStateException from in-transaction methods, and its view
     * calls are its own transactions: they stay when the starting transaction rolls back, and the
     * starting transaction's writes never show to the thread.
     */
    @Test
    void aThreadStartedInsideATransactionUsesTheCollectionsOnItsOwn() throws InterruptedException {
        TSortedMap<String, Integer> map = new TSortedMap<>();
        TList<String> list = new TList<>();
        AtomicReference<Throwable> inThread = new AtomicReference<>();
        AtomicReference<Object> seen = new AtomicReference<>();
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            map.put("parent", 1);
            Thread thread = new Thread(() -> {
                try {
                    assertThrows(IllegalStateException.class, () -> map.put("child-in", 2));
                    assertThrows(IllegalStateException.class, () -> list.add("child-in"));
                    map.asMap().put("child", 3);
                    list.asList().add("child");
                    seen.set(map.asMap().get("parent"));
                } catch (Throwable e) {
                    inThread.set(e);
                }
            });
            thread.start();
            try {
                thread.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            throw new DeliberateFailure();
        }));
        if (inThread.get() != null) {
            fail("the thread failed", inThread.get());
        }
        assertNull(seen.get(), "the thread saw an uncommitted write of the transaction that started it");
        assertEquals(Map.of("child", 3), map.asMap());
        assertEquals(List.of("child"), list.asList());
    }

    /**
     * Composition across collections inside one transaction: take from a deque (waiting with
     * takeFirst) or else from a queue, file the element in a sorted map and a map, and count it.
     * The first alternative writes the sorted map before it retries; orElse must undo exactly
     * those writes, and a failure after the move undoes everything.
     */
    @Test
    void aMoveWithOrElseAcrossCollectionsKeepsOnlyTheAlternativeThatRan() {
        TDeque<Integer> deque = new TDeque<>();
        TQueue<Integer> queue = new TQueue<>();
        TSortedMap<Integer, String> sorted = new TSortedMap<>();
        TMap<Integer, String> hashed = new TMap<>();
        TCounter moved = new TCounter();
        queue.asQueue().add(7);
        Integer got = atomic(() -> Stm.orElse(() -> {
            sorted.asMap().put(-1, "written before the retry");
            sorted.asMap().subMap(-10, 0).descendingMap().merge(-2, "too", String::concat);
            Integer e = deque.takeFirst(); // empty: retry, so the next alternative runs
            sorted.put(e, "from the deque");
            return e;
        }, () -> {
            Integer e = queue.poll();
            if (e == null) {
                Stm.retry();
            }
            hashed.asMap().put(e, "from the queue");
            moved.atomic().increment();
            return e;
        }));
        assertEquals(7, got);
        assertEquals(Map.of(), sorted.asMap(), "the alternative that retried left its writes");
        assertEquals(Map.of(7, "from the queue"), hashed.asMap());
        assertEquals(1, moved.atomic().get());
        assertTrue(queue.asQueue().isEmpty());
        deque.asBlockingDeque().add(8);
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            Integer e = deque.takeFirst();
            sorted.put(e, "moved");
            hashed.remove(7);
            queue.offer(e);
            moved.increment();
            throw new DeliberateFailure();
        }));
        assertEquals(List.of(8), List.copyOf(deque.asBlockingDeque()));
        assertEquals(Map.of(), sorted.asMap());
        assertEquals(Map.of(7, "from the queue"), hashed.asMap());
        assertTrue(queue.asQueue().isEmpty());
        assertEquals(1, moved.atomic().get());
    }

    /**
     * docs/collections.md: a TMap or TSet iterator created inside a transaction reads the live map
     * in it, and using it after the transaction ended throws IllegalStateException. So for the
     * values, the entries and a set, not only the key set.
     */
    @Test
    void hashIteratorsMadeInATransactionRefuseToRunAfterIt() {
        TMap<Integer, Integer> map = new TMap<>();
        TSet<Integer> set = new TSet<>();
        for (int i = 0; i < 300; i++) {
            map.asMap().put(i, i);
            set.asSet().add(i);
        }
        List<Supplier<Iterator<?>>> makers = List.of(() -> map.asMap().values().iterator(),
                () -> map.asMap().entrySet().iterator(), () -> set.asSet().iterator());
        for (int i = 0; i < makers.size(); i++) {
            Supplier<Iterator<?>> maker = makers.get(i);
            Iterator<?> escaped = atomic(() -> {
                Iterator<?> it = maker.get();
                it.next();
                return it;
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                while (escaped.hasNext()) {
                    escaped.next();
                }
            }, "iterator " + i);
            assertTrue(e.getMessage().contains("outside a transaction"), e.getMessage());
        }
    }

    /**
     * equals and hashCode of the sorted views follow java.util against maps and sets that cannot
     * hold their keys (false, no ClassCastException), both ways, and the comparators of
     * descending views order as TreeMap's do, also for a map with its own comparator.
     */
    @Test
    void sortedViewsCompareWithForeignMapsAndReportTheirOrder() {
        TSortedMap<Integer, String> map = new TSortedMap<>();
        map.asMap().put(1, "a");
        Map<String, String> strings = new TreeMap<>(Map.of("1", "a"));
        assertFalse(map.asMap().equals(strings));
        assertFalse(strings.equals(map.asMap()));
        assertFalse(map.asMap().keySet().equals(Set.of("1")));
        assertFalse(Set.of("1").equals(map.asMap().keySet()));
        assertFalse(new java.util.HashMap<>(strings).equals(map.asMap()));
        Comparator<String> byLength = Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());
        TSortedMap<String, Integer> custom = new TSortedMap<>(byLength);
        TreeMap<String, Integer> model = new TreeMap<>(byLength);
        for (String k : List.of("ccc", "a", "bb", "aa", "b")) {
            custom.asMap().put(k, k.length());
            model.put(k, k.length());
        }
        List<NavigableMap<String, Integer>> pairs = List.of(model.descendingMap(), custom.asMap().descendingMap(),
                model.subMap("b", true, "ccc", true).descendingMap(),
                custom.asMap().subMap("b", true, "ccc", true).descendingMap(),
                model.descendingMap().descendingMap(), custom.asMap().descendingMap().descendingMap());
        for (int i = 0; i < pairs.size(); i += 2) {
            NavigableMap<String, Integer> e = pairs.get(i);
            NavigableMap<String, Integer> a = pairs.get(i + 1);
            assertEquals(new ArrayList<>(e.keySet()), new ArrayList<>(a.keySet()), "pair " + i);
            List<String> sortedByComparator = new ArrayList<>(List.of("a", "ccc", "bb", "b", "aa"));
            List<String> expectedOrder = new ArrayList<>(sortedByComparator);
            sortedByComparator.sort(a.comparator());
            expectedOrder.sort(e.comparator());
            assertEquals(expectedOrder, sortedByComparator, "comparator of pair " + i);
            assertEquals(new ArrayList<>(e.descendingKeySet()), new ArrayList<>(a.descendingKeySet()), "pair " + i);
            List<String> byKeySetComparator = new ArrayList<>(expectedOrder);
            byKeySetComparator.sort(a.navigableKeySet().comparator());
            assertEquals(expectedOrder, byKeySetComparator, "key set comparator of pair " + i);
            assertEquals(e, a);
            assertEquals(e.hashCode(), a.hashCode());
        }
        TSortedSet<Integer> set = new TSortedSet<>();
        set.asSet().addAll(List.of(3, 1, 2));
        assertEquals(List.of(3, 2, 1), new ArrayList<>(set.asSet().descendingSet()));
        assertTrue(set.asSet().descendingSet().comparator().compare(1, 2) > 0);
        assertThrows(NoSuchElementException.class, () -> set.asSet().subSet(5, 9).first());
        assertThrows(NoSuchElementException.class, () -> set.asSet().headSet(1, false).descendingSet().last());
    }

    // ================================================================== queues: bulk calls and time units

    /**
     * A bounded queue's addAll that does not fit throws IllegalStateException and adds nothing
     * (all or nothing, unlike LinkedBlockingQueue, which adds until full); an iterator removal
     * frees a place.
     */
    @Test
    void aBoundedAddAllThatDoesNotFitAddsNothing() {
        assertThrows(IllegalArgumentException.class, () -> new TBoundedQueue<Integer>(0));
        assertThrows(IllegalArgumentException.class, () -> new TBoundedQueue<Integer>(-1));
        java.util.concurrent.BlockingQueue<Integer> queue = new TBoundedQueue<Integer>(3).asBlockingQueue();
        queue.add(1);
        assertThrows(IllegalStateException.class, () -> queue.addAll(List.of(2, 3, 4)));
        assertEquals(List.of(1), List.copyOf(queue));
        assertEquals(2, queue.remainingCapacity());
        queue.addAll(List.of(2, 3));
        Iterator<Integer> it = queue.iterator();
        it.next();
        it.next();
        it.remove();
        assertEquals(1, queue.remainingCapacity());
        assertTrue(queue.offer(4));
        assertFalse(queue.offer(5));
        assertEquals(List.of(1, 3, 4), List.copyOf(queue));
    }

    /**
     * A null TimeUnit is misuse and throws NullPointerException, as java.util.concurrent's
     * blocking queues do (they convert the timeout first), whether or not the call must wait.
     * TDeque's timed calls do; TBoundedQueue's must too.
     */
    // Regression (session 16), was: TBoundedQueue's view offer(e, t, null) and poll(t, null) succeed without a NullPointerException when they need not wait (unit is read only on the waiting path)
    @Test
    void aNullTimeUnitIsRefusedEvenWhenNoWaitIsNeeded() {
        BlockingDeque<Integer> deque = new TDeque<Integer>().asBlockingDeque();
        deque.add(1);
        java.util.concurrent.BlockingQueue<Integer> bounded = new TBoundedQueue<Integer>(4).asBlockingQueue();
        bounded.add(1);
        Map<String, Supplier<Object>> calls = new LinkedHashMap<>();
        calls.put("TDeque pollFirst(1, null)", () -> uncheckedCall(() -> deque.pollFirst(1, null)));
        calls.put("TDeque offerLast(2, 1, null)", () -> uncheckedCall(() -> deque.offerLast(2, 1, null)));
        calls.put("TBoundedQueue poll(1, null)", () -> uncheckedCall(() -> bounded.poll(1, null)));
        calls.put("TBoundedQueue offer(2, 1, null)", () -> uncheckedCall(() -> bounded.offer(2, 1, null)));
        List<String> accepted = new ArrayList<>();
        calls.forEach((name, call) -> {
            Object outcome = outcome(call);
            if (outcome != NullPointerException.class) {
                accepted.add(name + " returned " + outcome);
            }
        });
        assertEquals(List.of(), accepted, "timed calls with a null TimeUnit that were not refused");
        assertEquals(List.of(1), List.copyOf(deque));
        assertEquals(List.of(1), List.copyOf(bounded));
    }

    private interface Blocking {
        Object call() throws InterruptedException;
    }

    private static Object uncheckedCall(Blocking call) {
        try {
            return call.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A deque iterator's remove() removes the element it returned or nothing: when that element
     * was polled meanwhile and the same object offered again, LinkedBlockingDeque's (and
     * ConcurrentLinkedDeque's) iterator removes nothing, since its node is gone; it must not
     * remove the new occurrence, which the iterator never returned.
     */
    // Regression (session 16), was: TDeque's iterator remove() falls back to removing the first identical element anywhere in the deque (TDeque.removeReturned)
    @Test
    void aDequeIteratorRemoveLeavesAnIdenticalElementOfferedAfterItsOwnWasPolled() {
        String task = "task"; // one object, offered twice
        BlockingDeque<String> deque = new TDeque<String>().asBlockingDeque();
        LinkedBlockingDeque<String> model = new LinkedBlockingDeque<>();
        for (BlockingDeque<String> d : List.of(model, deque)) {
            d.add(task);
            Iterator<String> it = d.iterator();
            assertSame(task, it.next());
            assertSame(task, d.poll());
            d.add("other");
            d.add(task);
            it.remove();
        }
        assertEquals(List.of("other", "task"), List.copyOf(model));
        assertEquals(List.copyOf(model), List.copyOf(deque), "the iterator removed an element it never returned");
    }

    // ================================================================== sorted views under concurrency

    /**
     * Two threads poll overlapping ranges of one map (pollFirstEntry on [0, 60), pollFirstEntry of
     * the descending map of [40, 100), so from the top) while a third reads sizes of both ranges
     * and of the overlap, each in one transaction: every key is polled exactly once, each poller
     * gets only keys of its range in its order, and a range never shows more keys than it had.
     */
    @Test
    void pollersOfOverlappingSubMapsTakeEachKeyOnceInTheirOrder() {
        long seed = System.nanoTime();
        int keys = 100;
        for (int round = 0; round < Scale.of(30); round++) {
            TSortedMap<Integer, Integer> map = new TSortedMap<>();
            for (int i = 0; i < keys; i++) {
                map.asMap().put(i, i);
            }
            ConcurrentNavigableMap<Integer, Integer> low = map.asMap().subMap(0, 60);
            ConcurrentNavigableMap<Integer, Integer> high = map.asMap().subMap(40, 100).descendingMap();
            List<List<Integer>> taken = List.of(new ArrayList<>(), new ArrayList<>());
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger(2);
            Racers.run(seed, t -> {
                ConcurrentNavigableMap<Integer, Integer> mine = t == 0 ? low : high;
                for (Map.Entry<Integer, Integer> e; (e = mine.pollFirstEntry()) != null; ) {
                    taken.get(t).add(e.getKey());
                }
                running.decrementAndGet();
            }, t -> {
                ConcurrentNavigableMap<Integer, Integer> mine = t == 0 ? low : high;
                for (Map.Entry<Integer, Integer> e; (e = mine.pollFirstEntry()) != null; ) {
                    taken.get(t).add(e.getKey());
                }
                running.decrementAndGet();
            }, t -> {
                int lastLow = 60;
                int lastHigh = 60;
                while (running.get() > 0) {
                    int l = low.size();
                    int h = high.size();
                    int both = atomic(() -> map.asMap().subMap(40, 60).size());
                    if (l > lastLow || h > lastHigh || both > Math.min(l, h)) {
                        problems.add("sizes went " + lastLow + "/" + lastHigh + " -> " + l + "/" + h
                                + ", overlap " + both);
                    }
                    lastLow = l;
                    lastHigh = h;
                }
            });
            List<Integer> all = new ArrayList<>(taken.get(0));
            all.addAll(taken.get(1));
            all.sort(null);
            String where = "round " + round + " (seed " + seed + ")";
            assertEquals(java.util.stream.IntStream.range(0, keys).boxed().toList(), all, where);
            List<Integer> ascending = new ArrayList<>(taken.get(0));
            ascending.sort(null);
            assertEquals(ascending, taken.get(0), where + ": the low poller went backwards");
            List<Integer> descending = new ArrayList<>(taken.get(1));
            descending.sort(Comparator.reverseOrder());
            assertEquals(descending, taken.get(1), where + ": the high poller went backwards");
            assertTrue(taken.get(0).stream().allMatch(k -> k < 60), where);
            assertTrue(taken.get(1).stream().allMatch(k -> k >= 40), where);
            assertEquals(List.of(), problems, where);
            assertTrue(map.asMap().isEmpty(), where);
        }
    }

    /**
     * A mover shifts tokens inside a range of a sorted map, removing one key and putting another in
     * one transaction each; a sub-map's size(), isEmpty(), and a copy made in one transaction
     * always show exactly the number of tokens.
     */
    @Test
    void aSubMapsSizeIsExactWhileTokensMoveInsideIt() {
        long seed = System.nanoTime();
        int tokens = 40;
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        for (int i = 0; i < tokens; i++) {
            map.asMap().put(1_000 + i * 10, i);
        }
        for (int i = 0; i < 200; i++) { // neighbours outside the range, in the same leaves
            map.asMap().put(i * 10 + (i < 100 ? 0 : 2_000), -1);
        }
        ConcurrentNavigableMap<Integer, Integer> range = map.asMap().subMap(1_000, true, 1_999, true);
        java.util.concurrent.atomic.AtomicBoolean moving = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        int moves = Scale.of(3_000);
        Racers.run(seed, t -> {
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < moves; i++) {
                int to = 1_000 + random.nextInt(1_000);
                atomic(() -> {
                    if (range.containsKey(to)) {
                        return;
                    }
                    Map.Entry<Integer, Integer> e = random.nextBoolean() ? range.pollFirstEntry()
                            : range.pollLastEntry();
                    range.put(to, e.getValue());
                });
            }
            moving.set(false);
        }, t -> {
            while (moving.get() && problems.isEmpty()) {
                int size = range.size();
                int copied = atomic(() -> new TreeMap<>(range.descendingMap()).size());
                if (size != tokens || copied != tokens || range.isEmpty()) {
                    problems.add("size " + size + ", copy " + copied);
                }
            }
        });
        assertEquals(List.of(), problems, "seed " + seed);
        assertEquals(tokens, range.size());
        assertEquals(tokens + 200, map.asMap().size());
    }

    // ================================================================== putAll of a changing argument

    /**
     * A map whose first entrySet() iteration shows {@code first} and every later one
     * {@code later}: what a putAll sees of an argument that another thread changes between two
     * passes over it (a ConcurrentHashMap being filled, a Collections.synchronizedMap(HashMap),
     * which admits null values, or a weakly consistent view of another transactional map).
     */
    private static <K, V> Map<K, V> changingBetweenIterations(Map<K, V> first, Map<K, V> later) {
        return new java.util.AbstractMap<>() {
            private int iterations;

            @Override
            public Set<Map.Entry<K, V>> entrySet() {
                return new java.util.AbstractSet<>() {
                    @Override
                    public Iterator<Map.Entry<K, V>> iterator() {
                        return (iterations++ == 0 ? first : later).entrySet().iterator();
                    }

                    @Override
                    public int size() {
                        return (iterations == 0 ? first : later).size();
                    }
                };
            }
        };
    }

    /**
     * putAll must check the entries it writes, not those of an earlier pass over its argument:
     * whatever the argument shows while it is copied, a sub-map never gets a key outside its range
     * (IllegalArgumentException, docs/collections.md) and no map gets a null value
     * (NullPointerException, "nothing is written"). Each call either writes what it checked or
     * throws and writes nothing.
     */
    // Regression (session 16), was: NavigableMapView.putAll and HashMapView.putAll validate one pass over m.entrySet() and write a second, unchecked pass: a sub-map gets a key outside its range, TSortedMap stores a null value (size 2, get null, lastEntry 2=null), TMap silently removes the key
    @Test
    void putAllChecksTheEntriesItWritesNotAnEarlierPassOverItsArgument() {
        Map<Integer, String> withNull = new java.util.HashMap<>();
        withNull.put(1, "a");
        withNull.put(2, null);
        List<String> wrong = new ArrayList<>();
        TSortedMap<Integer, String> ranged = new TSortedMap<>();
        ConcurrentNavigableMap<Integer, String> range = ranged.asMap().subMap(0, 10);
        Object outcome = outcome(() -> {
            range.putAll(changingBetweenIterations(Map.of(1, "a"), Map.of(1, "a", 50, "outside")));
            return "returned";
        });
        if (ranged.asMap().containsKey(50)) {
            wrong.add("sub-map [0, 10) putAll " + outcome + " and wrote key 50: " + ranged.asMap());
        }
        TSortedMap<Integer, String> sorted = new TSortedMap<>();
        sorted.asMap().put(2, "b");
        outcome = outcome(() -> {
            sorted.asMap().putAll(changingBetweenIterations(Map.of(1, "a"), withNull));
            return "returned";
        });
        if (!atomic(() -> new TreeMap<>(sorted.asMap())).equals(Map.of(2, "b"))
                && !(outcome.equals("returned") && sorted.asMap().equals(Map.of(1, "a", 2, "b")))) {
            wrong.add("TSortedMap putAll " + outcome + " and left " + sorted.asMap() + " (size " + sorted.asMap().size()
                    + ", get(2) " + sorted.asMap().get(2) + ", lastEntry " + sorted.asMap().lastEntry() + ")");
        }
        TMap<Integer, String> hashed = new TMap<>();
        hashed.asMap().put(2, "b");
        outcome = outcome(() -> {
            hashed.asMap().putAll(changingBetweenIterations(Map.of(1, "a"), withNull));
            return "returned";
        });
        if (!hashed.asMap().equals(Map.of(2, "b")) && !(outcome.equals("returned")
                && hashed.asMap().equals(Map.of(1, "a", 2, "b")))) {
            wrong.add("TMap putAll " + outcome + " and left " + hashed.asMap());
        }
        assertEquals(List.of(), wrong);
    }

    // ================================================================== functions using the same map, escaped iterators

    /**
     * docs/collections.md: functions passed to compute and merge "may use the same map: the write
     * after the function goes through a fresh lookup"; Map.compute returns "the new value
     * associated with the specified key, or null if none". So when the function itself changes
     * the key, the value the call returns is the value the key has afterwards, on TSortedMap, its
     * sub-maps and TMap. (ConcurrentSkipListMap reruns the function when the key changed under it;
     * the result is the same.)
     */
    // Regression (session 16), was: NavigableMapView.store and HashTrie.txCompute skip the write when the result is identical (==) to the value read before the function, so a function that removed or replaced the key and returned the old value (or null) leaves the map disagreeing with the result
    @Test
    void aComputeWhoseFunctionChangesTheSameKeyLeavesTheValueItReturns() {
        TSortedMap<Integer, String> sorted = new TSortedMap<>();
        List<ConcurrentMap<Integer, String>> maps = List.of(sorted.asMap(), sorted.asMap().headMap(10).descendingMap(),
                new TMap<Integer, String>().asMap());
        List<String> wrong = new ArrayList<>();
        for (ConcurrentMap<Integer, String> m : maps) {
            String name = m.getClass().getSimpleName() + (m == maps.get(1) ? " (sub-map)" : "");
            Map<String, Supplier<String>> calls = new LinkedHashMap<>();
            calls.put("compute removing the key, returning the old value", () -> {
                m.put(5, "five");
                return m.compute(5, (k, v) -> {
                    m.remove(5);
                    return v;
                });
            });
            calls.put("compute replacing the key, returning the old value", () -> {
                m.put(5, "five");
                return m.compute(5, (k, v) -> {
                    m.put(5, "other");
                    return v;
                });
            });
            calls.put("compute adding the key, returning null", () -> {
                m.remove(5);
                return m.compute(5, (k, v) -> {
                    m.put(5, "inner");
                    return null;
                });
            });
            calls.put("merge removing the key, returning the old value", () -> {
                m.put(5, "five");
                return m.merge(5, "x", (v, x) -> {
                    m.remove(5);
                    return v;
                });
            });
            calls.put("computeIfPresent removing the key, returning the old value", () -> {
                m.put(5, "five");
                return m.computeIfPresent(5, (k, v) -> {
                    m.remove(5);
                    return v;
                });
            });
            calls.put("computeIfAbsent adding the key, returning another", () -> {
                m.remove(5);
                return m.computeIfAbsent(5, k -> {
                    m.put(5, "inner");
                    return "outer";
                });
            });
            calls.forEach((what, call) -> {
                String returned = call.get();
                String after = m.get(5);
                if (!java.util.Objects.equals(returned, after)) {
                    wrong.add(name + ": " + what + " returned " + returned + " but left " + after);
                }
            });
        }
        assertEquals(List.of(), wrong);
    }

    /**
     * docs/collections.md: a TMap iterator created inside a transaction "reads the live map in that
     * transaction; using it after the transaction ended throws IllegalStateException". Also when
     * it is used inside a later transaction of the same thread: it must not hand out entries of
     * the map as it was in the ended transaction (here: keys cleared since).
     */
    // Regression (session 16), was: HashTrie.Cursor.readInTransaction checks only Stm.inTransaction(), not that it is the transaction that made the cursor, and walks the root captured then: a later transaction gets 499 keys that were cleared
    @Test
    void aHashIteratorFromAnEndedTransactionRefusesToRunInALaterOne() {
        TMap<Integer, Integer> map = new TMap<>();
        for (int i = 0; i < 500; i++) {
            map.asMap().put(i, i);
        }
        Iterator<Integer> escaped = atomic(() -> {
            Iterator<Integer> it = map.asMap().keySet().iterator();
            it.next();
            return it;
        });
        map.asMap().clear();
        map.asMap().put(1_000, 1_000);
        List<Integer> seen = atomic(() -> {
            List<Integer> out = new ArrayList<>();
            try {
                while (escaped.hasNext()) {
                    out.add(escaped.next());
                }
                return out;
            } catch (IllegalStateException refused) {
                return null;
            }
        });
        if (seen != null) {
            fail("an iterator of an ended transaction ran in a later one and returned " + seen.size()
                    + " keys, none of them in the map " + map.asMap() + ", e.g. "
                    + seen.subList(0, Math.min(5, seen.size())));
        }
    }

    // ================================================================== blocking views in orElse, throwing comparators

    /**
     * docs/collections.md: the blocking view calls wait with retry(), so inside a transaction they
     * compose: in the first alternative of an orElse, a take from an empty deque or bounded queue,
     * an acquire of a semaphore without permits, an await of a closed latch or a pending promise
     * each give way to the second alternative, and the first alternative's writes are undone.
     */
    @Test
    void blockingViewCallsInsideOrElseGiveWayToTheNextAlternative() {
        TDeque<Integer> deque = new TDeque<>();
        TBoundedQueue<Integer> bounded = new TBoundedQueue<>(2);
        TSemaphore semaphore = new TSemaphore(0);
        TLatch latch = new TLatch(1);
        TPromise<Integer> promise = new TPromise<>();
        TList<String> log = new TList<>();
        List<Runnable> waits = List.of(() -> uncheckedCall(deque.asBlockingDeque()::takeFirst),
                () -> uncheckedCall(deque.asBlockingDeque()::takeLast),
                () -> uncheckedCall(bounded.asBlockingQueue()::take),
                semaphore.atomic()::acquire, latch.atomic()::await, promise.atomic()::await);
        for (int i = 0; i < waits.size(); i++) {
            Runnable wait = waits.get(i);
            int index = i;
            String ran = atomic(() -> Stm.orElse(() -> {
                log.add("first " + index);
                wait.run();
                return "first";
            }, () -> "second"));
            assertEquals("second", ran, "wait " + i);
        }
        assertEquals(List.of(), log.asList(), "the alternatives that waited left writes");
        uncheckedCall(() -> {
            bounded.asBlockingQueue().put(1);
            return null;
        });
        assertEquals(1, atomic(() -> Stm.orElse(() -> uncheckedCall(bounded.asBlockingQueue()::take), () -> -1)));
        assertTrue(bounded.asBlockingQueue().isEmpty());
    }

    /**
     * A comparator that throws for one key: the exception propagates unchanged from the walks
     * without a transaction (get, put, navigation) and from transactions (putAll, compute), and
     * nothing is written, on TSortedMap, TSortedSet and TPriorityQueue.
     */
    @Test
    void aComparatorThatThrowsPropagatesAndWritesNothing() {
        IllegalStateException refused = new IllegalStateException("cannot compare 13");
        Comparator<Integer> picky = (a, b) -> {
            if (a == 13 || b == 13) {
                throw refused;
            }
            return Integer.compare(a, b);
        };
        TSortedMap<Integer, Integer> map = new TSortedMap<>(picky);
        TSortedSet<Integer> set = new TSortedSet<>(picky);
        TPriorityQueue<Integer> queue = new TPriorityQueue<>(picky);
        for (int i = 0; i < 200; i++) {
            if (i != 13) {
                map.asMap().put(i, i);
                set.asSet().add(i);
                queue.asQueue().add(i);
            }
        }
        Map<Integer, Integer> before = new TreeMap<>(map.asMap());
        Map<Integer, Integer> lastThirteen = new LinkedHashMap<>();
        lastThirteen.put(500, 1);
        lastThirteen.put(501, 1);
        lastThirteen.put(13, 1);
        List<Runnable> calls = List.of(() -> map.asMap().put(13, 1), () -> map.asMap().get(13),
                () -> map.asMap().floorKey(13), () -> map.asMap().remove(13), () -> map.asMap().putAll(lastThirteen),
                () -> map.asMap().compute(13, (k, v) -> 1), () -> map.asMap().subMap(0, 13),
                () -> atomic(() -> map.put(13, 1)), () -> set.asSet().add(13),
                () -> set.asSet().addAll(List.of(600, 13)),
                () -> queue.asQueue().add(13), () -> queue.asQueue().addAll(List.of(600, 13)));
        for (int i = 0; i < calls.size(); i++) {
            assertSame(refused, assertThrows(IllegalStateException.class, calls.get(i)::run), "call " + i);
        }
        assertEquals(before, new TreeMap<>(map.asMap()));
        assertEquals(before.keySet(), new TreeSet<>(set.asSet()));
        assertEquals(199, queue.asQueue().size());
        assertEquals(0, queue.asQueue().peek());
    }
}
