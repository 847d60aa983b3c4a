package dev.weft.collections;

import dev.weft.collections.internal.Drain;
import dev.weft.collections.internal.OneStateQueue;
import dev.weft.collections.internal.TransactionRequired;
import dev.weft.stm.Stm;
import dev.weft.stm.TransactionInterruptedException;
import java.time.Duration;
import java.util.Collection;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A bounded transactional FIFO queue: {@link #put} waits (with {@link Stm#retry()}) while it is
 * full, {@link #take} while it is empty.
 *
 * <pre>{@code
 * TBoundedQueue<Job> jobs = new TBoundedQueue<>(100);
 * jobs.asBlockingQueue().put(job);                  // blocks while full
 * Job next = atomic(() -> Stm.orElse(urgent::take, jobs::take)); // urgent first, else wait on both
 * }</pre>
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when none is running; {@code put} and
 * {@code take} call {@code retry()}, so the whole transaction waits until the queue changes, and
 * inside {@link Stm#orElse} they let the next alternative run instead. {@link #asBlockingQueue()}
 * is a {@link BlockingQueue} whose every call is one transaction (or joins the running one); its
 * blocking methods park the thread (virtual threads unmount) and throw
 * {@link InterruptedException} as the interface requires.
 *
 * <p><b>Conflicts.</b> Built on {@link TQueue} (producers and consumers share no cell while the
 * queue is neither empty nor full). Producers keep their own, possibly stale, copy of the number
 * of elements consumed; since that number only grows, a stale copy can only make the queue look
 * fuller, and producers read the consumers' count (kept in the head cell) only when their copy
 * says the queue is full.
 *
 * <p><b>Outside a transaction</b> the view's {@code offer}, {@code put}, {@code poll},
 * {@code take} (and their timed forms), {@code peek} and {@code isEmpty} run no transaction
 * when they need not wait: an offer links its node and numbers it (the last node's number
 * counts the offers) in one commit of one cell (and swings the tail every other time), a poll
 * moves the head and counts it in one commit of one cell (the head), linearizable with
 * each other and with every transaction on the queue. A call that must wait (the queue full for
 * a put, empty for a take) runs as a transaction that parks in {@code retry}, and so does a call
 * whose commit keeps failing under contention.
 *
 * <p><b>Null policy:</b> null elements throw {@link NullPointerException}. <b>Iteration:</b> as
 * {@link TQueue} (a snapshot copied when the iterator is created). <b>Complexity:</b> O(1) per
 * operation except {@code remove(Object)}, O(n).
 *
 * <p><b>Thread-safety:</b> safe for use by any number of threads, platform or virtual.
 *
 * @param <E> the type of elements
 */
public final class TBoundedQueue<E> {
    private final int capacity;
    private final TQueue<E> queue;
    private final View view = new View();

    /**
     * Creates an empty queue that holds at most {@code capacity} elements.
     *
     * @param capacity the maximum number of elements, at least 1
     * @throws IllegalArgumentException if capacity is below 1
     */
    public TBoundedQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.queue = new TQueue<>(capacity);
    }

    /**
     * The maximum number of elements, fixed at construction; may be called outside a transaction.
     *
     * @return the maximum number of elements
     */
    public int capacity() {
        return capacity;
    }

    private static void check(String method) {
        TransactionRequired.check("TBoundedQueue", method, "asBlockingQueue()");
    }

    /**
     * Adds {@code element} if there is room; returns whether it did.
     *
     * @param element the element, not null
     * @return whether the element was added (false: the queue is full)
     * @throws NullPointerException if {@code element} is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean offer(E element) {
        check("offer");
        Objects.requireNonNull(element, "TBoundedQueue does not accept null elements");
        return queue.offerIfRoom(element);
    }

    /**
     * Adds {@code element} at the tail, in the running transaction, waiting while the queue is
     * full. If the queue is full this calls {@link Stm#retry()}: the whole transaction rolls back
     * and waits until a commit changes what it read (a consumer takes an element), or, inside
     * {@link Stm#orElse}, the next alternative runs instead.
     *
     * @param element the element, not null
     * @throws NullPointerException if {@code element} is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void put(E element) {
        check("put");
        Objects.requireNonNull(element, "TBoundedQueue does not accept null elements");
        if (!queue.offerIfRoom(element)) {
            Stm.retry();
        }
    }

    /**
     * Removes and returns the head, or null if empty.
     *
     * @return the head, or null if empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E poll() {
        check("poll");
        return queue.poll();
    }

    /**
     * Removes and returns the head, in the running transaction, waiting while the queue is empty.
     * If the queue is empty this calls {@link Stm#retry()}: the whole transaction rolls back and
     * waits until a commit changes what it read (a producer adds an element), or, inside
     * {@link Stm#orElse}, the next alternative runs instead.
     *
     * @return the head
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E take() {
        check("take");
        E e = queue.poll();
        if (e == null) {
            Stm.retry();
        }
        return e;
    }

    /**
     * The head, or null if empty.
     *
     * @return the head, or null if empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E peek() {
        check("peek");
        return queue.peek();
    }

    /**
     * The number of elements.
     *
     * @return the number of elements
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int size() {
        check("size");
        return queue.size();
    }

    /**
     * Whether the queue is empty (reads the head only).
     *
     * @return whether the queue is empty (reads the head only)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean isEmpty() {
        check("isEmpty");
        return queue.isEmpty();
    }

    /**
     * Free places: {@code capacity() - size()}.
     *
     * @return the number of elements that can be added without waiting
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int remainingCapacity() {
        check("remainingCapacity");
        return capacity - queue.size();
    }

    /**
     * Removes every element, in the running transaction, in O(1).
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void clear() {
        check("clear");
        queue.clear();
    }

    /**
     * The {@link BlockingQueue} view: each call one transaction, or joins the running one.
     *
     * @implNote Cost model. Outside a transaction an offer or put that finds room is a few
     * one-cell reads (the tail, the last node and its number, the producers' copy of the
     * consumers' count), one guarded commit locking the last node, and every other time one
     * stamped store swinging the tail; it allocates its node and nothing else. A poll or take that finds
     * an element is two one-cell reads and one guarded commit of the head and the consumers'
     * count (one in 32 also a one-cell commit marking the node it leaves behind, as
     * {@link TQueue}'s polls do), allocating nothing; peek and isEmpty are two one-cell reads. None reads the other
     * end's cells while the queue is neither empty nor full. A blocking call ({@code put},
     * {@code take}, the timed forms) that finds the queue full (empty) first tries its one commit
     * again for a few microseconds, with doubling pauses, on a machine of more than one core; if
     * it must still wait, it runs as a transaction that parks the thread in {@code retry()} until
     * a commit changes the queue (no further spinning; a virtual thread unmounts). A call whose
     * commit failed a few times under contention, and every other call, runs as a transaction of
     * its own ({@code Stm.atomic}): the operation's costs plus a begin and a commit, and a call
     * that passes arguments allocates one small lambda. A blocking call that need not wait does
     * not look at the interrupt status.
     * Inside a transaction a call costs what the operation costs there. {@code contains},
     * {@code remove(Object)}, iteration and the bulk methods are O(n); {@code drainTo} takes its
     * elements in one irrevocable transaction, each only once the target has accepted it.
     *
     * @return the view (the same object on every call)
     */
    public BlockingQueue<E> asBlockingQueue() {
        return view;
    }

    @Override
    public String toString() {
        return "TBoundedQueue" + view;
    }

    /** Runs a blocking transaction, turning Weft's unchecked interrupt into the interface's. */
    private static <T> T blocking(Supplier<T> body) throws InterruptedException {
        try {
            return Stm.atomic(body);
        } catch (TransactionInterruptedException e) {
            Thread.interrupted(); // InterruptedException means the status is cleared
            InterruptedException checked = new InterruptedException(e.getMessage());
            checked.initCause(e);
            throw checked;
        }
    }

    /**
     * Further tries of a one-commit offer (poll) that found the queue full (empty) before a call
     * that may wait parks in a transaction, after 1, 2, 4, ... pauses (about 255 in all, a few
     * microseconds); none on a single processor, where the other side cannot run meanwhile.
     */
    private static final int SPIN_ROUNDS = Runtime.getRuntime().availableProcessors() > 1 ? 8 : 0;

    private final class View extends OneStateQueue<E> implements BlockingQueue<E> {
        /**
         * Outside a transaction, {@code e} offered without one: {@link TQueue#ADDED},
         * {@link TQueue#FULL} or {@link TQueue#TRY_IN_TRANSACTION} (also inside a transaction).
         * A full queue is looked at again up to {@code spinRounds} times, after 1, 2, 4, ...
         * pauses: for the calls that may wait, since a consumer on another core frees a place
         * within a few hundred nanoseconds while parking and being woken costs microseconds; the
         * pauses double so that the spinning thread does not keep taking the lines the consumer
         * writes.
         */
        private int offerOutside(E e, int spinRounds) {
            if (Stm.inTransaction()) {
                return TQueue.TRY_IN_TRANSACTION;
            }
            for (int round = 0; ; round++) {
                int outside = queue.offerCountedOutside(e);
                if (outside != TQueue.FULL || round >= spinRounds) {
                    return outside;
                }
                pause(round);
            }
        }

        /**
         * Outside a transaction, the head taken without one, null if empty, or
         * {@link TQueue#POLL_IN_TRANSACTION} (also inside a transaction); an empty queue is looked
         * at again up to {@code spinRounds} times, as {@link #offerOutside} does a full one.
         */
        private Object pollOutside(int spinRounds) {
            if (Stm.inTransaction()) {
                return TQueue.POLL_IN_TRANSACTION;
            }
            for (int round = 0; ; round++) {
                Object outside = queue.pollCountedOutside();
                if (outside != null || round >= spinRounds) {
                    return outside;
                }
                pause(round);
            }
        }

        private static void pause(int round) {
            for (int i = 1 << round; i > 0; i--) {
                Thread.onSpinWait();
            }
        }

        @Override
        public boolean offer(E e) {
            Objects.requireNonNull(e, "TBoundedQueue does not accept null elements");
            int outside = offerOutside(e, 0);
            if (outside != TQueue.TRY_IN_TRANSACTION) {
                return outside == TQueue.ADDED;
            }
            return Stm.atomicBoolean(() -> TBoundedQueue.this.offer(e));
        }

        @Override
        public void put(E e) throws InterruptedException {
            Objects.requireNonNull(e, "TBoundedQueue does not accept null elements");
            if (offerOutside(e, SPIN_ROUNDS) == TQueue.ADDED) {
                return;
            }
            blocking(() -> {
                TBoundedQueue.this.put(e);
                return null;
            });
        }

        @Override
        public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
            Objects.requireNonNull(e, "TBoundedQueue does not accept null elements");
            Objects.requireNonNull(unit, "unit");
            if (offerOutside(e, SPIN_ROUNDS) == TQueue.ADDED) {
                return true;
            }
            Duration wait = Duration.ofNanos(Math.max(0, unit.toNanos(timeout)));
            return blocking(() -> {
                if (queue.offerIfRoom(e)) {
                    return true;
                }
                Stm.retryFor(wait);
                return queue.offerIfRoom(e);
            });
        }

        @Override
        public E take() throws InterruptedException {
            Object outside = pollOutside(SPIN_ROUNDS);
            if (outside != null && outside != TQueue.POLL_IN_TRANSACTION) {
                return cast(outside);
            }
            return blocking(TBoundedQueue.this::take);
        }

        @Override
        public E poll(long timeout, TimeUnit unit) throws InterruptedException {
            Objects.requireNonNull(unit, "unit");
            Object outside = pollOutside(SPIN_ROUNDS);
            if (outside != null && outside != TQueue.POLL_IN_TRANSACTION) {
                return cast(outside);
            }
            Duration wait = Duration.ofNanos(Math.max(0, unit.toNanos(timeout)));
            return blocking(() -> {
                E e = queue.poll();
                if (e == null) {
                    Stm.retryFor(wait);
                    e = queue.poll();
                }
                return e;
            });
        }

        @Override
        public E poll() {
            Object outside = pollOutside(0);
            return outside != TQueue.POLL_IN_TRANSACTION ? cast(outside) : Stm.atomic(TBoundedQueue.this::poll);
        }

        @SuppressWarnings("unchecked")
        private E cast(Object element) {
            return (E) element;
        }

        @Override
        public E peek() {
            return Stm.inTransaction() ? TBoundedQueue.this.peek() : queue.peekOutside();
        }

        @Override
        public boolean isEmpty() {
            return Stm.inTransaction() ? TBoundedQueue.this.isEmpty() : queue.peekOutside() == null;
        }

        @Override
        public int size() {
            return Stm.atomicInt(TBoundedQueue.this::size);
        }

        @Override
        public int remainingCapacity() {
            return Stm.atomicInt(TBoundedQueue.this::remainingCapacity);
        }

        @Override
        public void clear() {
            Stm.atomic(TBoundedQueue.this::clear);
        }

        @Override
        public boolean remove(Object o) {
            return queue.asQueue().remove(o); // counted as polled, so it frees a place
        }

        @Override
        public Iterator<E> iterator() {
            return queue.asQueue().iterator();
        }

        /**
         * All elements in one transaction, or none: a null element, or too little room for all
         * of them ({@code IllegalStateException}, as {@code add} throws), writes nothing.
         */
        @Override
        public boolean addAll(Collection<? extends E> c) {
            Objects.requireNonNull(c);
            if (c == this) {
                throw new IllegalArgumentException("a queue cannot add itself to itself");
            }
            for (E e : c) {
                Objects.requireNonNull(e, "TBoundedQueue does not accept null elements");
            }
            return Stm.atomicBoolean(() -> {
                boolean changed = false;
                for (E e : c) {
                    if (!TBoundedQueue.this.offer(e)) {
                        throw new IllegalStateException("Queue full: capacity " + capacity
                                + ", so addAll added nothing");
                    }
                    changed = true;
                }
                return changed;
            });
        }

        @Override
        public int drainTo(Collection<? super E> c) {
            return drainTo(c, Integer.MAX_VALUE);
        }

        /**
         * Moves up to {@code maxElements} elements to {@code c}, each leaving the queue only once
         * {@code c} has accepted it: if {@code c.add} throws, the element stays first in the queue
         * and the ones before it are in {@code c} (see {@link Drain}).
         */
        @Override
        public int drainTo(Collection<? super E> c, int maxElements) {
            return Drain.drainTo(this, queue::poll, c, maxElements);
        }
    }
}
