package dev.weft.refs;

import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A transactional {@code double}, stored unboxed.
 *
 * <p>The methods of this class act in the calling thread's running transaction (see
 * {@link dev.weft.stm.Stm#atomic(Runnable)}) and throw {@link IllegalStateException} when none is
 * running. For a single operation outside a transaction use {@link #atomic()}: each method of the
 * returned view is its own linearizable transaction (or joins the running one).
 *
 * <pre>{@code
 * DoubleRef balance = new DoubleRef();
 * atomic(() -> balance.add(12.5));             // inside a transaction
 * double now = balance.atomic().addAndGet(-2.5); // one-operation transaction
 * }</pre>
 *
 * <p>The value is stored as its raw bits ({@link Double#doubleToRawLongBits}), so a read returns
 * exactly the bits written, including the sign of zero and the payload of a NaN.
 *
 * <p>Thread-safety: safe for use by any number of threads; publish the ref itself safely.
 * {@link #toString()} shows the latest committed value and never joins a transaction.
 */
public final class DoubleRef extends TxnCell {
    private Atomic view; // racy single-check idiom: any thread may create an equivalent view

    /** Creates a ref holding {@code 0.0}. */
    public DoubleRef() {
        this(0.0);
    }

    /**
     * Creates a ref holding {@code initialValue}.
     *
     * @param initialValue the initial value
     */
    public DoubleRef(double initialValue) {
        super(Double.doubleToRawLongBits(initialValue));
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
    public double get() {
        return Double.longBitsToDouble(Barrier.readLong(this));
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
    public void set(double value) {
        Barrier.writeLong(this, Double.doubleToRawLongBits(value));
    }

    /**
     * Writes {@code value} and returns the previous value, in the running transaction.
     *
     * @param value the new value
     * @return the previous value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public double getAndSet(double value) {
        return Double.longBitsToDouble(Barrier.exchangeLong(this, Double.doubleToRawLongBits(value)));
    }

    /**
     * Replaces the value with {@code function} applied to it, in the running transaction.
     *
     * @param function a side-effect-free function (it may run again if the transaction retries)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void update(DoubleUnaryOperator function) {
        set(function.applyAsDouble(get()));
    }

    /**
     * Applies {@code function} and returns the new value, in the running transaction.
     *
     * @param function a side-effect-free function
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public double updateAndGet(DoubleUnaryOperator function) {
        double updated = function.applyAsDouble(get());
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
    public double getAndUpdate(DoubleUnaryOperator function) {
        double previous = get();
        set(function.applyAsDouble(previous));
        return previous;
    }

    /**
     * Adds {@code delta}, in the running transaction.
     *
     * @param delta the amount to add (may be negative)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void add(double delta) {
        set(get() + delta);
    }

    /**
     * Adds {@code delta} and returns the new value, in the running transaction.
     *
     * @param delta the amount to add
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public double addAndGet(double delta) {
        double updated = get() + delta;
        set(updated);
        return updated;
    }

    /**
     * Adds {@code delta} and returns the previous value, in the running transaction.
     *
     * @param delta the amount to add
     * @return the previous value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public double getAndAdd(double delta) {
        double previous = get();
        set(previous + delta);
        return previous;
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
     * node per call, plus a small adapter from raw bits to {@code double}); nothing is read, so
     * the ref adds no read-log entry and nothing to validate. At commit the functions run while
     * the ref's lock is held, so a slow function holds up every writer of this ref. A later read
     * of the ref in the same transaction applies the pending functions to a snapshot value and
     * makes the ref an ordinary read from then on.
     *
     * @param function the update
     * @throws NullPointerException if {@code function} is null
     */
    public void commute(DoubleUnaryOperator function) {
        java.util.Objects.requireNonNull(function, "function");
        Barrier.commuteLong(this, bits -> Double.doubleToRawLongBits(
                function.applyAsDouble(Double.longBitsToDouble(bits))));
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
    public DoubleRef named(String name) {
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
     * @return {@code "DoubleRef[value]"}
     */
    @Override
    public String toString() {
        return "DoubleRef[" + describe(Double.longBitsToDouble(Barrier.peekLong(this))) + "]";
    }

    /**
     * One-operation access to a {@link DoubleRef}, in the style of Guava's {@code AtomicDouble}
     * (the {@link java.util.concurrent.atomic.AtomicLong} methods that make sense for a double).
     *
     * <p>Outside a transaction each method is a linearizable transaction that touches only this
     * ref: reads take no lock and write nothing shared; updates lock the one ref briefly, never a
     * transaction descriptor. Inside a running transaction each method joins it.
     * Thread-safe.
     *
     * <p>Compare-and-set, and the loops built on it, compare values <em>bitwise</em> (by
     * {@link Double#doubleToRawLongBits}), not with {@code ==}: {@code 0.0} and {@code -0.0} are
     * different, and a NaN matches a NaN with the same bits (so {@code compareAndSet(Double.NaN, x)}
     * succeeds on a ref holding {@code Double.NaN}, and update loops terminate on NaN values).
     *
     * @implNote Cost model, outside a transaction (docs/design.md, "Single-operation
     * transactions"): {@code get} is one seqlock snapshot (two reads of the lock word, one of the
     * value) with no lock, no shared write and no allocation. Updates ({@code set},
     * {@code getAndSet} and a successful {@code compareAndSet}) take the ref's lock with one CAS,
     * read the global clock (without writing it) and publish with one release store; they allocate
     * nothing unless a registered snapshot reader needs the old value kept, spin while a commit
     * holds the ref, and wait while the irrevocable transaction has reserved it.
     * {@code compareAndSet} writes nothing when the comparison fails; {@code addAndGet},
     * {@code getAndAdd}, {@code updateAndGet}, {@code getAndUpdate} and {@code accumulateAndGet}
     * repeat a snapshot and a compare-and-set until one succeeds, calling the function each time.
     * Inside a transaction each method costs what the ref's own method does there.
     */
    public static final class Atomic {
        private final DoubleRef ref;

        private Atomic(DoubleRef ref) {
            this.ref = ref;
        }

        /**
         * The ref this view reads and writes.
         *
         * @return the ref this view acts on
         */
        public DoubleRef ref() {
            return ref;
        }

        /**
         * Reads the value: outside a transaction the latest committed value, inside one the value
         * as of that transaction.
         *
         * @return the current value
         */
        public double get() {
            return Double.longBitsToDouble(Barrier.getLong(ref));
        }

        /**
         * Writes the value: outside a transaction it is committed at once, inside one it is written
         * in that transaction and visible to others when it commits.
         *
         * @param value the new value
         */
        public void set(double value) {
            Barrier.setLong(ref, Double.doubleToRawLongBits(value));
        }

        /**
         * Writes {@code value} and returns the value it replaced, atomically.
         *
         * @param value the new value
         * @return the previous value
         */
        public double getAndSet(double value) {
            return Double.longBitsToDouble(Barrier.getAndSetLong(ref, Double.doubleToRawLongBits(value)));
        }

        /**
         * Sets the value to {@code update} if it is bitwise equal to {@code expected} (see the class
         * comment: {@code 0.0} does not match {@code -0.0}; {@code NaN} matches the same NaN).
         *
         * @param expected the value expected
         * @param update the new value
         * @return whether the value was {@code expected} and is now {@code update}
         */
        public boolean compareAndSet(double expected, double update) {
            return Barrier.compareAndSetLong(ref,
                    Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(update));
        }

        /**
         * Adds {@code delta} atomically.
         *
         * @param delta the amount to add
         * @return the new value
         */
        public double addAndGet(double delta) {
            for (;;) {
                long current = Barrier.getLong(ref);
                double updated = Double.longBitsToDouble(current) + delta;
                if (Barrier.compareAndSetLong(ref, current, Double.doubleToRawLongBits(updated))) {
                    return updated;
                }
            }
        }

        /**
         * Adds {@code delta} atomically.
         *
         * @param delta the amount to add
         * @return the previous value
         */
        public double getAndAdd(double delta) {
            for (;;) {
                long current = Barrier.getLong(ref);
                double previous = Double.longBitsToDouble(current);
                if (Barrier.compareAndSetLong(ref, current, Double.doubleToRawLongBits(previous + delta))) {
                    return previous;
                }
            }
        }

        /**
         * Applies {@code function} atomically (it may be called more than once under contention).
         *
         * @param function a side-effect-free function
         * @return the new value
         */
        public double updateAndGet(DoubleUnaryOperator function) {
            for (;;) {
                long current = Barrier.getLong(ref);
                double updated = function.applyAsDouble(Double.longBitsToDouble(current));
                if (Barrier.compareAndSetLong(ref, current, Double.doubleToRawLongBits(updated))) {
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
        public double getAndUpdate(DoubleUnaryOperator function) {
            for (;;) {
                long current = Barrier.getLong(ref);
                double previous = Double.longBitsToDouble(current);
                double updated = function.applyAsDouble(previous);
                if (Barrier.compareAndSetLong(ref, current, Double.doubleToRawLongBits(updated))) {
                    return previous;
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
        public double accumulateAndGet(double x, DoubleBinaryOperator function) {
            for (;;) {
                long current = Barrier.getLong(ref);
                double updated = function.applyAsDouble(Double.longBitsToDouble(current), x);
                if (Barrier.compareAndSetLong(ref, current, Double.doubleToRawLongBits(updated))) {
                    return updated;
                }
            }
        }

        /**
         * Shows the latest committed value; never reads inside a transaction.
         *
         * @return {@code "DoubleRef.Atomic[value]"} with the latest committed value
         */
        @Override
        public String toString() {
            return "DoubleRef.Atomic[" + Double.longBitsToDouble(Barrier.peekLong(ref)) + "]";
        }
    }
}
