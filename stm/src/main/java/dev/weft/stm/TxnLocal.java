package dev.weft.stm;

import dev.weft.stm.internal.LocalKey;
import dev.weft.stm.internal.Transaction;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value private to one attempt of a transaction: like a {@link ThreadLocal} whose lifetime is
 * one run of a transaction body. Every attempt starts from the initial value (a re-run after a
 * conflict or {@code retry()} never sees what a rolled-back attempt set), a nested
 * {@code atomic} that rolls back alone also rolls back its changes, and the value is gone once
 * the transaction ends.
 *
 * <pre>{@code
 * static final TxnLocal<List<String>> LOG = TxnLocal.withInitial(ArrayList::new);
 * atomic(() -> { LOG.get().add("debit"); ... afterCommit(() -> flush(LOG.get())); });
 * }</pre>
 *
 * <p>Thread-safety: one instance may be shared by any number of threads; each running
 * transaction sees its own value. {@link #get()} and {@link #set} must be called inside a
 * transaction ({@link IllegalStateException} otherwise). A hook that runs after the transaction
 * ends should capture the value it needs while the transaction runs.
 *
 * @param <T> the value type; null values are allowed
 */
public final class TxnLocal<T> {
    private final LocalKey key = new LocalKey();
    private final Supplier<? extends T> initial;

    private TxnLocal(Supplier<? extends T> initial) {
        this.initial = initial;
    }

    /**
     * Creates a transaction-local whose value in each attempt starts as {@code initial.get()}.
     *
     * @param initial creates an attempt's value on its first {@link #get()}; runs inside the
     *                transaction, once per attempt that reads the value
     * @param <T> the value type
     * @return a new transaction-local
     * @throws NullPointerException if {@code initial} is null
     */
    public static <T> TxnLocal<T> withInitial(Supplier<? extends T> initial) {
        return new TxnLocal<>(Objects.requireNonNull(initial, "initial"));
    }

    /**
     * Creates a transaction-local whose value in each attempt starts as {@code null}.
     *
     * @param <T> the value type
     * @return a new transaction-local whose initial value is null
     */
    public static <T> TxnLocal<T> create() {
        return new TxnLocal<>(() -> null);
    }

    /**
     * Returns the running attempt's value, creating it on the first call of the attempt.
     *
     * @implNote Costs a lookup in a small per-thread log (like a write-log lookup); no shared
     * memory is touched, and nothing is allocated beyond the initial value.
     *
     * @return this attempt's value, created from the initial supplier on first use
     * @throws IllegalStateException outside a transaction
     */
    @SuppressWarnings("unchecked")
    public T get() {
        return (T) Transaction.current().localGet(key, initial);
    }

    /**
     * Replaces the running attempt's value; a rollback of the attempt (or of the nested
     * {@code atomic} that called this) restores the previous one.
     *
     * @param value this attempt's new value, may be null
     * @throws IllegalStateException outside a transaction
     */
    public void set(T value) {
        Transaction.current().localSet(key, value);
    }
}
