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
     * @param element the element, not null
     * @return whether {@code element} was absent (and is now present)
     */
    public boolean add(E element) {
        check("add");
        Objects.requireNonNull(element, "TSet does not accept null elements");
        return trie.txUpdate(element, HashTrie.PUT_IF_ABSENT, Boolean.TRUE, null) == null;
    }

    /**
     * @param element the element, not null
     * @return whether {@code element} was present (and is now removed)
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
     */
    public boolean contains(Object element) {
        check("contains");
        Objects.requireNonNull(element, "TSet holds no null elements");
        return trie.txGet(element) != null;
    }

    /**
     * The number of elements (saturated at {@link Integer#MAX_VALUE}); reads every count stripe.
     *
     * @return the number of elements (saturated at {@link Integer#MAX_VALUE}); reads every count stripe
     */
    public int size() {
        check("size");
        long n = trie.txSize();
        return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    }

    /**
     * Whether the set is empty; reads every count stripe.
     *
     * @return whether the set is empty; reads every count stripe
     */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** Removes every element. */
    public void clear() {
        check("clear");
        trie.txClear();
    }

    /**
     * Calls {@code action} for each element, in this transaction, in unspecified order.
     *
     * @param action called once for each entry, in this transaction
     */
    public void forEach(Consumer<? super E> action) {
        check("forEach");
        Objects.requireNonNull(action, "action");
        trie.txForEach((e, present) -> action.accept(e));
    }

    /**
     * The {@link Set} view: each method is one atomic transaction, or joins the running one.
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
