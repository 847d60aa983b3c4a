package dev.weft.collections;

import dev.weft.collections.internal.Drain;
import dev.weft.collections.internal.OneStateQueue;
import dev.weft.collections.internal.RollbackWatch;
import dev.weft.collections.internal.TransactionRequired;
import dev.weft.refs.LongRef;
import dev.weft.refs.Ref;
import dev.weft.stm.Stm;
import dev.weft.stm.TransactionInterruptedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * An unbounded transactional double-ended queue whose two ends do not conflict with each other.
 *
 * <pre>{@code
 * TDeque<Task> work = new TDeque<>();
 * work.asBlockingDeque().addLast(task);                 // the owner pushes and pops at the back
 * Task mine = work.asBlockingDeque().pollLast();
 * Task stolen = atomic(() -> {                         // a thief takes from the front, and records it
 *     Task t = work.pollFirst();
 *     if (t != null) stolenCount.increment();
 *     return t;
 * });
 * Task next = atomic(work::takeFirst);                 // waits (retry) while the deque is empty
 * }</pre>
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when none is running; they compose with every
 * other ref and collection the transaction touches. {@link #takeFirst()} and {@link #takeLast()}
 * call {@link Stm#retry()} when the deque is empty, so the whole transaction waits until it
 * changes, and inside {@link Stm#orElse} they let the next alternative run instead.
 * {@link #asBlockingDeque()} is a {@link BlockingDeque} whose every call is one atomic transaction,
 * or joins the running one when made inside a transaction.
 *
 * <p><b>Conflicts.</b> An operation at one end and an operation at the other end touch no common
 * cell except where the result of one depends on the other: an offer at one end and a poll or peek
 * at the other conflict only while the deque is empty (the poll would see the offered element), two
 * polls at opposite ends only while it holds exactly one element (both would take it), and two
 * offers at opposite ends never. Operations at the same end conflict with each other.
 * {@link #size()} reads both ends, so it conflicts with every change; {@link #isEmpty()} reads the
 * front end only.
 *
 * <p><b>Null policy:</b> null elements throw {@link NullPointerException} at the call, before
 * anything is written. <b>Iteration:</b> the view's iterators (ascending and descending) are
 * snapshots copied in one transaction when they are created, O(n); inside a transaction, as that
 * transaction sees the deque. {@code Iterator.remove} removes the element it returned if it is
 * still in the deque. Inside a transaction, once a scope in which an iterator copied the deque or
 * removed through it rolls back, the iterator throws
 * {@link java.util.ConcurrentModificationException}. <b>Complexity:</b> offer, poll, peek and take
 * at either end, {@code isEmpty}, {@code size} and {@code clear}: O(1) cells; one block of slots is
 * allocated per 16 elements added beyond the space an end already has. {@code remove(Object)},
 * {@code contains} and the other whole-deque methods of the view: O(n).
 *
 * <p><b>Thread-safety:</b> safe for use by any number of threads, platform or virtual.
 *
 * @param <E> the type of elements
 */
public final class TDeque<E> {
    /*
     * Overview.
     *
     * The elements live in slots (one Ref each) at consecutive positions, a long that grows to the
     * back and falls to the front: the deque is the positions [head, tail). Slots come in chunks of
     * 2^shift consecutive positions; chunk number k holds the positions [k << shift, (k + 1) <<
     * shift). Chunks are linked to their neighbours (numbers k - 1 and k + 1) through the refs
     * previous and next. The two ends each own two cells:
     *
     *   front end: head (a position) and headChunk (the chunk holding position head)
     *   back end:  tail (a position) and tailChunk (the chunk holding position tail)
     *
     * An offer at the front writes the slot at head - 1, one at the back the slot at tail; a poll
     * reads the slot at head (or tail - 1) and empties it. Invariants, in every committed state:
     *
     *   CHAIN  following next from headChunk (tailChunk.number - headChunk.number) times reaches
     *          tailChunk, through chunks numbered one after another, and each chunk y reached
     *          from x this way has y.previous == x. So when head and tail lie in one chunk,
     *          headChunk == tailChunk.
     *   SLOTS  in every reachable chunk, a slot is non-null exactly when its position is in
     *          [head, tail) and its chunk is the chain's chunk of that number.
     *   SPARES outside the chain, at most one chunk is reachable on each side: headChunk.previous,
     *          linked back to headChunk and with no previous of its own, and tailChunk.next,
     *          linked back to tailChunk and with no next of its own.
     *
     * By SLOTS an end can tell that the deque is empty from its own slot (null) without reading
     * the other end: that is why polls do not read tail (or head) and the ends stay apart.
     *
     * Crossing into the neighbouring chunk. An end that moves outwards past its chunk (an offer
     * at the chunk's edge) reuses the spare there or links in a new chunk: only the front end
     * writes previous links and only the back end next links (constructors aside). An end that
     * moves inwards (a poll at the edge) follows the chain; the chunk it leaves stays linked as its
     * spare, and that chunk's own outward link is cleared, so SPARES keeps garbage bounded. The
     * front end moves headChunk when head enters a new chunk, the back end moves tailChunk when
     * tail does, so a crossing happens in the operation that crosses.
     *
     * Why the ends do not conflict (shift >= 1, so a chunk has at least two slots). A front
     * poll reads head, headChunk, the slot at head and, when crossing, headChunk.next and
     * headChunk.previous; a back poll reads tail, tailChunk, the slot at tail - 1 and, when
     * crossing (tail at the first position of tailChunk), tailChunk.previous and tailChunk.next.
     * With two or more elements the slots differ, and if both cross then head is the last
     * position of its chunk and tail the first of a chunk two or more positions later, so the
     * chunks differ too. An offer at one end writes a slot outside [head, tail), which a poll at
     * the other end reads only when the deque is empty; its outward link is a cell the other end
     * reads only when the deque holds at most one element.
     */

    /** log2 of the slots per chunk in {@link #TDeque()}: 16 slots. */
    static final int DEFAULT_CHUNK_SHIFT = 4;

    /** Slots for 2^shift consecutive positions, and the links to the neighbouring chunks. */
    private static final class Chunk<E> {
        final long number;
        final Ref<E>[] slots;
        final Ref<Chunk<E>> previous; // written by the front end only (after construction)
        final Ref<Chunk<E>> next;     // written by the back end only (after construction)

        @SuppressWarnings("unchecked")
        Chunk(long number, int size, Chunk<E> previous, Chunk<E> next) {
            this.number = number;
            this.slots = (Ref<E>[]) new Ref<?>[size];
            for (int i = 0; i < size; i++) {
                slots[i] = new Ref<>();
            }
            this.previous = new Ref<>(previous);
            this.next = new Ref<>(next);
        }
    }

    private final int shift;
    private final int mask;
    private final LongRef head = new LongRef();       // front end: the first element's position
    private final Ref<Chunk<E>> headChunk;            // front end: the chunk holding head
    private final LongRef tail = new LongRef();       // back end: the position after the last element
    private final Ref<Chunk<E>> tailChunk;            // back end: the chunk holding tail
    private final View view = new View();

    /** Creates an empty deque. */
    public TDeque() {
        this(DEFAULT_CHUNK_SHIFT);
    }

    /** Creates an empty deque with 2^chunkShift slots per chunk (tests use small chunks). */
    TDeque(int chunkShift) {
        if (chunkShift < 1 || chunkShift > 20) {
            throw new IllegalArgumentException("chunkShift must be in [1, 20], was " + chunkShift);
        }
        shift = chunkShift;
        mask = (1 << chunkShift) - 1;
        // position 0 starts chunk 0: the ends start at a chunk edge, so short-lived deques cross too
        Chunk<E> first = new Chunk<>(0, 1 << shift, null, null);
        headChunk = new Ref<>(first);
        tailChunk = new Ref<>(first);
    }

    private static void check(String method) {
        TransactionRequired.check("TDeque", method, "asBlockingDeque()");
    }

    private static <E> E requireElement(E element) {
        return Objects.requireNonNull(element, "TDeque does not accept null elements");
    }

    // ------------------------------------------------------------------ the front end

    /**
     * Inserts {@code element} at the front, in the running transaction.
     *
     * @param element the element, not null
     * @return true (the deque is unbounded)
     * @throws NullPointerException if element is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean offerFirst(E element) {
        check("offerFirst");
        requireElement(element);
        long position = head.get() - 1;
        Chunk<E> chunk = headChunk.get();
        if (((position + 1) & mask) == 0) { // head is the first slot of its chunk: cross outwards
            Chunk<E> outer = chunk.previous.get();
            if (outer == null) {
                outer = new Chunk<>(chunk.number - 1, mask + 1, null, chunk);
                chunk.previous.set(outer);
            }
            headChunk.set(outer);
            chunk = outer;
        }
        chunk.slots[(int) position & mask].set(element);
        head.set(position);
        return true;
    }

    /**
     * Removes and returns the first element, or null if the deque is empty, in the running
     * transaction.
     *
     * @return the first element, or null if the deque is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E pollFirst() {
        check("pollFirst");
        long position = head.get();
        Chunk<E> chunk = headChunk.get();
        Ref<E> slot = chunk.slots[(int) position & mask];
        E element = slot.get();
        if (element == null) {
            return null;
        }
        slot.set(null);
        head.set(position + 1);
        if (((position + 1) & mask) == 0) { // cross inwards; by CHAIN next is there (tail > position)
            Chunk<E> inner = chunk.next.get();
            headChunk.set(inner);
            if (chunk.previous.get() != null) {
                chunk.previous.set(null); // chunk is the new spare: drop the old one
            }
        }
        return element;
    }

    /**
     * The first element, or null if the deque is empty, in the running transaction.
     *
     * @return the first element, or null if the deque is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E peekFirst() {
        check("peekFirst");
        return headChunk.get().slots[(int) head.get() & mask].get();
    }

    /**
     * Removes and returns the first element, in the running transaction, waiting while the deque is
     * empty. If the deque is empty this calls {@link Stm#retry()}: the whole transaction rolls back
     * and waits until a commit changes what it read (a producer adds an element), or, inside
     * {@link Stm#orElse}, the next alternative runs instead.
     *
     * @return the first element
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E takeFirst() {
        check("takeFirst");
        E element = pollFirst();
        if (element == null) {
            Stm.retry();
        }
        return element;
    }

    // ------------------------------------------------------------------ the back end

    /**
     * Inserts {@code element} at the back, in the running transaction.
     *
     * @param element the element, not null
     * @return true (the deque is unbounded)
     * @throws NullPointerException if element is null (nothing is written)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean offerLast(E element) {
        check("offerLast");
        requireElement(element);
        long position = tail.get();
        Chunk<E> chunk = tailChunk.get();
        chunk.slots[(int) position & mask].set(element);
        tail.set(position + 1);
        if (((position + 1) & mask) == 0) { // tail enters the next chunk: cross outwards
            Chunk<E> outer = chunk.next.get();
            if (outer == null) {
                outer = new Chunk<>(chunk.number + 1, mask + 1, chunk, null);
                chunk.next.set(outer);
            }
            tailChunk.set(outer);
        }
        return true;
    }

    /**
     * Removes and returns the last element, or null if the deque is empty, in the running
     * transaction.
     *
     * @return the last element, or null if the deque is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E pollLast() {
        check("pollLast");
        long position = tail.get() - 1;
        Chunk<E> chunk = tailChunk.get();
        boolean crossing = ((position + 1) & mask) == 0;
        Chunk<E> holder = crossing ? chunk.previous.get() : chunk;
        if (holder == null) {
            return null; // tail at its chunk's first slot and no chain before it: empty
        }
        Ref<E> slot = holder.slots[(int) position & mask];
        E element = slot.get();
        if (element == null) {
            return null;
        }
        slot.set(null);
        tail.set(position);
        if (crossing) { // by CHAIN holder is the chunk before (head <= position)
            tailChunk.set(holder);
            if (chunk.next.get() != null) {
                chunk.next.set(null); // chunk is the new spare: drop the old one
            }
        }
        return element;
    }

    /**
     * The last element, or null if the deque is empty, in the running transaction.
     *
     * @return the last element, or null if the deque is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E peekLast() {
        check("peekLast");
        long position = tail.get() - 1;
        Chunk<E> chunk = tailChunk.get();
        Chunk<E> holder = ((position + 1) & mask) == 0 ? chunk.previous.get() : chunk;
        return holder == null ? null : holder.slots[(int) position & mask].get();
    }

    /**
     * Removes and returns the last element, in the running transaction, waiting while the deque is
     * empty. If the deque is empty this calls {@link Stm#retry()}: the whole transaction rolls back
     * and waits until a commit changes what it read (a producer adds an element), or, inside
     * {@link Stm#orElse}, the next alternative runs instead.
     *
     * @return the last element
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public E takeLast() {
        check("takeLast");
        E element = pollLast();
        if (element == null) {
            Stm.retry();
        }
        return element;
    }

    // ------------------------------------------------------------------ both ends

    /**
     * Whether the deque is empty; reads the front end only, so it conflicts with a change at the
     * back only when that change makes the deque empty or not.
     *
     * @return whether the deque is empty
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean isEmpty() {
        check("isEmpty");
        return headChunk.get().slots[(int) head.get() & mask].get() == null;
    }

    /**
     * The number of elements; reads both ends, so it conflicts with every change.
     *
     * @return the number of elements (at most {@link Integer#MAX_VALUE})
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int size() {
        check("size");
        return (int) Math.min(Integer.MAX_VALUE, tail.get() - head.get());
    }

    /**
     * Removes every element, in the running transaction, in O(1): both ends move to a fresh chunk
     * (16 slots allocated), and the old chunks become garbage.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void clear() {
        check("clear");
        Chunk<E> fresh = new Chunk<>(0, mask + 1, null, null);
        head.set(0);
        tail.set(0);
        headChunk.set(fresh);
        tailChunk.set(fresh);
    }

    /**
     * The {@link BlockingDeque} view: each call is one atomic transaction, or joins the running one.
     *
     * <p>The deque is unbounded, so {@code put}, {@code putFirst}, {@code putLast} and the timed
     * offers never wait, and {@code remainingCapacity()} is {@link Integer#MAX_VALUE}.
     * {@code take}, {@code takeFirst} and {@code takeLast} wait while the deque is empty (with
     * {@link Stm#retry()}), the timed polls up to their timeout ({@link Stm#retryFor}); the thread
     * parks (a virtual thread unmounts) and an interrupt throws {@link InterruptedException}, with
     * the interrupt status cleared, as the interface requires. Called inside a transaction they
     * wait as {@link #takeFirst()} does: the whole transaction.
     *
     * @implNote Cost model. Outside a transaction each call runs the matching operation as a
     * transaction of its own ({@code Stm.atomic}): that operation's costs plus a begin (one
     * volatile read of the clock) and a commit, and a call that passes arguments allocates one
     * small lambda. Inside a transaction a call costs what the operation costs there. The blocking
     * {@code take*} and timed {@code poll*} methods are one transaction each that parks the thread
     * in {@code retry()} until a commit changes the deque. {@code contains},
     * {@code remove(Object)}, {@code removeFirstOccurrence}, {@code removeLastOccurrence} and the
     * bulk methods are O(n), one transaction each; creating an iterator (ascending or descending)
     * copies the deque in one transaction, O(n).
     *
     * @return the view (the same object on every call)
     */
    public BlockingDeque<E> asBlockingDeque() {
        return view;
    }

    /** Shows the elements, first to last (the latest committed state, or the running transaction's). */
    @Override
    public String toString() {
        return "TDeque" + view;
    }

    // ------------------------------------------------------------------ whole-deque helpers

    /** The chain's chunks from headChunk to tailChunk, in the running transaction. */
    private List<Chunk<E>> chain() {
        Chunk<E> last = tailChunk.get();
        List<Chunk<E>> chunks = new ArrayList<>();
        for (Chunk<E> c = headChunk.get(); ; c = c.next.get()) {
            chunks.add(c);
            if (c == last) {
                return chunks;
            }
        }
    }

    /** The slot at {@code position}, which lies in one of {@code chunks}. */
    private Ref<E> slot(List<Chunk<E>> chunks, long position) {
        return chunks.get((int) ((position >> shift) - chunks.get(0).number)).slots[(int) position & mask];
    }

    /** The elements, first to last, in the running transaction. */
    private List<E> elements() {
        List<Chunk<E>> chunks = chain();
        long first = head.get();
        long end = tail.get();
        List<E> out = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 8, end - first));
        for (long p = first; p < end; p++) {
            out.add(slot(chunks, p).get());
        }
        return out;
    }

    /**
     * Removes the element at {@code position} (in [head, tail)), moving the shorter side one
     * place towards the gap, in the running transaction.
     */
    private boolean removeAt(long position) {
        List<Chunk<E>> chunks = chain();
        long first = head.get();
        long last = tail.get() - 1;
        if (position - first < last - position) {
            for (long p = position; p > first; p--) {
                slot(chunks, p).set(slot(chunks, p - 1).get());
            }
            pollFirst();
            return true; // the elements before position moved one place toward the tail
        }
        for (long p = position; p < last; p++) {
            slot(chunks, p).set(slot(chunks, p + 1).get());
        }
        pollLast();
        return false; // the elements after position moved one place toward the head
    }

    /** Removes the first (or last) element equal to {@code o}; in the running transaction. */
    private boolean removeOccurrence(Object o, boolean fromFront) {
        if (o == null) {
            return false;
        }
        List<Chunk<E>> chunks = chain();
        long first = head.get();
        long end = tail.get();
        for (long i = 0; i < end - first; i++) {
            long p = fromFront ? first + i : end - 1 - i;
            if (o.equals(slot(chunks, p).get())) {
                removeAt(p);
                return true;
            }
        }
        return false;
    }

    /** Removes every element matching {@code filter}, keeping the order, in O(n); in the running transaction. */
    private boolean removeMatching(Predicate<? super E> filter) {
        List<E> all = elements();
        List<E> kept = new ArrayList<>(all.size());
        for (E e : all) {
            if (!filter.test(e)) {
                kept.add(e);
            }
        }
        if (kept.size() == all.size()) {
            return false;
        }
        clear();
        for (E e : kept) {
            offerLast(e);
        }
        return true;
    }

    /**
     * Removes the element an iterator returned, at {@code position}, if it is still there (the
     * same object); otherwise nothing: it was taken, or the deque changed around it. (Another
     * occurrence of the same object is a different element.) In the running transaction.
     *
     * @return {@link #MOVED_HEAD_SIDE} or {@link #MOVED_TAIL_SIDE}, the side whose elements moved
     *         one place to close the gap, or 0 if nothing was removed
     */
    private int removeReturned(long position, E element) {
        long first = head.get();
        long end = tail.get();
        if (position < first || position >= end || slot(chain(), position).get() != element) {
            return 0;
        }
        return removeAt(position) ? MOVED_HEAD_SIDE : MOVED_TAIL_SIDE;
    }

    /** {@link #removeReturned}: the elements before the removed one moved one place toward the tail. */
    private static final int MOVED_HEAD_SIDE = 1;
    /** {@link #removeReturned}: the elements after the removed one moved one place toward the head. */
    private static final int MOVED_TAIL_SIDE = -1;

    /**
     * For tests: the first broken invariant of the overview (CHAIN, SLOTS, SPARES) in the running
     * transaction, or null if they all hold.
     */
    String brokenInvariant() {
        long first = head.get();
        long end = tail.get();
        if (first > end) {
            return "head " + first + " > tail " + end;
        }
        Chunk<E> start = headChunk.get();
        Chunk<E> last = tailChunk.get();
        if (start.number != first >> shift || last.number != end >> shift) {
            return "headChunk " + start.number + " / tailChunk " + last.number + " do not hold head "
                    + first + " / tail " + end;
        }
        for (Chunk<E> c = start; ; ) {
            for (int i = 0; i <= mask; i++) {
                long p = (c.number << shift) + i;
                if ((c.slots[i].get() != null) != (p >= first && p < end)) {
                    return "slot " + p + " is " + c.slots[i].get() + " but the deque is [" + first + ", " + end + ")";
                }
            }
            if (c == last) {
                break;
            }
            Chunk<E> following = c.next.get();
            if (following == null || following.number != c.number + 1 || following.previous.get() != c) {
                return "the chain breaks after chunk " + c.number;
            }
            c = following;
        }
        Chunk<E> frontSpare = start.previous.get();
        if (frontSpare != null && (frontSpare.number != start.number - 1 || frontSpare.next.get() != start
                || frontSpare.previous.get() != null || !allNull(frontSpare))) {
            return "front spare " + frontSpare.number + " is not a clean neighbour of " + start.number;
        }
        Chunk<E> backSpare = last.next.get();
        if (backSpare != null && (backSpare.number != last.number + 1 || backSpare.previous.get() != last
                || backSpare.next.get() != null || !allNull(backSpare))) {
            return "back spare " + backSpare.number + " is not a clean neighbour of " + last.number;
        }
        return null;
    }

    private static boolean allNull(Chunk<?> chunk) {
        for (Ref<?> slot : chunk.slots) {
            if (slot.get() != null) {
                return false;
            }
        }
        return true;
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

    private static Duration toDuration(long timeout, TimeUnit unit) {
        return Duration.ofNanos(Math.max(0, unit.toNanos(timeout)));
    }

    /** The elements and the position of the first, copied in one transaction. */
    private record Snapshot<E>(long first, List<E> elements) {}

    /**
     * An iterator over a {@link Snapshot} taken when it is created. Its {@code remove()} removes
     * the returned element where the snapshot saw it, shifted by this iterator's own earlier
     * removals (each moves the elements on one side of the gap by one place); offers and polls
     * at the ends do not move it (positions are absolute). If the element is no longer there
     * it removes nothing. Inside a transaction, a rollback of a scope it copied or removed in
     * makes it throw {@link java.util.ConcurrentModificationException} ({@link RollbackWatch}).
     */
    private final class SnapshotIterator implements Iterator<E> {
        private final long first;
        private final List<E> elements;
        private final boolean descending;
        private int next;
        private int last = -1;
        /** This iterator's removals so far, in order: the position each removed, and the side that moved. */
        private final List<long[]> removals = new java.util.ArrayList<>();
        /** Marks the iterator stale when a scope it copied or removed in rolls back (its positions would be off). */
        private final RollbackWatch rollbacks = new RollbackWatch();

        SnapshotIterator(boolean descending) {
            this.descending = descending;
            Snapshot<E> snapshot = Stm.atomic(() -> new Snapshot<>(head.get(), elements()));
            this.first = snapshot.first();
            this.elements = snapshot.elements();
            rollbacks.watch();
        }

        @Override
        public boolean hasNext() {
            return next < elements.size();
        }

        @Override
        public E next() {
            rollbacks.check();
            if (next >= elements.size()) {
                throw new NoSuchElementException("the iteration has no more elements");
            }
            last = descending ? elements.size() - 1 - next : next;
            next++;
            return elements.get(last);
        }

        @Override
        public void remove() {
            rollbacks.check();
            if (last < 0) {
                throw new IllegalStateException("remove() needs a preceding next(), once per element");
            }
            long position = first + last;
            for (long[] removal : removals) { // where this iterator's own removals moved it
                if (removal[1] == MOVED_HEAD_SIDE && position < removal[0]) {
                    position++;
                } else if (removal[1] == MOVED_TAIL_SIDE && position > removal[0]) {
                    position--;
                }
            }
            E element = elements.get(last);
            last = -1;
            long at = position;
            int moved = Stm.atomicInt(() -> removeReturned(at, element));
            rollbacks.watch();
            if (moved != 0) {
                removals.add(new long[] {at, moved});
            }
        }
    }

    private final class View extends OneStateQueue<E> implements BlockingDeque<E> {
        // ---------------------------------------------------------------- front end

        @Override
        public void addFirst(E e) {
            offerFirst(e);
        }

        @Override
        public boolean offerFirst(E e) {
            requireElement(e);
            return Stm.atomicBoolean(() -> TDeque.this.offerFirst(e));
        }

        @Override
        public void putFirst(E e) {
            offerFirst(e);
        }

        @Override
        public boolean offerFirst(E e, long timeout, TimeUnit unit) {
            Objects.requireNonNull(unit);
            return offerFirst(e);
        }

        @Override
        public E removeFirst() {
            E e = pollFirst();
            if (e == null) {
                throw new NoSuchElementException("the deque is empty");
            }
            return e;
        }

        @Override
        public E pollFirst() {
            return Stm.atomic(TDeque.this::pollFirst);
        }

        @Override
        public E takeFirst() throws InterruptedException {
            return blocking(TDeque.this::takeFirst);
        }

        @Override
        public E pollFirst(long timeout, TimeUnit unit) throws InterruptedException {
            Duration wait = toDuration(timeout, unit);
            return blocking(() -> {
                E e = TDeque.this.pollFirst();
                if (e == null) {
                    Stm.retryFor(wait);
                    e = TDeque.this.pollFirst();
                }
                return e;
            });
        }

        @Override
        public E getFirst() {
            E e = peekFirst();
            if (e == null) {
                throw new NoSuchElementException("the deque is empty");
            }
            return e;
        }

        @Override
        public E peekFirst() {
            return Stm.atomic(TDeque.this::peekFirst);
        }

        @Override
        public boolean removeFirstOccurrence(Object o) {
            return o != null && Stm.atomicBoolean(() -> removeOccurrence(o, true));
        }

        // ---------------------------------------------------------------- back end

        @Override
        public void addLast(E e) {
            offerLast(e);
        }

        @Override
        public boolean offerLast(E e) {
            requireElement(e);
            return Stm.atomicBoolean(() -> TDeque.this.offerLast(e));
        }

        @Override
        public void putLast(E e) {
            offerLast(e);
        }

        @Override
        public boolean offerLast(E e, long timeout, TimeUnit unit) {
            Objects.requireNonNull(unit);
            return offerLast(e);
        }

        @Override
        public E removeLast() {
            E e = pollLast();
            if (e == null) {
                throw new NoSuchElementException("the deque is empty");
            }
            return e;
        }

        @Override
        public E pollLast() {
            return Stm.atomic(TDeque.this::pollLast);
        }

        @Override
        public E takeLast() throws InterruptedException {
            return blocking(TDeque.this::takeLast);
        }

        @Override
        public E pollLast(long timeout, TimeUnit unit) throws InterruptedException {
            Duration wait = toDuration(timeout, unit);
            return blocking(() -> {
                E e = TDeque.this.pollLast();
                if (e == null) {
                    Stm.retryFor(wait);
                    e = TDeque.this.pollLast();
                }
                return e;
            });
        }

        @Override
        public E getLast() {
            E e = peekLast();
            if (e == null) {
                throw new NoSuchElementException("the deque is empty");
            }
            return e;
        }

        @Override
        public E peekLast() {
            return Stm.atomic(TDeque.this::peekLast);
        }

        @Override
        public boolean removeLastOccurrence(Object o) {
            return o != null && Stm.atomicBoolean(() -> removeOccurrence(o, false));
        }

        // ---------------------------------------------------------------- queue and stack

        @Override
        public boolean add(E e) {
            return offerLast(e);
        }

        @Override
        public boolean offer(E e) {
            return offerLast(e);
        }

        @Override
        public void put(E e) {
            offerLast(e);
        }

        @Override
        public boolean offer(E e, long timeout, TimeUnit unit) {
            return offerLast(e, timeout, unit);
        }

        @Override
        public E remove() {
            return removeFirst();
        }

        @Override
        public E poll() {
            return pollFirst();
        }

        @Override
        public E take() throws InterruptedException {
            return takeFirst();
        }

        @Override
        public E poll(long timeout, TimeUnit unit) throws InterruptedException {
            return pollFirst(timeout, unit);
        }

        @Override
        public E element() {
            return getFirst();
        }

        @Override
        public E peek() {
            return peekFirst();
        }

        @Override
        public void push(E e) {
            addFirst(e);
        }

        @Override
        public E pop() {
            return removeFirst();
        }

        @Override
        public int remainingCapacity() {
            return Integer.MAX_VALUE;
        }

        // ---------------------------------------------------------------- whole deque

        @Override
        public boolean remove(Object o) {
            return removeFirstOccurrence(o);
        }

        @Override
        public boolean contains(Object o) {
            return o != null && Stm.atomicBoolean(() -> elements().contains(o));
        }

        @Override
        public int size() {
            return Stm.atomicInt(TDeque.this::size);
        }

        @Override
        public boolean isEmpty() {
            return Stm.atomicBoolean(TDeque.this::isEmpty);
        }

        @Override
        public void clear() {
            Stm.atomic(TDeque.this::clear);
        }

        /** All elements at the back in one transaction (none if one of them is null). */
        @Override
        public boolean addAll(Collection<? extends E> c) {
            if (c == this) {
                throw new IllegalArgumentException("a deque cannot add itself to itself");
            }
            List<E> copy = new ArrayList<>(c);
            for (E e : copy) {
                requireElement(e);
            }
            Stm.atomic(() -> {
                for (E e : copy) {
                    TDeque.this.offerLast(e);
                }
            });
            return !copy.isEmpty();
        }

        @Override
        public boolean removeAll(Collection<?> c) {
            Objects.requireNonNull(c);
            return Stm.atomicBoolean(() -> removeMatching(c::contains));
        }

        @Override
        public boolean retainAll(Collection<?> c) {
            Objects.requireNonNull(c);
            return Stm.atomicBoolean(() -> removeMatching(e -> !c.contains(e)));
        }

        @Override
        public boolean removeIf(Predicate<? super E> filter) {
            Objects.requireNonNull(filter);
            return Stm.atomicBoolean(() -> removeMatching(filter));
        }

        @Override
        public Object[] toArray() {
            return Stm.atomic(TDeque.this::elements).toArray();
        }

        @Override
        public <T> T[] toArray(T[] a) {
            return Stm.atomic(TDeque.this::elements).toArray(a);
        }

        @Override
        public Iterator<E> iterator() {
            return new SnapshotIterator(false);
        }

        @Override
        public Iterator<E> descendingIterator() {
            return new SnapshotIterator(true);
        }

        @Override
        public int drainTo(Collection<? super E> c) {
            return drainTo(c, Integer.MAX_VALUE);
        }

        /**
         * Moves up to {@code maxElements} elements from the front to {@code c}, each leaving the
         * deque only once {@code c} has accepted it: if {@code c.add} throws, the element stays
         * first and the ones before it are in {@code c} (see {@link Drain}).
         */
        @Override
        public int drainTo(Collection<? super E> c, int maxElements) {
            return Drain.drainTo(this, TDeque.this::pollFirst, c, maxElements);
        }
    }
}
