package dev.weft.refs;

import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;

/**
 * A transactional {@code int}, stored unboxed.
 *
 * <p>The methods of this class act in the calling thread's running transaction (see
 * {@link dev.weft.stm.Stm#atomic(Runnable)}) and throw {@link IllegalStateException} when none is
 * running. For a single operation outside a transaction use {@link #atomic()}: each method of the
 * returned view is its own linearizable transaction (or joins the running one).
 *
 * <pre>{@code
 * IntRef seats = new IntRef(40);
 * atomic(() -> seats.decrement());        // inside a transaction
 * int left = seats.atomic().decrementAndGet(); // one-operation transaction
 * }</pre>
 *
 * <p>Arithmetic wraps around like {@code int} arithmetic ({@code Integer.MAX_VALUE + 1} is
 * {@code Integer.MIN_VALUE}), in transactions and in the view alike.
 *
 * <p>Thread-safety: safe for use by any number of threads; publish the ref itself safely.
 * {@link #toString()} shows the latest committed value and never joins a transaction.
 */
public final class IntRef extends TxnCell {
    /*
     * Encoding: the cell holds the value sign-extended to 64 bits, always ((long) value), so the
     * engine's raw-bit compare-and-set compares ints correctly. Every write goes through a
     * (long) widening or through Barrier's int additions, which wrap in int and then widen.
     */
    private Atomic view; // racy single-check idiom: any thread may create an equivalent view

    /** Creates a ref holding zero. */
    public IntRef() {
        this(0);
    }

    /**
     * Creates a ref holding {@code initialValue}.
     *
     * @param initialValue the initial value
     */
    public IntRef(int initialValue) {
        super((long) initialValue);
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
    public int get() {
        return (int) Barrier.readLong(this);
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
    public void set(int value) {
        Barrier.writeLong(this, (long) value);
    }

    /**
     * Writes {@code value} and returns the previous value, in the running transaction.
     *
     * @param value the new value
     * @return the previous value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int getAndSet(int value) {
        return (int) Barrier.exchangeLong(this, (long) value);
    }

    /**
     * Replaces the value with {@code function} applied to it, in the running transaction.
     *
     * @param function a side-effect-free function (it may run again if the transaction retries)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void update(IntUnaryOperator function) {
        set(function.applyAsInt(get()));
    }

    /**
     * Applies {@code function} and returns the new value, in the running transaction.
     *
     * @param function a side-effect-free function
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int updateAndGet(IntUnaryOperator function) {
        int updated = function.applyAsInt(get());
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
    public int getAndUpdate(IntUnaryOperator function) {
        int previous = get();
        set(function.applyAsInt(previous));
        return previous;
    }

    /**
     * Adds one, in the running transaction, without reading the ref (see {@link #add}).
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void increment() {
        Barrier.addAtCommit(this, 1, true);
    }

    /**
     * Subtracts one, in the running transaction, without reading the ref (see {@link #add}).
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void decrement() {
        Barrier.addAtCommit(this, -1, true);
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
    public void add(int delta) {
        Barrier.addAtCommit(this, delta, true);
    }

    /**
     * Adds one and returns the new value, in the running transaction.
     *
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int incrementAndGet() {
        return Barrier.addInt(this, 1);
    }

    /**
     * Subtracts one and returns the new value, in the running transaction.
     *
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int decrementAndGet() {
        return Barrier.addInt(this, -1);
    }

    /**
     * Adds {@code delta} and returns the new value, in the running transaction.
     *
     * @param delta the amount to add
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int addAndGet(int delta) {
        return Barrier.addInt(this, delta);
    }

    /**
     * Adds {@code delta} and returns the previous value, in the running transaction.
     *
     * @param delta the amount to add
     * @return the previous value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public int getAndAdd(int delta) {
        return Barrier.addInt(this, delta) - delta;
    }

    /**
     * Adds {@code delta} (wrapping) at commit, without reading the ref now.
     *
     * <p>Commute (Clojure's model): the update is applied when the transaction commits, to the
     * value the ref holds <em>then</em>, without reading it now, so transactions that only commute
     * this ref never conflict with each other on it. If the same transaction later reads the ref,
     * the read sees the value with its pending commutes applied, and from then on the ref counts
     * as read (a conflicting commit makes the transaction run again). Outside a transaction this
     * is a one-operation update.
     *
     * @implNote Cost model. Within a transaction the deltas to one ref are summed in its write-log
     * entry, so many calls cost one entry and allocate nothing; at commit the sum is added under
     * the ref's lock. Commuters of one ref never invalidate each other, but they still take its
     * lock in turn at commit: for a count that very many threads change, {@code TCounter} spreads
     * it over stripes.
     *
     * @param delta the amount to add (may be negative)
     */
    public void commuteAdd(int delta) {
        Barrier.commuteAdd(this, delta, true);
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
     * @implNote Cost model. The call links the function into the ref's write-log entry (one small
     * node per call, plus a small adapter from raw bits to {@code int}); nothing is read, so the
     * ref adds no read-log entry and nothing to validate. At commit the functions run while the
     * ref's lock is held, so a slow function holds up every writer of this ref. A later read of
     * the ref in the same transaction applies the pending functions to a snapshot value and makes
     * the ref an ordinary read from then on.
     *
     * @param function the update
     * @throws NullPointerException if {@code function} is null
     */
    public void commute(IntUnaryOperator function) {
        java.util.Objects.requireNonNull(function, "function");
        Barrier.commuteLong(this, bits -> function.applyAsInt((int) bits));
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
    public IntRef named(String name) {
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
     * @return {@code "IntRef[value]"}
     */
    @Override
    public String toString() {
        return "IntRef[" + describe((int) Barrier.peekLong(this)) + "]";
    }

    /**
     * One-operation access to an {@link IntRef}, in the style of
     * {@link java.util.concurrent.atomic.AtomicInteger}.
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
        private final IntRef ref;

        private Atomic(IntRef ref) {
            this.ref = ref;
        }

        /**
         * The ref this view reads and writes.
         *
         * @return the ref this view acts on
         */
        public IntRef ref() {
            return ref;
        }

        /**
         * Reads the value: outside a transaction the latest committed value, inside one the value
         * as of that transaction.
         *
         * @return the current value
         */
        public int get() {
            return (int) Barrier.getLong(ref);
        }

        /**
         * Writes the value: outside a transaction it is committed at once, inside one it is written
         * in that transaction and visible to others when it commits.
         *
         * @param value the new value
         */
        public void set(int value) {
            Barrier.setLong(ref, (long) value);
        }

        /**
         * Writes {@code value} and returns the value it replaced, atomically.
         *
         * @param value the new value
         * @return the previous value
         */
        public int getAndSet(int value) {
            return (int) Barrier.getAndSetLong(ref, (long) value);
        }

        /**
         * Sets the value to {@code update} if it is {@code expected}.
         *
         * @param expected the value expected
         * @param update the new value
         * @return whether the value was {@code expected} and is now {@code update}
         */
        public boolean compareAndSet(int expected, int update) {
            return Barrier.compareAndSetLong(ref, (long) expected, (long) update);
        }

        /**
         * Adds one atomically.
         *
         * @return the new value
         */
        public int incrementAndGet() {
            return Barrier.getAndAddInt(ref, 1) + 1;
        }

        /**
         * Subtracts one atomically.
         *
         * @return the new value
         */
        public int decrementAndGet() {
            return Barrier.getAndAddInt(ref, -1) - 1;
        }

        /**
         * Adds one atomically.
         *
         * @return the previous value
         */
        public int getAndIncrement() {
            return Barrier.getAndAddInt(ref, 1);
        }

        /**
         * Subtracts one atomically.
         *
         * @return the previous value
         */
        public int getAndDecrement() {
            return Barrier.getAndAddInt(ref, -1);
        }

        /**
         * Adds {@code delta} atomically.
         *
         * @param delta the amount to add
         * @return the new value
         */
        public int addAndGet(int delta) {
            return Barrier.getAndAddInt(ref, delta) + delta;
        }

        /**
         * Adds {@code delta} atomically.
         *
         * @param delta the amount to add
         * @return the previous value
         */
        public int getAndAdd(int delta) {
            return Barrier.getAndAddInt(ref, delta);
        }

        /**
         * Applies {@code function} atomically (it may be called more than once under contention).
         *
         * @param function a side-effect-free function
         * @return the new value
         */
        public int updateAndGet(IntUnaryOperator function) {
            for (;;) {
                int current = (int) Barrier.getLong(ref);
                int updated = function.applyAsInt(current);
                if (Barrier.compareAndSetLong(ref, (long) current, (long) updated)) {
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
        public int getAndUpdate(IntUnaryOperator function) {
            for (;;) {
                int current = (int) Barrier.getLong(ref);
                if (Barrier.compareAndSetLong(ref, (long) current, (long) function.applyAsInt(current))) {
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
        public int accumulateAndGet(int x, IntBinaryOperator function) {
            for (;;) {
                int current = (int) Barrier.getLong(ref);
                int updated = function.applyAsInt(current, x);
                if (Barrier.compareAndSetLong(ref, (long) current, (long) updated)) {
                    return updated;
                }
            }
        }

        /**
         * Shows the latest committed value; never reads inside a transaction.
         *
         * @return {@code "IntRef.Atomic[value]"} with the latest committed value
         */
        @Override
        public String toString() {
            return "IntRef.Atomic[" + (int) Barrier.peekLong(ref) + "]";
        }
    }
}
