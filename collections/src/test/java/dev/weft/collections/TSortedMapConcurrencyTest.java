package dev.weft.collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The sorted map view's calls outside transactions (a lock-free get, one guarded commit per put
 * or remove) against structural changes (splits, merges, the root growing and collapsing):
 * deterministic races placed by a key whose comparison runs a hook, and a stress test.
 */
class TSortedMapConcurrencyTest {

    /** A key whose comparison (either way round) with the key {@code trigger} runs {@code hook} once. */
    static final class HookKey implements Comparable<HookKey> {
        final int id;
        int trigger = -1;
        Runnable hook;

        HookKey(int id) {
            this.id = id;
        }

        @Override
        public int compareTo(HookKey other) { // the probe may be either side of a comparison
            fireIfComparedWith(other);
            other.fireIfComparedWith(this);
            return Integer.compare(id, other.id);
        }

        private void fireIfComparedWith(HookKey other) {
            if (hook != null && other.id == trigger) {
                Runnable once = hook;
                hook = null;
                once.run();
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof HookKey key && key.id == id;
        }

        @Override
        public int hashCode() {
            return id;
        }
    }

    static ConcurrentNavigableMap<HookKey, String> mapOf(int from, int to) {
        ConcurrentNavigableMap<HookKey, String> view = new TSortedMap<HookKey, String>().asMap();
        for (int i = from; i < to; i++) {
            view.put(new HookKey(i), "v" + i);
        }
        return view;
    }

    /**
     * A put or remove reads the leaf of its key (the right one of two); before it commits,
     * removals shrink the left leaf until it merges with the right one into the left one's ref,
     * and the root collapses to that leaf. The right leaf's ref is dropped without being written,
     * so only the shape guard can stop the write from landing there.
     */
    static ConcurrentNavigableMap<HookKey, String> mapWhoseRightLeafIsDroppedDuring(HookKey probe) {
        ConcurrentNavigableMap<HookKey, String> view = mapOf(0, 33); // leaves [0..15] and [16..32]
        probe.trigger = 24; // a key of the right leaf, not the separator: the walk is done
        probe.hook = () -> {
            for (int i = 0; i < 9; i++) { // the left leaf drops to 7 entries: merged with the right
                view.remove(new HookKey(i));
            }
        };
        return view;
    }

    @Test
    void aPutThatReadItsLeafBeforeAMergeCommitsIntoTheMergedTree() {
        HookKey probe = new HookKey(30);
        ConcurrentNavigableMap<HookKey, String> view = mapWhoseRightLeafIsDroppedDuring(probe);
        assertEquals("v30", view.put(probe, "new"));
        assertEquals("new", view.get(new HookKey(30)), "the put went into a leaf the tree no longer holds");
        assertEquals(24, view.size());
    }

    @Test
    void aRemoveThatReadItsLeafBeforeAMergeCommitsIntoTheMergedTree() {
        HookKey probe = new HookKey(30);
        ConcurrentNavigableMap<HookKey, String> view = mapWhoseRightLeafIsDroppedDuring(probe);
        assertEquals("v30", view.remove(probe));
        assertEquals(null, view.get(new HookKey(30)), "the removal went into a leaf the tree no longer holds");
        assertEquals(23, view.size());
    }

    /**
     * A get reads the root (separator 16), then, before it reads the child, an insert splits that
     * child and moves the key into a new right leaf: the get must still find it.
     */
    @Test
    void aGetThatReadTheRootBeforeASplitStillFindsAKeyThatMoved() {
        ConcurrentNavigableMap<HookKey, String> view = mapOf(0, 48); // leaves [0..15] and [16..47]: full
        HookKey probe = new HookKey(40);
        probe.trigger = 16; // the root's separator
        probe.hook = () -> view.put(new HookKey(48), "v48"); // splits [16..48] at 32
        assertEquals("v40", view.get(probe), "a key present throughout was missed");
    }

    /**
     * Two writers, each owning every other key, put and remove at random (leaves split and merge,
     * the root grows and collapses) and check after every call that their own keys read back as
     * they left them; a third thread's transactions check that the count equals the entries and
     * that the keys are sorted. A write lost into a dropped leaf, or a get misled by a split,
     * breaks the writers' check.
     */
    @Test
    void writersSeeTheirOwnWritesWhileTheTreeReshapes() {
        long seed = System.nanoTime();
        int operations = Scale.of(30_000);
        int keyRange = 600;
        TSortedMap<Integer, Integer> map = new TSortedMap<>();
        ConcurrentNavigableMap<Integer, Integer> view = map.asMap();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger writersLeft = new AtomicInteger(2);
        @SuppressWarnings("unchecked")
        Map<Integer, Integer>[] expected = new Map[] {new HashMap<>(), new HashMap<>()};
        Racers.Body writer = w -> {
            SplittableRandom random = new SplittableRandom(seed + w);
            Map<Integer, Integer> mine = expected[w];
            for (int i = 0; i < operations; i++) {
                int key = random.nextInt(keyRange / 2) * 2 + w;
                // runs of inserts, then of removals, so that leaves fill up and drain
                boolean insert = (i / 500) % 2 == 0 ? random.nextInt(4) != 0 : random.nextInt(4) == 0;
                if (insert) {
                    boolean onlyIfAbsent = random.nextBoolean();
                    Integer old = onlyIfAbsent ? view.putIfAbsent(key, i) : view.put(key, i);
                    assertEquals(mine.get(key), old, "key " + key + " (seed " + seed + ")");
                    if (!onlyIfAbsent || old == null) {
                        mine.put(key, i);
                    }
                } else {
                    assertEquals(mine.remove(key), view.remove(key), "key " + key + " (seed " + seed + ")");
                }
                int probe = random.nextInt(keyRange / 2) * 2 + w;
                assertEquals(mine.get(probe), view.get(probe), "key " + probe + " (seed " + seed + ")");
            }
            if (writersLeft.decrementAndGet() == 0) {
                writing.set(false);
            }
        };
        Racers.Body checker = c -> {
            while (writing.get()) {
                Stm.atomic(() -> {
                    int entries = 0;
                    int last = Integer.MIN_VALUE;
                    for (int key : map.asMap().keySet()) {
                        assertTrue(key > last, "keys out of order (seed " + seed + ")");
                        last = key;
                        entries++;
                    }
                    assertEquals(entries, map.size(), "the count apart from the entries (seed " + seed + ")");
                });
            }
        };
        Racers.run(seed, writer, writer, checker);
        Map<Integer, Integer> all = new HashMap<>(expected[0]);
        all.putAll(expected[1]);
        assertEquals(all, new HashMap<>(view), "seed " + seed);
        assertEquals(all.size(), view.size());
    }
}
