package dev.weft.collections.internal;

import dev.weft.stm.Stm;
import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;
import dev.weft.stm.spi.TxnHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
public final class HashTrie<K, V> extends TxnCell {
    /*
     * Overview.
     *
     * Shape. The trie is itself the root cell, holding null (empty), a leaf, or a node. A leaf is
     * an immutable Object[] {hashes, k0, v0, k1, v1, ...}: at most LEAF_MAX (8) entries in the
     * root cell and in the slots of the nodes at depths 0 and 1, at most DEEP_LEAF_MAX (32) in
     * the slots of deeper nodes (more only at the last level, where the hash bits are used up).
     * Deep leaves are large because a node there costs a Slot per key: with 8-entry leaves a
     * 2^19-key map grew nodes at depth 3, a million mostly empty slots (163 bytes per entry, and
     * a lookup walked two more cache-missing references); with 32 its leaves stay in the slots of
     * depth 2 (20 bytes per entry). Shallow leaves stay small because a write
     * conflicts with every write to its leaf, and a small map has few leaves. hashes is null in a
     * leaf of at most LEAF_MAX entries (its keys are compared directly) and otherwise an int[] of
     * the keys' spread hashes, so a scan of a large leaf compares ints and follows only the key
     * whose hash matches, as ConcurrentHashMap does; a leaf that grows past LEAF_MAX computes them
     * once from its keys, a replaced value shares them. A node is a Slot[] of WIDTH slot cells, each
     * holding null, a leaf or a node; the node at depth d is indexed by hash bits [5d, 5d + 5).
     * Keys are placed by spread(hashCode()). A node is its slot array and a slot is its cell (no
     * node object, no Ref wrapper, the root cell is this object): a lookup at depth d follows
     * 2d + 2 references from the trie to the leaf, the least a trie of cells allows, as the
     * pointer chase, not the barriers, is what a lookup spends its time on. (Slot[] is told apart
     * from a leaf by its array class: a leaf is always created as a plain Object[].)
     *
     * Wide root. Once WIDEN_AT of the root node's 32 slots hold nodes (about 340 random keys),
     * the write that split the last of them replaces the root node by a wide one of WIDTH^2 slots
     * indexed by hash bits [0, 10): the top two levels in one node, so every lookup below it
     * follows two references fewer (a 1,024-key map: five instead of seven; 4-17 % more
     * operations per microsecond in MapBenchmark). Nothing else changes: the nodes below keep
     * their depth (bits [10, 15) index the next level), their generation and their leaves; a
     * slot's leaf-size limit still depends on the bits its split would index by (shift), and
     * every walk takes its index width from the node's length (indexBits). Only the root is ever
     * wide. The widening (widen) is one transaction that reads the root node's 32 slots and the
     * 32 slots of each of its child nodes (a small leaf in a root slot is distributed by bits
     * [5, 10)), builds the wide node in the root's generation and writes the root cell: like a
     * snapshot, it freezes the old top levels, and a writer that read the old root fails
     * validation or its guard. It happens once per map (again after clear()); it costs 1,024 slot
     * cells of about 72 bytes. A snapshot does not copy them (see "Lazy root copies").
     *
     * Collisions. Below the last level (shift >= HASH_BITS) a leaf cannot split: its keys have equal
     * spread hashes, so equal hashCode()s, and it grows without limit. Past DEEP_LEAF_MAX entries,
     * if every key is of one class C that implements Comparable<C> (selfComparable, as
     * ConcurrentHashMap's comparableClassFor), the leaf keeps its entries sorted by compareTo and
     * holds C where other leaves hold their hashes: a lookup by a key of class C is a binary search
     * (O(log k) comparisons, then equals on the match and on its compareTo-equal neighbours), an
     * insert a binary search and one array copy, instead of k equals calls. This is the defence
     * against hash flooding that ConcurrentHashMap's tree bins give, for the same keys (Strings with
     * crafted collisions, boxed numbers, records comparable to themselves); other keys, and a key of
     * another class in such a leaf, are compared one by one, O(k). A sorted leaf whose key of
     * another class arrives, or that shrinks to DEEP_LEAF_MAX entries, goes back to the hashed
     * form. Like ConcurrentHashMap, this trusts compareTo to be a total order over C.
     *
     * Filters. A slot cell (and the root cell) carries raw bits next to its reference (the engine
     * commits, versions and keeps both halves together): NODE_BITS (all ones) over a node, 0 over
     * null, and over a leaf a 64-bit filter holding filterBit(h) of every key in it (a superset:
     * a removal leaves its key's bit set until the leaf is emptied or split). A lookup tests its
     * key's bit in the same read that yields the reference and stops on a clear bit without
     * following it, so a miss costs no leaf load and no key comparison (the key objects are
     * where a miss would otherwise go to memory, ConcurrentHashMap avoids them by comparing
     * cached hashes); an insert of an absent key skips the leaf scan the same way. The bit comes
     * from the top six bits of the spread hash, which only paths below depth 5 share.
     *
     * Conflicts. A write changes exactly one slot cell (the one holding its leaf) plus one stripe of
     * the StripedCount; every operation reads the cells on its path. Two writes conflict only when
     * they change the same leaf (keys whose spread hashes share the path), or add from threads
     * sharing a count stripe. There is no hot cell: the root cell and the upper slots are written
     * only when a leaf there splits (once per LEAF_MAX inserts at most) or by a snapshot.
     *
     * Growth. A leaf that overflows is replaced, in the same write, by a node holding the leaves
     * its entries split into. Nodes never turn back into leaves (only clear() drops them), so the
     * path of a key only ever gets longer; this monotonicity is what makes the lock-free lookup
     * below linearizable. Like ConcurrentHashMap, the structure does not shrink on removal.
     *
     * Snapshots (generations). Every slot carries the generation its node was created in (all
     * slots of a node below the root carry the same one); the root node's generation, that of
     * its slot 0, is the current one. snapshot() replaces the root node by one of the next
     * generation and keeps the old root: from its commit on, nothing writes a slot of an older
     * generation, so the old tree is frozen and can be walked without a transaction. A writer
     * that descends into a node below the root older than the root copies it (fresh slots, same
     * children, same filters) and links the copy into its parent before writing below it; the
     * frozen original stays as the snapshot saw it. Every writer reads the root cell, so a writer
     * that raced with a snapshot either committed before it (and is in it) or fails validation
     * or its guard. Each node is copied at most once per snapshot.
     *
     * Lazy root copies. The root node has no parent slot to link a copy into, and copying all of
     * it would make a snapshot of a wide root cost 1,024 reads and cells (about 12 us). Instead a
     * root slot is a chain of cells, one per generation in which the slot was used, linked by
     * RootSlot.successor (set once, by CAS, never unset; generations increase along a chain). The
     * root node's element i points into slot i's chain; the logical slot i of a root of
     * generation g is the last cell of the chain whose generation is not later than g. A
     * snapshot's new root is a copy of the old root's elements (an array copy) but for a fresh
     * slot 0 holding what slot 0 holds (read in the snapshot's transaction), which gives the new
     * root its generation: one read, one write, and the array. Who uses slot i of the live root
     * (generation g):
     * - a transaction or a one-commit write (liveRootSlot): if the chain's last cell is older
     *   than g, it makes the cell of generation g from that cell's final value and links it
     *   (materialize; the CAS decides between racing makers, the loser uses the winner's cell),
     *   then points the root's element at it, and reads or writes that cell. A transaction must
     *   never read the older cell instead: a later writer would write the new cell, and the
     *   transaction's validation of the older one would not see it. If the chain holds a cell of
     *   a later generation, the root it read is no longer the root: it uses the cell that root
     *   saw, and its commit fails validation or its guard.
     * - a lookup outside transactions (newestRootSlot) follows the chain to its end, the live
     *   cell, whatever its generation.
     * - a snapshot's iterator (frozenRootSlot) stops at the last cell not later than its root.
     * Why a cell older than the root is final when it is copied: its writers read an older root,
     * so they commit only if they validated (or checked the guard of) the root cell before the
     * snapshot that replaced it took the root's lock; they lock the cell before that check, so
     * the copy, which reads the cell after that snapshot committed, waits for their commit
     * (valueStamp waits while a commit holds the cell). Why the array copy cannot lose a write:
     * a cell linked behind an element after the copy was made is reached from the copied element
     * through the chain, so every reader of the new root follows to it; the element pointing
     * straight at it is only a shortcut. Lookups and snapshot iterators read the root's elements
     * with acquire, which publishes the cells that the element CAS and the successor CAS installed.
     *
     * Lock-free lookup (outside transactions). lookupAnywhere walks root and slots with single-cell
     * reads, taking the live end of the root slot's chain. Each read returns a committed value; a
     * slot that holds a node holds it (or a copy of it) forever, and a frozen node's contents equal
     * the live contents at the moment it was replaced. So the leaf finally read was, at the moment
     * its slot was read or at the moment the node holding that slot was replaced, whichever came
     * first, the live leaf of the key: the lookup is linearizable at that moment, which lies inside
     * the call.
     *
     * One-commit writes (outside transactions). updateOutside does put/remove/replace and their
     * conditional forms without a transaction descriptor: it takes the root cell's value stamp,
     * walks down with single-cell reads, takes the leaf slot's stamp, computes the new leaf, and
     * publishes it with one guarded commit (Barrier.compareStampsAndSet): the slot is written only
     * if nothing committed to it since its stamp, the count stripe gets its +-1 in the same commit
     * (so size() in any transaction stays equal to the entries), and the root must still be at
     * its stamp while both are locked. Why the root is the only guard needed: a node whose
     * generation is the root node's is never replaced in its parent slot (only older nodes are
     * copied, only leaves split), so while the root is unchanged every such node on the path is
     * live and not frozen; the walk leaves the write to a transaction (TRY_IN_TRANSACTION) as
     * soon as it meets an older node, which only a transaction copies. Everything that detaches
     * or freezes nodes (snapshot, clear) writes the root, and a leaf split writes the leaf's own
     * slot. A write that changes nothing is a lookup (linearizable as above) and commits nothing.
     * After a few failed commits (contention, a reservation of the irrevocable transaction) the
     * write runs as a transaction.
     */

    static final int BITS = 5;
    static final int WIDTH = 1 << BITS;
    static final int MASK = WIDTH - 1;
    /** Entries per leaf in the top two levels before it splits; larger leaves keep hashes. */
    static final int LEAF_MAX = 8;
    /** Leaves whose split would index by at least this many bits (children of depth-2 nodes) hold more. */
    static final int DEEP_SHIFT = 3 * BITS;
    /** Entries per leaf from DEEP_SHIFT on before it splits (except below the last level). */
    static final int DEEP_LEAF_MAX = 32;
    /** Leaves whose split shift would be at least this many bits cannot split. */
    static final int HASH_BITS = 32;
    /** Hash bits a wide root indexes by: the top two levels' bits, so its length is WIDTH squared. */
    static final int WIDE_BITS = 2 * BITS;
    static final int WIDE_WIDTH = 1 << WIDE_BITS;
    /** The root widens when a leaf split leaves at least this many of its WIDTH slots holding nodes. */
    static final int WIDEN_AT = 24;

    /**
     * One slot of an inner node: a cell holding null, a leaf or a child node, and the generation
     * of the node it belongs to. A node is a {@code Slot[]} of length WIDTH.
     */
    static class Slot extends TxnCell {
        final int generation;

        Slot(long bits, Object child, int generation) {
            super(bits, child);
            this.generation = generation;
        }
    }

    /**
     * A slot of the root node: one cell of that slot's chain (see "Lazy root copies" in the
     * overview). Only root slots carry the link, so the slots below stay one field smaller.
     */
    static final class RootSlot extends Slot {
        /**
         * The same logical slot's cell in a later generation; null while this is the newest. Set
         * once, from null, by a CAS (SUCCESSOR); read with acquire, which also publishes the new
         * cell's contents.
         */
        @SuppressWarnings("unused") private RootSlot successor;

        RootSlot(long bits, Object child, int generation) {
            super(bits, child, generation);
        }
    }

    /** RootSlot.successor. */
    private static final VarHandle SUCCESSOR;
    /** The elements of a root node: read with acquire, compressed by CAS (see the overview). */
    private static final VarHandle ROOT_SLOT = MethodHandles.arrayElementVarHandle(Slot[].class);

    static {
        try {
            SUCCESSOR = MethodHandles.lookup().findVarHandle(RootSlot.class, "successor", RootSlot.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static RootSlot successorOf(RootSlot slot) {
        return (RootSlot) SUCCESSOR.getAcquire(slot);
    }

    /** Whether generation {@code a} is later than {@code b} (wrap-safe, as generations count up). */
    private static boolean later(int a, int b) {
        return a - b > 0;
    }

    /** The cell root node {@code root} holds at index {@code i}: the start of that slot's chain. */
    private static RootSlot rootElement(Slot[] root, int i) {
        return (RootSlot) ROOT_SLOT.getAcquire(root, i);
    }

    /**
     * The newest cell of root slot {@code i}, for a lookup outside transactions: its chain's end,
     * whatever generation (the live contents). Points the root's element at it when it is not
     * later than the root (then it is that root's slot i too), so the next lookup starts there.
     */
    private static RootSlot newestRootSlot(Slot[] root, int i) {
        RootSlot first = rootElement(root, i);
        RootSlot slot = first;
        for (RootSlot next; (next = successorOf(slot)) != null; ) {
            slot = next;
        }
        if (slot != first && !later(slot.generation, generation(root))) {
            ROOT_SLOT.compareAndSet(root, i, first, slot);
        }
        return slot;
    }

    /**
     * The cell of root slot {@code i} as frozen root {@code root} saw it: the last cell of the
     * chain whose generation is not later than the root's.
     */
    static RootSlot frozenRootSlot(Slot[] root, int i) {
        int generation = generation(root);
        RootSlot slot = rootElement(root, i);
        for (RootSlot next; (next = successorOf(slot)) != null && !later(next.generation, generation); ) {
            slot = next;
        }
        return slot;
    }

    /**
     * The cell of root slot {@code i} for a transaction or a one-commit write that read
     * {@code root} as the root: its cell of the root's generation, made now (from the frozen
     * contents of the newest older one) if there is none yet. If the chain already holds a
     * later generation's cell, {@code root} is no longer the root: returns the cell the root saw,
     * which is consistent with it, and the caller's commit fails its validation or guard.
     */
    private static RootSlot liveRootSlot(Slot[] root, int i) {
        int generation = generation(root);
        RootSlot first = rootElement(root, i);
        RootSlot slot = first;
        for (;;) {
            RootSlot next = successorOf(slot);
            if (next == null) {
                if (slot.generation == generation) {
                    return slot;
                }
                RootSlot made = materialize(slot, generation);
                if (SUCCESSOR.compareAndSet(slot, null, made)) {
                    ROOT_SLOT.compareAndSet(root, i, first, made);
                    return made;
                }
                continue; // another thread linked one first: look at it
            }
            if (later(next.generation, generation)) {
                return slot; // the root was replaced since it was read
            }
            slot = next;
        }
    }

    /**
     * A new cell of {@code generation} holding what {@code frozen} holds: bits and child from
     * one committed value. A cell of an older generation changes no more once the commits
     * that hold it when it is read here have finished (see the overview), so this waits for
     * those and copies the final value.
     */
    private static RootSlot materialize(RootSlot frozen, int generation) {
        for (;;) {
            long stamp = Barrier.valueStamp(frozen);
            long bits = Barrier.peekLong(frozen);
            Object child = Barrier.peekObject(frozen);
            if (Barrier.valueStamp(frozen) == stamp) {
                return new RootSlot(bits, child, generation);
            }
        }
    }

    /** The bits of a cell holding a node: every filter probe matches, so lookups descend. */
    static final long NODE_BITS = -1L;

    /** The filter bit of a key with spread hash {@code h} (see the overview). */
    static long filterBit(int h) {
        return 1L << (h >>> 26);
    }

    /** The hash bits {@code node} is indexed by: BITS, or WIDE_BITS for a wide root. */
    static int indexBits(Slot[] node) {
        return Integer.numberOfTrailingZeros(node.length);
    }

    /** The generation of a node (every slot of it carries it). */
    static int generation(Slot[] node) {
        return node[0].generation;
    }

    /**
     * A copy of {@code node} in {@code newGeneration}: fresh slots holding its children and their
     * filters (both read in the running transaction).
     */
    static Slot[] copy(TxnHandle txn, Slot[] node, int newGeneration) {
        Slot[] copy = new Slot[node.length];
        for (int i = 0; i < node.length; i++) {
            Object child = Barrier.readObject(txn, node[i]);
            copy[i] = new Slot(Barrier.lastReadBits(txn), child, newGeneration);
        }
        return copy;
    }

    private final StripedCount count = new StripedCount();
    /** Made once, so a size() outside a transaction does not allocate a lambda per call. */
    private final LongSupplier sizeBody = this::txSize;

    /** An empty trie. */
    public HashTrie() {
        super(0L, null);
    }

    /**
     * Mixes the hash so that keys with patterned hash codes still spread over every level: bits
     * [5d, 5d + 5) of the result index depth d. Public for tests that place keys on one path.
     */
    public static int spread(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }

    // ------------------------------------------------------------------ reads

    /** The value of {@code key} in the running transaction, or null. Allocation-free. */
    public V txGet(Object key) {
        int h = spread(key.hashCode());
        TxnHandle txn = Barrier.running();
        Object current = Barrier.readObject(txn, this);
        long bits = Barrier.lastReadBits(txn);
        if (current instanceof Slot[] root) {
            current = Barrier.readObject(txn, liveRootSlot(root, h & (root.length - 1)));
            bits = Barrier.lastReadBits(txn);
            int shift = indexBits(root);
            while (current instanceof Slot[] node) {
                current = Barrier.readObject(txn, node[(h >>> shift) & (node.length - 1)]);
                bits = Barrier.lastReadBits(txn);
                shift += indexBits(node);
            }
        }
        return (bits & filterBit(h)) == 0 ? null : valueIn(current, key, h);
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
        // Single-cell reads straight through the SPI (no transaction is running); a cell whose
        // filter rules the key out reads as null.
        long probe = filterBit(h);
        Object current = Barrier.peekObjectIfBitsMatch(this, probe);
        if (current instanceof Slot[] root) {
            current = Barrier.peekObjectIfBitsMatch(newestRootSlot(root, h & (root.length - 1)), probe);
            int shift = indexBits(root);
            while (current instanceof Slot[] node) {
                current = Barrier.peekObjectIfBitsMatch(node[(h >>> shift) & (node.length - 1)], probe);
                shift += indexBits(node);
            }
        }
        return current == null ? null : valueIn(current, key, h);
    }

    /** The value of {@code key} (spread hash {@code h}) in {@code leaf}, or null. */
    @SuppressWarnings("unchecked")
    private static <V> V valueIn(Object leaf, Object key, int h) {
        Object[] entries = (Object[]) leaf;
        int index = indexIn(entries, key, h);
        return index < 0 ? null : (V) entries[valueAt(index)];
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
        // the function may itself have written the key (it may use the map): compare with what
        // the key holds now, not only with what it held before
        if (updated != old || updated != txGet(key)) {
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
        TxnHandle txn = Barrier.running();
        TxnCell slot = this;
        Object current = Barrier.readObject(txn, this);
        long bits = Barrier.lastReadBits(txn);
        int shift = 0;
        int generation = 0;
        Slot[] root = null;
        if (current instanceof Slot[] top) {
            root = top;
            generation = generation(top);
            Slot[] node = top;
            slot = liveRootSlot(top, h & (top.length - 1));
            for (;;) {
                shift += indexBits(node);
                current = Barrier.readObject(txn, slot);
                bits = Barrier.lastReadBits(txn);
                if (!(current instanceof Slot[] child)) {
                    break;
                }
                if (generation(child) != generation) { // shared with a snapshot: copy before writing below
                    child = copy(txn, child, generation);
                    Barrier.writeBitsAndObject(txn, slot, NODE_BITS, child);
                }
                node = child;
                slot = node[(h >>> shift) & (node.length - 1)];
            }
        }
        Object[] leaf = (Object[]) current;
        long probe = filterBit(h);
        int index = (bits & probe) == 0 ? -1 : indexIn(leaf, key, h);
        V old = index < 0 ? null : (V) leaf[valueAt(index)];
        boolean matches = matches(op, old, a);
        V updated = (V) updatedValue(op, old, a, b, matches);
        if (updated != old) {
            Object changed = changedLeaf(leaf, index, h, key, updated, shift, generation);
            Barrier.writeBitsAndObject(txn, slot, bitsOf(changed, bits, probe), changed);
            int delta = sizeChange(updated, index);
            if (delta != 0) {
                count.add(txn, delta);
            }
            if (splitUnderNarrowRoot(changed, shift)) {
                if (widens(root, h)) {
                    widen(txn);
                } else {
                    // widens() counts committed nodes: splits earlier in this transaction (a map
                    // filled in one) are counted once it has committed
                    Stm.afterCommit(this::widenIfDue);
                }
            }
        }
        return isConditional(op) ? (Object) matches : old;
    }

    /**
     * The same operations outside a transaction, each one guarded commit when it can (see the
     * overview): returns {@link #TRY_IN_TRANSACTION} when it could not, and the caller then runs
     * {@link #txUpdate} in a transaction of its own.
     */
    @SuppressWarnings("unchecked")
    public Object updateOutside(K key, int op, Object a, Object b) {
        int h = spread(key.hashCode());
        long probe = filterBit(h);
        for (int attempt = 0; attempt < OUTSIDE_ATTEMPTS; attempt++) {
            long rootStamp = Barrier.valueStamp(this);
            Object current = Barrier.peekObject(this);
            TxnCell slot = this;
            TxnCell guard = null;
            long slotStamp = rootStamp;
            int shift = 0;
            int generation = 0;
            Slot[] root = null;
            if (current instanceof Slot[] top) {
                guard = this;
                root = top;
                generation = generation(top);
                Slot[] node = top;
                slot = liveRootSlot(top, h & (top.length - 1));
                for (;;) {
                    shift += indexBits(node);
                    slotStamp = Barrier.valueStamp(slot);
                    current = Barrier.peekObject(slot);
                    if (!(current instanceof Slot[] child)) {
                        break;
                    }
                    if (generation(child) != generation) { // shared with a snapshot: a transaction copies it
                        return TRY_IN_TRANSACTION;
                    }
                    node = child;
                    slot = node[(h >>> shift) & (node.length - 1)];
                }
            }
            long bits = Barrier.peekLong(slot); // if it changed since the stamp, the commit fails
            Object[] leaf = (Object[]) current;
            int index = (bits & probe) == 0 ? -1 : indexIn(leaf, key, h);
            V old = index < 0 ? null : (V) leaf[valueAt(index)];
            boolean matches = matches(op, old, a);
            V updated = (V) updatedValue(op, old, a, b, matches);
            Object result = isConditional(op) ? (Object) matches : old;
            if (updated == old) { // a lookup: linearizable when the leaf was read (as lookupAnywhere)
                return result;
            }
            Object changed = changedLeaf(leaf, index, h, key, updated, shift, generation);
            int delta = sizeChange(updated, index);
            if (Barrier.compareStampsAndSet(guard, rootStamp, slot, slotStamp, bitsOf(changed, bits, probe), changed,
                    delta == 0 ? null : count.stripe(), delta)) {
                if (splitUnderNarrowRoot(changed, shift) && widens(root, h)) {
                    Stm.atomic(() -> widen(Barrier.running()));
                }
                return result;
            }
        }
        return TRY_IN_TRANSACTION;
    }

    /** {@link #updateOutside}'s answer when the operation must run in a transaction instead. */
    public static final Object TRY_IN_TRANSACTION = new Object();

    /** Guarded commits {@link #updateOutside} tries before it leaves the operation to a transaction. */
    private static final int OUTSIDE_ATTEMPTS = 4;

    private static boolean isConditional(int op) {
        return op == REPLACE_IF_EQUALS || op == REMOVE_IF_EQUALS;
    }

    /** Whether a conditional operation's expected value {@code a} equals the current one. */
    private static boolean matches(int op, Object old, Object a) {
        return isConditional(op) && old != null && old.equals(a);
    }

    /** The key's value after the operation (null: absent), given its value before. */
    private static Object updatedValue(int op, Object old, Object a, Object b, boolean matches) {
        return switch (op) {
            case PUT -> a;
            case PUT_IF_ABSENT -> old == null ? a : old;
            case REPLACE -> old == null ? null : a;
            case REPLACE_IF_EQUALS -> matches ? b : old;
            case REMOVE -> null;
            case REMOVE_IF_EQUALS -> matches ? null : old;
            default -> throw new IllegalArgumentException("unknown operation " + op);
        };
    }

    /**
     * What the slot holds once the entry at {@code index} (-1: absent) of {@code leaf} is set to
     * {@code updated} (null: removed): a leaf, null, or the node an overflowing leaf splits into.
     */
    private static Object changedLeaf(Object[] leaf, int index, int h, Object key, Object updated, int shift,
            int generation) {
        if (updated == null) {
            return entries(leaf) == 1 ? null : without(leaf, index);
        }
        if (index >= 0) {
            Object[] copy = leaf.clone(); // the keys and so their hashes are the same: shared
            copy[valueAt(index)] = updated;
            return copy;
        }
        return with(leaf, h, key, updated, shift, generation);
    }

    /** How the entry count changes when the key at {@code index} (-1: absent) becomes {@code updated}. */
    private static int sizeChange(Object updated, int index) {
        return updated == null ? -1 : index < 0 ? 1 : 0;
    }

    /**
     * The bits committed with {@code changed}: 0 over null, NODE_BITS over a node, else the
     * leaf's filter with the key's bit (a removal may leave bits set: the filter is a superset).
     */
    private static long bitsOf(Object changed, long bits, long probe) {
        return changed == null ? 0L : changed instanceof Slot[] ? NODE_BITS : bits | probe;
    }

    // ------------------------------------------------------------------ leaves

    /** The number of entries of a leaf ({@code {hashes, k0, v0, k1, v1, ...}}). */
    static int entries(Object[] leaf) {
        return leaf.length >>> 1;
    }

    /** Where a leaf holds the key of its entry {@code i}. */
    static int keyAt(int i) {
        return 1 + 2 * i;
    }

    /** Where a leaf holds the value of its entry {@code i}. */
    static int valueAt(int i) {
        return 2 + 2 * i;
    }

    /**
     * The entries a leaf holds before it splits when it is the child of a node at depth
     * {@code shift / BITS - 1} ({@code shift}: the bits a split there would index by).
     */
    static int maxEntries(int shift) {
        return shift < DEEP_SHIFT ? LEAF_MAX : DEEP_LEAF_MAX;
    }

    /** Whether a leaf of {@code entries} entries keeps its keys' hashes (see the overview). */
    private static boolean keepsHashes(int entries) {
        return entries > LEAF_MAX;
    }

    /** The spread hash of the key of entry {@code i}: stored, or computed from the key. */
    private static int hashAt(Object[] leaf, int i) {
        return leaf[0] instanceof int[] hashes ? hashes[i] : spread(leaf[keyAt(i)].hashCode());
    }

    /**
     * The entry of {@code key} (spread hash {@code h}) in {@code leaf}, or -1. A leaf that keeps
     * hashes is scanned by them, following only a key whose hash matches; a small one by its keys.
     */
    private static int indexIn(Object[] leaf, Object key, int h) {
        if (leaf == null) {
            return -1;
        }
        Object first = leaf[0];
        if (!(first instanceof int[] hashes)) {
            if (first != null && key.getClass() == first) { // a sorted collision leaf (see the overview)
                int index = sortedIndexIn(leaf, key);
                return index >= 0 ? index : -1;
            }
            for (int i = 1; i < leaf.length; i += 2) {
                Object k = leaf[i];
                if (k == key || k.equals(key)) {
                    return i >>> 1;
                }
            }
            return -1;
        }
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] == h) {
                Object k = leaf[keyAt(i)];
                if (k == key || k.equals(key)) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** {@code leaf} without its entry {@code index}. */
    private static Object[] without(Object[] leaf, int index) {
        int size = entries(leaf);
        int after = size - 1 - index;
        Object[] copy = new Object[leaf.length - 2];
        if (leaf[0] instanceof Class<?> sortedBy && size - 1 > DEEP_LEAF_MAX) {
            copy[0] = sortedBy; // removing an entry keeps the order
        } else if (keepsHashes(size - 1)) {
            int[] fewer = new int[size - 1];
            if (leaf[0] instanceof int[] hashes) {
                System.arraycopy(hashes, 0, fewer, 0, index);
                System.arraycopy(hashes, index + 1, fewer, index, after);
            } else { // a sorted collision leaf back at DEEP_LEAF_MAX: one hash for all
                java.util.Arrays.fill(fewer, hashAt(leaf, 0));
            }
            copy[0] = fewer;
        }
        System.arraycopy(leaf, 1, copy, 1, 2 * index);
        System.arraycopy(leaf, keyAt(index + 1), copy, keyAt(index), 2 * after);
        return copy;
    }

    /** The leaf (or, if it overflows and can split, the node) holding {@code leaf} plus the entry. */
    private static Object with(Object[] leaf, int h, Object key, Object value, int shift, int generation) {
        int size = leaf == null ? 0 : entries(leaf);
        if (size >= DEEP_LEAF_MAX && shift >= HASH_BITS) {
            Object[] sorted = sortedWith(leaf, key, value);
            if (sorted != null) {
                return sorted;
            }
        }
        int[] hashes = null;
        if (keepsHashes(size + 1)) {
            hashes = new int[size + 1]; // allocated next to the leaf
            for (int i = 0; i < size; i++) {
                hashes[i] = hashAt(leaf, i);
            }
            hashes[size] = h;
        }
        Object[] grown = new Object[keyAt(size + 1)];
        if (size > 0) {
            System.arraycopy(leaf, 1, grown, 1, 2 * size);
        }
        grown[0] = hashes;
        grown[keyAt(size)] = key;
        grown[valueAt(size)] = value;
        return size + 1 > maxEntries(shift) && shift < HASH_BITS ? split(grown, shift, generation, shift == 0) : grown;
    }

    /**
     * Distributes a leaf by the hash bits at {@code shift} into a new node (recursively where a
     * part overflows): an overflowing leaf, or a small one the root's widening spreads out.
     */
    private static Slot[] split(Object[] leaf, int shift, int generation, boolean root) {
        int size = entries(leaf);
        int[] hashes = hashesOf(leaf);
        int[] sizes = new int[WIDTH];
        for (int hash : hashes) {
            sizes[(hash >>> shift) & MASK]++;
        }
        Slot[] node = new Slot[WIDTH];
        for (int s = 0; s < WIDTH; s++) {
            Object child = null;
            long bits = 0L;
            if (sizes[s] > 0) {
                int[] partHashes = keepsHashes(sizes[s]) ? new int[sizes[s]] : null;
                Object[] part = new Object[keyAt(sizes[s])];
                part[0] = partHashes;
                int j = 0;
                for (int i = 0; i < size; i++) {
                    if (((hashes[i] >>> shift) & MASK) == s) {
                        if (partHashes != null) {
                            partHashes[j] = hashes[i];
                        }
                        part[keyAt(j)] = leaf[keyAt(i)];
                        part[valueAt(j)] = leaf[valueAt(i)];
                        bits |= filterBit(hashes[i]);
                        j++;
                    }
                }
                if (sizes[s] > maxEntries(shift + BITS) && shift + BITS < HASH_BITS) {
                    child = split(part, shift + BITS, generation, false);
                    bits = NODE_BITS;
                } else {
                    child = part;
                }
            }
            node[s] = root ? new RootSlot(bits, child, generation) : new Slot(bits, child, generation);
        }
        return node;
    }

    /** The spread hashes of a leaf's keys: the ones it keeps, or computed from its keys. */
    private static int[] hashesOf(Object[] leaf) {
        int[] kept = leaf[0] instanceof int[] hashes ? hashes : null;
        if (kept != null) { // every leaf that overflows keeps them
            return kept;
        }
        int[] hashes = new int[entries(leaf)];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = hashAt(leaf, i);
        }
        return hashes;
    }

    /**
     * A collision leaf of more than DEEP_LEAF_MAX entries holding {@code leaf}'s entries plus
     * {@code key} (absent from it), sorted by compareTo; null if the keys are not all of one
     * self-comparable class (the caller then makes the hashed form). {@code leaf} is sorted when
     * it holds that class in place of its hashes; otherwise it is sorted here, once.
     */
    private static Object[] sortedWith(Object[] leaf, Object key, Object value) {
        Class<?> type = key.getClass();
        if (!SELF_COMPARABLE.get(type)) {
            return null;
        }
        int size = entries(leaf);
        Object[] grown = new Object[keyAt(size + 1)];
        grown[0] = type;
        if (leaf[0] == type) {
            int at = -sortedIndexIn(leaf, key) - 1;
            System.arraycopy(leaf, 1, grown, 1, 2 * at);
            grown[keyAt(at)] = key;
            grown[valueAt(at)] = value;
            System.arraycopy(leaf, keyAt(at), grown, keyAt(at + 1), 2 * (size - at));
            return grown;
        }
        if (leaf[0] instanceof Class<?>) {
            return null; // sorted by another class
        }
        Integer[] order = new Integer[size + 1];
        for (int i = 0; i < size; i++) {
            if (leaf[keyAt(i)].getClass() != type) {
                return null;
            }
            order[i] = i;
        }
        order[size] = size;
        @SuppressWarnings({"unchecked", "rawtypes"})
        java.util.Comparator<Integer> byKey = (a, b) -> ((Comparable) keyOf(leaf, key, a)).compareTo(keyOf(leaf, key, b));
        java.util.Arrays.sort(order, byKey);
        for (int j = 0; j <= size; j++) {
            int i = order[j];
            grown[keyAt(j)] = i == size ? key : leaf[keyAt(i)];
            grown[valueAt(j)] = i == size ? value : leaf[valueAt(i)];
        }
        return grown;
    }

    /** Entry {@code i}'s key of {@code leaf}, or {@code extra} for i == its size (sortedWith's new entry). */
    private static Object keyOf(Object[] leaf, Object extra, int i) {
        return i == entries(leaf) ? extra : leaf[keyAt(i)];
    }

    /**
     * The entry of {@code key} (of the leaf's class) in a sorted collision leaf, or
     * {@code -(insertion point) - 1}: a binary search by compareTo, then equals on the match and
     * on the run of its compareTo-equal neighbours.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int sortedIndexIn(Object[] leaf, Object key) {
        Comparable probe = (Comparable) key;
        int low = 0;
        int high = entries(leaf) - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            Object k = leaf[keyAt(middle)];
            int order = k == key ? 0 : probe.compareTo(k);
            if (order > 0) {
                low = middle + 1;
            } else if (order < 0) {
                high = middle - 1;
            } else {
                if (k == key || k.equals(key)) {
                    return middle;
                }
                for (int i = middle - 1; i >= 0 && probe.compareTo(leaf[keyAt(i)]) == 0; i--) {
                    if (leaf[keyAt(i)].equals(key)) {
                        return i;
                    }
                }
                for (int i = middle + 1; i < entries(leaf) && probe.compareTo(leaf[keyAt(i)]) == 0; i++) {
                    if (leaf[keyAt(i)].equals(key)) {
                        return i;
                    }
                }
                return -middle - 1; // among its compareTo-equals: the order stays sorted
            }
        }
        return -low - 1;
    }

    /**
     * Whether a class implements {@code Comparable} of itself (directly, as
     * ConcurrentHashMap's comparableClassFor decides, so that compareTo between two of its
     * instances is defined): the keys a collision leaf may keep sorted.
     */
    private static final ClassValue<Boolean> SELF_COMPARABLE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (type == String.class) {
                return true;
            }
            for (java.lang.reflect.Type implemented : type.getGenericInterfaces()) {
                if (implemented instanceof java.lang.reflect.ParameterizedType p && p.getRawType() == Comparable.class) {
                    java.lang.reflect.Type[] arguments = p.getActualTypeArguments();
                    return arguments.length == 1 && arguments[0] == type;
                }
            }
            return false;
        }
    };

    // ------------------------------------------------------------------ the wide root

    /** Whether {@code changed}, written at {@code shift}, is a leaf split in a slot of a narrow root. */
    private static boolean splitUnderNarrowRoot(Object changed, int shift) {
        return shift == BITS && changed instanceof Slot[];
    }

    /**
     * Whether the narrow {@code root}, whose slot of the key with spread hash {@code h} just split,
     * now has WIDEN_AT slots holding nodes. A heuristic: the other slots are peeked, not read, so
     * the caller's transaction does not conflict with writes to them; {@link #widen} decides on
     * what it reads.
     */
    private static boolean widens(Slot[] root, int h) {
        return nodesIn(root, h & MASK) + 1 >= WIDEN_AT;
    }

    /** The number of slots of the narrow {@code root} other than {@code except} holding nodes, peeked. */
    private static int nodesIn(Slot[] root, int except) {
        int nodes = 0;
        for (int s = 0; s < WIDTH; s++) {
            if (s != except && Barrier.peekObject(newestRootSlot(root, s)) instanceof Slot[]) {
                nodes++;
            }
        }
        return nodes;
    }

    /**
     * After a transaction that split leaves of the narrow root (an after-commit hook, outside
     * it): widens the root, in a transaction of its own, if WIDEN_AT of its slots now hold nodes.
     */
    private void widenIfDue() {
        if (Barrier.peekObject(this) instanceof Slot[] root && root.length == WIDTH && nodesIn(root, -1) >= WIDEN_AT) {
            Stm.atomic(() -> widen(Barrier.running()));
        }
    }

    /**
     * Replaces a narrow root node by a wide one, in the running transaction: slot {@code i} of the
     * wide root holds what slot {@code i >>> BITS} of the child in slot {@code i & MASK} held (or
     * the part of the leaf there that those hash bits select), with its filter, in the root's
     * generation. Hash bits [0, 10) index it, as the top two levels did, so every key keeps its
     * path below, every node below keeps its depth and generation, and a lookup follows two
     * references fewer. The old root and its children are frozen from this commit on: writers
     * read the root cell, so a write that read the old one fails validation or its guard (see
     * the overview).
     */
    private void widen(TxnHandle txn) {
        if (!(Barrier.readObject(txn, this) instanceof Slot[] root) || root.length != WIDTH) {
            return;
        }
        int generation = generation(root);
        Slot[] wide = new Slot[WIDE_WIDTH];
        for (int s = 0; s < WIDTH; s++) {
            Object child = Barrier.readObject(txn, liveRootSlot(root, s));
            if (child instanceof Slot[] node) {
                for (int j = 0; j < WIDTH; j++) {
                    Object grandchild = Barrier.readObject(txn, node[j]);
                    wide[s | j << BITS] = new RootSlot(Barrier.lastReadBits(txn), grandchild, generation);
                }
            } else {
                distribute((Object[]) child, s, wide, generation);
            }
        }
        Barrier.writeBitsAndObject(txn, this, NODE_BITS, wide);
    }

    /**
     * Fills the WIDTH slots of {@code wide} below root slot {@code s} with the entries of
     * {@code leaf} (null, or a leaf of at most LEAF_MAX entries from that slot), by hash bits
     * [BITS, WIDE_BITS): the node {@link #split} would make of it, laid into the wide root.
     */
    private static void distribute(Object[] leaf, int s, Slot[] wide, int generation) {
        Slot[] parts = leaf == null ? null : split(leaf, BITS, generation, true);
        for (int j = 0; j < WIDTH; j++) {
            wide[s | j << BITS] = parts == null ? new RootSlot(0L, null, generation) : parts[j];
        }
    }

    /**
     * The number of slots of the root node (WIDTH or WIDE_WIDTH), or 0 while the root cell holds a
     * leaf; read without a transaction. For tests of the structure.
     */
    public int rootWidth() {
        return Barrier.peekObject(this) instanceof Slot[] root ? root.length : 0;
    }

    /** Removes every entry, in the running transaction: O(stripes), the old nodes become garbage. */
    public void txClear() {
        Barrier.writeObject(this, null); // bits 0: empty
        count.reset();
    }

    // ------------------------------------------------------------------ snapshots and iteration

    /**
     * Freezes the current contents and returns them (a leaf, a node or null): one short
     * transaction and a copy of the root node's elements (see the overview, "Lazy root copies").
     * Must run outside a transaction; the result can be read without one.
     */
    public Object snapshot() {
        return Stm.atomic(() -> {
            TxnHandle txn = Barrier.running();
            Object current = Barrier.readObject(txn, this);
            if (current instanceof Slot[] root) {
                Barrier.writeBitsAndObject(txn, this, NODE_BITS, nextGeneration(txn, root));
            }
            return current;
        });
    }

    /**
     * The root node that replaces {@code root} when a snapshot freezes it, in the running
     * transaction: the same elements (each slot gets its cell of the new generation when first
     * used, see the overview), but for a fresh slot 0 holding what slot 0 holds, which gives
     * the node its generation.
     */
    private static Slot[] nextGeneration(TxnHandle txn, Slot[] root) {
        Slot first = liveRootSlot(root, 0);
        Object child = Barrier.readObject(txn, first);
        Slot[] next = root.clone();
        next[0] = new RootSlot(Barrier.lastReadBits(txn), child, generation(root) + 1);
        return next;
    }

    /** Calls {@code action} for every entry, in the running transaction. */
    @SuppressWarnings("unchecked")
    public void txForEach(BiConsumer<? super K, ? super V> action) {
        Cursor<K, V> cursor = new Cursor<>(Barrier.readObject(this), true);
        while (cursor.advance()) {
            action.accept((K) cursor.key, (V) cursor.value);
        }
    }

    /** A cursor over the live map, reading in the running transaction. */
    public Cursor<K, V> txCursor() {
        return new Cursor<>(Barrier.readObject(this), true);
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
        /** The attempt and scopes a transactional cursor reads in; null for a snapshot's cursor. */
        private final IteratorScope owner;
        private final Slot[][] nodes = new Slot[HASH_BITS / BITS + 2][];
        private final int[] next = new int[HASH_BITS / BITS + 2];
        private int depth = -1;
        private Object[] leaf;
        private int leafIndex;
        public Object key;
        public Object value;

        Cursor(Object top, boolean transactional) {
            this.owner = transactional ? new IteratorScope() : null;
            enter(top);
        }

        private void enter(Object child) {
            if (child instanceof Slot[] node) {
                depth++;
                nodes[depth] = node;
                next[depth] = 0;
            } else if (child != null) {
                leaf = (Object[]) child;
                leafIndex = 1;
            }
        }

        /**
         * Throws if a transactional cursor may not read here (its attempt ended, or a scope it
         * read in rolled back); a snapshot's cursor always may.
         */
        public void checkUsable() {
            if (owner != null) {
                owner.check("iterate over a snapshot instead");
            }
        }

        /** Moves to the next entry; false at the end. */
        public boolean advance() {
            checkUsable();
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
                if (i == nodes[depth].length) {
                    nodes[depth--] = null;
                    continue;
                }
                next[depth] = i + 1;
                Slot[] node = nodes[depth];
                if (owner != null) {
                    enter(readInTransaction(depth == 0 ? liveRootSlot(node, i) : node[i]));
                } else {
                    enter(Barrier.peekObject(depth == 0 ? frozenRootSlot(node, i) : node[i]));
                }
            }
        }

        private static Object readInTransaction(Slot slot) {
            return Barrier.readObject(slot); // in the cursor's transaction: advance() checked it
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
