package dev.weft.stm;

import dev.weft.stm.internal.Transaction;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The entry point: run code atomically over transactional refs.
 *
 * <pre>{@code
 * import static dev.weft.stm.Stm.atomic;
 *
 * LongRef from = new LongRef(100), to = new LongRef(0);
 * atomic(() -> {
 *     from.add(-10);
 *     to.add(10);
 * });
 * long total = atomic(() -> from.get() + to.get());
 * }</pre>
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li><b>Atomic and serializable:</b> the body's writes become visible all at once, and all
 *       committed transactions appear to run one at a time in some order consistent with real
 *       time (no write skew).</li>
 *   <li><b>Opaque:</b> a body only ever sees one consistent committed state, even in an attempt
 *       that will be rolled back, so invariants that hold between transactions hold inside
 *       every attempt.</li>
 *   <li><b>Re-executed on conflict:</b> the body may run more than once, so it must not perform
 *       irreversible side effects (I/O, sending messages) and must not catch {@link Throwable}
 *       or {@link Error} (the engine unwinds a losing attempt with an internal {@code Error}).</li>
 *   <li><b>Exceptions roll back:</b> an exception thrown by the body discards every write of the
 *       transaction and propagates to the caller unchanged.</li>
 *   <li><b>Flat nesting:</b> {@code atomic} inside a running transaction joins it; the whole
 *       commits or rolls back together.</li>
 *   <li><b>Progress:</b> conflicts are retried with randomized backoff; a read-only transaction
 *       that lost a race re-runs on a registered snapshot that cannot be invalidated; a
 *       transaction that keeps losing becomes irrevocable and then cannot abort. Neither mode
 *       stops threads that do not write the refs it touches.</li>
 * </ul>
 *
 * <p>Thread-safety: all methods may be called from any thread, platform or virtual. A transaction
 * belongs to the thread that runs it: refs find it through the current thread, and threads
 * started inside a body do not join it.
 */
public final class Stm {
    private Stm() {}

    /**
     * Runs {@code body} as a transaction (or as part of the running one).
     *
     * @param body the transaction body; may run more than once
     * @throws NullPointerException if {@code body} is null
     */
    public static void atomic(Runnable body) {
        Transaction.current().execute(Objects.requireNonNull(body, "body"), Transaction.RUNNABLE);
    }

    /**
     * Runs {@code body} as a transaction (or as part of the running one) and returns its result.
     *
     * @param body the transaction body; may run more than once
     * @param <T> the result type
     * @return the result of the attempt that committed
     * @throws NullPointerException if {@code body} is null
     */
    @SuppressWarnings("unchecked")
    public static <T> T atomic(Supplier<T> body) {
        Transaction txn = Transaction.current();
        txn.execute(Objects.requireNonNull(body, "body"), Transaction.SUPPLIER);
        return (T) txn.takeResultObject();
    }

    /**
     * {@link #atomic(Supplier)} for a {@code long} result, without boxing.
     *
     * @param body the transaction body; may run more than once
     * @return the result of the attempt that committed
     */
    public static long atomicLong(LongSupplier body) {
        Transaction txn = Transaction.current();
        txn.execute(Objects.requireNonNull(body, "body"), Transaction.LONG_SUPPLIER);
        return txn.resultBits();
    }

    /**
     * {@link #atomic(Supplier)} for an {@code int} result, without boxing.
     *
     * @param body the transaction body; may run more than once
     * @return the result of the attempt that committed
     */
    public static int atomicInt(IntSupplier body) {
        Transaction txn = Transaction.current();
        txn.execute(Objects.requireNonNull(body, "body"), Transaction.INT_SUPPLIER);
        return (int) txn.resultBits();
    }

    /**
     * {@link #atomic(Supplier)} for a {@code double} result, without boxing.
     *
     * @param body the transaction body; may run more than once
     * @return the result of the attempt that committed
     */
    public static double atomicDouble(DoubleSupplier body) {
        Transaction txn = Transaction.current();
        txn.execute(Objects.requireNonNull(body, "body"), Transaction.DOUBLE_SUPPLIER);
        return Double.longBitsToDouble(txn.resultBits());
    }

    /**
     * {@link #atomic(Supplier)} for a {@code boolean} result, without boxing.
     *
     * @param body the transaction body; may run more than once
     * @return the result of the attempt that committed
     */
    public static boolean atomicBoolean(BooleanSupplier body) {
        Transaction txn = Transaction.current();
        txn.execute(Objects.requireNonNull(body, "body"), Transaction.BOOLEAN_SUPPLIER);
        return txn.resultBits() != 0;
    }

    /**
     * Whether the current thread is running a transaction.
     *
     * @return true inside the body of {@code atomic} on this thread
     */
    public static boolean inTransaction() {
        return Transaction.current().isActive();
    }
}
