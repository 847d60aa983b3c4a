package dev.weft.collections;

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
     * Completes the promise with {@code v} unless it is completed; returns whether this call did.
     *
     * @param v the value
     * @return whether this call completed the promise (false: it was already completed)
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
     * The value, waiting (retry) until the promise is completed.
     *
     * @return the value, waiting (retry) until the promise is completed
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
     */
    public T getNow() {
        TransactionRequired.check("TPromise", "getNow", "atomic()");
        return value.get();
    }

    /**
     * Whether the promise is completed.
     *
     * @return whether the promise is completed
     */
    public boolean isDone() {
        return getNow() != null;
    }

    /**
     * One-operation access.
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

    /** Each method one transaction, or part of the running one. Thread-safe. */
    public final class Atomic {
        private Atomic() {}

        /**
         * Completes the promise with {@code v} unless it is completed, as one transaction.
         *
         * @param v the value
         * @return whether this call completed the promise (false: it was already completed)
         */
        public boolean complete(T v) {
            Objects.requireNonNull(v, "a TPromise cannot be completed with null");
            return Stm.atomicBoolean(() -> TPromise.this.complete(v));
        }

        /**
         * Blocks until completed; returns the value.
         *
         * @return the value the promise was completed with
         */
        public T await() {
            return Stm.atomic(TPromise.this::await);
        }

        /**
         * Blocks until completed or {@code timeout} passed; returns the value or null.
         *
         * @param timeout the longest time to wait in total
         * @return the value, or null if the promise was not completed in time
         */
        public T await(Duration timeout) {
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
