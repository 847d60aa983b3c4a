package dev.weft.collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Snapshots and lock-free lookups while writers grow the trie (leaves split into nodes, snapshots
 * force writers to copy nodes). Each writer inserts its keys in order, so every consistent state
 * holds a prefix of each writer's keys.
 */
class TMapConcurrencyTest {
    static final int WRITERS = 2;

    static long key(int writer, int i) {
        return ((long) writer << 32) | i;
    }

    /** Reads the keys present (some consistent state, if the source is correct). */
    @FunctionalInterface
    interface KeySource {
        List<Long> keys(ConcurrentMap<Long, Integer> map, int perWriter, Runnable midway);
    }

    static final KeySource SNAPSHOT_ITERATOR = (map, perWriter, midway) -> {
        List<Long> keys = new ArrayList<>();
        var it = map.keySet().iterator();
        midway.run();
        it.forEachRemaining(keys::add);
        return keys;
    };

    /** Broken: one lookup per key, in order; the midway hook runs after the first miss. */
    static final KeySource LOOKUP_BY_KEY = (map, perWriter, midway) -> {
        List<Long> keys = new ArrayList<>();
        boolean missed = false;
        for (int w = 0; w < WRITERS; w++) {
            for (int i = 0; i < perWriter; i++) {
                if (map.containsKey(key(w, i))) {
                    keys.add(key(w, i));
                } else if (!missed) {
                    missed = true;
                    midway.run();
                }
            }
        }
        return keys;
    };

    /** Fails unless {@code keys} holds, for every writer, exactly the keys 0..k-1 for some k. */
    static void assertPrefixes(List<Long> keys, String where) {
        int[] count = new int[WRITERS];
        int[] max = {-1, -1};
        for (long k : keys) {
            int w = (int) (k >>> 32);
            count[w]++;
            max[w] = Math.max(max[w], (int) k);
        }
        for (int w = 0; w < WRITERS; w++) {
            assertEquals(max[w] + 1, count[w], "writer " + w + "'s keys are not a prefix: " + where);
        }
    }

    static void checkWhileWritersInsert(KeySource source, long seed) {
        checkWhileWritersInsert(source, seed, Scale.of(30_000));
    }

    static TMap<Long, Integer> checkWhileWritersInsert(KeySource source, long seed, int perWriter) {
        TMap<Long, Integer> map = new TMap<>();
        ConcurrentMap<Long, Integer> view = map.asMap();
        AtomicIntegerArray published = new AtomicIntegerArray(WRITERS); // keys below are committed
        Racers.Body writer = w -> {
            for (int i = 0; i < perWriter; i++) {
                view.put(key(w, i), i);
                published.set(w, i + 1);
            }
        };
        Racers.Body reader = r -> {
            int checks = 0;
            while (published.get(0) < perWriter || published.get(1) < perWriter) {
                for (int w = 0; w < WRITERS; w++) {
                    int done = published.get(w);
                    if (done > 0) {
                        assertNotNull(view.get(key(w, done - 1)), "a committed key is missing (seed " + seed + ")");
                    }
                }
                if (checks++ % 8 == 0) {
                    int[] before = {published.get(0), published.get(1)};
                    // a midway write by this thread: insert the next keys of writer 0's range from
                    // the far end, which no consistent reader may see before the keys below them
                    List<Long> keys = source.keys(view, perWriter, () -> {
                        view.put(key(0, perWriter + 1), -1);
                        view.remove(key(0, perWriter + 1));
                    });
                    assertPrefixes(keys, "seed " + seed + ", published " + before[0] + "/" + before[1]);
                }
            }
        };
        Racers.run(seed, writer, writer, reader);
        assertEquals(WRITERS * perWriter, view.size());
        assertPrefixes(new ArrayList<>(view.keySet()), "final state, seed " + seed);
        return map;
    }

    @Test
    void snapshotsAndLookupsSeeConsistentStatesWhileTheTrieGrows() {
        checkWhileWritersInsert(SNAPSHOT_ITERATOR, System.nanoTime());
    }

    /**
     * The same checks on maps that grow from empty to 800 entries, many times: each crosses the
     * moment the root node widens (see HashTrie), with lookups and snapshot iterators running and
     * the writers' commits racing the widening's.
     */
    @Test
    void snapshotsAndLookupsSeeConsistentStatesWhileTheRootWidens() {
        for (int trial = 0; trial < Scale.of(200); trial++) {
            long seed = System.nanoTime();
            TMap<Long, Integer> map = checkWhileWritersInsert(SNAPSHOT_ITERATOR, seed, 400);
            assertEquals(1_024, map.trie().rootWidth(), "the root did not widen (seed " + seed + ")");
        }
    }

    /**
     * Snapshots copy the root lazily: a slot gets its cell of a new generation when first used,
     * linked behind the old one, and the root's element is then pointed at it. A snapshot that
     * copies the root's elements between those two steps leaves the new root pointing at the old
     * cell, and lookups must follow the link or lose the write. Here one thread rewrites every key
     * in turn (so it keeps making new cells), another takes snapshots in a loop, and a third checks
     * that no lookup returns less than the value last published for its key, and that each
     * snapshot's total of values lies between the totals published before and after it.
     */
    @Test
    void lookupsAndSnapshotsKeepUpWithWritesWhileSnapshotsRace() {
        long seed = System.nanoTime();
        int keys = 3_000;
        TMap<Integer, Long> map = new TMap<>();
        ConcurrentMap<Integer, Long> view = map.asMap();
        java.util.concurrent.atomic.AtomicLongArray published = new java.util.concurrent.atomic.AtomicLongArray(keys);
        java.util.concurrent.atomic.AtomicLong publishedTotal = new java.util.concurrent.atomic.AtomicLong();
        for (int k = 0; k < keys; k++) {
            view.put(k, 0L);
        }
        int rounds = Scale.of(40);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Racers.Body writer = w -> {
            for (long v = 1; v <= rounds; v++) {
                for (int k = 0; k < keys; k++) {
                    if ((k & 1) == 0) {
                        view.put(k, v);
                    } else {
                        int key = k;
                        long value = v;
                        dev.weft.stm.Stm.atomic(() -> map.put(key, value));
                    }
                    published.set(k, v);
                    publishedTotal.incrementAndGet();
                }
            }
            done.set(true);
        };
        Racers.Body snapshotter = s -> {
            while (!done.get()) {
                long before = publishedTotal.get();
                long total = 0;
                for (long v : view.values()) {
                    total += v;
                }
                long after = publishedTotal.get();
                if (total < before || total > after + 1) {
                    throw new AssertionFailedError("a snapshot's total " + total + " is outside ["
                            + before + ", " + (after + 1) + "] (seed " + seed + ")");
                }
            }
        };
        Racers.Body reader = r -> {
            java.util.Random random = new java.util.Random(seed);
            while (!done.get()) {
                int k = random.nextInt(keys);
                long expected = published.get(k);
                Long seen = view.get(k);
                if (seen == null || seen < expected) {
                    throw new AssertionFailedError("key " + k + " read " + seen + " after " + expected
                            + " was published (seed " + seed + ")");
                }
            }
        };
        Racers.run(seed, writer, snapshotter, reader);
        for (int k = 0; k < keys; k++) {
            assertEquals((long) rounds, view.get(k), "key " + k + " at the end (seed " + seed + ")");
        }
    }

    @Test
    void brokenTwinKeyByKeyLookupsAreCaught() {
        // The midway hook here is replaced by one that inserts a later key while an earlier one is
        // missing, so the key-by-key source sees a hole: deterministic.
        long seed = System.nanoTime();
        TMap<Long, Integer> map = new TMap<>();
        ConcurrentMap<Long, Integer> view = map.asMap();
        for (int i = 0; i < 100; i++) {
            view.put(key(0, i), i);
        }
        List<Long> keys = LOOKUP_BY_KEY.keys(view, 200, () -> {
            view.put(key(0, 100), 100);
            view.put(key(0, 101), 101);
        });
        assertThrows(AssertionFailedError.class, () -> assertPrefixes(keys, "seed " + seed));
        // and the snapshot source, given the same hook, stays consistent
        TMap<Long, Integer> other = new TMap<>();
        for (int i = 0; i < 100; i++) {
            other.asMap().put(key(0, i), i);
        }
        assertPrefixes(SNAPSHOT_ITERATOR.keys(other.asMap(), 200, () -> {
            other.asMap().put(key(0, 100), 100);
            other.asMap().remove(key(0, 50));
        }), "seed " + seed);
    }

    /**
     * The view's single-key writes outside transactions (each one guarded commit of a leaf and a
     * count stripe) next to transactions that count the entries they iterate, snapshot
     * iterations (which make writers copy nodes) and clears (which replace the root): every
     * transaction sees the count equal to the entries, and so does the final state.
     */
    @Test
    void oneCommitWritesKeepTheCountInStepWithTheEntries() {
        long seed = System.nanoTime();
        int operations = Scale.of(40_000);
        int keyRange = 2_048;
        TMap<Integer, Integer> map = new TMap<>();
        ConcurrentMap<Integer, Integer> view = map.asMap();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger writersLeft = new java.util.concurrent.atomic.AtomicInteger(WRITERS);
        Racers.Body writer = w -> {
            java.util.SplittableRandom random = new java.util.SplittableRandom(seed + w);
            for (int i = 0; i < operations; i++) {
                int key = random.nextInt(keyRange);
                switch (random.nextInt(6)) {
                    case 0, 1 -> view.put(key, i);
                    case 2 -> view.putIfAbsent(key, i);
                    case 3 -> view.replace(key, i);
                    case 4 -> view.remove(key);
                    default -> {
                        Integer old = view.get(key);
                        if (old != null) {
                            view.remove(key, old);
                        }
                    }
                }
            }
            if (writersLeft.decrementAndGet() == 0) {
                writing.set(false);
            }
        };
        Racers.Body checker = c -> {
            int rounds = 0;
            while (writing.get()) {
                dev.weft.stm.Stm.atomic(() -> {
                    int[] entries = {0};
                    map.forEach((k, v) -> entries[0]++);
                    assertEquals(entries[0], map.size(), "a transaction saw the count apart from the entries (seed " + seed + ")");
                });
                if (++rounds % 4 == 0) {
                    java.util.Set<Integer> listed = new java.util.HashSet<>();
                    for (Integer key : view.keySet()) { // a snapshot: writers must copy under it
                        assertEquals(true, listed.add(key), "a snapshot listed " + key + " twice (seed " + seed + ")");
                    }
                }
                if (rounds % 64 == 0) {
                    view.clear();
                }
            }
        };
        Racers.run(seed, writer, writer, checker);
        int[] entries = {0};
        view.forEach((k, v) -> entries[0]++);
        assertEquals(entries[0], view.size(), "seed " + seed);
    }

    /**
     * A key whose {@code equals} runs a hook once: a write outside a transaction compares keys
     * after it has read the trie and before it commits, so the hook lands exactly in that window.
     */
    static final class HookKey {
        final int id;
        Runnable hook;

        HookKey(int id) {
            this.id = id;
        }

        @Override
        public int hashCode() {
            return id;
        }

        @Override
        public boolean equals(Object other) {
            Runnable once = hook;
            hook = null;
            if (once != null) {
                once.run();
            }
            return other instanceof HookKey key && key.id == id;
        }
    }

    /** Filler keys of {@link #deepMapWith}: enough that leaves sit below a second level of nodes. */
    static final int FILLERS = 2_000;

    /** A map three levels deep (root node, nodes, leaves) which holds {@code stored}. */
    static ConcurrentMap<HookKey, String> deepMapWith(HookKey stored) {
        ConcurrentMap<HookKey, String> view = new TMap<HookKey, String>().asMap();
        for (int i = 100; i < 100 + FILLERS; i++) {
            view.put(new HookKey(i), "filler");
        }
        view.put(stored, "old");
        return view;
    }

    /** A clear() between a write's reads and its commit: the write must land after it, in the new tree. */
    @Test
    void aWriteThatReadTheTreeBeforeAClearCommitsAfterIt() {
        HookKey stored = new HookKey(7);
        ConcurrentMap<HookKey, String> view = deepMapWith(stored);
        stored.hook = view::clear;
        assertEquals(null, view.put(new HookKey(7), "new"), "the put must come after the clear");
        assertEquals(1, view.size());
        assertEquals("new", view.get(new HookKey(7)));
    }

    /**
     * A snapshot between a write's reads and its commit: the snapshot must not see the write, which
     * must go to copies of the nodes the snapshot froze (its leaf's node is one level down).
     */
    @Test
    void aWriteThatReadTheTreeBeforeASnapshotStaysOutOfIt() {
        HookKey stored = new HookKey(7);
        ConcurrentMap<HookKey, String> view = deepMapWith(stored);
        List<java.util.Iterator<java.util.Map.Entry<HookKey, String>>> snapshot = new ArrayList<>();
        stored.hook = () -> snapshot.add(view.entrySet().iterator());
        assertEquals("old", view.put(new HookKey(7), "new"));
        List<String> seen = new ArrayList<>();
        snapshot.get(0).forEachRemaining(e -> {
            if (e.getKey().id == 7) {
                seen.add(e.getValue());
            }
        });
        assertEquals(List.of("old"), seen, "the snapshot was taken before the put");
        assertEquals("new", view.get(new HookKey(7)));
        assertEquals(FILLERS + 1, view.size());
    }
}
