package dev.weft.collections;

import dev.weft.collections.internal.TimeoutArgument;
import dev.weft.collections.internal.TransactionRequired;
import dev.weft.refs.Ref;
import dev.weft.stm.Stm;
import java.time.Duration;
import java.util.Objects;

/**
 * A transactional write-once value: {@link #await} waits (with {@link Stm#retry()}) until it is
 * completed.
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when none is running: a completion in a
 * transaction that rolls back never happened, and a transaction can wait for several promises or
 * (with {@link Stm#orElse}) for the first of them. {@link #atomic()} runs each call as its own
 * transaction (or joins the running one); its waits park the thread and throw
 * {@link dev.weft.stm.TransactionInterruptedException} (unchecked) on interrupt.
 *
 * <p><b>Null policy:</b> the value must not be null. <b>Thread-safety:</b> safe for use by any
 * number of threads.
 *
 * @param <T> the type of the value
 */
public final class TPromise<T> {
    private final Ref<T> value = new Ref<>();
    private final Atomic view = new Atomic();

    /** Creates a promise that is not completed. */
    public TPromise() {}

    /**
     * Completes the promise with {@code v} unless it is completed, in the running transaction;
     * returns whether this call did.
     *
     * @param v the value, not null
     * @return whether this call completed the promise (false: it was already completed)
     * @throws NullPointerException if {@code v} is null
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean complete(T v) {
        TransactionRequired.check("TPromise", "complete", "atomic()");
        Objects.requireNonNull(v, "a TPromise cannot be completed with null");
        if (value.get() != null) {
            return false;
        }
        value.set(v);
        return true;
    }

    /**
     * The value, in the running transaction, waiting until the promise is completed: while it is
     * not, this calls {@link Stm#retry()}, so the whole transaction rolls back and waits until a
     * commit completes the promise (or, inside {@link Stm#orElse}, the next alternative runs
     * instead).
     *
     * @return the value the promise was completed with
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public T await() {
        TransactionRequired.check("TPromise", "await", "atomic()");
        T v = value.get();
        if (v == null) {
            Stm.retry();
        }
        return v;
    }

    /**
     * The value, or null if the promise is not completed.
     *
     * @return the value, or null if the promise is not completed
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public T getNow() {
        TransactionRequired.check("TPromise", "getNow", "atomic()");
        return value.get();
    }

    /**
     * Whether the promise is completed.
     *
     * @return whether the promise is completed
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public boolean isDone() {
        return getNow() != null;
    }

    /**
     * One-operation access: each method of the view is a transaction of its own outside a
     * transaction, and joins the running transaction inside one.
     *
     * @return the view (the same object on every call)
     */
    public Atomic atomic() {
        return view;
    }

    @Override
    public String toString() {
        T v = view.getNow();
        return v == null ? "TPromise[pending]" : "TPromise[" + v + "]";
    }

    /**
     * One-operation access to a {@link TPromise}: each method is one transaction, or part of the
     * running one. Thread-safe.
     *
     * @implNote Cost model. Each call outside a transaction runs the matching method of the
     * promise as a transaction of its own ({@code Stm.atomic}): a begin, one read and at most one
     * write of the promise's one cell, and a commit; a call that passes arguments allocates one
     * small lambda. A blocking call parks the thread in {@code retry()} until a commit changes the
     * cell.
     */
    public final class Atomic {
        private Atomic() {}

        /**
         * Completes the promise with {@code v} unless it is completed, as one transaction.
         *
         * @param v the value, not null
         * @return whether this call completed the promise (false: it was already completed)
         * @throws NullPointerException if {@code v} is null
         */
        public boolean complete(T v) {
            Objects.requireNonNull(v, "a TPromise cannot be completed with null");
            return Stm.atomicBoolean(() -> TPromise.this.complete(v));
        }

        /**
         * Blocks until completed; returns the value.
         *
         * @return the value the promise was completed with
         * @throws dev.weft.stm.TransactionInterruptedException if the thread is interrupted while
         *         it waits (the interrupt status stays set)
         */
        public T await() {
            return Stm.atomic(TPromise.this::await);
        }

        /**
         * Blocks until completed or {@code timeout} passed; returns the value or null.
         *
         * @param timeout the longest time to wait in total
         * @return the value, or null if the promise was not completed in time
         * @throws IllegalArgumentException if {@code timeout} is negative
         * @throws dev.weft.stm.TransactionInterruptedException if the thread is interrupted while
         *         it waits (the interrupt status stays set)
         */
        public T await(Duration timeout) {
            TimeoutArgument.check(timeout);
            return Stm.atomic(() -> {
                if (value.get() == null) {
                    Stm.retryFor(timeout);
                }
                return value.get();
            });
        }

        /**
         * The value, or null if not completed.
         *
         * @return the value, or null if not completed
         */
        public T getNow() {
            return Stm.atomic(TPromise.this::getNow);
        }
    }
}
