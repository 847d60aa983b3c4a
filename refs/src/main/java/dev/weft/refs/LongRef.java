package dev.weft.refs;

import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * A transactional {@code long}, stored unboxed.
 *
 * <p>The methods of this class act in the calling thread's running transaction (see
 * {@link dev.weft.stm.Stm#atomic(Runnable)}) and throw {@link IllegalStateException} when none is
 * running. For a single operation outside a transaction use {@link #atomic()}: each method of the
 * returned view is its own linearizable transaction (or joins the running one).
 *
 * <pre>{@code
 * LongRef hits = new LongRef();
 * atomic(() -> hits.increment());        // inside a transaction
 * long now = hits.atomic().incrementAndGet(); // one-operation transaction
 * }</pre>
 *
 * <p>Thread-safety: safe for use by any number of threads; publish the ref itself safely.
 * {@link #toString()} shows the latest committed value and never joins a transaction.
 */
public final class LongRef extends TxnCell {
    private Atomic view; // racy single-check idiom: any thread may create an equivalent view

    /** Creates a ref holding zero. */
    public LongRef() {
        this(0L);
    }

    /**
     * Creates a ref holding {@code initialValue}.
     *
     * @param initialValue the initial value
     */
    public LongRef(long initialValue) {
        super(initialValue);
    }

    /**
     * Reads the value in the running transaction.
     *
     * @implNote Cost model. Looks in the transaction's write log first (usually one AND of a 64-bit
     * filter); otherwise two reads of this ref's lock word and one of its value, and an append to
     * the read log: nothing allocated, nothing shared written. If the ref was committed after the
     * transaction's snapshot was taken, the snapshot is extended first: the global clock is
     * advanced (a CAS, unless another thread already did) and the read log revalidated, O(reads).
     *
     * @return the value as of this transaction
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long get() {
        return Barrier.readLong(this);
    }

    /**
     * Writes the value in the running transaction; visible to others when it commits.
     *
     * @implNote Cost model. Adds or updates this ref's entry in the transaction's write log:
     * nothing shared is touched and nothing allocated until commit, where the ref costs one CAS of
     * its lock word and one release store of its new version, plus its share of the commit's clock
     * read and read-log validation. A write without a read does not put the ref in the read log, so
     * other commits to it cannot invalidate this transaction.
     *
     * @param value the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void set(long value) {
        Barrier.writeLong(this, value);
    }

    /**
     * Writes {@code value} and returns the previous value, in the running transaction.
     *
     * @param value the new value
     * @return the previous value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long getAndSet(long value) {
        return Barrier.exchangeLong(this, value);
    }

    /**
     * Replaces the value with {@code function} applied to it, in the running transaction.
     *
     * @param function a side-effect-free function (it may run again if the transaction retries)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void update(LongUnaryOperator function) {
        set(function.applyAsLong(get()));
    }

    /**
     * Applies {@code function} and returns the new value, in the running transaction.
     *
     * @param function a side-effect-free function
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long updateAndGet(LongUnaryOperator function) {
        long updated = function.applyAsLong(get());
        set(updated);
        return updated;
    }

    /**
     * Applies {@code function} and returns the previous value, in the running transaction.
     *
     * @param function a side-effect-free function
     * @return the previous value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long getAndUpdate(LongUnaryOperator function) {
        long previous = get();
        set(function.applyAsLong(previous));
        return previous;
    }

    /**
     * Adds one, in the running transaction, without reading the ref (see {@link #add}).
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void increment() {
        Barrier.addAtCommit(this, 1L, false);
    }

    /**
     * Subtracts one, in the running transaction, without reading the ref (see {@link #add}).
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void decrement() {
        Barrier.addAtCommit(this, -1L, false);
    }

    /**
     * Adds {@code delta}, in the running transaction, without reading the ref: a commute, like
     * {@link #commuteAdd}. The addition is applied when the transaction commits, to the value the
     * ref holds then, so transactions that only add to this ref do not conflict with each other on
     * it (Multiverse's {@code increment} behaves the same way). If the transaction reads the ref
     * afterwards, the read sees the sum and from then on counts as a read. A transaction that
     * read the ref before adding (a balance check) is still validated on that read. Use
     * {@link #addAndGet} when the new value is needed.
     *
     * @param delta the amount to add (may be negative)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void add(long delta) {
        Barrier.addAtCommit(this, delta, false);
    }

    /**
     * Adds one and returns the new value, in the running transaction.
     *
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long incrementAndGet() {
        return Barrier.addLong(this, 1L);
    }

    /**
     * Subtracts one and returns the new value, in the running transaction.
     *
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long decrementAndGet() {
        return Barrier.addLong(this, -1L);
    }

    /**
     * Adds {@code delta} and returns the new value, in the running transaction.
     *
     * @param delta the amount to add
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long addAndGet(long delta) {
        return Barrier.addLong(this, delta);
    }

    /**
     * Adds {@code delta} and returns the previous value, in the running transaction.
     *
     * @param delta the amount to add
     * @return the previous value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long getAndAdd(long delta) {
        return Barrier.addLong(this, delta) - delta;
    }

    /**
     * Adds {@code delta} at commit, without reading the ref now.
     *
     * <p>Commute (Clojure's model): the update is applied when the transaction commits, to the
     * value the ref holds <em>then</em>, without reading it now, so transactions that only commute
     * this ref never conflict with each other on it. If the same transaction later reads the ref,
     * the read sees the value with its pending commutes applied, and from then on the ref counts
     * as read (a conflicting commit makes the transaction run again). Outside a transaction this
     * is a one-operation update.
     *
     * @implNote Cost model. Within a transaction the deltas to one ref are summed in its
     * write-log entry, so many calls cost one entry and allocate nothing; at commit the sum is
     * added under the ref's
     * lock. Commuters of one ref never invalidate each other, but they still take its lock in
     * turn at commit: for a count that very many threads change, {@code TCounter} spreads it over
     * stripes.
     *
     * @param delta the amount to add (may be negative)
     */
    public void commuteAdd(long delta) {
        Barrier.commuteAdd(this, delta, false);
    }

    /**
     * Applies {@code function} at commit, without reading the ref now. The function must be pure
     * and quick: it runs while the commit holds this ref's lock, possibly more than once.
     *
     * <p>Commute (Clojure's model): the update is applied when the transaction commits, to the
     * value the ref holds <em>then</em>, without reading it now, so transactions that only commute
     * this ref never conflict with each other on it. If the same transaction later reads the ref,
     * the read sees the value with its pending commutes applied, and from then on the ref counts
     * as read (a conflicting commit makes the transaction run again). Outside a transaction this
     * is a one-operation update.
     *
     * @implNote Cost model. The call links the function into the ref's write-log entry (one
     * small node per call); nothing is read, so the ref adds no read-log entry and nothing to
     * validate. At commit the functions run while the ref's lock is held, so a slow function holds
     * up every writer of this ref.
     * A later read of the ref in the same transaction applies the pending functions to a snapshot
     * value and makes the ref an ordinary read from then on.
     *
     * @param function the update
     * @throws NullPointerException if {@code function} is null
     */
    public void commute(LongUnaryOperator function) {
        Barrier.commuteLong(this, java.util.Objects.requireNonNull(function, "function"));
    }

    /**
     * The one-operation view of this ref: each method is a linearizable transaction of its own
     * when called outside a transaction, and joins the running transaction when called inside one.
     *
     * @return the view (cheap; the same object on every call in steady state)
     */
    public Atomic atomic() {
        Atomic v = view;
        if (v == null) {
            view = v = new Atomic(this);
        }
        return v;
    }

    /**
     * Names this ref in diagnostics: conflict reports ({@code Stm.conflictReport()}), JFR abort
     * events and {@link #toString()}. Call it once, before sharing the ref.
     *
     * @param name the name, or null to remove it
     * @return this ref
     */
    public LongRef named(String name) {
        Barrier.setLabel(this, name);
        return this;
    }

    private String describe(Object value) {
        String name = Barrier.label(this);
        return name == null ? String.valueOf(value) : name + ": " + value;
    }

    /**
     * Shows the latest committed value; never reads inside a transaction.
     *
     * @return {@code "LongRef[value]"}
     */
    @Override
    public String toString() {
        return "LongRef[" + describe(Barrier.peekLong(this)) + "]";
    }

    /**
     * One-operation access to a {@link LongRef}, in the style of {@link java.util.concurrent.atomic.AtomicLong}.
     *
     * <p>Outside a transaction each method is a linearizable transaction that touches only this
     * ref: reads take no lock and write nothing shared; updates lock the one ref briefly, never a
     * transaction descriptor. Inside a running transaction each method joins it.
     * Thread-safe.
     *
     * @implNote Cost model, outside a transaction (docs/design.md, "Single-operation
     * transactions"): {@code get} is one seqlock snapshot (two reads of the lock word, one of the
     * value) with no lock, no shared write and no allocation. Updates ({@code set},
     * {@code getAndSet}, the increments and additions, and a successful {@code compareAndSet}) take
     * the ref's lock with one CAS, read the global clock (without writing it) and publish with one
     * release store; they allocate nothing unless a registered snapshot reader needs the old value
     * kept, spin while a commit holds the ref, and wait while the irrevocable transaction has
     * reserved it. {@code compareAndSet} writes nothing when the comparison fails;
     * {@code updateAndGet}, {@code getAndUpdate} and {@code accumulateAndGet} repeat a snapshot and
     * a compare-and-set until one succeeds, calling the function each time. Inside a transaction
     * each method costs what the ref's own method does there.
     */
    public static final class Atomic {
        private final LongRef ref;

        private Atomic(LongRef ref) {
            this.ref = ref;
        }

        /**
         * The ref this view reads and writes.
         *
         * @return the ref this view acts on
         */
        public LongRef ref() {
            return ref;
        }

        /**
         * Reads the value: outside a transaction the latest committed value, inside one the value
         * as of that transaction.
         *
         * @return the current value
         */
        public long get() {
            return Barrier.getLong(ref);
        }

        /**
         * Writes the value: outside a transaction it is committed at once, inside one it is written
         * in that transaction and visible to others when it commits.
         *
         * @param value the new value
         */
        public void set(long value) {
            Barrier.setLong(ref, value);
        }

        /**
         * Writes {@code value} and returns the value it replaced, atomically.
         *
         * @param value the new value
         * @return the previous value
         */
        public long getAndSet(long value) {
            return Barrier.getAndSetLong(ref, value);
        }

        /**
         * Sets the value to {@code update} if it is {@code expected}.
         *
         * @param expected the value expected
         * @param update the new value
         * @return whether the value was {@code expected} and is now {@code update}
         */
        public boolean compareAndSet(long expected, long update) {
            return Barrier.compareAndSetLong(ref, expected, update);
        }

        /**
         * Adds one atomically.
         *
         * @return the new value
         */
        public long incrementAndGet() {
            return Barrier.getAndAddLong(ref, 1L) + 1L;
        }

        /**
         * Subtracts one atomically.
         *
         * @return the new value
         */
        public long decrementAndGet() {
            return Barrier.getAndAddLong(ref, -1L) - 1L;
        }

        /**
         * Adds one atomically.
         *
         * @return the previous value
         */
        public long getAndIncrement() {
            return Barrier.getAndAddLong(ref, 1L);
        }

        /**
         * Subtracts one atomically.
         *
         * @return the previous value
         */
        public long getAndDecrement() {
            return Barrier.getAndAddLong(ref, -1L);
        }

        /**
         * Adds {@code delta} atomically.
         *
         * @param delta the amount to add
         * @return the new value
         */
        public long addAndGet(long delta) {
            return Barrier.getAndAddLong(ref, delta) + delta;
        }

        /**
         * Adds {@code delta} atomically.
         *
         * @param delta the amount to add
         * @return the previous value
         */
        public long getAndAdd(long delta) {
            return Barrier.getAndAddLong(ref, delta);
        }

        /**
         * Applies {@code function} atomically (it may be called more than once under contention).
         *
         * @param function a side-effect-free function
         * @return the new value
         */
        public long updateAndGet(LongUnaryOperator function) {
            for (;;) {
                long current = Barrier.getLong(ref);
                long updated = function.applyAsLong(current);
                if (Barrier.compareAndSetLong(ref, current, updated)) {
                    return updated;
                }
            }
        }

        /**
         * Applies {@code function} atomically (it may be called more than once under contention).
         *
         * @param function a side-effect-free function
         * @return the previous value
         */
        public long getAndUpdate(LongUnaryOperator function) {
            for (;;) {
                long current = Barrier.getLong(ref);
                if (Barrier.compareAndSetLong(ref, current, function.applyAsLong(current))) {
                    return current;
                }
            }
        }

        /**
         * Combines the value with {@code x} atomically.
         *
         * @param x the second argument of {@code function}
         * @param function a side-effect-free function of (current, x)
         * @return the new value
         */
        public long accumulateAndGet(long x, LongBinaryOperator function) {
            for (;;) {
                long current = Barrier.getLong(ref);
                long updated = function.applyAsLong(current, x);
                if (Barrier.compareAndSetLong(ref, current, updated)) {
                    return updated;
                }
            }
        }

        /**
         * Shows the latest committed value; never reads inside a transaction.
         *
         * @return {@code "LongRef.Atomic[value]"} with the latest committed value
         */
        @Override
        public String toString() {
            return "LongRef.Atomic[" + Barrier.peekLong(ref) + "]";
        }
    }
}
