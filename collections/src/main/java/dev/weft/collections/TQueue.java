package dev.weft.collections;

import dev.weft.collections.internal.OneStateQueue;
import dev.weft.collections.internal.PaddedCell;
import dev.weft.collections.internal.RollbackWatch;
import dev.weft.collections.internal.TransactionRequired;
import dev.weft.stm.Stm;
import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;
import dev.weft.stm.spi.TxnHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Queue;

/**
 * An unbounded transactional FIFO queue: a linked list with separate head and tail cells.
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
 * a {@link Queue} in which each call is atomic (linearizable with every other call and every
 * transaction), or joins the running transaction.
 *
 * <p><b>Conflicts.</b> {@code offer} reads and writes the tail and the last node; {@code poll} and
 * {@code peek} read the head and the first node. While the queue is not empty a producer and a
 * consumer touch no common cell, so they never conflict; producers conflict with each other (one
 * tail), and so do consumers (one head). One poll in 32 also writes the node it leaves behind
 * (marking it polled, so that a node the garbage collector has promoted keeps no chain of later
 * nodes alive), which only an offer reads, and only while the tail lags behind the head.
 * {@link #size()} walks the queue, so it conflicts with both, as does {@code remove(Object)}, which
 * also writes the head or the tail.
 *
 * <p><b>Outside a transaction</b> the view's {@code offer}, {@code poll}, {@code peek} and
 * {@code isEmpty} run no transaction at all: they are a Michael-Scott queue on the same cells,
 * each step a one-cell operation of the engine (a link, a swing of the tail, a swing of the head),
 * linearizable with each other and with every transaction on the queue. The tail may lag a node
 * or two behind the last node (an offer swings it only every other time, as
 * {@link java.util.concurrent.ConcurrentLinkedQueue}'s does); every operation, transactional or
 * not, walks forward from it.
 *
 * <p><b>Null policy:</b> null elements throw {@link NullPointerException}.
 * <b>Iteration:</b> iterators copy the queue in one transaction when they are created (a consistent
 * snapshot, O(n)); inside a transaction, as that transaction sees it, and once the scope it was
 * made in rolls back such an iterator throws {@link java.util.ConcurrentModificationException}.
 * {@code Iterator.remove} and {@code remove(Object)} unlink an element in O(n). <b>Complexity:</b>
 * offer, poll, peek, isEmpty: O(1) cells, allocation of one node per offer; size: O(n), as for
 * {@link java.util.concurrent.ConcurrentLinkedQueue}.
 *
 * <p><b>Thread-safety:</b> safe for use by any number of threads.
 *
 * @param <E> the type of elements
 */
public final class TQueue<E> {
    /*
     * Invariants (what lets one-cell operations outside transactions work on the same list; each
     * holds in every committed state):
     *  1. head is the sentinel; the elements are the nodes after it up to the node whose successor
     *     is null (the last). tail is a node from which the last is reachable: the last itself or
     *     a node a few before it (one-cell offers swing it only every other time, and not until
     *     after their link), which consumers may already have polled.
     *  2. While a node is the sentinel its successor only goes from null to a node: removing the
     *     first element moves the head instead of unlinking it.
     *  3. A node that has left the list changes at most once more: every RETIRE_EVERY-th polled
     *     node's successor becomes POLLED (in the transaction that polls it, or, outside
     *     transactions, in a one-cell commit right after the head moved past it), every unlinked
     *     one's REMOVED in the transaction that unlinks it; the other polled nodes keep their
     *     successor. So a reader holding an old head sees a non-null successor: the first element
     *     at a moment that old head was the head, or a marker that sends the reader back to the
     *     head. Why mark at all: a polled node that lives long enough to be promoted to the old
     *     generation keeps its successors reachable through every young collection (GC
     *     nepotism); when every polled node kept its successor (until session 12), that was
     *     every node offered after it, and with a consumer tens of thousands of elements behind,
     *     each young collection copied the whole chain (300-970 ms of GC per second of the
     *     two-pair queue benchmark). A marked node ends the chain, so a promoted polled node now
     *     keeps fewer than RETIRE_EVERY nodes reachable, while the marking commit is paid on one
     *     poll in RETIRE_EVERY. (ConcurrentLinkedQueue self-links every polled node for the same
     *     reason; its link is a plain store, ours a commit.)
     *  4. A node with a null successor is the last node (3: no node outside the list has one).
     *  5. Every transaction that unlinks a node writes the tail (to the last node), so a one-cell
     *     swing of the tail whose stamp predates it fails: the tail never points to a node that
     *     left the list (a compare by value alone could put it back on a node unlinked after
     *     the swing's offer linked it).
     */

    /**
     * A list node, which is itself the cell holding its successor (no separate ref per node: one
     * object and one pointer less per element). The successor is written once when the next
     * element is appended, or set to {@link #REMOVED} when the node is unlinked.
     */
    private static final class Node<E> extends TxnCell {
        final E value;

        Node(E value) {
            super((Object) null);
            this.value = value;
        }

        /** A node of a counted queue: its raw bits hold {@code seq} (see the counted queues' comment). */
        Node(E value, long seq) {
            super(seq, null);
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

        /** A counted queue's node: the successor and the sequence number, in the running transaction. */
        void setNext(long seq, Node<E> successor) {
            Barrier.writeBitsAndObject(Barrier.running(), this, seq, successor);
        }
    }

    /** The successor of an unlinked node: offers that reach it look for the tail again. */
    private static final Node<Object> REMOVED = new Node<>(null);

    /**
     * The successor of a polled node, so that it keeps nothing reachable: a reader that reaches it
     * (through the tail, which may lag behind the head) goes on from the head.
     */
    private static final Node<Object> POLLED = new Node<>(null);

    /** Whether {@code successor}, read from a node, says that node has left the list (invariant 3). */
    private static boolean leftTheList(Object successor) {
        return successor == REMOVED || successor == POLLED;
    }

    /** One polled node in this many is marked {@link #POLLED} (invariant 3); a power of two. */
    private static final int RETIRE_EVERY = 32;

    /**
     * The head cell, padded as {@link PaddedCell} is, with the consumers' count of polls that
     * picks the polled nodes to mark (invariant 3). The count is a plain field written racily
     * by consumers, on the line they write anyway when they move the head: a lost increment
     * only moves the next mark by one poll. (In a counted queue the cell's raw bits are a
     * different count, an exact one: polled; see the counted queues' comment.)
     */
    @SuppressWarnings("unused")
    private static final class Head extends TxnCell {
        int polls;
        private long p1, p2, p3, p4, p5, p6, p7, p8;

        Head(Object sentinel) {
            super(sentinel);
        }

        /**
         * Counts a poll; whether its old sentinel is one to mark: the 1st, the 33rd, ... (the
         * first, so that even a short test meets a marked node behind a lagging tail).
         */
        boolean retireNow() {
            return (++polls & (RETIRE_EVERY - 1)) == 1;
        }
    }

    private final Head head;          // holds the sentinel: its next is the first element
    private final PaddedCell tail;    // holds the last node or one before it (the sentinel when empty)
    /*
     * Counted queues (TBoundedQueue's) also know the number of elements ever offered and ever
     * polled (or removed); the size is offered - polled. Offered needs no cell of its own: every
     * node of a counted queue carries a sequence number in its raw bits (the cell's other half,
     * committed with its successor), and the last node's is offered. A node gets last.seq + 1
     * when it is linked after last, in the same commit that links it, and when an unlink takes
     * the last node out, the node before it, now last, takes the unlinked node's number (a
     * removed element stays counted as offered, and as polled). Only the last node's number is
     * ever read, so one commit on the last node both links and counts (a separate count cell
     * cost the producers a second lock per element). Polled is the head cell's raw bits, the
     * other half of the cell that holds the sentinel: every commit that moves the head counts
     * the poll in the same cell, so a poll locks one cell, as an offer does (a separate count
     * cell cost the consumers a second lock per element, until session 14), and the two ends
     * still share no cell. A removal from the middle counts itself there too (it writes the
     * head's bits and leaves its sentinel). Every write of the head in a counted queue must
     * write both halves (moveHead): a plain object write would zero the count. Producers check
     * for room against polledSeen, a value polled had: polled only grows, so a stale copy only
     * makes the queue look fuller, and producers read polled itself (the consumers' cell) only
     * when their copy says the queue is full.
     */
    private final long capacity;      // Long.MAX_VALUE when not counted
    private final boolean counted;
    private final PaddedCell polledSeen;  // null when not counted
    private final View view = new View();

    /** Creates an empty queue. */
    public TQueue() {
        this(Long.MAX_VALUE, false);
    }

    /** An empty counted queue of at most {@code capacity} elements, for {@link TBoundedQueue}. */
    TQueue(int capacity) {
        this(capacity, true);
    }

    private TQueue(long capacity, boolean counted) {
        Node<E> sentinel = counted ? new Node<>(null, 0L) : new Node<>(null);
        head = new Head(sentinel);
        tail = new PaddedCell(sentinel);
        this.capacity = capacity;
        this.counted = counted;
        polledSeen = counted ? new PaddedCell(0L) : null;
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
        Node<E> last = last();
        link(last, counted ? Barrier.readLong(last) : 0L, element);
        return true;
    }

    /**
     * Links a node holding {@code element} after {@code last}, the last node, whose number is
     * {@code lastSeq} in a counted queue (0 otherwise), and moves the tail to it.
     */
    private void link(Node<E> last, long lastSeq, E element) {
        Node<E> node = counted ? new Node<>(element, lastSeq + 1) : new Node<>(element);
        last.setNext(lastSeq, node);
        setTail(node);
    }

    /** The sentinel, in the running transaction. */
    @SuppressWarnings("unchecked")
    private Node<E> head() {
        return (Node<E>) Barrier.readObject(head);
    }

    /** The tail, in the running transaction (possibly lagging: see {@link #last()}). */
    @SuppressWarnings("unchecked")
    private Node<E> tail() {
        return (Node<E>) Barrier.readObject(tail);
    }

    /**
     * The sentinel, in the running transaction {@code txn}, read together with the head's count
     * of polled elements, which {@code Barrier.lastReadBits(txn)} returns right after (0 when the
     * queue is not counted): one read of the head cell for both.
     */
    @SuppressWarnings("unchecked")
    private Node<E> head(TxnHandle txn) {
        return (Node<E>) Barrier.readObject(txn, head);
    }

    /**
     * Moves the head to {@code node} in the running transaction; in a counted queue, with
     * {@code polledNow} as the new count of polled elements (both halves of the head cell).
     */
    private void moveHead(Node<E> node, long polledNow) {
        if (counted) {
            Barrier.writeBitsAndObject(Barrier.running(), head, polledNow, node);
        } else {
            Barrier.writeObject(head, node);
        }
    }

    /** Counted queues: the number of elements polled or removed, in the running transaction. */
    private long polled() {
        return Barrier.readLong(head);
    }

    private void setTail(Node<E> node) {
        Barrier.writeObject(tail, node);
    }

    /**
     * The last node, in the running transaction: the tail, or a node after it when it lags (from
     * the head when the tail lags behind it, at a polled node).
     */
    private Node<E> last() {
        Node<E> last = last(tail());
        return last != null ? last : last(head());
    }

    /** Marks {@code sentinel}, which the head just moved past in the running transaction, polled (invariant 3). */
    @SuppressWarnings("unchecked")
    private static <E> void retire(Node<E> sentinel) {
        sentinel.setNext((Node<E>) (Node<?>) POLLED);
    }

    /**
     * Removes and returns the head, or null if the queue is empty.
     *
     * @return the head, or null if the queue is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E poll() {
        check("poll");
        TxnHandle txn = Barrier.running();
        Node<E> sentinel = head(txn);
        long polledBefore = Barrier.lastReadBits(txn);
        Node<E> first = sentinel.next();
        if (first == null) {
            return null;
        }
        moveHead(first, polledBefore + 1);
        if (head.retireNow()) {
            retire(sentinel);
        }
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
        Node<E> first = head().next();
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
        return head().next() == null;
    }

    /**
     * Counted queues, in the running transaction: adds {@code element} if there is room for one
     * more, finding the last node once for the room check and the link.
     *
     * @return whether it was added (false: the queue is full)
     */
    boolean offerIfRoom(E element) {
        Node<E> last = last();
        long offeredNow = Barrier.readLong(last);
        if (!hasRoom(offeredNow)) {
            return false;
        }
        link(last, offeredNow, element);
        return true;
    }

    /**
     * Counted queues, in the running transaction: whether there is room for one more element
     * when {@code offeredNow} have been offered, reading the consumers' count only when the
     * producers' copy says there is none.
     */
    private boolean hasRoom(long offeredNow) {
        long seen = Barrier.readLong(polledSeen);
        if (offeredNow - seen < capacity) {
            return true;
        }
        long polledNow = polled();
        if (polledNow != seen) {
            Barrier.writeLong(polledSeen, polledNow);
        }
        return offeredNow - polledNow < capacity;
    }

    /**
     * The number of elements, counted by walking the queue in O(n) (so it conflicts with producers
     * and consumers).
     *
     * @return the number of elements
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int size() {
        check("size");
        if (counted) {
            long n = Barrier.readLong(last()) - polled();
            return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
        }
        int n = 0;
        for (Node<E> node = head().next(); node != null && n < Integer.MAX_VALUE; node = node.next()) {
            n++;
        }
        return n;
    }

    /**
     * Removes every element, in the running transaction, in O(1) (O(k) when the tail lags k
     * nodes behind): the head moves to the last node.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void clear() {
        check("clear");
        Node<E> last = last();
        moveHead(last, counted ? Barrier.readLong(last) : 0L); // every element offered is now polled
    }

    /**
     * The {@link Queue} view: each method is atomic, or joins the running transaction.
     *
     * @implNote Cost model. Outside a transaction {@code offer}, {@code poll}, {@code peek} and
     * {@code isEmpty} run no transaction: an offer is one one-cell stamped store (the link), and
     * every other offer a second (a swing of the tail), and allocates its node; a poll is one (a
     * swing of the head), and one poll in 32 a second (marking the node it leaves behind, see the
     * class comment); peek and isEmpty are two one-cell reads; none allocates anything else. Every
     * other call runs the matching operation as a transaction of its own ({@code Stm.atomic}): that
     * operation's costs plus a begin and a commit, and a call that passes arguments allocates one
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
        for (Node<E> n = head().next(); n != null; n = n.next()) {
            all.add(n);
        }
        return all;
    }

    /**
     * Removes {@code target} (by identity) if it is still in the queue, in the running
     * transaction: the first element by moving the head past it (invariant 2), any other by
     * unlinking it, marking it {@link #REMOVED} and writing the tail (invariants 3 and 5).
     */
    @SuppressWarnings("unchecked")
    private boolean unlink(Node<E> target) {
        TxnHandle txn = Barrier.running();
        Node<E> sentinel = head(txn);
        long polledBefore = Barrier.lastReadBits(txn);
        Node<E> previous = sentinel;
        for (Node<E> n = previous.next(); n != null; previous = n, n = n.next()) {
            if (n == target) {
                if (previous == sentinel) {
                    moveHead(target, polledBefore + 1);
                    retire(sentinel);
                } else {
                    Node<E> after = target.next();
                    if (counted) { // the node before keeps its number, or takes the last one's
                        previous.setNext(Barrier.readLong(after == null ? target : previous), after);
                    } else {
                        previous.setNext(after);
                    }
                    target.setNext((Node<E>) (Node<?>) REMOVED);
                    setTail(after == null ? previous : last(after)); // after is in the list: never meets POLLED
                    if (counted) { // a removed element counts as polled: the head keeps its sentinel
                        moveHead(sentinel, polledBefore + 1);
                    }
                }
                return true;
            }
        }
        return false;
    }

    /**
     * The last node at or after {@code from}, in the running transaction, or null if the walk met
     * a polled node (it started behind the head).
     */
    private static <E> Node<E> last(Node<E> from) {
        Node<E> last = from;
        for (Node<E> next; (next = last.next()) != null; ) {
            if (next == REMOVED) { // invariant 5 says never: fail loudly rather than append to it
                throw new IllegalStateException("TQueue: the tail reached an unlinked node");
            }
            if (next == POLLED) {
                return null;
            }
            last = next;
        }
        return last;
    }

    // One-cell operations outside transactions (the view's fast path); see the invariants above.

    /**
     * Appends outside a transaction: walk from the tail to the last node, link after it, and
     * swing the tail to the new node only if the walk had to pass a node (as
     * {@link java.util.concurrent.ConcurrentLinkedQueue} does): an offer that finds the tail on
     * the last node leaves it one behind, and the next offer moves it two on, so offers pay for
     * a swing every other time, not every time.
     */
    @SuppressWarnings("unchecked")
    private void offerOutside(E element) {
        Node<E> node = new Node<>(element);
        for (;;) {
            long tailStamp = Barrier.stamp(tail);
            Node<E> first = (Node<E>) Barrier.peekObject(tail);
            for (Node<E> last = first; ; ) {
                long lastStamp = Barrier.stamp(last);
                Object next = Barrier.peekObject(last);
                if (next == null) {
                    if (Barrier.compareStampAndSetObject(last, lastStamp, node)) { // linearization point
                        if (last != first) {
                            Barrier.compareStampAndSetObject(tail, tailStamp, node); // or a later offer does
                        }
                        return;
                    }
                    // another offer linked behind last first: walk on from it
                } else if (next == REMOVED) {
                    break; // an unlink moved the tail since we read it: start again from there
                } else if (next == POLLED) {
                    last = (Node<E>) Barrier.peekObject(head); // the tail lags behind the head
                } else {
                    last = (Node<E>) next;
                }
            }
        }
    }

    /**
     * Takes the first element outside a transaction, or null: swing the head one node on, then
     * mark the old sentinel polled (invariant 3).
     */
    @SuppressWarnings("unchecked")
    private E pollOutside() {
        for (;;) {
            long headStamp = Barrier.stamp(head); // before the head is read: see the store below
            Node<E> sentinel = (Node<E>) Barrier.peekObject(head);
            Object first = Barrier.peekObject(sentinel);
            if (first == null) {
                return null; // the sentinel read was still the head when its successor was read
            }
            if (!leftTheList(first) && Barrier.compareStampAndSetObject(head, headStamp, first)) {
                if (head.retireNow()) { // the poll is linearized above: the head did not move since its stamp
                    retireOutside(sentinel, first);
                }
                return ((Node<E>) first).value;
            }
        }
    }

    /**
     * Outside a transaction: marks {@code sentinel}, which this thread's commit just moved the
     * head past, polled. Nothing else writes a node that has left the list, so it still holds
     * {@code first}. The mark is optional (a skipped one only lets a promoted node keep the next
     * RETIRE_EVERY nodes reachable), so a guarded commit that fails instead of waiting stores it:
     * the irrevocable transaction may have reserved the node (its walk from a lagging tail read
     * it), and a poll must not wait for a transaction it does not conflict with.
     */
    private static void retireOutside(Node<?> sentinel, Object first) {
        long stamp = Barrier.valueStamp(sentinel); // no commit holds a node that left the list
        if (Barrier.peekObject(sentinel) == first) {
            Barrier.compareStampsAndSet(null, 0L, sentinel, stamp, 0L, POLLED, null, 0L);
        }
    }

    /**
     * The first node outside a transaction, or null when the queue was empty: two one-cell reads.
     * A null successor means the sentinel read was still the head when it was read (invariant 3);
     * a marker means it no longer was, so look again.
     */
    @SuppressWarnings("unchecked")
    private Node<E> firstOutside() {
        for (;;) {
            Node<E> sentinel = (Node<E>) Barrier.peekObject(head);
            Node<E> first = (Node<E>) Barrier.peekObject(sentinel);
            if (!leftTheList(first)) {
                return first;
            }
        }
    }

    // Counted queues outside transactions (TBoundedQueue's view): the same steps, but the link
    // and the head's move each commit together with their count (Barrier.compareStampsAndSet).

    /** Answers of {@link #offerCountedOutside}. */
    static final int ADDED = 0;
    static final int FULL = 1;
    static final int TRY_IN_TRANSACTION = 2;

    /** Answer of {@link #pollCountedOutside} when the operation must run in a transaction instead. */
    static final Object POLL_IN_TRANSACTION = new Object();

    /** Failed commits outside a transaction before an operation is left to a transaction. */
    private static final int OUTSIDE_ATTEMPTS = 4;

    /**
     * Counted queues, outside a transaction: adds {@code element} if there is room, linking and
     * numbering it in one commit on the last node, which it finds by walking on from the tail,
     * then swings the tail if it walked (so every other offer, as {@link #offerOutside}). Returns
     * {@link #ADDED}, {@link #FULL}, or {@link #TRY_IN_TRANSACTION} when its commits kept failing
     * (contention, or a cell reserved by the irrevocable transaction).
     *
     * <p>Why the room check holds at the commit: offered is the number of the last node, read
     * after its stamp and after its null successor; the commit that links the new node succeeds
     * only if nothing committed to that node since the stamp, so at the commit it is still the
     * last and offered is still the number read. polled only grows, so offered - polled at the
     * commit is at most the offered - polledSeen checked here. And a FULL answer: the number
     * read is at most offered when polled (the head's bits) is read (a node's number only
     * grows, and only while it is the last), so offered - polled was at least the capacity then.
     */
    @SuppressWarnings("unchecked")
    int offerCountedOutside(E element) {
        Node<E> node = null;
        for (int failures = 0; failures < OUTSIDE_ATTEMPTS; ) {
            long tailStamp = Barrier.stamp(tail);
            Node<E> first = (Node<E>) Barrier.peekObject(tail);
            Node<E> last = first;
            long lastStamp = Barrier.valueStamp(last);
            Object next = Barrier.peekObject(last);
            while (next != null && !leftTheList(next)) { // the tail lags: walk on to the last node
                last = (Node<E>) next;
                lastStamp = Barrier.valueStamp(last);
                next = Barrier.peekObject(last);
            }
            if (next == null) {
                long offeredNow = Barrier.peekLong(last); // its number, after its stamp
                long seen = Barrier.peekLong(polledSeen);
                if (offeredNow - seen >= capacity) {
                    long polledNow = Barrier.peekLong(head);
                    if (offeredNow - polledNow >= capacity) {
                        return FULL; // linearizable when polled was read: offered can only have grown
                    }
                    refreshPolledSeen(seen, polledNow);
                }
                if (node == null || Barrier.peekLong(node) != offeredNow + 1) {
                    node = new Node<>(element, offeredNow + 1); // not shared yet: a new one if last changed
                }
                if (Barrier.compareStampsAndSet(null, 0L, last, lastStamp, offeredNow, node, null, 0L)) {
                    if (last != first) { // as offerOutside: the tail moves every other offer
                        Barrier.compareStampAndSetObject(tail, tailStamp, node); // or a later offer does
                    }
                    return ADDED;
                }
                failures++;
            } else if (next == POLLED) { // the tail lags behind the head: move it there
                Barrier.compareStampAndSetObject(tail, tailStamp, Barrier.peekObject(head));
            } // REMOVED: an unlink moved the tail since it was read; look again
        }
        return TRY_IN_TRANSACTION;
    }

    /**
     * Outside a transaction: brings the producers' copy of polled from {@code seen} up to
     * {@code polledNow}, unless it changed meanwhile (a lost race leaves a good copy too). The copy
     * is only a hint, so a guarded commit that fails instead of waiting stores it: a transaction's
     * offer reads it, and an irrevocable one would otherwise hold this call up until it ends.
     */
    private void refreshPolledSeen(long seen, long polledNow) {
        long seenStamp = Barrier.valueStamp(polledSeen);
        if (Barrier.peekLong(polledSeen) == seen) {
            Barrier.compareStampsAndSet(null, 0L, polledSeen, seenStamp, polledNow, null, null, 0L);
        }
    }

    /**
     * Counted queues, outside a transaction: takes the first element, moving the head and
     * counting it in one commit on the head cell (sentinel and count, the count read after the
     * stamp, so the commit fails if either changed); null when the queue is empty,
     * {@link #POLL_IN_TRANSACTION} when its commits kept failing.
     */
    @SuppressWarnings("unchecked")
    Object pollCountedOutside() {
        for (int failures = 0; failures < OUTSIDE_ATTEMPTS; ) {
            long headStamp = Barrier.valueStamp(head); // before the head is read
            Node<E> sentinel = (Node<E>) Barrier.peekObject(head);
            Object next = Barrier.peekObject(sentinel);
            if (next == null) {
                return null; // the sentinel read was still the head when its successor was read
            }
            if (leftTheList(next)) {
                continue; // the head moved since it was read: look again (not a failed commit)
            }
            Node<E> first = (Node<E>) next;
            long polledNow = Barrier.peekLong(head); // after the stamp: the commit checks it
            if (Barrier.compareStampsAndSet(null, 0L, head, headStamp, polledNow + 1, first, null, 0L)) {
                if (head.retireNow()) {
                    retireOutside(sentinel, first);
                }
                return first.value; // linearized at the commit: the head did not move since its stamp
            }
            failures++;
        }
        return POLL_IN_TRANSACTION;
    }

    /** The head outside a transaction, or null when empty: two one-cell reads. */
    E peekOutside() {
        Node<E> first = firstOutside();
        return first == null ? null : first.value;
    }

    private final class View extends OneStateQueue<E> {
        /** Whether a call must run as (or in) a transaction rather than as one-cell operations. */
        private boolean transactional() {
            return counted || Stm.inTransaction();
        }

        @Override
        public boolean offer(E e) {
            Objects.requireNonNull(e, "TQueue does not accept null elements");
            if (transactional()) {
                return Stm.atomicBoolean(() -> TQueue.this.offer(e));
            }
            offerOutside(e);
            return true;
        }

        @Override
        public E poll() {
            return transactional() ? Stm.atomic(TQueue.this::poll) : pollOutside();
        }

        @Override
        public E peek() {
            return transactional() ? Stm.atomic(TQueue.this::peek) : peekOutside();
        }

        @Override
        public boolean isEmpty() {
            return transactional() ? Stm.atomicBoolean(TQueue.this::isEmpty) : firstOutside() == null;
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
        public Iterator<E> iterator() {
            List<Node<E>> snapshot = Stm.atomic(TQueue.this::nodes);
            RollbackWatch rollbacks = new RollbackWatch(); // inside a transaction: stale once the copy's scope rolls back
            rollbacks.watch();
            return new Iterator<>() {
                private int next;
                private Node<E> last;

                @Override
                public boolean hasNext() {
                    return next < snapshot.size();
                }

                @Override
                public E next() {
                    rollbacks.check();
                    if (next >= snapshot.size()) {
                        throw new NoSuchElementException("the iteration has no more elements");
                    }
                    last = snapshot.get(next++);
                    return last.value;
                }

                @Override
                public void remove() {
                    rollbacks.check();
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
