package dev.weft.collections.internal;

import dev.weft.refs.Ref;
import dev.weft.stm.Stm;
import dev.weft.stm.spi.Barrier;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The engine of {@code TSortedMap}: a transactional B+ tree of immutable nodes held in refs.
 *
 * <p>Thread-safety: every {@code tx*} method acts in the calling thread's running transaction; the
 * caller has checked that one runs. Nodes are immutable and may be read by any thread.
 */
public final class BTree<K, V> {
    /*
     * Overview.
     *
     * Shape. A B+ tree whose nodes are immutable values: a Leaf holds up to MAX sorted keys and
     * their values; an Inner holds n child Refs and n - 1 separator keys (child i holds the keys k
     * with seps[i-1] <= k < seps[i]). The tree's mutable state is only its Refs: the root Ref and
     * the child Refs inside Inner nodes. Changing a leaf writes one Ref (a copied leaf); a split
     * writes the leaf's Ref, a new Ref for the right half and the parent's Ref (a copied Inner),
     * and so on up while parents overflow. Removal copies the leaf; a leaf or Inner left with
     * fewer than MAX / 4 entries is merged with a neighbour when both fit in 3 * MAX / 4, an empty
     * child is dropped, and a root Inner with one child is replaced by that child. So the tree's
     * height is O(log n) and its size O(n) however it is used (a sliding window of keys does not
     * leave empty leaves behind).
     *
     * Conflicts. A transaction reads the Refs on its root-to-leaf paths and writes the leaf Refs
     * it changes. Two writers conflict when they change the same leaf (keys close together), or
     * when one splits or merges below a parent the other read. With MAX = 32 a split or merge
     * happens at most about once per 8 to 16 changes of a leaf, so most writers write one Ref.
     *
     * Reads allocate nothing: navigation (floor, ceiling, ...) returns the leaf that holds the
     * answer, and the caller finds the index inside that immutable leaf again with a binary
     * search. Iterators fetch one immutable leaf per transaction and walk it without one.
     *
     * Shape. Every commit that changes the tree's structure, that is, writes an Inner into a Ref or
     * replaces the Inner a Ref holds (splits, merges, a dropped child, the root growing or
     * collapsing, clear), also adds one to the shape cell (a commute: structural writers do not
     * read it, so they do not conflict on it). So while shape's version stays the same, every
     * Inner reachable from the root stays reachable, holds the same separators and child Refs,
     * and every leaf Ref found by a walk is the live Ref of its key range. Only the walks outside
     * transactions read shape:
     *   - getOutside: take shape's stamp, walk down with single-cell reads, search the leaf, and
     *     accept the answer if shape's stamp is still the same: the leaf read was then the live
     *     leaf of the key when it was read (linearizable there). Without the check a split between
     *     reading an Inner and reading its child could hide a key that moved to the new sibling.
     *   - updateOutside (put, putIfAbsent, remove): the same walk, then one guarded commit
     *     (Barrier.compareStampsAndSet) of the new leaf into its Ref, checked against the Ref's own
     *     stamp and, guarded by shape, together with the count stripe's +-1. A change that would
     *     split or merge the leaf is left to a transaction, so these writes never change the
     *     structure themselves. When the root holds a leaf the walk is one read and the root's
     *     own stamp is the whole check (a structural change writes the root).
     *   - findLeafOutside, edgeLeafOutside (the view's floor, ceiling, lower, higher, first and
     *     last): the same walk; the answer is in the key's own leaf or in the leaf next to it.
     *     With shape fixed, the leaf Ref found for key k is the live Ref of a fixed key range
     *     [s, t) holding k, so when its value was read it held every key of the map in [s, t).
     *     An answer in that leaf (say the greatest key <= k) is then the map's answer: a closer
     *     key would lie between it and k, inside [s, t). "None in the leaf and no leaf beyond it"
     *     is also the map's answer, since every key on that side of k lies in [s, t). So one leaf
     *     read needs only the shape check, as getOutside; the edge leaf likewise holds the least
     *     (greatest) key, its range being unbounded on that side. Otherwise the answer is the
     *     nearest entry of the adjacent leaf (the nearest subtree beyond the key's child at the
     *     deepest level that has one, then its first or last children), whose range touches
     *     [s, t): two leaves read at two moments, and leaf contents change without a structural
     *     change (every put and remove, in a transaction or a guarded commit). So the walk takes
     *     the first leaf Ref's value stamp before reading its value, and after reading the second
     *     leaf checks that stamp again, then shape (a double collect): the first leaf held what
     *     was read from its stamp to its re-check, an interval that contains the moment the
     *     second leaf was read (one single-cell read, so no stamp of its own is needed); at that
     *     moment both leaves held what was read, the structure was the walked one, and the
     *     answer was the map's: the call is linearizable there. Without the per-leaf check: the
     *     walk finds no floor of k in its leaf; another thread puts k itself there, then puts a
     *     key above the neighbour's last; the walk reads the neighbour and answers that key,
     *     which was never the floor. Leaves below an Inner are never empty (an emptied child is
     *     dropped), so the neighbour holds the answer; a walk that finds it empty (a race) or
     *     would need a third leaf leaves the call to a transaction.
     */

    static final int MAX = 32;
    private static final int MERGE_BELOW = MAX / 4;
    private static final int MERGED_MAX = MAX * 3 / 4;

    /** Relations understood by {@link #txFindLeaf}. */
    public static final int LT = 0;
    public static final int LE = 1;
    public static final int GE = 2;
    public static final int GT = 3;

    /** Immutable sorted entries. */
    public static final class Leaf {
        static final Leaf EMPTY = new Leaf(new Object[0], new Object[0]);
        public final Object[] keys;
        public final Object[] values;

        Leaf(Object[] keys, Object[] values) {
            this.keys = keys;
            this.values = values;
        }

        public int size() {
            return keys.length;
        }
    }

    /** Immutable separators and child Refs. */
    static final class Inner {
        final Object[] seps;
        final Ref<Object>[] kids;

        Inner(Object[] seps, Ref<Object>[] kids) {
            this.seps = seps;
            this.kids = kids;
        }
    }

    private final Comparator<? super K> comparator;
    private final Ref<Object> root = new Ref<>(Leaf.EMPTY);
    private final StripedCount count = new StripedCount();
    /** Structural commits so far (see the overview); padded: read by every walk outside a transaction. */
    private final PaddedCell shape = new PaddedCell(0L);
    private final LongSupplier sizeBody = this::txSize;

    /** Answer of the {@code ...Outside} methods when the operation must run in a transaction instead. */
    public static final Object TRY_IN_TRANSACTION = new Object();

    /** Tries of a walk or guarded commit outside a transaction before it leaves the operation to one. */
    private static final int OUTSIDE_ATTEMPTS = 4;

    /** In the running transaction: the structure changes (see the overview). */
    private void structureChanged() {
        Barrier.commuteAdd(shape, 1, false);
    }

    /** Writes {@code value} into {@code ref} in the running transaction, noting a structural change. */
    private void writeNode(Ref<Object> ref, Object value) {
        if (value instanceof Inner) {
            structureChanged();
        }
        ref.set(value);
    }

    public BTree(Comparator<? super K> comparator) {
        this.comparator = comparator;
    }

    public Comparator<? super K> comparator() {
        return comparator;
    }

    @SuppressWarnings("unchecked")
    public int compare(Object a, Object b) {
        return comparator == null ? ((Comparable<Object>) a).compareTo(b) : comparator.compare((K) a, (K) b);
    }

    /** Throws NullPointerException for a null key and ClassCastException for an incomparable one. */
    public void checkKey(Object key) {
        Objects.requireNonNull(key, "TSortedMap does not accept null keys (as ConcurrentSkipListMap)");
        compare(key, key);
    }

    // ------------------------------------------------------------------ searching

    /** Index of {@code key} in {@code keys}, or {@code -(insertion point) - 1}. */
    private int search(Object[] keys, Object key) {
        int lo = 0;
        int hi = keys.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(keys[mid], key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** The child of {@code inner} whose range holds {@code key}. */
    private int childIndex(Inner inner, Object key) {
        Object[] seps = inner.seps;
        int lo = 0;
        int hi = seps.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(key, seps[mid]) < 0) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The value of {@code key} in the running transaction, or null. Allocation-free. */
    @SuppressWarnings("unchecked")
    public V txGet(Object key) {
        Object node = root.get();
        while (node instanceof Inner inner) {
            node = inner.kids[childIndex(inner, key)].get();
        }
        Leaf leaf = (Leaf) node;
        int i = search(leaf.keys, key);
        return i >= 0 ? (V) leaf.values[i] : null;
    }

    /**
     * The value of {@code key} outside a transaction, without one (see the overview), or
     * {@link #TRY_IN_TRANSACTION} when structural changes kept racing with the walk.
     * Allocation-free.
     */
    public Object getOutside(Object key) {
        for (int attempt = 0; attempt < OUTSIDE_ATTEMPTS; attempt++) {
            long shapeStamp = Barrier.valueStamp(shape);
            Object node = Barrier.peekObject(root);
            while (node instanceof Inner inner) {
                node = Barrier.peekObject(inner.kids[childIndex(inner, key)]);
            }
            Leaf leaf = (Leaf) node;
            int i = search(leaf.keys, key);
            if (Barrier.valueStamp(shape) == shapeStamp) {
                return i >= 0 ? leaf.values[i] : null;
            }
        }
        return TRY_IN_TRANSACTION;
    }

    /**
     * The leaf holding the greatest key less than (LT), at most (LE), the least key at least (GE)
     * or greater than (GT) {@code key}, or null if there is none; {@link #indexIn} finds it there.
     */
    public Leaf txFindLeaf(Object key, int relation) {
        return find(root.get(), key, relation);
    }

    private Leaf find(Object node, Object key, int relation) {
        if (node instanceof Inner inner) {
            int c = childIndex(inner, key);
            Leaf found = find(inner.kids[c].get(), key, relation);
            if (found != null) {
                return found;
            }
            if (relation >= GE) {
                for (int j = c + 1; j < inner.kids.length; j++) {
                    found = edge(inner.kids[j].get(), true);
                    if (found != null) {
                        return found;
                    }
                }
            } else {
                for (int j = c - 1; j >= 0; j--) {
                    found = edge(inner.kids[j].get(), false);
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        }
        Leaf leaf = (Leaf) node;
        return indexIn(leaf, key, relation) >= 0 ? leaf : null;
    }

    /** The index in {@code leaf} of the entry in {@code relation} to {@code key}, or -1. */
    public int indexIn(Leaf leaf, Object key, int relation) {
        int i = search(leaf.keys, key);
        int index;
        if (i >= 0) {
            index = switch (relation) {
                case LT -> i - 1;
                case GT -> i + 1;
                default -> i;
            };
        } else {
            int insertion = -(i + 1);
            index = relation <= LE ? insertion - 1 : insertion;
        }
        return index >= 0 && index < leaf.size() ? index : -1;
    }

    /**
     * {@link #txFindLeaf} outside a transaction, without one (see the overview): the leaf, null
     * when there is no such entry, or {@link #TRY_IN_TRANSACTION} when changes kept racing with
     * the walk or the answer lies past the neighbouring leaf. Allocation-free.
     */
    public Object findLeafOutside(Object key, int relation) {
        boolean up = relation >= GE;
        for (int attempt = 0; attempt < OUTSIDE_ATTEMPTS; attempt++) {
            long shapeStamp = Barrier.valueStamp(shape);
            Ref<Object> ref = root;
            long leafStamp = Barrier.valueStamp(root);
            Object node = Barrier.peekObject(root);
            Ref<Object> beyond = null; // the nearest subtree past the key's leaf in the relation's direction
            while (node instanceof Inner inner) {
                int c = childIndex(inner, key);
                if (up ? c + 1 < inner.kids.length : c > 0) {
                    beyond = inner.kids[up ? c + 1 : c - 1];
                }
                ref = inner.kids[c];
                leafStamp = Barrier.valueStamp(ref);
                node = Barrier.peekObject(ref);
            }
            Leaf leaf = (Leaf) node;
            boolean inLeaf = indexIn(leaf, key, relation) >= 0;
            if (inLeaf || beyond == null) { // one leaf read: shape alone validates it
                if (Barrier.valueStamp(shape) == shapeStamp) {
                    return inLeaf ? leaf : null;
                }
                continue;
            }
            node = Barrier.peekObject(beyond);
            while (node instanceof Inner inner && inner.kids.length > 0) {
                node = Barrier.peekObject(inner.kids[up ? 0 : inner.kids.length - 1]);
            }
            if (!(node instanceof Leaf neighbour) || neighbour.size() == 0) {
                return TRY_IN_TRANSACTION; // find would go on to a third leaf
            }
            // two leaves: the first still held what was read when the second was read
            if (Barrier.valueStamp(ref) == leafStamp && Barrier.valueStamp(shape) == shapeStamp) {
                return neighbour;
            }
        }
        return TRY_IN_TRANSACTION;
    }

    /** The first (or last) non-empty leaf, or null when the tree is empty. */
    public Leaf txEdgeLeaf(boolean first) {
        return edge(root.get(), first);
    }

    private static Leaf edge(Object node, boolean first) {
        while (node instanceof Inner inner) {
            if (inner.kids.length == 0) {
                return null;
            }
            node = inner.kids[first ? 0 : inner.kids.length - 1].get();
        }
        Leaf leaf = (Leaf) node;
        return leaf.size() == 0 ? null : leaf;
    }

    /**
     * {@link #txEdgeLeaf} outside a transaction, without one (see the overview), or
     * {@link #TRY_IN_TRANSACTION} when structural changes kept racing with the walk.
     * Allocation-free.
     */
    public Object edgeLeafOutside(boolean first) {
        for (int attempt = 0; attempt < OUTSIDE_ATTEMPTS; attempt++) {
            long shapeStamp = Barrier.valueStamp(shape);
            Object node = Barrier.peekObject(root);
            while (node instanceof Inner inner && inner.kids.length > 0) {
                node = Barrier.peekObject(inner.kids[first ? 0 : inner.kids.length - 1]);
            }
            Leaf leaf = node instanceof Leaf found && found.size() > 0 ? found : null;
            if (Barrier.valueStamp(shape) == shapeStamp) {
                return leaf;
            }
        }
        return TRY_IN_TRANSACTION;
    }

    public long txSize() {
        return count.sum();
    }

    public long sizeAnywhere() {
        return Stm.atomicLong(sizeBody);
    }

    // ------------------------------------------------------------------ writing

    /** What a recursive insert or removal reports to its caller. */
    private static final class Change {
        Object old;           // previous value, null if absent
        boolean onlyIfAbsent;
        Object splitKey;      // set when the node split: the first key of the new right node
        Ref<Object> splitRight;
    }

    /**
     * Puts {@code value} (or, if {@code onlyIfAbsent}, only when absent) in the running
     * transaction; returns the previous value or null.
     */
    public Object txPut(K key, V value, boolean onlyIfAbsent) {
        Change change = new Change();
        change.onlyIfAbsent = onlyIfAbsent;
        insert(root, root.get(), key, value, change);
        if (change.splitRight != null) {
            @SuppressWarnings("unchecked")
            Ref<Object>[] kids = (Ref<Object>[]) new Ref<?>[] {new Ref<>(root.get()), change.splitRight};
            writeNode(root, new Inner(new Object[] {change.splitKey}, kids));
        }
        if (change.old == null) {
            count.add(1);
        }
        return change.old;
    }

    private void insert(Ref<Object> ref, Object node, Object key, Object value, Change change) {
        if (node instanceof Inner inner) {
            int c = childIndex(inner, key);
            Ref<Object> kid = inner.kids[c];
            insert(kid, kid.get(), key, value, change);
            if (change.splitRight == null) {
                return;
            }
            Object[] seps = insertAt(inner.seps, c, change.splitKey);
            Ref<Object>[] kids = insertAt(inner.kids, c + 1, change.splitRight);
            change.splitRight = null;
            if (kids.length <= MAX) {
                writeNode(ref, new Inner(seps, kids));
                return;
            }
            int half = kids.length / 2; // left keeps kids [0, half) and seps [0, half - 1)
            writeNode(ref, new Inner(Arrays.copyOf(seps, half - 1), Arrays.copyOf(kids, half)));
            change.splitKey = seps[half - 1];
            change.splitRight = new Ref<>(new Inner(Arrays.copyOfRange(seps, half, seps.length),
                    Arrays.copyOfRange(kids, half, kids.length)));
            return;
        }
        Leaf leaf = (Leaf) node;
        int i = search(leaf.keys, key);
        if (i >= 0) {
            change.old = leaf.values[i];
            if (!change.onlyIfAbsent && leaf.values[i] != value) {
                Object[] values = leaf.values.clone();
                values[i] = value;
                ref.set(new Leaf(leaf.keys, values));
            }
            return;
        }
        int at = -(i + 1);
        Object[] keys = insertAt(leaf.keys, at, key);
        Object[] values = insertAt(leaf.values, at, value);
        if (keys.length <= MAX) {
            ref.set(new Leaf(keys, values));
            return;
        }
        int half = keys.length / 2;
        ref.set(new Leaf(Arrays.copyOf(keys, half), Arrays.copyOf(values, half)));
        change.splitKey = keys[half];
        change.splitRight = new Ref<>(new Leaf(Arrays.copyOfRange(keys, half, keys.length),
                Arrays.copyOfRange(values, half, values.length)));
    }

    /** Removes {@code key} in the running transaction; returns the removed value or null. */
    public Object txRemove(Object key) {
        Change change = new Change();
        Object top = root.get();
        Object updated = removeFrom(top, key, change);
        if (change.old == null) {
            return null;
        }
        count.add(-1);
        if (updated instanceof Inner inner && inner.kids.length <= 1) {
            updated = inner.kids.length == 0 ? Leaf.EMPTY : inner.kids[0].get();
        }
        if (updated != top) {
            if (top instanceof Inner) { // a collapsing root; an Inner written is noted by writeNode
                structureChanged();
            }
            writeNode(root, updated);
        }
        return change.old;
    }

    /**
     * Removes {@code key} below {@code node}. Returns the node's new value, which the caller
     * writes into the node's Ref if it is not {@code node} itself; child Refs whose own values
     * changed have been written already.
     */
    private Object removeFrom(Object node, Object key, Change change) {
        if (node instanceof Leaf leaf) {
            int i = search(leaf.keys, key);
            if (i < 0) {
                return leaf;
            }
            change.old = leaf.values[i];
            return leaf.size() == 1 ? Leaf.EMPTY : new Leaf(removeAt(leaf.keys, i), removeAt(leaf.values, i));
        }
        Inner inner = (Inner) node;
        int c = childIndex(inner, key);
        Ref<Object> kid = inner.kids[c];
        Object kidNode = kid.get();
        Object newKid = removeFrom(kidNode, key, change);
        if (change.old == null) {
            return inner;
        }
        int size = sizeOf(newKid);
        if (size == 0) {
            return withoutChild(inner, c);
        }
        if (size < MERGE_BELOW && inner.kids.length > 1) {
            int left = c > 0 ? c - 1 : c;
            int right = left + 1;
            Object leftNode = left == c ? newKid : inner.kids[left].get();
            Object rightNode = right == c ? newKid : inner.kids[right].get();
            if (sizeOf(leftNode) + sizeOf(rightNode) <= MERGED_MAX) {
                writeNode(inner.kids[left], merge(leftNode, inner.seps[left], rightNode));
                return withoutChild(inner, right); // an Inner: its writer notes the change
            }
        }
        if (newKid != kidNode) {
            writeNode(kid, newKid);
        }
        return inner;
    }

    /** Operations of {@link #updateOutside}. */
    public static final int PUT = 0;
    public static final int PUT_IF_ABSENT = 1;
    public static final int REMOVE = 2;

    /**
     * {@code put}, {@code putIfAbsent} or {@code remove} outside a transaction, as one guarded
     * commit (see the overview): returns the previous value (or null), or
     * {@link #TRY_IN_TRANSACTION} when the change would split or merge a leaf or kept losing races,
     * and the caller then runs it in a transaction.
     */
    public Object updateOutside(Object key, Object value, int op) {
        for (int attempt = 0; attempt < OUTSIDE_ATTEMPTS; attempt++) {
            long shapeStamp = Barrier.valueStamp(shape);
            Ref<Object> ref = root;
            long refStamp = Barrier.valueStamp(root);
            Object node = Barrier.peekObject(root);
            boolean belowInner = false;
            while (node instanceof Inner inner) {
                belowInner = true;
                ref = inner.kids[childIndex(inner, key)];
                refStamp = Barrier.valueStamp(ref);
                node = Barrier.peekObject(ref);
            }
            Leaf leaf = (Leaf) node;
            int i = search(leaf.keys, key);
            Object old = i >= 0 ? leaf.values[i] : null;
            Leaf changed;
            long delta = 0;
            if (op == REMOVE) {
                if (i < 0) {
                    changed = null;
                } else if (belowInner && leaf.size() - 1 < MERGE_BELOW) {
                    return TRY_IN_TRANSACTION; // a merge, or a child dropped
                } else {
                    changed = leaf.size() == 1 ? Leaf.EMPTY : new Leaf(removeAt(leaf.keys, i), removeAt(leaf.values, i));
                    delta = -1;
                }
            } else if (i >= 0) {
                if (op == PUT_IF_ABSENT || leaf.values[i] == value) {
                    changed = null;
                } else {
                    Object[] values = leaf.values.clone();
                    values[i] = value;
                    changed = new Leaf(leaf.keys, values);
                }
            } else if (leaf.size() == MAX) {
                return TRY_IN_TRANSACTION; // a split
            } else {
                int at = -(i + 1);
                changed = new Leaf(insertAt(leaf.keys, at, key), insertAt(leaf.values, at, value));
                delta = 1;
            }
            if (changed == null) { // a lookup: linearizable when the leaf was read, if no structural change hid the key
                if (!belowInner || Barrier.valueStamp(shape) == shapeStamp) {
                    return old;
                }
                continue;
            }
            if (Barrier.compareStampsAndSet(belowInner ? shape : null, shapeStamp, ref, refStamp, 0L, changed,
                    delta == 0 ? null : count.stripe(), delta)) {
                return old;
            }
        }
        return TRY_IN_TRANSACTION;
    }

    private static int sizeOf(Object node) {
        return node instanceof Inner inner ? inner.kids.length : ((Leaf) node).size();
    }

    private static Inner withoutChild(Inner inner, int child) {
        if (inner.kids.length == 1) {
            return new Inner(new Object[0], Arrays.copyOf(inner.kids, 0));
        }
        return new Inner(removeAt(inner.seps, child == 0 ? 0 : child - 1), removeAt(inner.kids, child));
    }

    private static Object merge(Object left, Object separator, Object right) {
        if (left instanceof Leaf l) {
            Leaf r = (Leaf) right;
            return new Leaf(concat(l.keys, r.keys), concat(l.values, r.values));
        }
        Inner l = (Inner) left;
        Inner r = (Inner) right;
        Object[] seps = Arrays.copyOf(l.seps, l.seps.length + 1 + r.seps.length);
        seps[l.seps.length] = separator;
        System.arraycopy(r.seps, 0, seps, l.seps.length + 1, r.seps.length);
        return new Inner(seps, concat(l.kids, r.kids));
    }

    private static <T> T[] concat(T[] a, T[] b) {
        T[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static <T> T[] removeAt(T[] array, int index) {
        T[] shrunk = Arrays.copyOf(array, array.length - 1);
        System.arraycopy(array, index + 1, shrunk, index, array.length - index - 1);
        return shrunk;
    }

    /** Removes every entry in the running transaction. */
    public void txClear() {
        structureChanged();
        root.set(Leaf.EMPTY);
        count.reset();
    }

    private static <T> T[] insertAt(T[] array, int index, T element) {
        T[] grown = Arrays.copyOf(array, array.length + 1);
        System.arraycopy(array, index, grown, index + 1, array.length - index);
        grown[index] = element;
        return grown;
    }
}
