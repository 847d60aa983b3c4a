package dev.weft.refs;

import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * A transactional reference to an object; {@code null} is a valid value.
 *
 * <p>The methods of this class act in the calling thread's running transaction (see
 * {@link dev.weft.stm.Stm#atomic(Runnable)}) and throw {@link IllegalStateException} when none is
 * running. For a single operation outside a transaction use {@link #atomic()}: each method of the
 * returned view is its own linearizable transaction (or joins the running one).
 *
 * <pre>{@code
 * Ref<String> owner = new Ref<>();
 * atomic(() -> owner.set("alice"));                 // inside a transaction
 * boolean taken = owner.atomic().compareAndSet(null, "bob"); // one-operation transaction
 * }</pre>
 *
 * <p>The ref makes only the reference transactional: store immutable values, or values that are
 * never mutated after they are written, and replace them instead of mutating them in place.
 *
 * <p>Thread-safety: safe for use by any number of threads; publish the ref itself safely.
 * {@link #toString()} shows the latest committed value and never joins a transaction.
 *
 * @param <T> the type of the value
 */
public final class Ref<T> extends TxnCell {
    private Atomic<T> view; // racy single-check idiom: any thread may create an equivalent view

    /** Creates a ref holding {@code null}. */
    public Ref() {
        this(null);
    }

    /**
     * Creates a ref holding {@code initialValue}.
     *
     * @param initialValue the initial value, may be {@code null}
     */
    public Ref(T initialValue) {
        super((Object) initialValue);
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
     * @return the value as of this transaction, may be {@code null}
     * @throws IllegalStateException if no transaction is running on this thread
     */
    @SuppressWarnings("unchecked")
    public T get() {
        return (T) Barrier.readObject(this);
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
     * @param value the new value, may be {@code null}
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void set(T value) {
        Barrier.writeObject(this, value);
    }

    /**
     * Writes {@code value} and returns the previous value, in the running transaction.
     *
     * @param value the new value, may be {@code null}
     * @return the previous value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    @SuppressWarnings("unchecked")
    public T getAndSet(T value) {
        return (T) Barrier.exchangeObject(this, value);
    }

    /**
     * Replaces the value with {@code function} applied to it, in the running transaction.
     *
     * @param function a side-effect-free function (it may run again if the transaction retries)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void update(UnaryOperator<T> function) {
        set(function.apply(get()));
    }

    /**
     * Applies {@code function} and returns the new value, in the running transaction.
     *
     * @param function a side-effect-free function
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public T updateAndGet(UnaryOperator<T> function) {
        T updated = function.apply(get());
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
    public T getAndUpdate(UnaryOperator<T> function) {
        T previous = get();
        set(function.apply(previous));
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
    public void commute(UnaryOperator<T> function) {
        Barrier.commuteObject(this, java.util.Objects.requireNonNull(function, "function"));
    }

    /**
     * The one-operation view of this ref: each method is a linearizable transaction of its own
     * when called outside a transaction, and joins the running transaction when called inside one.
     *
     * @return the view (cheap; the same object on every call in steady state)
     */
    public Atomic<T> atomic() {
        Atomic<T> v = view;
        if (v == null) {
            view = v = new Atomic<>(this);
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
    public Ref<T> named(String name) {
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
     * @return {@code "Ref[value]"}, with {@link String#valueOf(Object)} of the value
     */
    @Override
    public String toString() {
        return "Ref[" + describe(String.valueOf(Barrier.peekObject(this))) + "]";
    }

    /**
     * One-operation access to a {@link Ref}, in the style of
     * {@link java.util.concurrent.atomic.AtomicReference}.
     *
     * <p>Outside a transaction each method is a linearizable transaction that touches only this
     * ref: reads take no lock and write nothing shared; updates lock the one ref briefly, never a
     * transaction descriptor. Inside a running transaction each method joins it.
     * Thread-safe.
     *
     * <p>Compare-and-set, and the loops built on it, compare by <em>identity</em> ({@code ==}), never
     * with {@link Object#equals}, as {@code AtomicReference} does: an equal but distinct object
     * does not match.
     *
     * @implNote Cost model, outside a transaction (docs/design.md, "Single-operation
     * transactions"): {@code get} is one seqlock snapshot (two reads of the lock word, one of the
     * value) with no lock, no shared write and no allocation. Updates ({@code set},
     * {@code getAndSet} and a successful {@code compareAndSet}) take the ref's lock with one CAS,
     * read the global clock (without writing it) and publish with one release store; they allocate
     * nothing unless a registered snapshot reader needs the old value kept, spin while a commit
     * holds the ref, and wait while the irrevocable transaction has reserved it.
     * {@code compareAndSet} writes nothing when the comparison fails; {@code updateAndGet},
     * {@code getAndUpdate} and {@code accumulateAndGet} repeat a snapshot and a compare-and-set
     * until one succeeds, calling the function each time. Inside a transaction each method costs
     * what the ref's own method does there.
     *
     * @param <T> the type of the value
     */
    public static final class Atomic<T> {
        private final Ref<T> ref;

        private Atomic(Ref<T> ref) {
            this.ref = ref;
        }

        /**
         * The ref this view reads and writes.
         *
         * @return the ref this view acts on
         */
        public Ref<T> ref() {
            return ref;
        }

        /**
         * Reads the value: outside a transaction the latest committed value, inside one the value
         * as of that transaction.
         *
         * @return the current value, may be {@code null}
         */
        @SuppressWarnings("unchecked")
        public T get() {
            return (T) Barrier.getObject(ref);
        }

        /**
         * Writes the value: outside a transaction it is committed at once, inside one it is written
         * in that transaction and visible to others when it commits.
         *
         * @param value the new value, may be {@code null}
         */
        public void set(T value) {
            Barrier.setObject(ref, value);
        }

        /**
         * Writes {@code value} and returns the value it replaced, atomically.
         *
         * @param value the new value, may be {@code null}
         * @return the previous value
         */
        @SuppressWarnings("unchecked")
        public T getAndSet(T value) {
            return (T) Barrier.getAndSetObject(ref, value);
        }

        /**
         * Sets the value to {@code update} if it is the very object {@code expected}
         * ({@code ==}, not {@code equals}).
         *
         * @param expected the object expected, may be {@code null}
         * @param update the new value, may be {@code null}
         * @return whether the value was {@code expected} and is now {@code update}
         */
        public boolean compareAndSet(T expected, T update) {
            return Barrier.compareAndSetObject(ref, expected, update);
        }

        /**
         * Applies {@code function} atomically (it may be called more than once under contention).
         *
         * @param function a side-effect-free function
         * @return the new value
         */
        public T updateAndGet(UnaryOperator<T> function) {
            for (;;) {
                T current = get();
                T updated = function.apply(current);
                if (Barrier.compareAndSetObject(ref, current, updated)) {
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
        public T getAndUpdate(UnaryOperator<T> function) {
            for (;;) {
                T current = get();
                if (Barrier.compareAndSetObject(ref, current, function.apply(current))) {
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
        public T accumulateAndGet(T x, BinaryOperator<T> function) {
            for (;;) {
                T current = get();
                T updated = function.apply(current, x);
                if (Barrier.compareAndSetObject(ref, current, updated)) {
                    return updated;
                }
            }
        }

        /**
         * Shows the latest committed value; never reads inside a transaction.
         *
         * @return {@code "Ref.Atomic[value]"} with the latest committed value
         */
        @Override
        public String toString() {
            return "Ref.Atomic[" + String.valueOf(Barrier.peekObject(ref)) + "]";
        }
    }
}
