package dev.weft.collections;

import dev.weft.collections.internal.HashMapView;
import dev.weft.collections.internal.HashTrie;
import dev.weft.collections.internal.KeySetView;
import dev.weft.collections.internal.TransactionRequired;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A transactional hash set, built on the same trie as {@link TMap}.
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when none is running. {@link #asSet()} is a
 * {@link Set} in which each call (bulk methods such as {@code addAll} and {@code removeIf}
 * included) is one atomic transaction, or joins the running transaction when called inside one.
 *
 * <p><b>Null policy:</b> null elements throw {@link NullPointerException}, nothing is written.
 * <b>Iteration:</b> as {@link TMap}: iterators created outside a transaction see an O(1) snapshot;
 * inside a transaction they read in it. <b>Complexity:</b> as {@link TMap}; {@code contains}
 * outside a transaction is lock-free and allocates nothing. <b>Conflicts:</b> two transactions
 * conflict when they change elements of the same trie leaf, or one reads what the other changes.
 *
 * <p><b>Thread-safety:</b> safe for use by any number of threads.
 *
 * @param <E> the type of elements
 */
public final class TSet<E> {
    private final HashTrie<E, Boolean> trie = new HashTrie<>();
    private final HashMapView<E, Boolean> map = new HashMapView<>(trie);
    private final KeySetView<E, Boolean> view = new KeySetView<>(map, Boolean.TRUE);

    /** Creates an empty set. */
    public TSet() {}

    /**
     * Adds {@code element} if it is absent, in the running transaction.
     *
     * @param element the element, not null
     * @return whether {@code element} was absent (and is now present)
     * @throws NullPointerException if {@code element} is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean add(E element) {
        check("add");
        Objects.requireNonNull(element, "TSet does not accept null elements");
        return trie.txUpdate(element, HashTrie.PUT_IF_ABSENT, Boolean.TRUE, null) == null;
    }

    /**
     * Removes {@code element} if it is present, in the running transaction.
     *
     * @param element the element, not null
     * @return whether {@code element} was present (and is now removed)
     * @throws NullPointerException if {@code element} is null
     * @throws IllegalStateException if no transaction is running on this thread
     */
    @SuppressWarnings("unchecked")
    public boolean remove(Object element) {
        check("remove");
        Objects.requireNonNull(element, "TSet holds no null elements");
        return trie.txUpdate((E) element, HashTrie.REMOVE, null, null) != null;
    }

    /**
     * Whether {@code element} is present. Allocates nothing.
     *
     * @param element the element, not null
     * @return whether {@code element} is present
     * @throws NullPointerException if {@code element} is null
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean contains(Object element) {
        check("contains");
        Objects.requireNonNull(element, "TSet holds no null elements");
        return trie.txGet(element) != null;
    }

    /**
     * The number of elements (saturated at {@link Integer#MAX_VALUE}); reads every count stripe.
     *
     * @implNote Cost model. Reads every stripe of the set's striped count (four per core, 4 to 64):
     * O(stripes) read-log entries, no allocation. Any insert or removal that commits meanwhile
     * invalidates this transaction, so transactions that must not conflict with writers should not
     * read it.
     *
     * @return the number of elements (saturated at {@link Integer#MAX_VALUE}); reads every count stripe
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int size() {
        check("size");
        long n = trie.txSize();
        return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    }

    /**
     * Whether the set is empty; reads every count stripe.
     *
     * @implNote Cost model. Computed from {@link #size()}: reads every count stripe, O(stripes),
     * and conflicts with concurrent adds and removals.
     *
     * @return whether the set is empty; reads every count stripe
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * Removes every element, in the running transaction.
     *
     * @implNote Cost model. Writes the root ref and every count stripe, O(stripes), without
     * reading the elements; it conflicts with every transaction using the set concurrently.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void clear() {
        check("clear");
        trie.txClear();
    }

    /**
     * Calls {@code action} for each element, in this transaction, in unspecified order.
     *
     * @implNote Cost model. Reads every node and leaf of the set's trie in this transaction: O(n)
     * time and read-log entries, all validated at commit, so any change to the set committed
     * meanwhile makes the transaction run again. Iterators of {@link #asSet()} created outside a
     * transaction walk an O(1) snapshot instead.
     *
     * @param action called once for each element, in this transaction
     * @throws NullPointerException if {@code action} is null
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void forEach(Consumer<? super E> action) {
        check("forEach");
        Objects.requireNonNull(action, "action");
        trie.txForEach((e, present) -> action.accept(e));
    }

    /**
     * The {@link Set} view: each method is one atomic transaction, or joins the running one.
     *
     * @implNote Cost model. Outside a transaction {@code contains} is a lock-free walk of
     * single-cell reads (no transaction, no allocation), and {@code add} and {@code remove} are
     * one commit each, as {@link TMap#asMap()}'s {@code putIfAbsent} and {@code remove}; every
     * other call runs the matching operation of this class as a transaction of its own (its costs
     * plus a begin and a commit; a call with arguments allocates one small lambda). An iterator created outside a transaction
     * takes an O(1) snapshot, as {@link TMap#asMap()} does; bulk methods ({@code addAll},
     * {@code removeAll}, {@code removeIf}, ...) are one transaction each.
     *
     * @return the view (the same object on every call)
     */
    public Set<E> asSet() {
        return view;
    }

    /** Shows the elements: outside a transaction of a snapshot, inside one as it sees them. */
    @Override
    public String toString() {
        return "TSet" + view;
    }

    private static void check(String method) {
        TransactionRequired.check("TSet", method, "asSet()");
    }
}
