package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.stm.Stm;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Adversarial tests of {@link TSortedMap}, {@link TSortedSet} and {@link TSet} and their
 * {@code java.util} views, beyond the earlier audits (which compared the sorted views with
 * {@code TreeMap} one call at a time). This file attacks:
 * <ul>
 *   <li>whole-collection reads of the views ({@code equals}, {@code containsAll},
 *       {@code containsValue}, {@code toArray}, {@code toString}, {@code hashCode}, streams and
 *       their spliterators) while other threads change the map: the views promise that each
 *       method is one atomic transaction, so none may show a state the map never had;</li>
 *   <li>iterators that outlive the transaction that made them (ended or rolled back);</li>
 *   <li>weakly consistent iterators of every direction and range while one-commit writes and
 *       transactions split and merge leaves; pollers at both ends; tokens moved in
 *       transactions and audited in transactions; {@code clear()} racing one-commit puts;</li>
 *   <li>lookups and navigation without a transaction on a three-level tree while inner nodes
 *       split and merge, and their documented allocation-free cost;</li>
 *   <li>read-modify-write defaults (merge, compute, replace, remove(k, v)) losing no update while
 *       leaves split and merge, and moves composed across TSortedMap, TSortedSet and TSet;</li>
 *   <li>failure atomicity: nested view calls failing inside a transaction (the count and the tree
 *       must stay consistent), bulk removals whose argument throws, a comparator that throws at
 *       random; extreme and inclusive/exclusive bounds, and a comparator inconsistent with
 *       {@code equals}, each against {@code TreeMap}/{@code TreeSet}.</li>
 * </ul>
 * Concurrency tests run until they catch a violation or their time budget ends; random tests
 * print their seed. Sizes are small by default ({@link Scale}).
 */
class AdversarialSortedTest {

    /** Time budget of one racing test. */
    private static final long BUDGET_NANOS = 1_500_000_000L;

    private static boolean inBudget(long start) {
        return System.nanoTime() - start < BUDGET_NANOS;
    }

    // ================================================================== whole-collection reads: one state

    /** A set of fixed elements whose iterator runs a hook once, before handing out its second element. */
    private static final class HookedSet extends AbstractSet<String> {
        private final List<String> elements;
        private Runnable hook;

        HookedSet(List<String> elements, Runnable hook) {
            this.elements = elements;
            this.hook = hook;
        }

        @Override
        public Iterator<String> iterator() {
            Iterator<String> it = elements.iterator();
            return new Iterator<>() {
                private int handedOut;

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public String next() {
                    if (handedOut++ == 1 && hook != null) {
                        Runnable once = hook;
                        hook = null;
                        once.run();
                    }
                    return it.next();
                }
            };
        }

        @Override
        public int size() {
            return elements.size();
        }
    }

    /**
     * TSortedSet.asSet() and NavigableKeySet: "each method is one transaction (bulk methods
     * included)". The set holds {a, c}; while equals runs, another party (a hook standing in for a
     * racing thread) makes it {b}. It never was {a, b}, so equals({a, b}) must answer false. The
     * same on the key set and the descending key set of a TSortedMap.
     */
    // Regression (session 17): a sorted set / key set equals() answers true for {a, b}, a state it never had (AbstractSet.equals: size() then one contains() per element)
    @Test
    void aSortedSetEqualsComparesOneStateOfTheSet() {
        TSortedSet<String> set = new TSortedSet<>();
        TSortedMap<String, Integer> map = new TSortedMap<>();
        List<String> wrong = new ArrayList<>();
        List<Supplier<Set<String>>> views = List.of(set::asSet, () -> map.asMap().keySet(),
                () -> map.asMap().descendingKeySet());
        for (int v = 0; v < views.size(); v++) {
            set.asSet().clear();
            map.asMap().clear();
            set.asSet().addAll(List.of("a", "c"));
            map.asMap().putAll(Map.of("a", 1, "c", 3));
            Set<String> view = views.get(v).get();
            boolean ofTheSet = v == 0;
            Set<String> other = new HookedSet(List.of("a", "b"), () -> byAnotherThread(() -> {
                if (ofTheSet) {
                    atomic(() -> {
                        set.asSet().remove("a");
                        set.asSet().remove("c");
                        set.asSet().add("b");
                    });
                } else {
                    atomic(() -> {
                        map.asMap().remove("a");
                        map.asMap().remove("c");
                        map.asMap().put("b", 2);
                    });
                }
            }));
            boolean equal = view.equals(other);
            assertEquals(Set.of("b"), new TreeSet<>(view), "view " + v);
            if (equal) {
                wrong.add("view " + v + " equalled {a, b}");
            }
        }
        assertEquals(List.of(), wrong, "the sets went from {a, c} to {b}, never {a, b}");
    }

    /**
     * The same claim for containsAll, a bulk method of TSortedSet.asSet() and TSet.asSet() ("each
     * method is one transaction (bulk methods included)"): the set goes from {a, c} to {b} while
     * containsAll([a, b]) runs; it never held both a and b.
     */
    // Regression (session 17): containsAll([a, b]) of TSet.asSet() and TSortedSet.asSet() answers true though the set never held both (AbstractCollection.containsAll: one contains() transaction per element)
    @Test
    void containsAllOfTheSetViewsComparesOneState() {
        TSortedSet<String> sorted = new TSortedSet<>();
        TSet<String> hashed = new TSet<>();
        List<Set<String>> views = List.of(sorted.asSet(), hashed.asSet());
        List<String> wrong = new ArrayList<>();
        for (int v = 0; v < views.size(); v++) {
            Set<String> view = views.get(v);
            view.addAll(List.of("a", "c"));
            Collection<String> asked = new HookedSet(List.of("a", "b"), () -> byAnotherThread(() -> atomic(() -> {
                view.remove("a");
                view.remove("c");
                view.add("b");
            })));
            boolean all = view.containsAll(asked);
            assertEquals(Set.of("b"), new TreeSet<>(view), "view " + v);
            if (all) {
                wrong.add("view " + v + " (" + view.getClass().getSimpleName() + ") contained all of [a, b]");
            }
        }
        assertEquals(List.of(), wrong, "the sets went from {a, c} to {b}");
    }

    /**
     * Runs {@code change} on another thread and waits for it: the change of a racing thread,
     * made at a chosen point (a hook run on this thread would join this thread's transaction).
     */
    private static void byAnotherThread(Runnable change) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread racer = new Thread(() -> {
            try {
                change.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        racer.start();
        try {
            racer.join(10_000);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertFalse(racer.isAlive(), "the racing change did not finish");
        if (failure.get() != null) {
            throw new AssertionError("the racing change failed", failure.get());
        }
    }

    /** A map that runs a hook once, at the first get() asked of it, and is otherwise {@code contents}. */
    private static final class HookedMap extends AbstractMap<Integer, Integer> {
        private final TreeMap<Integer, Integer> contents;
        private Runnable hook;

        HookedMap(TreeMap<Integer, Integer> contents, Runnable hook) {
            this.contents = contents;
            this.hook = hook;
        }

        @Override
        public Integer get(Object key) {
            if (hook != null) {
                Runnable once = hook;
                hook = null;
                once.run();
            }
            return contents.get(key);
        }

        @Override
        public Set<Map.Entry<Integer, Integer>> entrySet() {
            return contents.entrySet();
        }
    }

    /**
     * TSortedMap.asMap(): "each method (of the view, its sub-maps, its descending map and its key
     * sets) is one atomic transaction of its own". The map has keys 0..99 with value 0 except one
     * token (value 1) at key 0; while equals runs, the token moves to key 99 (a leaf further on).
     * The map never had two tokens, so it must not equal a map with tokens at 0 and 99. Checked
     * on the view, its descending map, and a sub-map.
     */
    // Regression (session 17): a TSortedMap view equals() a map with two tokens, a state it never had (AbstractMap.equals iterates leaf by leaf, one transaction each)
    @Test
    void aSortedMapViewEqualsComparesOneStateOfTheMap() {
        List<String> wrong = new ArrayList<>();
        List<Function<ConcurrentNavigableMap<Integer, Integer>, NavigableMap<Integer, Integer>>> views = List.of(
                m -> m, ConcurrentNavigableMap::descendingMap, m -> m.subMap(0, true, 99, true));
        for (int v = 0; v < views.size(); v++) {
            // the token starts where the view's iteration starts and moves to where it ends
            int from = v == 1 ? 99 : 0;
            int to = 99 - from;
            TSortedMap<Integer, Integer> map = new TSortedMap<>();
            for (int i = 0; i < 100; i++) {
                map.asMap().put(i, i == from ? 1 : 0);
            }
            TreeMap<Integer, Integer> twoTokens = new TreeMap<>(map.asMap());
            twoTokens.put(to, 1);
            NavigableMap<Integer, Integer> view = views.get(v).apply(map.asMap());
            Map<Integer, Integer> other = new HookedMap(twoTokens, () -> byAnotherThread(() -> atomic(() -> {
                map.asMap().put(from, 0);
                map.asMap().put(to, 1);
            })));
            if (view.equals(other)) {
                wrong.add("view " + v + " equalled a map with two tokens");
            }
            assertEquals(1, map.asMap().values().stream().filter(x -> x == 1).count(), "one token");
        }
        assertEquals(List.of(), wrong, "the map always had exactly one token");
    }

    /** A sorted map with 200 keys (several leaves), value 0, and one token value 7 at key 0 or key 1_000. */
    private static TSortedMap<Integer, Integer> tokenMap() {
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        for (int i = 100; i < 300; i++) {
            map.asMap().put(i, 0);
        }
        map.asMap().put(0, 7);
        return map;
    }

    /** Moves the token of {@link #tokenMap} between key 0 and key 1_000, one transaction per move. */
    private static void moveTokenUntil(TSortedMap<Integer, Integer> map, AtomicBoolean running) {
        boolean atZero = true;
        while (running.get()) {
            boolean from = atZero;
            atomic(() -> {
                map.remove(from ? 0 : 1_000);
                map.put(from ? 1_000 : 0, 7);
            });
            atZero = !atZero;
        }
    }

    /**
     * containsValue is a method of the view, so one atomic transaction: the token value 7 is in the
     * map in every state, so containsValue(7) must always answer true, also on values().contains
     * and the descending map, while a mover moves the token between the first and the last leaf.
     */
    // Regression (session 17): containsValue(7) answers false although value 7 is in every state of the map (ViewIterator reads one leaf per transaction)
    @Test
    void containsValueFindsAValuePresentInEveryState() {
        long seed = System.nanoTime();
        TSortedMap<Integer, Integer> map = tokenMap();
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        Racers.run(seed, t -> moveTokenUntil(map, running), t -> {
            long start = System.nanoTime();
            try {
                for (int i = 0; inBudget(start) && wrong.isEmpty(); i++) {
                    boolean found = switch (i % 3) {
                        case 0 -> map.asMap().containsValue(7);
                        case 1 -> map.asMap().values().contains(7);
                        default -> map.asMap().descendingMap().containsValue(7);
                    };
                    if (!found) {
                        wrong.add("call " + i + " (kind " + i % 3 + ") did not find the value 7");
                    }
                }
            } finally {
                running.set(false);
            }
        });
        assertEquals(List.of(), wrong, "seed " + seed);
    }

    /**
     * toArray, toString and hashCode of the views are methods of the view, each one atomic
     * transaction: while the token moves between the first and the last leaf, each shows exactly
     * one token (never zero, never two).
     */
    // Regression (session 17): keySet().toArray(), toString() and hashCode() of a TSortedMap view show the moving token twice or not at all
    @Test
    void toArrayToStringAndHashCodeOfTheSortedViewsShowOneState() {
        long seed = System.nanoTime();
        TSortedMap<Integer, Integer> map = tokenMap();
        int baseHash = 0;
        for (int i = 100; i < 300; i++) {
            baseHash += i; // Integer i ^ Integer 0
        }
        Set<Integer> hashes = Set.of(baseHash + (0 ^ 7), baseHash + (1_000 ^ 7));
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        Racers.run(seed, t -> moveTokenUntil(map, running), t -> {
            long start = System.nanoTime();
            try {
                for (int i = 0; inBudget(start) && wrong.size() < 4; i++) {
                    switch (i % 6) {
                        case 0 -> {
                            Object[] keys = map.asMap().keySet().toArray();
                            long tokens = Arrays.stream(keys).filter(k -> (Integer) k == 0 || (Integer) k == 1_000).count();
                            if (tokens != 1 || keys.length != 201) {
                                wrong.add("keySet().toArray(): " + tokens + " tokens, " + keys.length + " keys");
                            }
                        }
                        case 1 -> {
                            Object[] values = map.asMap().descendingMap().values().toArray();
                            long tokens = Arrays.stream(values).filter(x -> (Integer) x == 7).count();
                            if (tokens != 1) {
                                wrong.add("descendingMap().values().toArray(): " + tokens + " tokens");
                            }
                        }
                        case 2 -> {
                            String s = map.asMap().toString();
                            int tokens = s.split("=7\\b", -1).length - 1;
                            if (tokens != 1) {
                                wrong.add("toString(): " + tokens + " tokens");
                            }
                        }
                        case 3 -> {
                            int h = map.asMap().hashCode();
                            if (!hashes.contains(h)) {
                                wrong.add("hashCode() " + h + " is the hash of no state (" + hashes + ")");
                            }
                        }
                        case 4 -> {
                            List<Integer> keys = new ArrayList<>();
                            map.asMap().navigableKeySet().descendingSet().forEach(keys::add);
                            long tokens = keys.stream().filter(k -> k == 0 || k == 1_000).count();
                            if (tokens != 1) {
                                wrong.add("descendingSet().forEach: " + tokens + " tokens");
                            }
                        }
                        default -> {
                            Object[] entries = map.asMap().entrySet().toArray();
                            long tokens = Arrays.stream(entries)
                                    .filter(e -> ((Map.Entry<?, ?>) e).getValue().equals(7)).count();
                            if (tokens != 1) {
                                wrong.add("entrySet().toArray(): " + tokens + " tokens");
                            }
                        }
                    }
                }
            } finally {
                running.set(false);
            }
        });
        assertEquals(List.of(), wrong, "seed " + seed);
    }

    /**
     * The views are drop-in concurrent collections (ConcurrentSkipListMap, ConcurrentHashMap's key
     * set): streams over them must work while other threads write. A stream's toArray() of the
     * key set, values, entries and the set views, while a writer adds and removes a key: it must
     * not throw, and must hold no null and every key that is never touched.
     */
    // Regression (session 17): stream().toArray() of the sorted and set views throws IllegalStateException ("End size .. is less than fixed size ..": the default spliterator is SIZED from a size() of another moment)
    @Test
    void streamsOverTheViewsSurviveConcurrentWrites() {
        long seed = System.nanoTime();
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        TSortedSet<Integer> sorted = new TSortedSet<>();
        TSet<Integer> hashed = new TSet<>();
        for (int i = 0; i < 100; i++) {
            map.asMap().put(i * 2, i);
            sorted.asSet().add(i * 2);
            hashed.asSet().add(i * 2);
        }
        List<Supplier<Collection<?>>> views = List.of(() -> map.asMap().keySet(), () -> map.asMap().values(),
                () -> map.asMap().entrySet(), () -> map.asMap().descendingKeySet(), sorted::asSet, hashed::asSet);
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        boolean[] failedView = new boolean[views.size()];
        Racers.run(seed, t -> {
            SplittableRandom random = new SplittableRandom(seed);
            while (running.get()) {
                int k = 2 * random.nextInt(100) + 1; // odd keys only: the even ones stay
                map.asMap().put(k, -1);
                sorted.asSet().add(k);
                hashed.asSet().add(k);
                map.asMap().remove(k);
                sorted.asSet().remove(k);
                hashed.asSet().remove(k);
            }
        }, t -> {
            long start = System.nanoTime();
            try {
                for (int i = 0; inBudget(start); i++) {
                    int v = i % views.size();
                    if (failedView[v]) {
                        continue;
                    }
                    try {
                        Object[] array = views.get(v).get().stream().toArray();
                        if (Arrays.stream(array).anyMatch(Objects::isNull) || array.length < 100) {
                            failedView[v] = true;
                            wrong.add("view " + v + ": " + array.length + " elements, nulls among them: "
                                    + Arrays.stream(array).filter(Objects::isNull).count());
                        }
                    } catch (RuntimeException e) {
                        failedView[v] = true;
                        wrong.add("view " + v + ": " + e);
                    }
                    boolean all = true;
                    for (boolean f : failedView) {
                        all &= f;
                    }
                    if (all) {
                        break;
                    }
                }
            } finally {
                running.set(false);
            }
        });
        assertEquals(List.of(), wrong, "seed " + seed + "; views: 0 keySet, 1 values, 2 entrySet, "
                + "3 descendingKeySet, 4 TSortedSet, 5 TSet");
    }

    /**
     * SortedMap: the entry set's and the values' iterators return "in ascending key order" (of
     * the view). TreeMap's and ConcurrentSkipListMap's spliterators say so (ORDERED), so
     * findFirst() of a parallel stream is the first entry. Here: the values and entries of the map
     * and of its descending map, their spliterators' ORDERED characteristic, and findFirst() of
     * their parallel streams.
     */
    // Regression (session 17): values() and entrySet() spliterators did not report ORDERED (unlike TreeMap/ConcurrentSkipListMap), so parallelStream().findFirst() answers a later entry; the docs say nothing about spliterators
    @Test
    void valuesAndEntriesOfTheSortedViewsStreamInKeyOrder() {
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        for (int i = 0; i < 20_000; i++) {
            map.asMap().put(i, i);
        }
        List<String> wrong = new ArrayList<>();
        List<Supplier<Collection<?>>> views = List.of(() -> map.asMap().values(), () -> map.asMap().entrySet(),
                () -> map.asMap().descendingMap().values(), () -> map.asMap().keySet());
        for (int v = 0; v < views.size(); v++) {
            Collection<?> view = views.get(v).get();
            if (!view.spliterator().hasCharacteristics(java.util.Spliterator.ORDERED)) {
                wrong.add("view " + v + ": spliterator not ORDERED");
            }
            Object first = view.iterator().next();
            for (int trial = 0; trial < 50; trial++) {
                Object found = view.parallelStream().findFirst().orElseThrow();
                if (!first.equals(found)) {
                    wrong.add("view " + v + ": parallelStream().findFirst() " + found + ", first " + first);
                    break;
                }
            }
        }
        TreeMap<Integer, Integer> model = new TreeMap<>(Map.of(1, 1));
        assertTrue(model.values().spliterator().hasCharacteristics(java.util.Spliterator.ORDERED), "TreeMap's are");
        assertEquals(List.of(), wrong, "views: 0 values, 1 entrySet, 2 descending values, 3 keySet");
    }

    /**
     * Cost model (TSortedMap.asMap()): outside a transaction get, containsKey and the navigation
     * calls are lock-free walks "allocating nothing" (get) or "only the result" (a key answer
     * allocates nothing: the keys are the map's own objects). Measured with the thread's allocated
     * bytes over many calls on a tree of two levels, on the map, a sub-map and a descending map:
     * well under 8 bytes per call on average (one Position record or entry per call would be 16
     * or more).
     */
    @Test
    void lookupsAndKeyNavigationOutsideTransactionsAllocateNothing() {
        Object threads;
        java.lang.reflect.Method allocated;
        try { // by reflection: this module reads neither java.management nor jdk.management
            threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no allocation counter on this JVM", e);
        }
        java.util.function.LongSupplier allocatedBytes = () -> {
            try {
                return (Long) allocated.invoke(threads, Thread.currentThread().getId());
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        };
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        Integer[] keys = new Integer[4_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = i * 2;
            map.asMap().put(keys[i], i);
        }
        Integer[] probes = new Integer[keys.length * 2];
        for (int i = 0; i < probes.length; i++) {
            probes[i] = i;
        }
        ConcurrentNavigableMap<Integer, Integer> view = map.asMap();
        ConcurrentNavigableMap<Integer, Integer> sub = view.subMap(1_000, true, 7_000, false);
        ConcurrentNavigableMap<Integer, Integer> down = view.descendingMap();
        List<java.util.function.IntFunction<Object>> calls = List.of(i -> view.get(probes[i]),
                i -> view.containsKey(probes[i]), i -> view.floorKey(probes[i]), i -> view.ceilingKey(probes[i]),
                i -> view.higherKey(probes[i]), i -> view.lowerKey(probes[i]), i -> view.firstKey(),
                i -> view.lastKey(), i -> sub.floorKey(probes[i]), i -> sub.ceilingKey(probes[i]),
                i -> down.higherKey(probes[i]), i -> down.firstKey());
        List<String> wrong = new ArrayList<>();
        long sink = 0;
        for (int c = 0; c < calls.size(); c++) {
            java.util.function.IntFunction<Object> call = calls.get(c);
            for (int i = 0; i < 50_000; i++) { // warm up
                sink += Objects.hashCode(call.apply(i % probes.length));
            }
            long before = allocatedBytes.getAsLong();
            int n = 100_000;
            for (int i = 0; i < n; i++) {
                sink += Objects.hashCode(call.apply(i % probes.length));
            }
            long bytes = allocatedBytes.getAsLong() - before;
            if (bytes > 8L * n) {
                wrong.add("call " + c + ": " + bytes / n + " bytes per call");
            }
        }
        assertTrue(sink != 42, "keep the results alive");
        assertEquals(List.of(), wrong);
    }

    // ================================================================== iterators that outlive their transaction

    /**
     * docs/collections.md: inside a transaction a sorted view's iterator reads "every leaf read in
     * that transaction: exactly its state". An iterator made in a transaction that has ended, used
     * in a later one, must either refuse (IllegalStateException, as TMap's iterators do) or hand
     * out only keys of the map as the later transaction sees it; here the map was cleared since.
     */
    // Regression (session 17): an iterator of an ended transaction, used in a later one, returns 31 keys that were cleared before that transaction began
    @Test
    void aSortedIteratorFromAnEndedTransactionShowsNothingStaleInALaterOne() {
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        for (int i = 0; i < 500; i++) {
            map.asMap().put(i, i);
        }
        List<Supplier<Iterator<?>>> makers = List.of(() -> map.asMap().keySet().iterator(),
                () -> map.asMap().descendingMap().values().iterator(),
                () -> map.asMap().subMap(100, 400).entrySet().iterator());
        List<String> wrong = new ArrayList<>();
        for (int m = 0; m < makers.size(); m++) {
            Supplier<Iterator<?>> maker = makers.get(m);
            Iterator<?> escaped = atomic(() -> {
                Iterator<?> it = maker.get();
                it.next();
                return it;
            });
            TreeMap<Integer, Integer> before = new TreeMap<>(map.asMap());
            map.asMap().clear();
            map.asMap().put(1_000, 1_000);
            List<Object> seen = atomic(() -> {
                List<Object> out = new ArrayList<>();
                try {
                    while (escaped.hasNext()) {
                        out.add(escaped.next());
                    }
                    return out;
                } catch (IllegalStateException refused) {
                    return List.of();
                }
            });
            List<Object> stale = new ArrayList<>();
            for (Object o : seen) {
                boolean present = o instanceof Map.Entry<?, ?> e ? Integer.valueOf(1_000).equals(e.getKey())
                        : o.equals(1_000);
                if (!present) {
                    stale.add(o);
                }
            }
            if (!stale.isEmpty()) {
                wrong.add("iterator " + m + " returned " + stale.size() + " entries not in the map, e.g. "
                        + stale.subList(0, Math.min(3, stale.size())));
            }
            map.asMap().clear();
            map.asMap().putAll(before);
        }
        assertEquals(List.of(), wrong, "the map held only 1000 in the later transaction");
    }

    /**
     * A transaction that rolled back leaves no trace (Stm.atomic): an iterator made inside it,
     * after it put keys, and handed out of it, must not show those keys, which were never
     * committed (TMap's iterators refuse to run outside their transaction).
     */
    // Regression (session 17): an iterator handed out of a rolled-back transaction returns keys that were never committed
    @Test
    void aSortedIteratorFromARolledBackTransactionShowsNoUncommittedKey() {
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        TSortedSet<Integer> set = new TSortedSet<>();
        for (int i = 0; i < 10; i++) {
            map.asMap().put(i, i);
            set.asSet().add(i);
        }
        List<Supplier<Iterator<Integer>>> makers = List.of(() -> map.asMap().keySet().iterator(),
                () -> set.asSet().iterator(), () -> set.asSet().descendingIterator());
        List<String> wrong = new ArrayList<>();
        for (int m = 0; m < makers.size(); m++) {
            AtomicReference<Iterator<Integer>> escaped = new AtomicReference<>();
            Supplier<Iterator<Integer>> maker = makers.get(m);
            assertThrows(DeliberateFailure.class, () -> atomic(() -> {
                map.put(-1, -1);
                map.put(100, 100);
                set.add(-1);
                set.add(100);
                escaped.set(maker.get());
                throw new DeliberateFailure();
            }));
            assertEquals(10, map.asMap().size());
            assertEquals(10, set.asSet().size());
            List<Integer> seen = new ArrayList<>();
            try {
                escaped.get().forEachRemaining(seen::add);
            } catch (IllegalStateException refused) {
                continue;
            }
            if (seen.contains(-1) || seen.contains(100)) {
                wrong.add("iterator " + m + " returned " + seen);
            }
        }
        assertEquals(List.of(), wrong, "-1 and 100 were never committed");
    }

    // ================================================================== concurrency: structure changes

    /**
     * Weakly consistent iterators (docs/collections.md: each entry at most once, changes after
     * creation in parts not yet reached) of the map, its descending map and random sub-maps of
     * both directions, while two threads put and remove noise keys (one-commit writes and
     * transactions of 40 neighbouring keys, so leaves split and merge): every iteration is
     * strictly ordered in its direction, stays in its range, and returns every stable key of its
     * range (stable keys are never touched).
     */
    @Test
    void iteratorsOfEveryDirectionSeeEachStableKeyOnceWhileLeavesSplitAndMerge() {
        long seed = System.nanoTime();
        int span = Scale.of(4_000);
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        TreeSet<Integer> stable = new TreeSet<>();
        for (int k = 0; k < span; k += 4) {
            map.asMap().put(k, k);
            stable.add(k);
        }
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        Racers.Body noise = t -> {
            SplittableRandom random = new SplittableRandom(seed + t);
            while (running.get()) {
                int base = random.nextInt(span);
                if (random.nextInt(8) == 0) {
                    boolean add = random.nextBoolean();
                    atomic(() -> {
                        for (int k = base; k < base + 160; k++) {
                            if (k % 4 != 0) {
                                if (add) {
                                    map.put(k, -1);
                                } else {
                                    map.remove(k);
                                }
                            }
                        }
                    });
                } else {
                    int k = base % 4 == 0 ? base + 1 : base;
                    if (random.nextBoolean()) {
                        map.asMap().put(k, -1);
                    } else {
                        map.asMap().remove(k);
                    }
                }
            }
        };
        Racers.run(seed, noise, noise, t -> {
            SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
            long start = System.nanoTime();
            try {
                for (int round = 0; inBudget(start) && wrong.isEmpty(); round++) {
                    int a = random.nextInt(-10, span + 10);
                    int b = random.nextInt(a, span + 20);
                    boolean ai = random.nextBoolean();
                    boolean bi = random.nextBoolean();
                    int kind = random.nextInt(4);
                    NavigableMap<Integer, Integer> view = switch (kind) {
                        case 0 -> map.asMap();
                        case 1 -> map.asMap().descendingMap();
                        case 2 -> map.asMap().subMap(a, ai, b, bi);
                        default -> map.asMap().subMap(a, ai, b, bi).descendingMap();
                    };
                    NavigableSet<Integer> expected = switch (kind) {
                        case 0 -> stable;
                        case 1 -> stable.descendingSet();
                        case 2 -> stable.subSet(a, ai, b, bi);
                        default -> stable.subSet(a, ai, b, bi).descendingSet();
                    };
                    Comparator<? super Integer> order = kind % 2 == 0 ? Comparator.naturalOrder() : Comparator.reverseOrder();
                    List<Integer> seen = new ArrayList<>();
                    Iterator<Integer> it = random.nextBoolean() ? view.keySet().iterator() : view.navigableKeySet().iterator();
                    it.forEachRemaining(seen::add);
                    String where = "round " + round + ", view kind " + kind + " [" + a + (ai ? "]" : ")") + " .. "
                            + b + (bi ? "]" : ")");
                    for (int i = 1; i < seen.size(); i++) {
                        if (order.compare(seen.get(i - 1), seen.get(i)) >= 0) {
                            wrong.add(where + ": " + seen.get(i - 1) + " then " + seen.get(i));
                            return;
                        }
                    }
                    if (kind >= 2) {
                        for (Integer k : seen) {
                            if (k < a || k > b || (k == a && !ai) || (k == b && !bi)) {
                                wrong.add(where + ": key " + k + " outside the range");
                                return;
                            }
                        }
                    }
                    List<Integer> stableSeen = seen.stream().filter(k -> k % 4 == 0).toList();
                    if (!stableSeen.equals(new ArrayList<>(expected))) {
                        wrong.add(where + ": stable keys " + stableSeen.size() + " of " + expected.size());
                    }
                }
            } finally {
                running.set(false);
            }
        });
        assertEquals(List.of(), wrong, "seed " + seed);
        assertTrue(map.asMap().keySet().containsAll(stable), "seed " + seed);
    }

    /**
     * Lookups and navigation outside transactions (the lock-free walks with their stamp checks) on
     * a three-level tree, of the map, its descending map and sub-maps, while transactions insert
     * and remove runs of 300 noise keys (splitting and merging inner nodes, growing and shrinking
     * the root) and one-commit writes change single noise keys. Stable keys (multiples of 8) are
     * never touched, so: get and containsKey find them, putIfAbsent of one returns its value and
     * writes nothing, floor/ceiling/lower/higher of any key answer within the stable keys that
     * bracket it, and first/last keys are the extreme stable keys.
     */
    @Test
    void navigationWithoutTransactionsNeverMissesAStableKeyWhileInnerNodesSplitAndMerge() {
        long seed = System.nanoTime();
        int span = Scale.of(40_000);
        int last = span - 8;
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        atomic(() -> {
            for (int k = 0; k < span; k += 8) {
                map.put(k, k);
            }
        });
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        Racers.Body noise = t -> {
            SplittableRandom random = new SplittableRandom(seed + t);
            while (running.get()) {
                int base = random.nextInt(span);
                if (random.nextInt(4) == 0) {
                    boolean add = random.nextBoolean();
                    atomic(() -> {
                        for (int k = base; k < Math.min(base + 400, last); k++) { // noise stays between the stable keys
                            if (k % 8 != 0 && k % 4 != 0) {
                                if (add) {
                                    map.put(k, -1);
                                } else {
                                    map.remove(k);
                                }
                            }
                        }
                    });
                } else {
                    int k = base | 1;
                    for (int i = 0; i < 20 && k + 2 * i < last; i++) {
                        if (random.nextBoolean()) {
                            map.asMap().put(k + 2 * i, -1);
                        } else {
                            map.asMap().remove(k + 2 * i);
                        }
                    }
                }
            }
        };
        Racers.Body reader = t -> {
            SplittableRandom random = new SplittableRandom(seed * 7 + t);
            long start = System.nanoTime();
            try {
                while (inBudget(start) && wrong.isEmpty()) {
                    int x = random.nextInt(-3, span + 3);
                    int below = Math.max(0, Math.min(last, Math.floorDiv(x, 8) * 8)); // stable <= x (if x >= 0)
                    int above = Math.min(last, Math.max(0, Math.floorDiv(x + 7, 8) * 8)); // stable >= x (if x <= last)
                    ConcurrentNavigableMap<Integer, Integer> view = map.asMap();
                    int lo = Math.max(0, x - 500 - random.nextInt(500));
                    int hi = Math.min(span, x + 500 + random.nextInt(500));
                    ConcurrentNavigableMap<Integer, Integer> sub = view.subMap(lo, true, hi, true);
                    String where = "x " + x + " (thread " + t + ")";
                    Integer floor = random.nextBoolean() ? view.floorKey(x) : view.descendingMap().ceilingKey(x);
                    Integer ceiling = random.nextBoolean() ? view.ceilingKey(x) : view.descendingMap().floorKey(x);
                    Integer lower = view.lowerKey(x);
                    Integer higher = sub.descendingMap().lowerKey(x);
                    if (x >= 0 && (floor == null || floor < below || floor > x)) {
                        wrong.add(where + ": floorKey " + floor + ", stable " + below);
                    }
                    if (x <= last && (ceiling == null || ceiling > above || ceiling < x)) {
                        wrong.add(where + ": ceilingKey " + ceiling + ", stable " + above);
                    }
                    int stableBelow = Math.floorDiv(x - 1, 8) * 8;
                    if (x > 0 && (lower == null || lower < Math.min(last, stableBelow) || lower >= x)) {
                        wrong.add(where + ": lowerKey " + lower);
                    }
                    int stableAbove = Math.floorDiv(x + 8, 8) * 8;
                    if (x < last && x >= lo && (higher == null || higher > Math.min(hi, Math.max(0, stableAbove))
                            || higher <= x)) {
                        wrong.add(where + ": sub-map higher (descending lowerKey) " + higher + " in [" + lo + ", " + hi + "]");
                    }
                    int s = 8 * random.nextInt(span / 8);
                    if (!Integer.valueOf(s).equals(view.get(s)) || !view.containsKey(s)
                            || !Integer.valueOf(s).equals(view.putIfAbsent(s, -5))) {
                        wrong.add("stable key " + s + " missed by get/containsKey/putIfAbsent");
                    }
                    if (view.firstKey() != 0 || view.lastKey() != last || view.descendingMap().firstKey() != last
                            || sub.firstKey() < lo || sub.firstKey() > lo + 7) {
                        wrong.add(where + ": edge keys " + view.firstKey() + " " + view.lastKey());
                    }
                }
            } finally {
                running.set(false);
            }
        };
        Racers.run(seed, noise, reader, reader);
        assertEquals(List.of(), wrong.subList(0, Math.min(5, wrong.size())), "seed " + seed);
        for (int k = 0; k < span; k += 8) {
            assertEquals(k, map.asMap().get(k), "stable key " + k + " (seed " + seed + ")");
        }
    }

    /**
     * Pollers at both ends of a range (pollFirstEntry and pollLastEntry of a sub-map, of its
     * descending map, of TSortedSet's sub-set, and inside transactions composed with a TList)
     * while one-commit writers put and remove keys just outside the range, in the same edge
     * leaves: each key of the range is taken exactly once, each poller in its order, and no noise
     * key is ever taken.
     */
    @Test
    void pollersAtBothEndsTakeEachKeyOnceWhileNeighboursReshapeTheEdgeLeaves() {
        long seed = System.nanoTime();
        int keys = Scale.of(600);
        long start = System.nanoTime();
        for (int round = 0; round == 0 || inBudget(start); round++) {
            TSortedMap<Integer, Integer> map = new TSortedMap<>();
            TSortedSet<Integer> set = new TSortedSet<>();
            for (int i = 0; i < keys; i++) {
                map.asMap().put(i, i);
                set.asSet().add(i);
            }
            TList<Integer> log = new TList<>();
            ConcurrentNavigableMap<Integer, Integer> range = map.asMap().subMap(0, true, keys - 1, true);
            NavigableSet<Integer> setRange = set.asSet().subSet(0, true, keys, false);
            List<List<Integer>> taken = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                taken.add(new ArrayList<>());
            }
            AtomicBoolean running = new AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicInteger pollers = new java.util.concurrent.atomic.AtomicInteger(4);
            Racers.Body poller = t -> {
                try {
                    while (true) {
                        Integer k = switch (t) {
                            case 0 -> {
                                Map.Entry<Integer, Integer> e = range.pollFirstEntry();
                                yield e == null ? null : e.getKey();
                            }
                            case 1 -> {
                                Map.Entry<Integer, Integer> e = range.descendingMap().pollFirstEntry();
                                yield e == null ? null : e.getKey();
                            }
                            case 2 -> atomic(() -> {
                                Map.Entry<Integer, Integer> e = range.pollLastEntry();
                                if (e != null) {
                                    log.add(e.getKey());
                                }
                                return e == null ? null : e.getKey();
                            });
                            default -> setRange.descendingSet().pollLast();
                        };
                        if (k == null) {
                            break;
                        }
                        taken.get(t).add(k);
                    }
                } finally {
                    pollers.decrementAndGet();
                }
            };
            Racers.run(seed, poller, poller, poller, poller, t -> {
                SplittableRandom random = new SplittableRandom(seed + 77);
                while (pollers.get() > 0) {
                    int k = random.nextBoolean() ? -1 - random.nextInt(40) : keys + random.nextInt(40);
                    if (random.nextBoolean()) {
                        map.asMap().put(k, -1);
                        set.asSet().add(k);
                    } else {
                        map.asMap().remove(k);
                        set.asSet().remove(k);
                    }
                }
                running.set(false);
            });
            String where = "round " + round + " (seed " + seed + ")";
            List<Integer> fromMap = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                fromMap.addAll(taken.get(t));
                List<Integer> sorted = new ArrayList<>(taken.get(t));
                sorted.sort(t == 0 ? Comparator.naturalOrder() : Comparator.reverseOrder());
                assertEquals(sorted, taken.get(t), where + ": poller " + t + " went out of order");
            }
            fromMap.sort(null);
            assertEquals(java.util.stream.IntStream.range(0, keys).boxed().toList(), fromMap, where + ": map keys");
            List<Integer> fromSet = new ArrayList<>(taken.get(3));
            List<Integer> ordered = new ArrayList<>(fromSet);
            ordered.sort(null);
            assertEquals(ordered, fromSet, where + ": the set poller went out of order");
            assertEquals(java.util.stream.IntStream.range(0, keys).boxed().toList(), fromSet, where + ": set keys");
            assertEquals(taken.get(2), log.asList(), where + ": the composed log");
            assertTrue(range.isEmpty() && setRange.isEmpty(), where);
        }
    }

    /**
     * Tokens (values 0..T-1 on even keys) move between keys in transactions (remove + put, also
     * through compute and merge on sub-maps) while one-commit writers put and remove odd noise
     * keys, splitting and merging leaves. Audits inside transactions (a copy of a sub-map, a
     * descending copy, size() against the entries counted in the same transaction, isEmpty) see
     * each token exactly once and an exact size.
     */
    @Test
    void tokensMovedInTransactionsAreSeenOnceByAuditsWhileOneCommitNoiseReshapesTheTree() {
        long seed = System.nanoTime();
        int tokens = 30;
        int span = Scale.of(3_000);
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        for (int i = 0; i < tokens; i++) {
            map.asMap().put(i * 2 * (span / tokens / 2), i);
        }
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        Racers.Body mover = t -> {
            SplittableRandom random = new SplittableRandom(seed + t);
            while (running.get()) {
                int from = 2 * random.nextInt(span / 2);
                int to = 2 * random.nextInt(span / 2);
                int how = random.nextInt(3);
                atomic(() -> {
                    Map.Entry<Integer, Integer> e = map.asMap().ceilingEntry(from);
                    while (e != null && e.getValue() < 0) {
                        e = map.asMap().higherEntry(e.getKey());
                    }
                    if (e == null || map.containsKey(to)) {
                        return;
                    }
                    int token = e.getValue();
                    int fromKey = e.getKey();
                    switch (how) {
                        case 0 -> {
                            map.remove(fromKey);
                            map.put(to, token);
                        }
                        case 1 -> {
                            map.asMap().subMap(fromKey, true, fromKey, true).compute(fromKey, (k, v) -> null);
                            map.asMap().tailMap(to, true).merge(to, token, (a, b) -> -999);
                        }
                        default -> {
                            map.asMap().descendingMap().remove(fromKey, token);
                            map.asMap().headMap(to, true).putIfAbsent(to, token);
                        }
                    }
                });
            }
        };
        Racers.Body noise = t -> {
            SplittableRandom random = new SplittableRandom(seed * 31 + t);
            while (running.get()) {
                int base = 2 * random.nextInt(span / 2) + 1;
                for (int k = base; k < base + 60; k += 2) {
                    map.asMap().put(k, -1);
                }
                for (int k = base; k < base + 60; k += 2) {
                    map.asMap().remove(k);
                }
            }
        };
        Racers.run(seed, mover, mover, noise, t -> {
            long start = System.nanoTime();
            try {
                for (int round = 0; inBudget(start) && wrong.isEmpty(); round++) {
                    int r = round;
                    String problem = atomic(() -> {
                        int[] seen = new int[tokens];
                        NavigableMap<Integer, Integer> view = r % 2 == 0 ? map.asMap().subMap(-1, true, span + 100, false)
                                : map.asMap().descendingMap();
                        long entries = 0;
                        for (Map.Entry<Integer, Integer> e : new ArrayList<>(view.entrySet())) {
                            entries++;
                            if (e.getValue() >= 0) {
                                seen[e.getValue()]++;
                            }
                        }
                        for (int i = 0; i < tokens; i++) {
                            if (seen[i] != 1) {
                                return "token " + i + " seen " + seen[i] + " times";
                            }
                        }
                        if (map.size() != entries || map.asMap().size() != entries) {
                            return "size " + map.size() + " but " + entries + " entries";
                        }
                        if (map.isEmpty() || map.asMap().isEmpty()) {
                            return "isEmpty with " + entries + " entries";
                        }
                        return null;
                    });
                    if (problem != null) {
                        wrong.add("audit " + round + ": " + problem);
                    }
                }
            } finally {
                running.set(false);
            }
        });
        assertEquals(List.of(), wrong, "seed " + seed);
    }

    /**
     * Composition: transactions move tokens between a TSortedMap, a TSortedSet and a TSet (in-
     * transaction methods and view calls mixed, polls from either end of the sorted map, merges,
     * computeIfAbsent), all or nothing, while one-commit noise writes split and merge the sorted
     * collections' leaves. An audit in one transaction finds every token in exactly one of the
     * three, and the sizes of each equal their contents.
     */
    @Test
    void tokensMovedAcrossSortedAndHashCollectionsAreInExactlyOneOfThem() {
        long seed = System.nanoTime();
        int tokens = 200;
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        TSortedSet<Integer> sorted = new TSortedSet<>();
        TSet<Integer> hashed = new TSet<>();
        for (int i = 0; i < tokens; i++) {
            map.asMap().put(i * 4, i * 4); // tokens are multiples of 4; noise is odd
        }
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        Racers.Body mover = t -> {
            SplittableRandom random = new SplittableRandom(seed + t);
            while (running.get()) {
                int probe = 4 * random.nextInt(tokens);
                int how = random.nextInt(4);
                atomic(() -> {
                    switch (how) {
                        case 0 -> { // map -> sorted set, from an end of the token range
                            Map.Entry<Integer, Integer> e = random.nextBoolean()
                                    ? map.asMap().subMap(0, true, 4 * tokens, false).pollFirstEntry()
                                    : map.asMap().headMap(4 * tokens).descendingMap().pollFirstEntry();
                            if (e != null && e.getKey() % 4 != 0) {
                                map.put(e.getKey(), e.getValue()); // noise: put it back
                            } else if (e != null) {
                                sorted.add(e.getKey());
                            }
                        }
                        case 1 -> { // sorted set -> TSet
                            Integer x = sorted.ceiling(probe);
                            if (x != null && sorted.remove(x)) {
                                hashed.asSet().add(x);
                            }
                        }
                        case 2 -> { // TSet -> map
                            if (hashed.remove(probe)) {
                                map.asMap().merge(probe, probe, (a, b) -> -1);
                            }
                        }
                        default -> { // sorted set -> map, by the view
                            if (sorted.asSet().remove(probe)) {
                                map.asMap().computeIfAbsent(probe, k -> k);
                            }
                        }
                    }
                });
            }
        };
        Racers.Body noise = t -> {
            SplittableRandom random = new SplittableRandom(seed * 17 + t);
            while (running.get()) {
                int base = 2 * random.nextInt(2 * tokens) + 1;
                for (int k = base; k < base + 80; k += 2) {
                    map.asMap().put(k, -1);
                    sorted.asSet().add(-k);
                }
                for (int k = base; k < base + 80; k += 2) {
                    map.asMap().remove(k);
                    sorted.asSet().remove(-k);
                }
            }
        };
        Racers.run(seed, mover, mover, noise, t -> {
            long start = System.nanoTime();
            try {
                while (inBudget(start) && wrong.isEmpty()) {
                    String problem = atomic(() -> {
                        int[] seen = new int[tokens];
                        int mapEntries = 0;
                        for (Map.Entry<Integer, Integer> e : map.asMap().entrySet()) {
                            mapEntries++;
                            if (e.getKey() % 4 == 0) {
                                if (!e.getKey().equals(e.getValue())) {
                                    return "token " + e.getKey() + " has value " + e.getValue();
                                }
                                seen[e.getKey() / 4]++;
                            }
                        }
                        int sortedElements = 0;
                        for (int x : sorted.asSet().descendingSet()) {
                            sortedElements++;
                            if (x >= 0) {
                                seen[x / 4]++;
                            }
                        }
                        for (int x : hashed.asSet()) {
                            seen[x / 4]++;
                        }
                        for (int i = 0; i < tokens; i++) {
                            if (seen[i] != 1) {
                                return "token " + 4 * i + " in " + seen[i] + " collections";
                            }
                        }
                        if (map.size() != mapEntries || sorted.size() != sortedElements) {
                            return "sizes " + map.size() + "/" + sorted.size() + " but " + mapEntries + "/"
                                    + sortedElements;
                        }
                        return null;
                    });
                    if (problem != null) {
                        wrong.add(problem);
                    }
                }
            } finally {
                running.set(false);
            }
        });
        assertEquals(List.of(), wrong, "seed " + seed);
    }

    /**
     * The read-modify-write defaults of the view are atomic (each one transaction): counters at a
     * few keys in different leaves, incremented through merge, compute, computeIfPresent, a
     * replace(k, old, new) loop and a remove(k, v) + putIfAbsent pair (on the map, a sub-map and a
     * descending map), while one-commit noise puts and removes split and merge the counters'
     * leaves. No increment is lost: the counters add up to the increments made.
     */
    @Test
    void readModifyWriteCallsLoseNoIncrementWhileLeavesSplitAndMerge() {
        long seed = System.nanoTime();
        int[] counters = {0, 1_000, 2_000, 3_000};
        TSortedMap<Integer, Long> map = new TSortedMap<>();
        for (int k : counters) {
            map.asMap().put(k, 0L);
        }
        AtomicBoolean running = new AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong made = new java.util.concurrent.atomic.AtomicLong();
        Racers.Body incrementer = t -> {
            SplittableRandom random = new SplittableRandom(seed + t);
            long start = System.nanoTime();
            try {
                while (inBudget(start)) {
                    int k = counters[random.nextInt(counters.length)];
                    ConcurrentNavigableMap<Integer, Long> view = switch (random.nextInt(3)) {
                        case 0 -> map.asMap();
                        case 1 -> map.asMap().subMap(k, true, k + 500, false);
                        default -> map.asMap().descendingMap();
                    };
                    switch (random.nextInt(5)) {
                        case 0 -> view.merge(k, 1L, Long::sum);
                        case 1 -> view.compute(k, (key, v) -> v + 1);
                        case 2 -> view.computeIfPresent(k, (key, v) -> v + 1);
                        case 3 -> {
                            for (Long v = view.get(k); !view.replace(k, v, v + 1); v = view.get(k)) {
                                Thread.onSpinWait();
                            }
                        }
                        default -> atomic(() -> {
                            Long v = view.get(k);
                            assertTrue(view.remove(k, v));
                            assertNull(view.putIfAbsent(k, v + 1));
                        });
                    }
                    made.incrementAndGet();
                }
            } finally {
                running.set(false);
            }
        };
        Racers.run(seed, incrementer, incrementer, t -> {
            SplittableRandom random = new SplittableRandom(seed - t);
            while (running.get()) {
                int k = counters[random.nextInt(counters.length)] + random.nextInt(1, 60);
                for (int i = 0; i < 30; i++) {
                    map.asMap().put(k + i, -1L);
                }
                for (int i = 0; i < 30; i++) {
                    map.asMap().remove(k + i);
                }
            }
        });
        long sum = 0;
        for (int k : counters) {
            sum += map.asMap().get(k);
        }
        assertEquals(made.get(), sum, "lost increments (seed " + seed + ")");
        assertEquals(counters.length, map.asMap().size(), "seed " + seed);
    }

    /**
     * clear() (and a sub-map's clear()) racing one-commit puts and removes, on a map and a sorted
     * set: in every transaction size() equals the entries counted, and afterwards the map is
     * exactly a TreeMap copy of itself with a matching size, answered alike by lookups with and
     * without a transaction.
     */
    @Test
    void clearsRacingOneCommitWritesKeepTheSizeExact() {
        long seed = System.nanoTime();
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        TSortedSet<Integer> set = new TSortedSet<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        Racers.Body writer = t -> {
            SplittableRandom random = new SplittableRandom(seed + t);
            while (running.get()) {
                int k = random.nextInt(200);
                if (random.nextInt(3) > 0) {
                    map.asMap().put(k, k);
                    set.asSet().add(k);
                } else {
                    map.asMap().remove(k);
                    set.asSet().remove(k);
                }
            }
        };
        Racers.run(seed, writer, writer, t -> {
            SplittableRandom random = new SplittableRandom(seed - 1);
            while (running.get()) {
                switch (random.nextInt(4)) {
                    case 0 -> map.asMap().clear();
                    case 1 -> map.asMap().subMap(random.nextInt(100), 100 + random.nextInt(100)).clear();
                    case 2 -> set.asSet().clear();
                    default -> set.asSet().headSet(random.nextInt(200)).clear();
                }
                Thread.onSpinWait();
            }
        }, t -> {
            long start = System.nanoTime();
            try {
                while (inBudget(start) && wrong.isEmpty()) {
                    String problem = atomic(() -> {
                        int m = new ArrayList<>(map.asMap().keySet()).size();
                        int s = new ArrayList<>(set.asSet()).size();
                        if (map.size() != m || map.asMap().size() != m) {
                            return "map size " + map.size() + " but " + m + " keys";
                        }
                        if (set.size() != s || set.asSet().size() != s) {
                            return "set size " + set.size() + " but " + s + " elements";
                        }
                        if ((m == 0) != map.isEmpty() || (s == 0) != set.isEmpty()) {
                            return "isEmpty disagrees with " + m + "/" + s;
                        }
                        return null;
                    });
                    if (problem != null) {
                        wrong.add(problem);
                    }
                }
            } finally {
                running.set(false);
            }
        });
        assertEquals(List.of(), wrong, "seed " + seed);
        TreeMap<Integer, Integer> copy = atomic(() -> new TreeMap<>(map.asMap()));
        assertEquals(copy.size(), map.asMap().size(), "seed " + seed);
        for (int k = -1; k <= 200; k++) {
            int key = k;
            assertEquals(copy.get(k), map.asMap().get(k), "get " + k + " (seed " + seed + ")");
            assertEquals(copy.floorKey(k), map.asMap().floorKey(k), "floorKey " + k + " (seed " + seed + ")");
            assertEquals(copy.get(k), atomic(() -> map.get(key)), "get in a transaction " + k);
        }
        TreeSet<Integer> setCopy = atomic(() -> new TreeSet<>(set.asSet()));
        assertEquals(setCopy.size(), set.asSet().size(), "seed " + seed);
    }

    // ================================================================== failure atomicity of nested calls

    /**
     * Stm.atomic: a nested call that throws rolls back only its own writes. View calls that fail
     * half way inside a transaction whose body catches the failure (a sub-set addAll that meets
     * an element outside its range after 300 adds and several splits, a replaceAll whose function
     * throws after 300 replacements, a nested atomic of 300 puts that throws) leave nothing
     * behind: the transaction commits with exactly its other writes, the count equals the
     * entries, and lookups outside transactions (which rely on the tree's shape cell) agree.
     */
    @Test
    void viewCallsFailingHalfWayInsideATransactionLeaveNoPartialWrites() {
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        TSortedSet<Integer> set = new TSortedSet<>();
        TMap<String, Integer> other = new TMap<>();
        for (int i = 0; i < 100; i++) {
            map.asMap().put(i * 10, i);
            set.asSet().add(i * 10);
        }
        TreeMap<Integer, Integer> mapBefore = new TreeMap<>(map.asMap());
        TreeSet<Integer> setBefore = new TreeSet<>(set.asSet());
        List<Integer> adds = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            adds.add(2_000 + i);
        }
        adds.add(99_999); // outside the sub-set below
        atomic(() -> {
            other.put("started", 1);
            try {
                set.asSet().subSet(0, 10_000).addAll(adds);
                fail("added an element outside the sub-set");
            } catch (IllegalArgumentException expected) {
                // nothing of the addAll may remain
            }
            try {
                map.asMap().replaceAll((k, v) -> {
                    if (k == 990) {
                        throw new DeliberateFailure();
                    }
                    return v + 1_000;
                });
                fail("replaceAll did not throw");
            } catch (DeliberateFailure expected) {
                // nothing of the replaceAll may remain
            }
            try {
                Stm.atomic(() -> {
                    for (int i = 0; i < 300; i++) {
                        map.put(5_000 + i, i);
                    }
                    for (int i = 0; i < 60; i++) {
                        map.remove(i * 10);
                    }
                    throw new DeliberateFailure();
                });
            } catch (DeliberateFailure expected) {
                // nothing of the nested atomic may remain
            }
            assertEquals(100, map.size(), "map size inside the transaction");
            assertEquals(100, set.size(), "set size inside the transaction");
            assertEquals(mapBefore, new TreeMap<>(map.asMap()), "map inside the transaction");
            set.add(5);
            map.put(5, 5);
        });
        mapBefore.put(5, 5);
        setBefore.add(5);
        assertEquals(1, other.asMap().get("started"));
        assertEquals(mapBefore, new TreeMap<>(map.asMap()));
        assertEquals(setBefore, new TreeSet<>(set.asSet()));
        assertEquals(101, map.asMap().size());
        assertEquals(101, set.asSet().size());
        assertEquals(101, atomic(map::size));
        for (int k = -5; k < 6_000; k += 7) {
            assertEquals(mapBefore.get(k), map.asMap().get(k), "get " + k);
            assertEquals(mapBefore.ceilingKey(k), map.asMap().ceilingKey(k), "ceilingKey " + k);
            assertEquals(setBefore.lower(k), set.asSet().lower(k), "lower " + k);
        }
        // one-commit writes after the rolled-back splits still land in the right leaves
        for (int i = 0; i < 200; i++) {
            map.asMap().put(1_000 + i, i);
            mapBefore.put(1_000 + i, i);
        }
        assertEquals(mapBefore, atomic(() -> new TreeMap<>(map.asMap())));
        assertEquals(mapBefore.size(), map.asMap().size());
    }

    /**
     * Bulk removals of the set views are one transaction each, all or nothing: a retainAll whose
     * argument's contains() throws on its 50th call, and a removeAll whose argument's iterator
     * throws after 50 elements, remove nothing (TSet, TSortedSet, a sorted key set, a descending
     * sub-set); and bulk calls given the collection itself (removeAll(self), retainAll(self),
     * values().removeAll(values()), addAll(self)) behave as on TreeSet/TreeMap across many leaves.
     */
    @Test
    void bulkRemovalsThatFailHalfWayRemoveNothingAndSelfBulkCallsWork() {
        TSet<Integer> hashed = new TSet<>();
        TSortedSet<Integer> sorted = new TSortedSet<>();
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        for (int i = 0; i < 300; i++) {
            hashed.asSet().add(i);
            sorted.asSet().add(i);
            map.asMap().put(i, i);
        }
        List<Supplier<Set<Integer>>> views = List.of(hashed::asSet, sorted::asSet, () -> map.asMap().keySet(),
                () -> sorted.asSet().subSet(10, true, 290, false).descendingSet());
        for (int v = 0; v < views.size(); v++) {
            Set<Integer> view = views.get(v).get();
            List<Integer> before = new ArrayList<>(view);
            int[] calls = {0};
            Collection<Integer> throwingContains = new java.util.AbstractCollection<>() {
                @Override
                public boolean contains(Object o) {
                    if (++calls[0] == 50) {
                        throw new DeliberateFailure();
                    }
                    return false;
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
            assertThrows(DeliberateFailure.class, () -> view.retainAll(throwingContains), "view " + v);
            assertEquals(before, new ArrayList<>(view), "retainAll of view " + v + " removed some");
            Collection<Integer> throwingIterator = new java.util.AbstractCollection<>() {
                @Override
                public Iterator<Integer> iterator() {
                    return new Iterator<>() {
                        private int next = 10;

                        @Override
                        public boolean hasNext() {
                            return true;
                        }

                        @Override
                        public Integer next() {
                            if (next == 60) {
                                throw new DeliberateFailure();
                            }
                            return next++;
                        }
                    };
                }

                @Override
                public int size() {
                    return 5; // smaller than the set: AbstractSet.removeAll iterates the argument
                }
            };
            assertThrows(DeliberateFailure.class, () -> view.removeAll(throwingIterator), "view " + v);
            assertEquals(before, new ArrayList<>(view), "removeAll of view " + v + " removed some");
        }
        NavigableSet<Integer> set = sorted.asSet();
        assertFalse(set.addAll(set));
        assertFalse(set.retainAll(set));
        assertEquals(300, set.size());
        NavigableSet<Integer> middle = set.subSet(100, true, 200, false);
        assertTrue(middle.removeAll(middle));
        assertTrue(middle.isEmpty());
        assertEquals(200, set.size());
        assertTrue(set.descendingSet().removeAll(set));
        assertTrue(set.isEmpty());
        assertTrue(map.asMap().values().removeAll(map.asMap().headMap(150).values()));
        assertEquals(150, map.asMap().size());
        assertEquals(150, map.asMap().firstKey());
        assertTrue(map.asMap().descendingMap().entrySet().removeAll(map.asMap().tailMap(250).entrySet()));
        assertEquals(new TreeSet<>(java.util.stream.IntStream.range(150, 250).boxed().toList()),
                new TreeSet<>(map.asMap().keySet()));
        assertTrue(hashed.asSet().removeAll(hashed.asSet()));
        assertTrue(hashed.asSet().isEmpty());
    }

    // ================================================================== bounds and comparators vs TreeMap

    /** What a call did: its result (entries by key and value), or the class of the exception it threw. */
    private static Object outcome(Supplier<?> call) {
        try {
            Object result = call.get();
            if (result instanceof Map.Entry<?, ?> e) {
                return Map.entry(e.getKey(), e.getValue());
            }
            if (result instanceof Map<?, ?> m) {
                return new ArrayList<>(m.entrySet()).stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
            }
            return result;
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }

    /**
     * Sub-maps bounded by Integer.MIN_VALUE and Integer.MAX_VALUE, inclusive and exclusive, of a
     * map holding both extremes and their neighbours: contents, navigation, polls on copies,
     * edge keys of empty ranges, writes at and just past the bounds (IllegalArgumentException and
     * nothing written), in ascending and descending order, outside and inside a transaction,
     * all as TreeMap answers.
     */
    @Test
    void extremeBoundsAgreeWithTreeMapOutsideAndInsideTransactions() {
        int[] special = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -1, 0, 1, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
        List<String> wrong = new ArrayList<>();
        for (boolean inTransaction : new boolean[] {false, true}) {
            TSortedMap<Integer, Integer> tsm = new TSortedMap<>();
            TreeMap<Integer, Integer> tree = new TreeMap<>();
            for (int k : special) {
                tsm.asMap().put(k, k);
                tree.put(k, k);
            }
            for (int i = 0; i < 40; i++) { // enough keys for an inner node
                tsm.asMap().put(i * 1_000_003, i);
                tree.put(i * 1_000_003, i);
            }
            for (int a : special) {
                for (int b : special) {
                    for (int flags = 0; flags < 8; flags++) {
                        boolean ai = (flags & 1) != 0;
                        boolean bi = (flags & 2) != 0;
                        boolean down = (flags & 4) != 0;
                        Supplier<NavigableMap<Integer, Integer>> expectedView = () -> {
                            NavigableMap<Integer, Integer> m = down ? tree.descendingMap() : tree;
                            return m.subMap(a, ai, b, bi);
                        };
                        Supplier<NavigableMap<Integer, Integer>> actualView = () -> {
                            NavigableMap<Integer, Integer> m = down ? tsm.asMap().descendingMap() : tsm.asMap();
                            return m.subMap(a, ai, b, bi);
                        };
                        String where = (inTransaction ? "in a transaction: " : "") + (down ? "descending " : "")
                                + "subMap(" + a + ", " + ai + ", " + b + ", " + bi + ")";
                        List<Function<NavigableMap<Integer, Integer>, Object>> calls = List.of(
                                m -> m, NavigableMap::firstKey, NavigableMap::lastKey, NavigableMap::firstEntry,
                                NavigableMap::lastEntry, Map::size, Map::isEmpty,
                                m -> m.ceilingKey(Integer.MIN_VALUE), m -> m.floorKey(Integer.MAX_VALUE),
                                m -> m.higherKey(Integer.MIN_VALUE), m -> m.lowerKey(Integer.MAX_VALUE),
                                m -> m.higherKey(Integer.MAX_VALUE), m -> m.lowerKey(Integer.MIN_VALUE),
                                m -> m.get(Integer.MAX_VALUE), m -> m.containsKey(Integer.MIN_VALUE),
                                m -> m.headMap(b, true), m -> m.tailMap(a, false),
                                m -> new ArrayList<>(m.descendingKeySet()),
                                m -> new ArrayList<>(m.navigableKeySet().descendingSet().headSet(0, true)),
                                m -> m.put(Integer.MAX_VALUE, 42), m -> m.put(Integer.MIN_VALUE, 42),
                                m -> m.putIfAbsent(Integer.MIN_VALUE + 1, 42), m -> m.merge(Integer.MAX_VALUE - 1, 1, Integer::sum),
                                m -> m.compute(0, (k, v) -> v == null ? 1 : null));
                        int firstWrite = 19;
                        for (int c = 0; c < calls.size(); c++) {
                            Function<NavigableMap<Integer, Integer>, Object> call = calls.get(c);
                            boolean writes = c >= firstWrite;
                            TreeMap<Integer, Integer> before = writes ? new TreeMap<>(tree) : null;
                            Object expected = outcome(() -> call.apply(expectedView.get()));
                            Object actual = inTransaction ? atomic(() -> outcome(() -> call.apply(actualView.get())))
                                    : outcome(() -> call.apply(actualView.get()));
                            if (!Objects.equals(expected, actual)) {
                                wrong.add(where + ", call " + c + ": TreeMap " + expected + ", TSortedMap " + actual);
                            }
                            if (writes) {
                                TreeMap<Integer, Integer> after = atomic(() -> new TreeMap<>(tsm.asMap()));
                                if (!after.equals(tree) || tsm.asMap().size() != tree.size()) {
                                    wrong.add(where + ", call " + c + ": maps differ after the call: TreeMap "
                                            + tree.size() + " keys, TSortedMap " + after.size());
                                }
                                // undo, so every call starts from the same map
                                tree.clear();
                                tree.putAll(before);
                                for (int k : special) {
                                    if (!after.containsKey(k) || !after.get(k).equals(k)) {
                                        tsm.asMap().put(k, k);
                                    }
                                }
                                atomic(() -> {
                                    for (Integer k : new ArrayList<>(tsm.asMap().keySet())) {
                                        if (!before.containsKey(k)) {
                                            tsm.remove(k);
                                        }
                                    }
                                });
                                assertEquals(before, atomic(() -> new TreeMap<>(tsm.asMap())), where + ", undo");
                            }
                            if (wrong.size() > 20) {
                                fail(String.join("\n", wrong));
                            }
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    /**
     * A comparator that throws at random (one call in 150) while armed: every view call that
     * throws leaves the map exactly as it was (puts and removes through the one-commit paths,
     * putAll and sub-map clears over many leaves, compute, polls, a transaction of several
     * calls), every call that returns did all it should, and between calls the map (content,
     * size, navigation) equals a TreeMap that got the calls that returned.
     */
    @Test
    void aComparatorThatThrowsAtRandomNeverLeavesAHalfDoneCall() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] armed = {false};
        SplittableRandom faults = new SplittableRandom(seed + 1);
        Comparator<Integer> flaky = (a, b) -> {
            if (armed[0] && faults.nextInt(150) == 0) {
                throw new DeliberateFailure();
            }
            return Integer.compare(a, b);
        };
        TSortedMap<Integer, Integer> map = new TSortedMap<>(flaky);
        TreeMap<Integer, Integer> model = new TreeMap<>();
        for (int i = 0; i < 1_000; i += 2) {
            map.asMap().put(i, i);
            model.put(i, i);
        }
        int failures = 0;
        for (int step = 0; step < Scale.of(1_500); step++) {
            int k = random.nextInt(1_100);
            int w = random.nextInt(1, 300);
            int op = random.nextInt(7);
            int value = step;
            java.util.function.Consumer<NavigableMap<Integer, Integer>> call = switch (op) {
                case 0 -> m -> m.put(k, value);
                case 1 -> m -> m.remove(k);
                case 2 -> m -> {
                    Map<Integer, Integer> add = new TreeMap<>();
                    for (int i = k; i < k + w; i += 3) {
                        add.put(i, -i);
                    }
                    m.putAll(add);
                };
                case 3 -> m -> m.subMap(k, true, k + w, false).clear();
                case 4 -> m -> m.compute(k, (key, v) -> v == null ? Integer.valueOf(1) : (v % 2 == 0 ? null : Integer.valueOf(v + 1)));
                case 5 -> m -> m.subMap(k, true, k + w, false).descendingMap().pollFirstEntry();
                default -> m -> {
                    m.remove(k);
                    m.put(k + 1, 1);
                    m.headMap(k + w, false).pollLastEntry();
                };
            };
            boolean inTx = op == 6 || random.nextInt(3) == 0;
            armed[0] = true;
            try {
                if (inTx) {
                    atomic(() -> call.accept(map.asMap()));
                } else {
                    call.accept(map.asMap());
                }
                armed[0] = false;
                call.accept(model);
            } catch (DeliberateFailure thrown) {
                armed[0] = false;
                failures++;
            } finally {
                armed[0] = false;
            }
            String where = "step " + step + ", op " + op + ", key " + k + ", width " + w + (inTx ? " in a transaction" : "")
                    + " (seed " + seed + ")";
            TreeMap<Integer, Integer> actual = atomic(() -> new TreeMap<>(map.asMap()));
            if (!model.equals(actual)) {
                TreeMap<Integer, Integer> missing = new TreeMap<>(model);
                missing.entrySet().removeAll(actual.entrySet());
                TreeMap<Integer, Integer> extra = new TreeMap<>(actual);
                extra.entrySet().removeAll(model.entrySet());
                fail(where + ": missing " + missing + ", extra " + extra);
            }
            assertEquals(model.size(), map.asMap().size(), where);
            int q = random.nextInt(1_100);
            assertEquals(model.floorKey(q), map.asMap().floorKey(q), where);
            assertEquals(model.higherKey(q), map.asMap().higherKey(q), where);
            assertEquals(model.get(q), map.asMap().get(q), where);
        }
        assertTrue(failures > 0, "the comparator never threw (seed " + seed + ")");
    }

    /**
     * A comparator inconsistent with equals (case-insensitive strings): "a" and "A" are one key.
     * Random puts, removes, putIfAbsent, replace, remove(k, v), merges and navigation through the
     * map, a sub-map, the key set and a TSortedSet behave as TreeMap and TreeSet with the same
     * comparator, key spelling included (the first spelling put stays).
     */
    @Test
    void aComparatorInconsistentWithEqualsBehavesAsTreeMap() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        Comparator<String> order = String.CASE_INSENSITIVE_ORDER;
        TSortedMap<String, Integer> tsm = new TSortedMap<>(order);
        TreeMap<String, Integer> tree = new TreeMap<>(order);
        TSortedSet<String> tss = new TSortedSet<>(order);
        TreeSet<String> treeSet = new TreeSet<>(order);
        List<String> wrong = new ArrayList<>();
        for (int step = 0; step < Scale.of(4_000); step++) {
            String key = randomSpelling(random);
            int value = random.nextInt(5);
            int op = random.nextInt(12);
            boolean inTx = random.nextInt(4) == 0;
            Function<NavigableMap<String, Integer>, Object> call = switch (op) {
                case 0 -> m -> m.put(key, value);
                case 1 -> m -> m.remove(key);
                case 2 -> m -> m.putIfAbsent(key, value);
                case 3 -> m -> m.replace(key, value);
                case 4 -> m -> m.remove(key, value);
                case 5 -> m -> m.merge(key, value, (x, y) -> x + y > 6 ? null : x + y);
                case 6 -> m -> m.ceilingKey(key);
                case 7 -> m -> m.floorEntry(key);
                case 8 -> m -> m.subMap("b", true, "q", false).put(key, value);
                case 9 -> m -> m.keySet().remove(key);
                case 10 -> m -> m.higherKey(key);
                default -> m -> m.containsKey(key);
            };
            Object expected = outcome(() -> call.apply(tree));
            Object actual = inTx ? atomic(() -> outcome(() -> call.apply(tsm.asMap()))) : outcome(() -> call.apply(tsm.asMap()));
            if (!Objects.equals(expected, actual)) {
                wrong.add("step " + step + " op " + op + " key " + key + ": TreeMap " + expected + ", TSortedMap " + actual);
            }
            int setOp = random.nextInt(4);
            Function<NavigableSet<String>, Object> setCall = switch (setOp) {
                case 0 -> s -> s.add(key);
                case 1 -> s -> s.remove(key);
                case 2 -> s -> s.contains(key);
                default -> s -> s.floor(key);
            };
            Object expectedSet = outcome(() -> setCall.apply(treeSet));
            Object actualSet = outcome(() -> setCall.apply(tss.asSet()));
            if (!Objects.equals(expectedSet, actualSet)) {
                wrong.add("step " + step + " set op " + setOp + " key " + key + ": TreeSet " + expectedSet
                        + ", TSortedSet " + actualSet);
            }
            if (wrong.size() > 10) {
                break;
            }
        }
        assertEquals(List.of(), wrong, "seed " + seed);
        assertEquals(new ArrayList<>(tree.entrySet()), new ArrayList<>(new TreeMap<>(tsm.asMap()).entrySet()), "seed " + seed);
        assertEquals(new ArrayList<>(tree.keySet()), new ArrayList<>(tsm.asMap().keySet()), "spelling, seed " + seed);
        assertEquals(new ArrayList<>(treeSet), new ArrayList<>(tss.asSet()), "set spelling, seed " + seed);
        assertEquals(tree, tsm.asMap(), "seed " + seed);
    }

    private static String randomSpelling(SplittableRandom random) {
        char[] chars = new char[1 + random.nextInt(2)];
        for (int i = 0; i < chars.length; i++) {
            char c = (char) ('a' + random.nextInt(26));
            chars[i] = random.nextBoolean() ? Character.toUpperCase(c) : c;
        }
        return new String(chars);
    }

    /**
     * Edge calls on empty collections and ranges, as java.util says, outside and inside a
     * transaction: firstKey/lastKey/first/last throw NoSuchElementException, polls and
     * navigation answer null, the in-transaction TSortedMap/TSortedSet edge methods answer null
     * (their Javadoc), and a sub-map emptied by polls reports isEmpty and size 0 while the rest
     * of the map stays.
     */
    @Test
    void edgeCallsOnEmptyMapsAndRangesAnswerAsJavaUtil() {
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        TSortedSet<Integer> set = new TSortedSet<>();
        for (boolean inTx : new boolean[] {false, true}) {
            Function<Supplier<Object>, Object> run = call -> inTx ? atomic(() -> outcome(call)) : outcome(call);
            ConcurrentNavigableMap<Integer, Integer> view = map.asMap();
            assertEquals(NoSuchElementException.class, run.apply(view::firstKey));
            assertEquals(NoSuchElementException.class, run.apply(view::lastKey));
            assertEquals(NoSuchElementException.class, run.apply(() -> view.descendingMap().firstKey()));
            assertEquals(NoSuchElementException.class, run.apply(() -> set.asSet().first()));
            assertEquals(NoSuchElementException.class, run.apply(() -> set.asSet().descendingSet().last()));
            assertNull(run.apply(view::pollFirstEntry));
            assertNull(run.apply(() -> view.descendingMap().pollLastEntry()));
            assertNull(run.apply(() -> set.asSet().pollFirst()));
            assertNull(run.apply(() -> view.ceilingKey(Integer.MIN_VALUE)));
            assertNull(run.apply(() -> set.asSet().lower(Integer.MAX_VALUE)));
            assertEquals(true, run.apply(view::isEmpty));
            assertEquals(0, run.apply(view::size));
        }
        assertNull(atomic(map::firstKey));
        assertNull(atomic(set::last));
        assertNull(atomic(map::pollLastEntry));
        for (int i = 0; i < 200; i++) {
            map.asMap().put(i, i);
            set.asSet().add(i);
        }
        ConcurrentNavigableMap<Integer, Integer> middle = map.asMap().subMap(50, 150);
        NavigableSet<Integer> middleSet = set.asSet().subSet(50, true, 150, false).descendingSet();
        for (int i = 0; i < 100; i++) {
            assertEquals(50 + i, middle.pollFirstEntry().getKey());
            assertEquals(149 - i, middleSet.pollFirst());
        }
        assertNull(middle.pollFirstEntry());
        assertNull(middleSet.pollFirst());
        assertTrue(middle.isEmpty() && middleSet.isEmpty());
        assertEquals(0, middle.size() + middleSet.size());
        assertThrows(NoSuchElementException.class, middle::firstKey);
        assertThrows(NoSuchElementException.class, middleSet::last);
        assertEquals(100, map.asMap().size());
        assertEquals(100, set.asSet().size());
        assertEquals(49, map.asMap().lowerKey(150));
        assertEquals(150, set.asSet().higher(49));
        assertFalse(middle.containsKey(100));
    }
}
