package dev.weft.collections;

import dev.weft.collections.internal.TransactionRequired;
import dev.weft.refs.LongRef;
import dev.weft.refs.Ref;
import dev.weft.stm.Stm;
import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Queue;
import java.util.function.Predicate;

/**
 * An unbounded transactional FIFO queue: a linked list with separate head and tail refs.
 *
 * <pre>{@code
 * TQueue<Job> inbox = new TQueue<>(), done = new TQueue<>();
 * atomic(() -> {                       // hand a job over, atomically
 *     Job j = inbox.poll();
 *     if (j != null) done.offer(j.finish());
 * });
 * }</pre>
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when none is running. {@link #asQueue()} is
 * a {@link Queue} in which each call is one atomic transaction, or joins the running one.
 *
 * <p><b>Conflicts.</b> {@code offer} reads and writes the tail; {@code poll} and {@code peek} read
 * the head and the first node. While the queue is not empty a producer and a consumer touch no
 * common cell, so they never conflict; producers conflict with each other (one tail), and so do
 * consumers (one head). {@link #size()} reads two counters, one written by producers and one by
 * consumers, so it conflicts with both.
 *
 * <p><b>Null policy:</b> null elements throw {@link NullPointerException}.
 * <b>Iteration:</b> iterators copy the queue in one transaction when they are created (a
 * consistent snapshot, O(n)); inside a transaction, as that transaction sees it.
 * {@code Iterator.remove} and {@code remove(Object)} unlink an element in O(n).
 * <b>Complexity:</b> offer, poll, peek, isEmpty: O(1) cells, allocation of one node per offer.
 *
 * <p><b>Thread-safety:</b> safe for use by any number of threads.
 *
 * @param <E> the type of elements
 */
public final class TQueue<E> {
    /**
     * A list node, which is itself the cell holding its successor (no separate ref per node: one
     * object and one pointer less per element). The successor is written once when the next
     * element is appended (or on unlink).
     */
    private static final class Node<E> extends TxnCell {
        final E value;

        Node(E value) {
            super((Object) null);
            this.value = value;
        }

        /** The successor, in the running transaction. */
        @SuppressWarnings("unchecked")
        Node<E> next() {
            return (Node<E>) Barrier.readObject(this);
        }

        void setNext(Node<E> successor) {
            Barrier.writeObject(this, successor);
        }
    }

    private final Ref<Node<E>> head;    // the sentinel: its next is the first element
    private final Ref<Node<E>> tail;    // the last node (the sentinel when empty)
    private final LongRef offered = new LongRef();  // written by producers only
    private final LongRef polled = new LongRef();   // written by consumers only
    private final View view = new View();

    /** Creates an empty queue. */
    public TQueue() {
        Node<E> sentinel = new Node<>(null);
        head = new Ref<>(sentinel);
        tail = new Ref<>(sentinel);
    }

    /**
     * Appends {@code element} at the tail.
     *
     * @param element the element, not null
     * @return true (the queue is unbounded)
     * @throws NullPointerException if {@code element} is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean offer(E element) {
        check("offer");
        Objects.requireNonNull(element, "TQueue does not accept null elements");
        Node<E> node = new Node<>(element);
        tail.get().setNext(node);
        tail.set(node);
        offered.increment();
        return true;
    }

    /**
     * Removes and returns the head, or null if the queue is empty.
     *
     * @return the head, or null if the queue is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E poll() {
        check("poll");
        Node<E> sentinel = head.get();
        Node<E> first = sentinel.next();
        if (first == null) {
            return null;
        }
        head.set(first);
        polled.increment();
        return first.value;
    }

    /**
     * The head without removing it, or null if the queue is empty.
     *
     * @return the head without removing it, or null if the queue is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E peek() {
        check("peek");
        Node<E> first = head.get().next();
        return first == null ? null : first.value;
    }

    /**
     * Whether the queue is empty (reads the head only).
     *
     * @return whether the queue is empty (reads the head only)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean isEmpty() {
        check("isEmpty");
        return head.get().next() == null;
    }

    /** Elements ever offered, in the running transaction (producer-side cell). */
    long offeredCount() {
        return offered.get();
    }

    /** Elements ever polled or removed, in the running transaction (consumer-side cell). */
    long polledCount() {
        return polled.get();
    }

    /**
     * The number of elements (reads both counters: conflicts with producers and consumers).
     *
     * @return the number of elements (reads both counters: conflicts with producers and consumers)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int size() {
        check("size");
        long n = offered.get() - polled.get();
        return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    }

    /**
     * Removes every element, in the running transaction, in O(1): the head moves to the last node.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void clear() {
        check("clear");
        Node<E> last = tail.get();
        polled.set(offered.get());
        head.set(last);
    }

    /**
     * The {@link Queue} view: each method is one atomic transaction, or joins the running one.
     *
     * @implNote Cost model. Outside a transaction each call runs the matching operation as a
     * transaction of its own ({@code Stm.atomic}): that operation's costs plus a begin (one
     * volatile read of the clock) and a commit, and a call that passes arguments allocates one
     * small lambda. Inside a transaction a call costs what the operation costs there. Creating an
     * iterator copies the queue's nodes in one transaction, O(n); {@code contains},
     * {@code remove(Object)} and the bulk methods walk the list, O(n), in one transaction each, and
     * {@code Iterator.remove} unlinks its element in a transaction of its own, O(n).
     *
     * @return the view (the same object on every call)
     */
    public Queue<E> asQueue() {
        return view;
    }

    /** Shows the elements, head first. */
    @Override
    public String toString() {
        return "TQueue" + view;
    }

    private static void check(String method) {
        TransactionRequired.check("TQueue", method, "asQueue()");
    }

    /** The nodes from head to tail, in the running transaction. */
    private List<Node<E>> nodes() {
        List<Node<E>> all = new ArrayList<>();
        for (Node<E> n = head.get().next(); n != null; n = n.next()) {
            all.add(n);
        }
        return all;
    }

    /** Unlinks {@code target} (by identity) if it is still in the queue, in the running transaction. */
    private boolean unlink(Node<E> target) {
        Node<E> previous = head.get();
        for (Node<E> n = previous.next(); n != null; previous = n, n = n.next()) {
            if (n == target) {
                Node<E> after = n.next();
                previous.setNext(after);
                if (after == null) {
                    tail.set(previous);
                }
                polled.increment();
                return true;
            }
        }
        return false;
    }

    private final class View extends AbstractQueue<E> {
        @Override
        public boolean offer(E e) {
            Objects.requireNonNull(e, "TQueue does not accept null elements");
            return Stm.atomicBoolean(() -> TQueue.this.offer(e));
        }

        @Override
        public E poll() {
            return Stm.atomic(TQueue.this::poll);
        }

        @Override
        public E peek() {
            return Stm.atomic(TQueue.this::peek);
        }

        @Override
        public boolean isEmpty() {
            return Stm.atomicBoolean(TQueue.this::isEmpty);
        }

        @Override
        public int size() {
            return Stm.atomicInt(TQueue.this::size);
        }

        @Override
        public void clear() {
            Stm.atomic(TQueue.this::clear);
        }

        /** All elements in one transaction (none if one of them is null). */
        @Override
        public boolean addAll(Collection<? extends E> c) {
            if (c == this) {
                throw new IllegalArgumentException("a queue cannot add itself to itself");
            }
            for (E e : c) {
                Objects.requireNonNull(e, "TQueue does not accept null elements");
            }
            return Stm.atomicBoolean(() -> {
                boolean changed = false;
                for (E e : c) {
                    changed |= TQueue.this.offer(e);
                }
                return changed;
            });
        }

        @Override
        public boolean remove(Object o) {
            if (o == null) {
                return false;
            }
            return Stm.atomicBoolean(() -> {
                for (Node<E> n : nodes()) {
                    if (o.equals(n.value)) {
                        return unlink(n);
                    }
                }
                return false;
            });
        }

        @Override
        public boolean removeAll(Collection<?> c) {
            Objects.requireNonNull(c);
            return Stm.atomicBoolean(() -> super.removeAll(c));
        }

        @Override
        public boolean retainAll(Collection<?> c) {
            Objects.requireNonNull(c);
            return Stm.atomicBoolean(() -> super.retainAll(c));
        }

        @Override
        public boolean removeIf(Predicate<? super E> filter) {
            Objects.requireNonNull(filter);
            return Stm.atomicBoolean(() -> super.removeIf(filter));
        }

        @Override
        public Iterator<E> iterator() {
            List<Node<E>> snapshot = Stm.atomic(TQueue.this::nodes);
            return new Iterator<>() {
                private int next;
                private Node<E> last;

                @Override
                public boolean hasNext() {
                    return next < snapshot.size();
                }

                @Override
                public E next() {
                    if (next >= snapshot.size()) {
                        throw new NoSuchElementException("the iteration has no more elements");
                    }
                    last = snapshot.get(next++);
                    return last.value;
                }

                @Override
                public void remove() {
                    if (last == null) {
                        throw new IllegalStateException("remove() needs a preceding next(), once per element");
                    }
                    Node<E> target = last;
                    last = null;
                    Stm.atomicBoolean(() -> unlink(target));
                }
            };
        }
    }
}
