package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.collections.TSortedMapConcurrencyTest.HookKey;
import dev.weft.stm.Stm;
import dev.weft.stm.StmStatistics;
import java.util.Comparator;
import java.util.Map;
import java.util.List;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The sorted map view's navigation outside transactions (lower, floor, ceiling, higher, first,
 * last): a lock-free walk that reads the key's leaf and, when that leaf has no answer, the leaf
 * next to it. Races placed mid-walk by a key whose comparison runs a hook (writes to both leaves,
 * splits, merges), a stress test of an invariant that only a linearizable answer keeps, answers of
 * sub-map and descending views against a {@link TreeMap}, and the claim that it runs no
 * transaction.
 */
class TSortedMapNavigationTest {

    /** A map of keys 0..32 in two leaves, [0..15] and [16..32] (separator 16), less {@code removed}. */
    private static TSortedMap<HookKey, String> twoLeaves(int... removed) {
        TSortedMap<HookKey, String> map = new TSortedMap<>();
        for (int i = 0; i <= 32; i++) {
            map.asMap().put(new HookKey(i), "v" + i);
        }
        for (int key : removed) {
            map.asMap().remove(new HookKey(key));
        }
        return map;
    }

    private static HookKey probe(int id, int trigger, Runnable hook) {
        HookKey probe = new HookKey(id);
        probe.trigger = trigger;
        probe.hook = hook;
        return probe;
    }

    private static Integer id(HookKey key) {
        return key == null ? null : key.id;
    }

    private static void putInOtherThread(TSortedMap<HookKey, String> map, int... keys) {
        Thread writer = new Thread(() -> atomic(() -> {
            for (int key : keys) {
                map.put(new HookKey(key), "new" + key);
            }
        }));
        writer.start();
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    // ------------------------------------------------------------------ neighbour leaf changed mid-walk

    /**
     * The floor of 18 is not in its leaf [21..32], so the walk goes on to the left leaf
     * [0..14]. Between the two reads, 17 is put into the right leaf and then 15 into the left
     * one: the floor was 14 before and 17 after, never 15, which is what a walk that does not
     * check the first leaf again would answer.
     */
    private static Integer floorWhileBothLeavesChange(
            BiFunction<ConcurrentNavigableMap<HookKey, String>, HookKey, HookKey> navigation,
            boolean inOneTransaction) {
        TSortedMap<HookKey, String> map = twoLeaves(15, 16, 17, 18, 19, 20);
        ConcurrentNavigableMap<HookKey, String> view = map.asMap();
        HookKey probe = probe(18, 21, () -> { // 21: compared while searching the right leaf
            if (inOneTransaction) {
                putInOtherThread(map, 17, 15);
            } else {
                view.put(new HookKey(17), "new17");
                view.put(new HookKey(15), "new15");
            }
        });
        Integer answer = id(navigation.apply(view, probe));
        assertNull(probe.hook, "the hook did not run: the race was not placed");
        return answer;
    }

    @Test
    void aFloorFromTheLeftLeafIsCheckedAgainstItsOwnLeafAfterOneCommitWrites() {
        assertEquals(17, floorWhileBothLeavesChange(ConcurrentNavigableMap::floorKey, false));
        assertEquals(17, floorWhileBothLeavesChange(ConcurrentNavigableMap::lowerKey, false));
        assertEquals(17, floorWhileBothLeavesChange((view, key) -> view.floorEntry(key).getKey(), false));
        assertEquals(17, floorWhileBothLeavesChange((view, key) -> view.descendingMap().ceilingKey(key), false));
        assertEquals(17, floorWhileBothLeavesChange((view, key) -> view.headMap(new HookKey(25)).floorKey(key), false));
    }

    @Test
    void aFloorFromTheLeftLeafIsCheckedAgainstItsOwnLeafAfterATransactionOfAnotherThread() {
        assertEquals(17, floorWhileBothLeavesChange(ConcurrentNavigableMap::floorKey, true));
        assertEquals(17, floorWhileBothLeavesChange((view, key) -> view.descendingMap().higherKey(key), true));
    }

    /**
     * The mirror image: the ceiling of 12 is not in its leaf [0..9]; between the reads 13 goes
     * into that leaf and 16 into the right leaf [17..32]. The ceiling was 17, then 13, never 16.
     */
    private static Integer ceilingWhileBothLeavesChange(
            BiFunction<ConcurrentNavigableMap<HookKey, String>, HookKey, HookKey> navigation) {
        TSortedMap<HookKey, String> map = twoLeaves(10, 11, 12, 13, 14, 15, 16);
        ConcurrentNavigableMap<HookKey, String> view = map.asMap();
        HookKey probe = probe(12, 9, () -> { // 9: compared while searching the left leaf
            view.put(new HookKey(13), "new13");
            view.put(new HookKey(16), "new16");
        });
        Integer answer = id(navigation.apply(view, probe));
        assertNull(probe.hook, "the hook did not run: the race was not placed");
        return answer;
    }

    @Test
    void aCeilingFromTheRightLeafIsCheckedAgainstItsOwnLeaf() {
        assertEquals(13, ceilingWhileBothLeavesChange(ConcurrentNavigableMap::ceilingKey));
        assertEquals(13, ceilingWhileBothLeavesChange(ConcurrentNavigableMap::higherKey));
        assertEquals(13, ceilingWhileBothLeavesChange((view, key) -> view.ceilingEntry(key).getKey()));
        assertEquals(13, ceilingWhileBothLeavesChange((view, key) -> view.descendingMap().floorKey(key)));
        assertEquals(13, ceilingWhileBothLeavesChange((view, key) -> view.tailMap(new HookKey(5)).ceilingKey(key)));
    }

    // ------------------------------------------------------------------ structure changed mid-walk

    /**
     * The walk reads the root (separator 16), then an insert splits the full leaf [16..47]:
     * its ref keeps [16..31] and 40 moves to a new leaf. A walk that does not check the shape
     * answers from the old ref: floor 31 and no ceiling at all, for a key present throughout.
     */
    @Test
    void aSplitBetweenReadingTheRootAndTheLeafIsNotMissed() {
        for (boolean floor : new boolean[] {true, false}) {
            ConcurrentNavigableMap<HookKey, String> view = TSortedMapConcurrencyTest.mapOf(0, 48);
            HookKey probe = probe(40, 16, () -> view.put(new HookKey(48), "v48"));
            assertEquals(40, id(floor ? view.floorKey(probe) : view.ceilingKey(probe)), floor ? "floor" : "ceiling");
            assertNull(probe.hook, "the hook did not run: the race was not placed");
        }
    }

    /**
     * The floor of 18 is not in its leaf [21..32]; before the walk reads the left leaf [0..15],
     * removals shrink that leaf so that it merges with the right one (into the left leaf's ref)
     * and the root collapses to the merged leaf, from which 15 is then removed. The right leaf's
     * ref is dropped unwritten, so its stamp still matches: only the shape check stops the walk
     * from answering 15 from the merged leaf still in the left leaf's ref.
     */
    @Test
    void aMergeBetweenReadingTheTwoLeavesIsNotMissed() {
        TSortedMap<HookKey, String> map = twoLeaves(16, 17, 18, 19, 20);
        ConcurrentNavigableMap<HookKey, String> view = map.asMap();
        HookKey probe = probe(18, 21, () -> {
            for (int i = 0; i < 9; i++) { // the left leaf drops to 7 entries: merged with the right
                view.remove(new HookKey(i));
            }
            view.remove(new HookKey(15));
        });
        assertEquals(14, id(view.floorKey(probe)));
        assertNull(probe.hook, "the hook did not run: the race was not placed");
    }

    // ------------------------------------------------------------------ transactions

    @Test
    void insideATransactionNavigationSeesTheTransactionsOwnWrites() {
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        ConcurrentNavigableMap<Integer, Integer> view = map.asMap();
        for (int i = 0; i < 200; i += 2) {
            view.put(i, i);
        }
        atomic(() -> {
            view.put(51, 51);
            view.remove(0);
            view.put(1_000, 1_000);
            assertEquals(51, view.floorKey(51));
            assertEquals(51, view.lowerKey(52));
            assertEquals(51, view.ceilingKey(51));
            assertEquals(51, view.higherKey(50));
            assertEquals(2, view.firstKey());
            assertEquals(1_000, view.lastKey());
            assertEquals(51, view.descendingMap().higherKey(52));
            assertEquals(51, view.subMap(51, 52).firstKey());
        });
    }

    /** The claim of the cost model: outside a transaction, navigation begins and commits none. */
    @Test
    void outsideATransactionNavigationRunsNoTransaction() {
        ConcurrentNavigableMap<Integer, Integer> view = new TSortedMap<Integer, Integer>().asMap();
        for (int i = 0; i < 2_000; i += 2) {
            view.put(i, i);
        }
        ConcurrentNavigableMap<Integer, Integer> range = view.subMap(100, true, 1_500, false).descendingMap();
        StmStatistics before = Stm.statistics();
        long sum = 0;
        for (int k = -10; k < 2_010; k++) {
            sum += orZero(view.floorKey(k)) + orZero(view.ceilingKey(k)) + orZero(view.lowerKey(k))
                    + orZero(view.higherKey(k)) + orZero(range.floorKey(k)) + orZero(range.higherKey(k));
            sum += view.firstKey() + view.lastKey() + view.firstEntry().getKey() + range.lastKey();
        }
        StmStatistics delta = Stm.statistics().minus(before);
        assertEquals(0, delta.commits() + delta.readOnlyCommits(), "transactions run: " + delta + " (sum " + sum + ")");
    }

    private static int orZero(Integer key) {
        return key == null ? 0 : key;
    }

    // ------------------------------------------------------------------ stress

    /**
     * Natural order, slowed down (about 200 ns a comparison) on threads that ask for it: a
     * reader's search of its first leaf then takes about a microsecond, about as long as a
     * writer's transaction, so writes often land between the two leaf reads of a walk.
     */
    private static final class ReaderPacedOrder implements Comparator<Integer> {
        private static final ThreadLocal<Boolean> SLOW = ThreadLocal.withInitial(() -> false);

        static void slowDownThisThread() {
            SLOW.set(true);
        }

        @Override
        public int compare(Integer a, Integer b) {
            if (SLOW.get()) {
                long until = System.nanoTime() + 200;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            return Integer.compare(a, b);
        }
    }

    /**
     * Keys 0 .. 16 * leaves - 1, put in ascending order, lie in leaves [16k, 16k + 15]. Of each
     * pair {16k - 1, 16k}, which straddles a leaf boundary, exactly one key is in the map at
     * every moment: a writer swaps a pair's key in one transaction, 63 times on one "focus" pair,
     * then moves to another. Every fourth step the same writer also moves a window of keys above
     * {@code windowBase} up by one (one transaction: the next key in, the lowest out), so that
     * leaves split and merge and the inner nodes above every leaf change. Two readers, outside
     * transactions, ask about the focus pair (floor of 16k, ceiling of 16k - 1, lower of 16k + 1,
     * higher of 16k - 2, also through a descending view and sub-maps): in every state the answer
     * is a key of that pair, but a walk that combined two leaves read at different moments, with
     * a swap in between, answers 16k - 2 or 16k + 1. They also ask for the window's lowest and
     * highest key, which in a linearizable history never go down from one call to the next.
     */
    @Test
    void navigationNeverSeesAPairWithoutItsKeyNorAWindowGoingBack() {
        long seed = System.nanoTime();
        int leaves = 32;
        int windowBase = 1_000_000;
        int window = 100;
        int steps = Scale.of(40_000);
        TSortedMap<Integer, Integer> map = new TSortedMap<>(new ReaderPacedOrder());
        ConcurrentNavigableMap<Integer, Integer> view = map.asMap();
        for (int key = 0; key < 16 * leaves; key++) {
            view.put(key, key);
        }
        SplittableRandom start = new SplittableRandom(seed - 1);
        for (int k = 1; k < leaves; k++) {
            view.remove(16 * k - start.nextInt(2));
        }
        for (int key = windowBase; key < windowBase + window; key++) {
            view.put(key, key);
        }
        AtomicInteger focus = new AtomicInteger(1);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        AtomicBoolean aReadDone = new AtomicBoolean();
        Racers.Body writer = t -> {
            SplittableRandom random = new SplittableRandom(seed);
            try {
                for (int n = 0; n < steps; n++) {
                    if (n == steps / 2) {
                        // a reader starved on a busy machine could otherwise miss the writer altogether
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        while (!aReadDone.get()) {
                            assertTrue(System.nanoTime() - deadline < 0, "no reader read within 60 s (seed " + seed + ")");
                            Thread.yield();
                        }
                    }
                    if (n % 63 == 0) {
                        focus.set(1 + random.nextInt(leaves - 1));
                    }
                    int high = 16 * focus.get();
                    atomic(() -> {
                        if (map.remove(high) != null) {
                            map.put(high - 1, high - 1);
                        } else {
                            assertEquals(high - 1, map.remove(high - 1),
                                    "pair " + high + " had no key (seed " + seed + ")");
                            map.put(high, high);
                        }
                    });
                    if (n % 4 != 0) {
                        continue;
                    }
                    int bottom = windowBase + n / 4;
                    atomic(() -> {
                        map.put(bottom + window, bottom + window);
                        map.remove(bottom);
                    });
                }
            } finally {
                running.set(false);
            }
        };
        Racers.Body reader = r -> {
            ReaderPacedOrder.slowDownThisThread();
            SplittableRandom random = new SplittableRandom(seed + 2 + r);
            int lowest = windowBase;
            int highest = windowBase + window - 1;
            int done = 0;
            while (running.get()) {
                int high = 16 * focus.get();
                Integer answer = switch (random.nextInt(10)) {
                    case 0 -> view.floorKey(high);
                    case 1 -> view.ceilingKey(high - 1);
                    case 2 -> view.lowerKey(high + 1);
                    case 3 -> view.higherKey(high - 2);
                    case 4 -> view.descendingMap().ceilingKey(high);
                    case 5 -> view.descendingMap().higherKey(high + 1);
                    case 6 -> view.headMap(high + 1).lastKey();
                    case 7 -> view.tailMap(high - 2, false).firstEntry().getKey();
                    case 8 -> view.floorEntry(high).getValue();
                    default -> {
                        int low = random.nextBoolean() ? view.ceilingKey(windowBase)
                                : view.tailMap(windowBase).firstKey();
                        int top = random.nextBoolean() ? view.lastKey() : view.descendingMap().firstEntry().getKey();
                        if (low < lowest || top < highest) {
                            fail("the window went back: lowest " + lowest + " then " + low + ", highest " + highest
                                    + " then " + top + " (seed " + seed + ")");
                        }
                        lowest = low;
                        highest = top;
                        yield high;
                    }
                };
                if (answer == null || (answer != high - 1 && answer != high)) {
                    fail("asked about pair {" + (high - 1) + ", " + high + "}, got " + answer + " (seed " + seed + ")");
                }
                if (done++ == 0) {
                    aReadDone.set(true);
                }
            }
            reads.addAndGet(done);
        };
        Racers.run(seed, writer, reader, reader);
        atomic(() -> {
            for (int k = 1; k < leaves; k++) {
                assertTrue(map.containsKey(16 * k - 1) != map.containsKey(16 * k),
                        "pair " + 16 * k + " (seed " + seed + ")");
            }
            assertEquals(16 * leaves - (leaves - 1) + window, map.size(), "seed " + seed);
        });
        assertTrue(reads.get() > 0, "the reader read nothing");
    }

    /**
     * A writer appends ascending keys, then prepends descending ones, so that the last (then the
     * first) leaf splits every 16 keys; the split keeps the lower (upper) half in the old leaf's
     * ref. A reader asks for the last (first) key outside transactions, without pacing: the
     * answers can only grow (shrink), but a walk of the edge path that did not check the shape
     * answers from the old ref when a split lands between its reads of the parent and the leaf.
     */
    @Test
    void theLastKeyNeverGoesDownNorTheFirstKeyUpWhileTheEdgeLeavesSplit() {
        long seed = System.nanoTime();
        int keys = Scale.of(60_000);
        ConcurrentNavigableMap<Integer, Integer> view = new TSortedMap<Integer, Integer>().asMap();
        view.put(0, 0);
        AtomicBoolean appending = new AtomicBoolean(true);
        AtomicBoolean running = new AtomicBoolean(true);
        Racers.Body writer = t -> {
            try {
                for (int k = 1; k <= keys; k++) {
                    view.put(k, k);
                }
                appending.set(false);
                for (int k = -1; k >= -keys; k--) {
                    view.put(k, k);
                }
            } finally {
                running.set(false);
            }
        };
        Racers.Body reader = r -> {
            int last = 0;
            int first = 0;
            while (running.get()) {
                if (appending.get()) {
                    int now = view.lastKey();
                    assertTrue(now >= last, "last key " + last + ", then " + now + " (seed " + seed + ")");
                    last = now;
                } else {
                    int now = view.firstEntry().getKey();
                    assertTrue(now <= first, "first key " + first + ", then " + now + " (seed " + seed + ")");
                    first = now;
                }
            }
        };
        Racers.run(seed, writer, reader);
    }

    // ------------------------------------------------------------------ views against a TreeMap

    /**
     * Random puts and removals (in runs, so that ranges thin out and navigation crosses leaves),
     * and after each, every navigation call on a random view (nested sub-maps with inclusive and
     * exclusive bounds, descending forms) with keys inside, outside and on its bounds, outside a
     * transaction and inside one, against the same view of a {@link TreeMap}; a view refuses
     * the same bounds as the TreeMap's.
     */
    @Test
    void subMapAndDescendingViewsNavigateAsATreeMap() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        NavigableMap<Integer, Integer> model = new TreeMap<>();
        int keys = 2_000;
        for (int step = 0; step < Scale.of(2_000); step++) {
            int from = random.nextInt(keys);
            boolean removing = (step / 300) % 2 == 1;
            for (int k = from; k < Math.min(keys, from + random.nextInt(40)); k++) {
                if (removing ? random.nextInt(4) != 0 : random.nextInt(3) == 0) {
                    assertEquals(model.remove(k), map.asMap().remove(k));
                } else {
                    assertEquals(model.put(k, step), map.asMap().put(k, step));
                }
            }
            NavigableMap<Integer, Integer> expected = model;
            ConcurrentNavigableMap<Integer, Integer> actual = map.asMap();
            int[] bounds = new int[4];
            int levels = random.nextInt(3);
            for (int level = 0; level < levels; level++) {
                int kind = random.nextInt(3);
                int a = random.nextInt(-10, keys + 10);
                int b = random.nextInt(-10, keys + 10);
                boolean ai = random.nextBoolean();
                boolean bi = random.nextBoolean();
                NavigableMap<Integer, Integer> narrower = narrow(expected, kind, a, ai, b, bi);
                NavigableMap<Integer, Integer> narrowerView = narrow(actual, kind, a, ai, b, bi);
                assertEquals(narrower == null, narrowerView == null, "bounds " + a + (ai ? "]" : ")") + " "
                        + b + (bi ? "]" : ")") + " of kind " + kind + ": refused by one map only (seed " + seed + ")");
                if (narrower == null) {
                    continue; // bounds outside the view's range: refused by both
                }
                bounds[2 * level] = a;
                bounds[2 * level + 1] = b;
                expected = narrower;
                actual = (ConcurrentNavigableMap<Integer, Integer>) narrowerView;
                if (random.nextBoolean()) {
                    expected = expected.descendingMap();
                    actual = actual.descendingMap();
                }
            }
            String where = "step " + step + " (seed " + seed + ")";
            for (int probe = 0; probe < 12; probe++) { // first on and next to the bounds
                int k = probe < 4 ? bounds[probe] + random.nextInt(-1, 2) : random.nextInt(-10, keys + 10);
                assertNavigatesAlike(expected, actual, k, where + ", key " + k);
            }
            assertEdgesAlike(expected, actual, where);
        }
    }

    /**
     * A narrower view of a sub-map refuses a bound outside the sub-map's range, at either end, as
     * the {@link NavigableMap} contract and {@link TreeMap} do (an exclusive bound may sit on an
     * exclusive end).
     */
    @Test
    void aNarrowerViewRefusesTheBoundsATreeMapRefuses() {
        NavigableMap<Integer, Integer> model = new TreeMap<Integer, Integer>().subMap(10, false, 20, false);
        NavigableMap<Integer, Integer> view = new TSortedMap<Integer, Integer>().asMap().subMap(10, false, 20, false);
        for (NavigableMap<Integer, Integer> range : List.of(model, view)) {
            range.put(15, 15);
        }
        for (int a = 5; a <= 25; a += 5) {
            for (int b = a; b <= 25; b += 5) {
                for (int kind = 0; kind < 3; kind++) {
                    for (int inclusive = 0; inclusive < 4; inclusive++) {
                        boolean ai = (inclusive & 1) != 0;
                        boolean bi = (inclusive & 2) != 0;
                        NavigableMap<Integer, Integer> expected = narrow(model, kind, a, ai, b, bi);
                        NavigableMap<Integer, Integer> actual = narrow(view, kind, a, ai, b, bi);
                        String where = "kind " + kind + ", " + a + (ai ? "]" : ")") + " " + b + (bi ? "]" : ")");
                        assertEquals(expected == null, actual == null, "refused by one map only: " + where);
                        assertEquals(expected, actual, where);
                        assertEquals(expected == null ? null : expected.descendingMap().toString(),
                                actual == null ? null : actual.descendingMap().toString(), where);
                    }
                }
            }
        }
    }

    /** A head map (kind 0), tail map (1) or sub-map (2) of {@code map}, or null if it refuses the bounds. */
    private static NavigableMap<Integer, Integer> narrow(NavigableMap<Integer, Integer> map, int kind, int a,
            boolean ai, int b, boolean bi) {
        try {
            return switch (kind) {
                case 0 -> map.headMap(a, ai);
                case 1 -> map.tailMap(a, ai);
                default -> inOrder(map, a, b) ? map.subMap(a, ai, b, bi) : map.subMap(b, bi, a, ai);
            };
        } catch (IllegalArgumentException outOfRange) {
            return null;
        }
    }

    private static boolean inOrder(NavigableMap<Integer, Integer> map, int a, int b) {
        Comparator<? super Integer> order = map.comparator();
        return (order == null ? Integer.compare(a, b) : order.compare(a, b)) <= 0;
    }

    private static void assertNavigatesAlike(NavigableMap<Integer, Integer> expected,
            ConcurrentNavigableMap<Integer, Integer> actual, int k, String where) {
        assertEquals(expected.lowerKey(k), actual.lowerKey(k), "lowerKey, " + where);
        assertEquals(expected.floorKey(k), actual.floorKey(k), "floorKey, " + where);
        assertEquals(expected.ceilingKey(k), actual.ceilingKey(k), "ceilingKey, " + where);
        assertEquals(expected.higherKey(k), actual.higherKey(k), "higherKey, " + where);
        assertEquals(expected.lowerEntry(k), actual.lowerEntry(k), "lowerEntry, " + where);
        assertEquals(expected.floorEntry(k), actual.floorEntry(k), "floorEntry, " + where);
        assertEquals(expected.ceilingEntry(k), actual.ceilingEntry(k), "ceilingEntry, " + where);
        assertEquals(expected.higherEntry(k), actual.higherEntry(k), "higherEntry, " + where);
        assertEquals(expected.floorKey(k), atomic(() -> actual.floorKey(k)), "floorKey in a transaction, " + where);
        assertEquals(expected.higherKey(k), atomic(() -> actual.higherKey(k)), "higherKey in a transaction, " + where);
    }

    private static void assertEdgesAlike(NavigableMap<Integer, Integer> expected,
            ConcurrentNavigableMap<Integer, Integer> actual, String where) {
        assertEquals(expected.firstEntry(), actual.firstEntry(), "firstEntry, " + where);
        assertEquals(expected.lastEntry(), actual.lastEntry(), "lastEntry, " + where);
        assertEquals(orThrown(expected::firstKey), orThrown(actual::firstKey), "firstKey, " + where);
        assertEquals(orThrown(expected::lastKey), orThrown(actual::lastKey), "lastKey, " + where);
        assertEquals(expected.isEmpty(), actual.isEmpty(), "isEmpty, " + where);
    }

    private static Object orThrown(Supplier<Integer> call) {
        try {
            return call.get();
        } catch (NoSuchElementException empty) {
            return "NoSuchElementException";
        }
    }

    @Test
    void firstAndLastKeyOfAnEmptyRangeThrowOutsideATransaction() {
        ConcurrentNavigableMap<Integer, Integer> view = new TSortedMap<Integer, Integer>().asMap();
        for (int i = 0; i < 100; i++) {
            view.put(i * 10, i);
        }
        ConcurrentNavigableMap<Integer, Integer> gap = view.subMap(11, 20);
        assertThrows(NoSuchElementException.class, gap::firstKey);
        assertThrows(NoSuchElementException.class, gap::lastKey);
        assertNull(gap.firstEntry());
        assertNull(gap.descendingMap().ceilingKey(15));
        assertEquals(Map.entry(10, 1), view.headMap(11).lastEntry());
    }
}
