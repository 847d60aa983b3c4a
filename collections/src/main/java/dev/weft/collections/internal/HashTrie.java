package dev.weft.collections.internal;

import dev.weft.refs.Ref;
import dev.weft.stm.Stm;
import dev.weft.stm.spi.Barrier;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The engine of {@code TMap}: a transactional hash trie with copy-on-write snapshots.
 *
 * <p>Thread-safety: the {@code tx*} methods act in the calling thread's running transaction; the
 * caller has checked that one runs. {@link #lookupAnywhere}, {@link #snapshot} and the iterators
 * work with or without one.
 */
public final class HashTrie<K, V> {
    /*
     * Overview.
     *
     * Shape. The map is one Ref, root, holding null (empty), a leaf, or a Node. A leaf is an
     * immutable Object[] {k0, v0, k1, v1, ...} of at most LEAF_MAX entries (more only at the last
     * level, where the hash bits are used up). A Node is an immutable array of WIDTH Refs, each
     * holding null, a leaf or a Node; the node at depth d is indexed by hash bits [5d, 5d + 5).
     * Keys are placed by spread(hashCode()).
     *
     * Conflicts. A write changes exactly one slot Ref (the one holding its leaf) plus one stripe of
     * the StripedCount; every operation reads the Refs on its path. Two writes conflict only when
     * they change the same leaf (keys whose spread hashes share the path), or add from threads
     * sharing a count stripe. There is no hot cell: the root Ref and the upper slots are written
     * only when a leaf there splits (once per LEAF_MAX inserts at most) or by a snapshot.
     *
     * Growth. A leaf that overflows is replaced, in the same write, by a Node holding the leaves
     * its entries split into. Nodes never turn back into leaves (only clear() drops them), so the
     * path of a key only ever gets longer; this monotonicity is what makes the lock-free lookup
     * below linearizable. Like ConcurrentHashMap, the structure does not shrink on removal.
     *
     * Snapshots (generations). Every Node carries the generation it was created in; the root
     * Node's generation is the current one. snapshot() replaces the root Node by a copy with the
     * next generation (fresh Refs holding the same children) and keeps the old root: from its
     * commit on, nothing writes a Ref of an older generation, so the old tree is frozen and can be
     * walked without a transaction. A writer that descends into a Node older than the root copies
     * it (fresh Refs, same children) and links the copy into its parent before writing below it;
     * the frozen original stays as the snapshot saw it. Every writer reads the root Ref, so a
     * writer that raced with a snapshot either committed before it (and is in it) or fails
     * validation. A snapshot costs O(WIDTH); each Node is copied at most once per snapshot.
     *
     * Lock-free lookup (outside transactions). lookupAnywhere walks root and slots with
     * single-cell reads. Each read returns a committed value; a slot that holds a Node holds it
     * (or a copy of it) forever, and a frozen Node's contents equal the live contents at the
     * moment it was replaced. So the leaf finally read was, at the moment its slot was read or at
     * the moment the Node holding that slot was replaced, whichever came first, the live leaf of
     * the key: the lookup is linearizable at that moment, which lies inside the call.
     */

    static final int BITS = 5;
    static final int WIDTH = 1 << BITS;
    static final int MASK = WIDTH - 1;
    /** Entries per leaf before it splits (except below the last level). */
    static final int LEAF_MAX = 8;
    /** Leaves whose split shift would be at least this many bits cannot split. */
    static final int HASH_BITS = 32;

    /** An inner node: WIDTH slots and the generation it belongs to. Immutable; the slots are not. */
    static final class Node {
        final int generation;
        final Ref<Object>[] slots;

        @SuppressWarnings("unchecked")
        Node(int generation) {
            this.generation = generation;
            this.slots = (Ref<Object>[]) new Ref<?>[WIDTH];
        }

        /** A copy in {@code newGeneration}: fresh slots with this node's children (transactional reads). */
        Node copy(int newGeneration) {
            Node copy = new Node(newGeneration);
            for (int i = 0; i < WIDTH; i++) {
                copy.slots[i] = new Ref<>(slots[i].get());
            }
            return copy;
        }
    }

    private final Ref<Object> root = new Ref<>(null);
    private final StripedCount count = new StripedCount();
    /** Made once, so a size() outside a transaction does not allocate a lambda per call. */
    private final LongSupplier sizeBody = this::txSize;

    /** Mixes the hash so that keys with patterned hash codes still spread over every level. */
    static int spread(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }

    // ------------------------------------------------------------------ reads

    /** The value of {@code key} in the running transaction, or null. Allocation-free. */
    public V txGet(Object key) {
        int h = spread(key.hashCode());
        Object current = root.get();
        int shift = 0;
        while (current instanceof Node node) {
            current = node.slots[(h >>> shift) & MASK].get();
            shift += BITS;
        }
        return valueIn(current, key);
    }

    /**
     * The value of {@code key} in the running transaction if there is one, otherwise a
     * linearizable lock-free lookup (see the overview). Allocation-free.
     */
    public V lookupAnywhere(Object key) {
        if (Stm.inTransaction()) {
            return txGet(key);
        }
        int h = spread(key.hashCode());
        // Single-cell reads straight through the SPI: a Ref's atomic() view would allocate a view
        // object per slot Ref and look the transaction up again at every level.
        Object current = Barrier.peekObject(root);
        int shift = 0;
        while (current instanceof Node node) {
            current = Barrier.peekObject(node.slots[(h >>> shift) & MASK]);
            shift += BITS;
        }
        return valueIn(current, key);
    }

    @SuppressWarnings("unchecked")
    private static <V> V valueIn(Object leaf, Object key) {
        if (leaf == null) {
            return null;
        }
        Object[] entries = (Object[]) leaf;
        for (int i = 0; i < entries.length; i += 2) {
            Object k = entries[i];
            if (k == key || k.equals(key)) {
                return (V) entries[i + 1];
            }
        }
        return null;
    }

    public long txSize() {
        return count.sum();
    }

    /** The number of entries, in the running transaction or as a transaction of its own. */
    public long sizeAnywhere() {
        return Stm.atomicLong(sizeBody);
    }

    // ------------------------------------------------------------------ writes

    /** Write operations understood by {@link #txUpdate}. */
    public static final int PUT = 0;
    public static final int PUT_IF_ABSENT = 1;
    public static final int REPLACE = 2;
    public static final int REPLACE_IF_EQUALS = 3;
    public static final int REMOVE = 4;
    public static final int REMOVE_IF_EQUALS = 5;
    public static final int COMPUTE = 6;
    public static final int COMPUTE_IF_ABSENT = 7;
    public static final int COMPUTE_IF_PRESENT = 8;
    public static final int MERGE = 9;

    /**
     * The compute family and merge, in the running transaction: the function runs between a read
     * and a write of the key (it may itself use the map in the same transaction; the write then
     * goes through a fresh lookup, so nothing the function wrote elsewhere is lost).
     *
     * @param function the user's function (COMPUTE, COMPUTE_IF_PRESENT, MERGE: a BiFunction;
     *                 COMPUTE_IF_ABSENT: a Function)
     * @param value MERGE's value, otherwise unused
     * @return the value associated afterwards, or null if none
     */
    @SuppressWarnings("unchecked")
    public V txCompute(K key, int op, Object function, V value) {
        V old = txGet(key);
        V updated;
        switch (op) {
            case COMPUTE -> updated = ((BiFunction<? super K, ? super V, ? extends V>) function).apply(key, old);
            case COMPUTE_IF_ABSENT -> {
                if (old != null) {
                    return old;
                }
                updated = ((Function<? super K, ? extends V>) function).apply(key);
            }
            case COMPUTE_IF_PRESENT -> {
                if (old == null) {
                    return null;
                }
                updated = ((BiFunction<? super K, ? super V, ? extends V>) function).apply(key, old);
            }
            case MERGE -> updated = old == null ? value
                    : ((BiFunction<? super V, ? super V, ? extends V>) function).apply(old, value);
            default -> throw new IllegalArgumentException("unknown operation " + op);
        }
        if (updated != old) {
            txUpdate(key, updated == null ? REMOVE : PUT, updated, null);
        }
        return updated;
    }

    /**
     * Applies one write operation to {@code key} in the running transaction.
     *
     * <p>Returns, by operation: PUT, PUT_IF_ABSENT, REPLACE, REMOVE: the previous value (or null);
     * REPLACE_IF_EQUALS, REMOVE_IF_EQUALS: {@code Boolean.TRUE} when it changed the map.
     *
     * @param a the value (PUT, PUT_IF_ABSENT, REPLACE) or the expected value (..._IF_EQUALS)
     * @param b the new value of REPLACE_IF_EQUALS
     */
    @SuppressWarnings("unchecked")
    public Object txUpdate(K key, int op, Object a, Object b) {
        int h = spread(key.hashCode());
        Ref<Object> slot = root;
        Object current = root.get();
        int shift = 0;
        int generation = 0;
        if (current instanceof Node top) {
            generation = top.generation;
            Node node = top;
            for (;;) {
                slot = node.slots[(h >>> shift) & MASK];
                shift += BITS;
                current = slot.get();
                if (!(current instanceof Node child)) {
                    break;
                }
                if (child.generation != generation) { // shared with a snapshot: copy before writing below
                    child = child.copy(generation);
                    slot.set(child);
                }
                node = child;
            }
        }
        Object[] leaf = (Object[]) current;
        int index = indexIn(leaf, key);
        V old = index < 0 ? null : (V) leaf[index + 1];
        V updated;
        Object result;
        switch (op) {
            case PUT -> {
                updated = (V) a;
                result = old;
            }
            case PUT_IF_ABSENT -> {
                updated = old == null ? (V) a : old;
                result = old;
            }
            case REPLACE -> {
                updated = old == null ? null : (V) a;
                result = old;
            }
            case REPLACE_IF_EQUALS -> {
                boolean matches = old != null && old.equals(a);
                updated = matches ? (V) b : old;
                result = matches;
            }
            case REMOVE -> {
                updated = null;
                result = old;
            }
            case REMOVE_IF_EQUALS -> {
                boolean matches = old != null && old.equals(a);
                updated = matches ? null : old;
                result = matches;
            }
            default -> throw new IllegalArgumentException("unknown operation " + op);
        }
        if (updated == old) {
            return result;
        }
        if (updated == null) {
            slot.set(leaf.length == 2 ? null : without(leaf, index));
            count.add(-1);
        } else if (index >= 0) {
            Object[] copy = leaf.clone();
            copy[index + 1] = updated;
            slot.set(copy);
        } else {
            slot.set(with(leaf, key, updated, shift, generation));
            count.add(1);
        }
        return result;
    }

    private static int indexIn(Object[] leaf, Object key) {
        if (leaf != null) {
            for (int i = 0; i < leaf.length; i += 2) {
                Object k = leaf[i];
                if (k == key || k.equals(key)) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static Object[] without(Object[] leaf, int index) {
        Object[] copy = new Object[leaf.length - 2];
        System.arraycopy(leaf, 0, copy, 0, index);
        System.arraycopy(leaf, index + 2, copy, index, leaf.length - index - 2);
        return copy;
    }

    /** The leaf (or, if it overflows and can split, the Node) holding {@code leaf} plus the entry. */
    private static Object with(Object[] leaf, Object key, Object value, int shift, int generation) {
        int length = leaf == null ? 0 : leaf.length;
        Object[] grown = new Object[length + 2];
        if (length > 0) {
            System.arraycopy(leaf, 0, grown, 0, length);
        }
        grown[length] = key;
        grown[length + 1] = value;
        return grown.length / 2 > LEAF_MAX && shift < HASH_BITS ? split(grown, shift, generation) : grown;
    }

    /** Distributes an overflowing leaf by the hash bits at {@code shift} (recursively if needed). */
    private static Node split(Object[] leaf, int shift, int generation) {
        Object[][] parts = new Object[WIDTH][];
        int[] sizes = new int[WIDTH];
        for (int i = 0; i < leaf.length; i += 2) {
            int slot = (spread(leaf[i].hashCode()) >>> shift) & MASK;
            if (parts[slot] == null) {
                parts[slot] = new Object[leaf.length];
            }
            parts[slot][sizes[slot]++] = leaf[i];
            parts[slot][sizes[slot]++] = leaf[i + 1];
        }
        Node node = new Node(generation);
        for (int s = 0; s < WIDTH; s++) {
            Object child = null;
            if (sizes[s] > 0) {
                Object[] part = Arrays.copyOf(parts[s], sizes[s]);
                child = part.length / 2 > LEAF_MAX && shift + BITS < HASH_BITS
                        ? split(part, shift + BITS, generation) : part;
            }
            node.slots[s] = new Ref<>(child);
        }
        return node;
    }

    /** Removes every entry, in the running transaction: O(stripes), the old nodes become garbage. */
    public void txClear() {
        root.set(null);
        count.reset();
    }

    // ------------------------------------------------------------------ snapshots and iteration

    /**
     * Freezes the current contents and returns them (a leaf, a Node or null), in O(WIDTH): see
     * the overview. Must run outside a transaction; the result can be read without one.
     */
    public Object snapshot() {
        return Stm.atomic(() -> {
            Object current = root.get();
            if (current instanceof Node node) {
                root.set(node.copy(node.generation + 1));
            }
            return current;
        });
    }

    /** Calls {@code action} for every entry, in the running transaction. */
    @SuppressWarnings("unchecked")
    public void txForEach(BiConsumer<? super K, ? super V> action) {
        Cursor<K, V> cursor = new Cursor<>(root.get(), true);
        while (cursor.advance()) {
            action.accept((K) cursor.key, (V) cursor.value);
        }
    }

    /** A cursor over the live map, reading in the running transaction. */
    public Cursor<K, V> txCursor() {
        return new Cursor<>(root.get(), true);
    }

    /** A cursor over a frozen tree returned by {@link #snapshot()}; reads without a transaction. */
    public static <K, V> Cursor<K, V> frozenCursor(Object frozen) {
        return new Cursor<>(frozen, false);
    }

    /**
     * Depth-first walk over a tree: {@link #advance()} moves to the next entry and exposes it in
     * {@link #key} and {@link #value}. Not thread-safe (one iterator's state).
     */
    public static final class Cursor<K, V> {
        private final boolean transactional;
        private final Node[] nodes = new Node[HASH_BITS / BITS + 2];
        private final int[] next = new int[HASH_BITS / BITS + 2];
        private int depth = -1;
        private Object[] leaf;
        private int leafIndex;
        public Object key;
        public Object value;

        Cursor(Object top, boolean transactional) {
            this.transactional = transactional;
            enter(top);
        }

        private void enter(Object child) {
            if (child instanceof Node node) {
                depth++;
                nodes[depth] = node;
                next[depth] = 0;
            } else if (child != null) {
                leaf = (Object[]) child;
                leafIndex = 0;
            }
        }

        /** Moves to the next entry; false at the end. */
        public boolean advance() {
            for (;;) {
                if (leaf != null) {
                    if (leafIndex < leaf.length) {
                        key = leaf[leafIndex];
                        value = leaf[leafIndex + 1];
                        leafIndex += 2;
                        return true;
                    }
                    leaf = null;
                }
                if (depth < 0) {
                    key = null;
                    value = null;
                    return false;
                }
                int i = next[depth];
                if (i == WIDTH) {
                    nodes[depth--] = null;
                    continue;
                }
                next[depth] = i + 1;
                Ref<Object> slot = nodes[depth].slots[i];
                enter(transactional ? readInTransaction(slot) : Barrier.peekObject(slot));
            }
        }

        private static Object readInTransaction(Ref<Object> slot) {
            if (!Stm.inTransaction()) {
                throw new IllegalStateException("This iterator was created inside a transaction and "
                        + "reads in it; it cannot be used after that transaction ended. Create the "
                        + "iterator outside a transaction to iterate over a snapshot instead.");
            }
            return slot.get();
        }
    }

    /** Null checks of the map's null policy (ConcurrentHashMap's: no null keys or values). */
    public static void checkKey(Object key) {
        Objects.requireNonNull(key, "TMap does not accept null keys (as ConcurrentHashMap)");
    }

    public static void checkValue(Object value) {
        Objects.requireNonNull(value, "TMap does not accept null values (as ConcurrentHashMap); "
                + "use remove(key) to remove an entry");
    }
}
