package dev.weft.refs;

import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;

/**
 * A transactional {@code boolean}, stored unboxed.
 *
 * <p>The methods of this class act in the calling thread's running transaction (see
 * {@link dev.weft.stm.Stm#atomic(Runnable)}) and throw {@link IllegalStateException} when none is
 * running. For a single operation outside a transaction use {@link #atomic()}: each method of the
 * returned view is its own linearizable transaction (or joins the running one).
 *
 * <pre>{@code
 * BooleanRef open = new BooleanRef(true);
 * atomic(() -> open.toggle());                     // inside a transaction
 * boolean won = open.atomic().compareAndSet(false, true); // one-operation transaction
 * }</pre>
 *
 * <p>Thread-safety: safe for use by any number of threads; publish the ref itself safely.
 * {@link #toString()} shows the latest committed value and never joins a transaction.
 */
public final class BooleanRef extends TxnCell {
    // Encoding: the cell holds 1 for true and 0 for false, nothing else.
    private Atomic view; // racy single-check idiom: any thread may create an equivalent view

    /** Creates a ref holding {@code false}. */
    public BooleanRef() {
        this(false);
    }

    /**
     * Creates a ref holding {@code initialValue}.
     *
     * @param initialValue the initial value
     */
    public BooleanRef(boolean initialValue) {
        super(bits(initialValue));
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
    public boolean get() {
        return Barrier.readLong(this) != 0L;
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
    public void set(boolean value) {
        Barrier.writeLong(this, bits(value));
    }

    /**
     * Writes {@code value} and returns the previous value, in the running transaction.
     *
     * @param value the new value
     * @return the previous value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean getAndSet(boolean value) {
        return Barrier.exchangeLong(this, bits(value)) != 0L;
    }

    /**
     * Flips the value ({@code true} becomes {@code false} and back), in the running transaction.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void toggle() {
        Barrier.writeLong(this, Barrier.readLong(this) ^ 1L);
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
    public BooleanRef named(String name) {
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
     * @return {@code "BooleanRef[value]"}
     */
    @Override
    public String toString() {
        return "BooleanRef[" + describe((Barrier.peekLong(this) != 0L)) + "]";
    }

    private static long bits(boolean value) {
        return value ? 1L : 0L;
    }

    /**
     * One-operation access to a {@link BooleanRef}, in the style of
     * {@link java.util.concurrent.atomic.AtomicBoolean}.
     *
     * <p>Outside a transaction each method is a linearizable transaction that touches only this
     * ref: reads take no lock and write nothing shared; updates lock the one ref briefly, never a
     * transaction descriptor. Inside a running transaction each method joins it.
     * Thread-safe.
     *
     * @implNote Cost model, outside a transaction (docs/design.md, "Single-operation
     * transactions"): {@code get} is one seqlock snapshot (two reads of the lock word, one of the
     * value) with no lock, no shared write and no allocation. Updates ({@code set},
     * {@code getAndSet} and a successful {@code compareAndSet}) take the ref's lock with one CAS,
     * read the global clock (without writing it) and publish with one release store; they allocate
     * nothing unless a registered snapshot reader needs the old value kept, spin while a commit
     * holds the ref, and wait while the irrevocable transaction has reserved it.
     * {@code compareAndSet} writes nothing when the comparison fails; {@code getAndToggle} repeats
     * a snapshot and a compare-and-set until one succeeds. Inside a transaction each method costs
     * what the ref's own method does there.
     */
    public static final class Atomic {
        private final BooleanRef ref;

        private Atomic(BooleanRef ref) {
            this.ref = ref;
        }

        /**
         * The ref this view reads and writes.
         *
         * @return the ref this view acts on
         */
        public BooleanRef ref() {
            return ref;
        }

        /**
         * Reads the value: outside a transaction the latest committed value, inside one the value
         * as of that transaction.
         *
         * @return the current value
         */
        public boolean get() {
            return Barrier.getLong(ref) != 0L;
        }

        /**
         * Writes the value: outside a transaction it is committed at once, inside one it is written
         * in that transaction and visible to others when it commits.
         *
         * @param value the new value
         */
        public void set(boolean value) {
            Barrier.setLong(ref, bits(value));
        }

        /**
         * Writes {@code value} and returns the value it replaced, atomically.
         *
         * @param value the new value
         * @return the previous value
         */
        public boolean getAndSet(boolean value) {
            return Barrier.getAndSetLong(ref, bits(value)) != 0L;
        }

        /**
         * Sets the value to {@code update} if it is {@code expected}.
         *
         * @param expected the value expected
         * @param update the new value
         * @return whether the value was {@code expected} and is now {@code update}
         */
        public boolean compareAndSet(boolean expected, boolean update) {
            return Barrier.compareAndSetLong(ref, bits(expected), bits(update));
        }

        /**
         * Flips the value atomically.
         *
         * @return the previous value
         */
        public boolean getAndToggle() {
            for (;;) {
                long current = Barrier.getLong(ref);
                if (Barrier.compareAndSetLong(ref, current, current ^ 1L)) {
                    return current != 0L;
                }
            }
        }

        /**
         * Shows the latest committed value; never reads inside a transaction.
         *
         * @return {@code "BooleanRef.Atomic[value]"} with the latest committed value
         */
        @Override
        public String toString() {
            return "BooleanRef.Atomic[" + (Barrier.peekLong(ref) != 0L) + "]";
        }
    }
}
