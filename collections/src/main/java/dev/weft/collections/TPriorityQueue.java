package dev.weft.collections;

import dev.weft.collections.internal.OneStateQueue;
import dev.weft.collections.internal.RollbackWatch;
import dev.weft.collections.internal.TransactionRequired;
import dev.weft.refs.Ref;
import dev.weft.stm.Stm;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Queue;

/**
 * A transactional priority queue: {@code poll} removes a least element by the comparator (or the
 * natural order).
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when none is running. {@link #asQueue()} is
 * a {@link Queue} in which each call is one atomic transaction, or joins the running one.
 *
 * <p><b>Design and conflicts.</b> The queue is one ref holding an immutable leftist heap, so every
 * change replaces the ref: any two transactions that change the queue conflict (the least element
 * is a single point of contention in every priority queue). Readers of a state never block
 * writers. Ties are broken arbitrarily, as in {@link java.util.PriorityQueue}.
 *
 * <p><b>Null policy:</b> null elements throw {@link NullPointerException}; elements must be
 * mutually comparable. <b>Iteration:</b> over an O(1) snapshot (the immutable heap at the
 * iterator's creation), in no particular order; one made inside a transaction throws
 * {@link java.util.ConcurrentModificationException} once the scope it was made in rolls back.
 * <b>Complexity:</b> offer, poll: O(log n) time and
 * allocation; peek, size: O(1); remove(Object): O(n log n) (the heap is rebuilt without it).
 *
 * <p><b>Thread-safety:</b> safe for use by any number of threads. The comparator may run more than
 * once per operation (transactions retry) and must not have side effects.
 *
 * @param <E> the type of elements
 */
public final class TPriorityQueue<E> {
    /** An immutable leftist heap node: rank is the length of the right spine. */
    private static final class Heap {
        final Object value;
        final Heap left;
        final Heap right;
        final int rank;
        final int size;

        Heap(Object value, Heap left, Heap right) {
            this.value = value;
            this.left = left;
            this.right = right;
            this.rank = right == null ? 1 : right.rank + 1;
            this.size = 1 + (left == null ? 0 : left.size) + (right == null ? 0 : right.size);
        }
    }

    private final Comparator<? super E> comparator;
    private final Ref<Heap> heap = new Ref<>();
    private final View view = new View();

    /** Creates an empty queue in the natural order. */
    public TPriorityQueue() {
        this(null);
    }

    /**
     * Creates an empty queue ordered by {@code comparator}.
     *
     * @param comparator the order, or null for the natural order
     */
    public TPriorityQueue(Comparator<? super E> comparator) {
        this.comparator = comparator;
    }

    @SuppressWarnings("unchecked")
    private int compare(Object a, Object b) {
        return comparator == null ? ((Comparable<Object>) a).compareTo(b) : comparator.compare((E) a, (E) b);
    }

    private Heap merge(Heap a, Heap b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (compare(b.value, a.value) < 0) {
            Heap t = a;
            a = b;
            b = t;
        }
        Heap merged = merge(a.right, b);
        Heap left = a.left;
        if (left == null || left.rank < merged.rank) {
            return new Heap(a.value, merged, left);
        }
        return new Heap(a.value, left, merged);
    }

    /**
     * Adds {@code element}; returns true.
     *
     * @implNote Cost model. O(log n): merges a one-element heap into the heap, allocating O(log n)
     * new nodes along its right spine, and writes the queue's one ref, so it conflicts with every
     * other change of the queue.
     *
     * @param element the element, not null
     * @return true (the queue is unbounded)
     * @throws NullPointerException if {@code element} is null (nothing is written)
     * @throws ClassCastException if {@code element} cannot be compared with the elements of the
     * queue
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean offer(E element) {
        check("offer");
        Objects.requireNonNull(element, "TPriorityQueue does not accept null elements");
        compare(element, element); // ClassCastException now, not at a later comparison
        heap.set(merge(heap.get(), new Heap(element, null, null)));
        return true;
    }

    /**
     * Removes and returns a least element, or null if empty.
     *
     * @implNote Cost model. O(log n): merges the two subheaps of the least element, allocating
     * O(log n) new nodes, and writes the queue's one ref, so it conflicts with every other change
     * of the queue.
     *
     * @return a least element, or null if empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    @SuppressWarnings("unchecked")
    public E poll() {
        check("poll");
        Heap h = heap.get();
        if (h == null) {
            return null;
        }
        heap.set(merge(h.left, h.right));
        return (E) h.value;
    }

    /**
     * A least element without removing it, or null if empty.
     *
     * @return a least element, or null if the queue is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    @SuppressWarnings("unchecked")
    public E peek() {
        check("peek");
        Heap h = heap.get();
        return h == null ? null : (E) h.value;
    }

    /**
     * The number of elements.
     *
     * @return the number of elements
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int size() {
        check("size");
        Heap h = heap.get();
        return h == null ? 0 : h.size;
    }

    /**
     * Whether the queue is empty.
     *
     * @return whether the queue is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * Removes every element, in the running transaction, in O(1).
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void clear() {
        check("clear");
        heap.set(null);
    }

    /**
     * The {@link Queue} view: each method is one atomic transaction, or joins the running one.
     *
     * @implNote Cost model. Outside a transaction each call runs the matching operation as a
     * transaction of its own ({@code Stm.atomic}): that operation's costs plus a begin (one
     * volatile read of the clock) and a commit, and a call that passes arguments allocates one
     * small lambda. Inside a transaction a call costs what the operation costs there. Creating an
     * iterator reads the heap's ref once and copies the immutable heap, O(n), in no particular
     * order. {@code contains} is O(n); {@code remove(Object)} and {@code Iterator.remove} rebuild
     * the heap without the element, O(n log n), in one transaction.
     *
     * @return the view (the same object on every call)
     */
    public Queue<E> asQueue() {
        return view;
    }

    /** Shows the elements in no particular order. */
    @Override
    public String toString() {
        return "TPriorityQueue" + view;
    }

    private static void check(String method) {
        TransactionRequired.check("TPriorityQueue", method, "asQueue()");
    }

    private static List<Object> elements(Heap h) {
        List<Object> all = new ArrayList<>(h == null ? 0 : h.size);
        ArrayDeque<Heap> pending = new ArrayDeque<>();
        if (h != null) {
            pending.push(h);
        }
        while (!pending.isEmpty()) {
            Heap n = pending.pop();
            all.add(n.value);
            if (n.right != null) {
                pending.push(n.right);
            }
            if (n.left != null) {
                pending.push(n.left);
            }
        }
        return all;
    }

    /** Removes the first element matching (by equals, or identity), in the running transaction; O(n). */
    private boolean removeMatching(Object o, boolean identity) {
        Heap h = heap.get();
        List<Object> all = elements(h);
        for (int i = 0; i < all.size(); i++) {
            Object e = all.get(i);
            if (identity ? e == o : o.equals(e)) {
                Heap rebuilt = null;
                for (int j = 0; j < all.size(); j++) {
                    if (j != i) {
                        rebuilt = merge(rebuilt, new Heap(all.get(j), null, null));
                    }
                }
                heap.set(rebuilt);
                return true;
            }
        }
        return false;
    }

    private final class View extends OneStateQueue<E> {
        /** Iterators go in heap order, not priority order: not {@code ORDERED}. */
        @Override
        protected int characteristics() {
            return 0;
        }

        @Override
        public boolean offer(E e) {
            Objects.requireNonNull(e, "TPriorityQueue does not accept null elements");
            return Stm.atomicBoolean(() -> TPriorityQueue.this.offer(e));
        }

        @Override
        public E poll() {
            return Stm.atomic(TPriorityQueue.this::poll);
        }

        @Override
        public E peek() {
            return Stm.atomic(TPriorityQueue.this::peek);
        }

        @Override
        public int size() {
            return Stm.atomicInt(TPriorityQueue.this::size);
        }

        @Override
        public boolean isEmpty() {
            return size() == 0;
        }

        @Override
        public void clear() {
            Stm.atomic(TPriorityQueue.this::clear);
        }

        /** All elements in one transaction (none if one of them is null). */
        @Override
        public boolean addAll(Collection<? extends E> c) {
            if (c == this) {
                throw new IllegalArgumentException("a queue cannot add itself to itself");
            }
            for (E e : c) {
                Objects.requireNonNull(e, "TPriorityQueue does not accept null elements");
            }
            return Stm.atomicBoolean(() -> {
                for (E e : c) {
                    TPriorityQueue.this.offer(e);
                }
                return !c.isEmpty();
            });
        }

        @Override
        public boolean remove(Object o) {
            return o != null && Stm.atomicBoolean(() -> removeMatching(o, false));
        }

        @Override
        public Iterator<E> iterator() {
            List<Object> snapshot = elements(Stm.atomic(heap::get));
            RollbackWatch rollbacks = new RollbackWatch(); // inside a transaction: stale once the copy's scope rolls back
            rollbacks.watch();
            return new Iterator<>() {
                private int next;
                private Object last;

                @Override
                public boolean hasNext() {
                    return next < snapshot.size();
                }

                @Override
                @SuppressWarnings("unchecked")
                public E next() {
                    rollbacks.check();
                    if (next >= snapshot.size()) {
                        throw new NoSuchElementException("the iteration has no more elements");
                    }
                    last = snapshot.get(next++);
                    return (E) last;
                }

                @Override
                public void remove() {
                    rollbacks.check();
                    if (last == null) {
                        throw new IllegalStateException("remove() needs a preceding next(), once per element");
                    }
                    Object target = last;
                    last = null;
                    Stm.atomicBoolean(() -> removeMatching(target, true));
                }
            };
        }
    }
}
