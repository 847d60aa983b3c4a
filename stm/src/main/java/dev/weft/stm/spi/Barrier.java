package dev.weft.stm.spi;

import dev.weft.stm.internal.SingleCell;
import dev.weft.stm.internal.Transaction;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * The read and write barriers through which refs and collections access their cells.
 *
 * <p>Transactional methods ({@code read*}, {@code write*}) act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when there is none. Single-operation methods
 * ({@code get*}, {@code compareAndSet*}, {@code getAndAdd*}, {@code getAndSet*}) are linearizable
 * one-operation transactions; called inside a running transaction they join it instead, so they
 * never break its isolation. {@code peek*} reads the latest committed value and ignores any
 * running transaction (for {@code toString}).
 *
 * <p>Values of primitive cells are raw {@code long} bits; the caller owns the encoding.
 *
 * <p>Thread-safety: every method may be called from any thread; a transactional method acts in
 * the transaction of the thread that calls it. None of them calls {@code retry()}.
 *
 * @implNote Costs are those of docs/design.md, "Costs": a transactional read is two reads of the
 * cell's lock word and one of its value plus a read-log append (after a write-log lookup); a
 * transactional write touches only the write log until commit. A single-operation read is one
 * seqlock snapshot (no lock, no shared write); a single-operation update is one lock-word CAS, a
 * volatile read of the clock and a release store of the new version, and allocates nothing
 * unless a snapshot reader is registered.
 */
public final class Barrier {
    private Barrier() {}

    /**
     * Transactional: reads a primitive cell's raw bits in the running transaction (its own
     * pending write if it wrote the cell, else the value of its snapshot).
     *
     * @param cell the cell to read
     * @return the cell's raw bits as of the running transaction
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public static long readLong(TxnCell cell) {
        return running(cell).readLong(cell);
    }

    /**
     * Transactional: reads a reference cell's value in the running transaction (its own pending
     * write if it wrote the cell, else the value of its snapshot).
     *
     * @param cell the cell to read
     * @return the cell's value as of the running transaction, may be null
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public static Object readObject(TxnCell cell) {
        return running(cell).readObject(cell);
    }

    /**
     * Identifies the calling thread's running attempt: equal for two calls exactly when both
     * run in the same attempt of the same top-level transaction (nested scopes included), for a
     * structure that must refuse to go on reading in another one (an iterator made inside a
     * transaction, which an attempt that rolled back or a later transaction must not use); -1
     * when none is running. One descriptor lookup.
     *
     * @return the running transaction's identity on this thread, or -1
     */
    public static long runningTransaction() {
        return Transaction.current().number();
    }

    /**
     * The calling thread's running transaction, or null when none is running: for a structure
     * that checks, with the handle-taking methods below, that it is still used in the attempt and
     * scopes it read in. One descriptor lookup.
     *
     * @return the running transaction, or null
     */
    public static TxnHandle runningOrNull() {
        Transaction txn = Transaction.current();
        return txn.isActive() ? txn : null;
    }

    /**
     * {@link #runningTransaction()} of a handle from {@link #runningOrNull()} (no lookup).
     *
     * @param txn a running transaction of the calling thread
     * @return its attempt's identity
     */
    public static long attemptOf(TxnHandle txn) {
        return ((Transaction) txn).number();
    }

    /**
     * Identifies the innermost running scope (the top-level attempt, a nested atomic, an orElse
     * alternative) of {@code txn}, for a structure that holds what it read there: pass it later
     * to {@link #scopeRolledBack} to learn whether those reads were rolled back. Serials grow with
     * every scope the thread begins.
     *
     * @param txn a running transaction of the calling thread
     * @return the innermost running scope's serial
     */
    public static long scopeOf(TxnHandle txn) {
        return ((Transaction) txn).scopeSerial();
    }

    /**
     * How many scopes of {@code txn}'s running attempt have been rolled back alone (a nested
     * atomic that threw, an orElse alternative that retried) so far; see {@link #scopeRolledBack}.
     *
     * @param txn a running transaction of the calling thread
     * @return the count, 0 at the start of every attempt
     */
    public static int scopeRollbacksOf(TxnHandle txn) {
        return ((Transaction) txn).scopeRollbacks();
    }

    /**
     * Whether the scope {@code scope} ({@link #scopeOf} when it ran, in the running attempt) was
     * rolled back, by itself or with a scope it ran in, by one of the attempt's scope rollbacks
     * from the {@code since}-th on ({@link #scopeRollbacksOf} then).
     *
     * @param txn a running transaction of the calling thread
     * @param scope a serial from {@link #scopeOf} in the running attempt
     * @param since the rollbacks already looked at
     * @return true if what was read in that scope has been rolled back
     */
    public static boolean scopeRolledBack(TxnHandle txn, long scope, int since) {
        return ((Transaction) txn).scopeRolledBack(scope, since);
    }

    /**
     * Transactional: the running transaction, to pass to the handle-taking barriers below (one
     * descriptor lookup for a run of calls instead of one per call); see {@link TxnHandle}.
     *
     * @return the calling thread's running transaction
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public static TxnHandle running() {
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            throw new IllegalStateException("No transaction is running on thread '"
                    + Thread.currentThread().getName() + "': run this inside Stm.atomic(() -> ...).");
        }
        return txn;
    }

    /**
     * {@link #readObject(TxnCell)} in the transaction {@code txn} obtained from {@link #running()}
     * on this thread.
     *
     * @param txn the calling thread's running transaction
     * @param cell the cell to read
     * @return the cell's value as of the running transaction, may be null
     */
    public static Object readObject(TxnHandle txn, TxnCell cell) {
        return ((Transaction) txn).readObject(cell);
    }

    /**
     * {@link #writeObject(TxnCell, Object)} in the transaction {@code txn} obtained from
     * {@link #running()} on this thread.
     *
     * @param txn the calling thread's running transaction
     * @param cell the cell to write
     * @param value the new value, may be null
     */
    public static void writeObject(TxnHandle txn, TxnCell cell, Object value) {
        ((Transaction) txn).writeObject(cell, value);
    }

    /**
     * The raw bits committed together with the reference value that the latest
     * {@link #readObject(TxnHandle, TxnCell)} on {@code txn} returned (the same version of the
     * same cell: no second read, nothing logged).
     *
     * @param txn the calling thread's running transaction
     * @return the bits half of the cell last read
     */
    public static long lastReadBits(TxnHandle txn) {
        return ((Transaction) txn).lastLoadedBits();
    }

    /**
     * Transactional: writes both halves of a reference cell, raw bits next to the value, in the
     * transaction {@code txn} obtained from {@link #running()} on this thread.
     *
     * @param txn the calling thread's running transaction
     * @param cell the cell to write
     * @param bits the raw bits committed with the value
     * @param value the new value, may be null
     */
    public static void writeBitsAndObject(TxnHandle txn, TxnCell cell, long bits, Object value) {
        ((Transaction) txn).writeBitsAndObject(cell, bits, value);
    }

    /**
     * {@link #addAtCommit(TxnCell, long, boolean)} in the transaction {@code txn} obtained from
     * {@link #running()} on this thread.
     *
     * @param txn the calling thread's running transaction
     * @param cell the cell, holding a {@code long}, or an {@code int} when {@code intCell}
     * @param delta the amount to add, may be negative
     * @param intCell whether the cell holds an {@code int}
     */
    public static void addAtCommit(TxnHandle txn, TxnCell cell, long delta, boolean intCell) {
        ((Transaction) txn).commuteAdd(cell, delta, intCell);
    }

    /**
     * Transactional: writes a primitive cell's raw bits in the running transaction; others see
     * them when it commits.
     *
     * @param cell the cell to write
     * @param bits the new raw bits
     * @throws IllegalStateException if no transaction is running on this thread, or it is
     *         read-only
     */
    public static void writeLong(TxnCell cell, long bits) {
        running(cell).writeLong(cell, bits);
    }

    /**
     * Transactional: writes a reference cell's value in the running transaction; others see it
     * when it commits.
     *
     * @param cell the cell to write
     * @param value the new value, may be null
     * @throws IllegalStateException if no transaction is running on this thread, or it is
     *         read-only
     */
    public static void writeObject(TxnCell cell, Object value) {
        running(cell).writeObject(cell, value);
    }

    /**
     * Transactional: adds {@code delta} to a cell holding a {@code long} (a read and a write).
     *
     * @param cell the cell, holding a {@code long}
     * @param delta the amount to add, may be negative
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public static long addLong(TxnCell cell, long delta) {
        Transaction txn = running(cell);
        long updated = txn.readLong(cell) + delta;
        txn.writeLong(cell, updated);
        return updated;
    }

    /**
     * Transactional: adds {@code delta} to a primitive cell at commit, without reading it now
     * (the commute of {@link #commuteAdd}), for refs' {@code void} adds. Unlike
     * {@link #commuteAdd}, refuses to run outside a transaction.
     *
     * @param cell the cell, holding a {@code long}, or an {@code int} when {@code intCell}
     * @param delta the amount to add, may be negative
     * @param intCell whether the cell holds an {@code int} (the sum wraps in {@code int} arithmetic)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public static void addAtCommit(TxnCell cell, long delta, boolean intCell) {
        running(cell).commuteAdd(cell, delta, intCell);
    }

    /**
     * Transactional: adds {@code delta} to a cell holding an {@code int}, wrapping in {@code int}
     * arithmetic (a read and a write).
     *
     * @param cell the cell, holding an {@code int} sign-extended to 64 bits
     * @param delta the amount to add, may be negative
     * @return the new value
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public static int addInt(TxnCell cell, int delta) {
        Transaction txn = running(cell);
        int updated = (int) txn.readLong(cell) + delta;
        txn.writeLong(cell, updated);
        return updated;
    }

    /**
     * Transactional: writes {@code bits} to a primitive cell (a read and a write).
     *
     * @param cell the cell to exchange
     * @param bits the new raw bits
     * @return the previous raw bits as of the running transaction
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public static long exchangeLong(TxnCell cell, long bits) {
        Transaction txn = running(cell);
        long previous = txn.readLong(cell);
        txn.writeLong(cell, bits);
        return previous;
    }

    /**
     * Transactional: writes {@code value} to a reference cell (a read and a write).
     *
     * @param cell the cell to exchange
     * @param value the new value, may be null
     * @return the previous value as of the running transaction
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public static Object exchangeObject(TxnCell cell, Object value) {
        Transaction txn = running(cell);
        Object previous = txn.readObject(cell);
        txn.writeObject(cell, value);
        return previous;
    }

    /**
     * Single operation: reads a primitive cell's raw bits; inside a running transaction, a
     * transactional read of it.
     *
     * @param cell the cell to read
     * @return the latest committed raw bits, or the running transaction's view of them
     */
    public static long getLong(TxnCell cell) {
        Transaction txn = Transaction.current();
        return txn.isActive() ? txn.readLong(cell) : SingleCell.getLong(cell);
    }

    /**
     * Single operation: reads a reference cell's value; inside a running transaction, a
     * transactional read of it.
     *
     * @param cell the cell to read
     * @return the latest committed value, or the running transaction's view of it; may be null
     */
    public static Object getObject(TxnCell cell) {
        Transaction txn = Transaction.current();
        return txn.isActive() ? txn.readObject(cell) : SingleCell.getObject(cell);
    }

    /**
     * Single operation: writes a primitive cell's raw bits; inside a running transaction, a
     * transactional write.
     *
     * @param cell the cell to write
     * @param bits the new raw bits
     */
    public static void setLong(TxnCell cell, long bits) {
        Transaction txn = Transaction.current();
        if (txn.isActive()) {
            txn.writeLong(cell, bits);
        } else {
            SingleCell.getAndSetLong(cell, bits);
        }
    }

    /**
     * Single operation: writes a reference cell's value; inside a running transaction, a
     * transactional write.
     *
     * @param cell the cell to write
     * @param value the new value, may be null
     */
    public static void setObject(TxnCell cell, Object value) {
        Transaction txn = Transaction.current();
        if (txn.isActive()) {
            txn.writeObject(cell, value);
        } else {
            SingleCell.getAndSetObject(cell, value);
        }
    }

    /**
     * Single operation: sets a primitive cell to {@code update} if its raw bits equal
     * {@code expected}; inside a running transaction, a transactional read and, on a match, a
     * write. A failed comparison writes nothing.
     *
     * @param cell the cell to update
     * @param expected the raw bits expected
     * @param update the new raw bits
     * @return whether the cell held {@code expected} and now holds {@code update}
     */
    public static boolean compareAndSetLong(TxnCell cell, long expected, long update) {
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            return SingleCell.compareAndSetLong(cell, expected, update);
        }
        if (txn.readLong(cell) != expected) {
            return false;
        }
        txn.writeLong(cell, update);
        return true;
    }

    /**
     * Single operation: sets a reference cell to {@code update} if it holds the very object
     * {@code expected} ({@code ==}); inside a running transaction, a transactional read and, on a
     * match, a write. A failed comparison writes nothing.
     *
     * @param cell the cell to update
     * @param expected the object expected, may be null
     * @param update the new value, may be null
     * @return whether the cell held {@code expected} and now holds {@code update}
     */
    public static boolean compareAndSetObject(TxnCell cell, Object expected, Object update) {
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            return SingleCell.compareAndSetObject(cell, expected, update);
        }
        if (txn.readObject(cell) != expected) {
            return false;
        }
        txn.writeObject(cell, update);
        return true;
    }

    /**
     * Single operation, never joins a running transaction: the cell's commit stamp, a number that
     * every later commit to the cell changes. Waits while a commit holds the cell or the
     * irrevocable transaction reserves it. With {@link #compareStampAndSetObject} it gives a
     * load-linked/store-conditional pair without ABA: read the stamp, then the value
     * ({@link #peekObject}), compute, and store only if no commit came in between.
     *
     * @param cell the cell
     * @return its stamp, for {@link #compareStampAndSetObject}
     */
    public static long stamp(TxnCell cell) {
        return SingleCell.stamp(cell);
    }

    /**
     * Single operation, never joins a running transaction (call it outside one): sets a
     * reference cell to {@code update} (raw bits zero) if no commit to the cell happened since
     * {@link #stamp} returned {@code stamp}. Linearizable at its lock CAS. It may also fail while
     * another commit holds the cell at that moment (even one that then gives it back unchanged),
     * so treat a failure as "look again", not as proof of a change.
     *
     * @param cell the cell to update
     * @param stamp a stamp of this cell from {@link #stamp}
     * @param update the new value, may be null
     * @return whether the value was stored
     */
    public static boolean compareStampAndSetObject(TxnCell cell, long stamp, Object update) {
        return SingleCell.compareStampAndSetObject(cell, stamp, update);
    }

    /**
     * Single operation, never joins a running transaction: a stamp of the cell's committed
     * value, which every later commit to the cell changes. Waits while a commit holds the cell,
     * but not for a reservation by the irrevocable transaction (which leaves the value as it
     * is). For {@link #compareStampsAndSet}; not interchangeable with {@link #stamp}.
     *
     * @param cell the cell
     * @return its value stamp
     */
    public static long valueStamp(TxnCell cell) {
        return SingleCell.valueStamp(cell);
    }

    /**
     * Single operation, never joins a running transaction (call it outside one): a guarded
     * store-conditional on one cell with a commuting addition to a second, as one commit. If no
     * commit reached {@code cell} since {@link #valueStamp} returned {@code cellStamp} and none
     * reached {@code guard} since it returned {@code guardStamp}, sets {@code cell} to
     * ({@code bits}, {@code object}) and adds {@code delta} to the {@code long} held by
     * {@code counter}, both at one commit version; otherwise writes nothing. Linearizable at the
     * moment it checks the guard, with both cells locked. Allocates nothing unless a snapshot
     * reader is registered.
     *
     * <p>It also fails, writing nothing, when {@code cell} is reserved by the irrevocable
     * transaction or held by another commit, or when {@code counter} stays held for more than
     * a few spins: treat a failure as "look again", and after a few, fall back to a transaction.
     *
     * @param guard a cell that must not have changed (read, not written), or null for none
     * @param guardStamp the guard's stamp from {@link #valueStamp}; ignored without a guard
     * @param cell the cell to write
     * @param cellStamp the cell's stamp from {@link #valueStamp}
     * @param bits the cell's new raw bits
     * @param object the cell's new reference value, may be null
     * @param counter a cell holding a {@code long} to add {@code delta} to, or null for none
     * @param delta the amount to add to {@code counter}
     * @return whether the commit happened
     */
    public static boolean compareStampsAndSet(TxnCell guard, long guardStamp, TxnCell cell, long cellStamp,
                                              long bits, Object object, TxnCell counter, long delta) {
        Objects.requireNonNull(cell, "cell");
        return SingleCell.compareStampsAndSet(guard, guardStamp, cell, cellStamp, bits, object, counter, delta);
    }

    /**
     * Single operation: adds {@code delta} to a cell holding a {@code long}; inside a running
     * transaction, a transactional read and write.
     *
     * @param cell the cell, holding a {@code long}
     * @param delta the amount to add, may be negative
     * @return the previous value
     */
    public static long getAndAddLong(TxnCell cell, long delta) {
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            return SingleCell.getAndAddLong(cell, delta);
        }
        long previous = txn.readLong(cell);
        txn.writeLong(cell, previous + delta);
        return previous;
    }

    /**
     * Single operation: adds {@code delta} to a cell holding an {@code int}, wrapping in
     * {@code int} arithmetic; inside a running transaction, a transactional read and write.
     *
     * @param cell the cell, holding an {@code int} sign-extended to 64 bits
     * @param delta the amount to add, may be negative
     * @return the previous value
     */
    public static int getAndAddInt(TxnCell cell, int delta) {
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            return SingleCell.getAndAddInt(cell, delta);
        }
        int previous = (int) txn.readLong(cell);
        txn.writeLong(cell, previous + delta);
        return previous;
    }

    /**
     * Single operation: writes a primitive cell's raw bits; inside a running transaction, a
     * transactional read and write.
     *
     * @param cell the cell to exchange
     * @param bits the new raw bits
     * @return the previous raw bits
     */
    public static long getAndSetLong(TxnCell cell, long bits) {
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            return SingleCell.getAndSetLong(cell, bits);
        }
        long previous = txn.readLong(cell);
        txn.writeLong(cell, bits);
        return previous;
    }

    /**
     * Single operation: writes a reference cell's value; inside a running transaction, a
     * transactional read and write.
     *
     * @param cell the cell to exchange
     * @param value the new value, may be null
     * @return the previous value, may be null
     */
    public static Object getAndSetObject(TxnCell cell, Object value) {
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            return SingleCell.getAndSetObject(cell, value);
        }
        Object previous = txn.readObject(cell);
        txn.writeObject(cell, value);
        return previous;
    }

    /**
     * Commute: adds {@code delta} to a {@code long} cell (or an {@code int} one, wrapping, with
     * {@code intCell}) when the transaction commits, to the value the cell then holds, without
     * reading it now, so concurrent commutes never conflict. A later read of the cell in the same
     * transaction reads it and applies the pending commutes (from then on it is an ordinary
     * read-modify-write). Outside a transaction: a one-operation add.
     *
     * @implNote In a transaction the deltas to one cell are summed in its write-log entry: no
     * allocation, no read-log entry.
     *
     * @param cell the cell, holding a {@code long}, or an {@code int} when {@code intCell}
     * @param delta the amount to add, may be negative
     * @param intCell whether the cell holds an {@code int} (the sum then wraps in {@code int}
     *                arithmetic)
     */
    public static void commuteAdd(TxnCell cell, long delta, boolean intCell) {
        Transaction txn = Transaction.current();
        if (txn.isActive()) {
            txn.commuteAdd(cell, delta, intCell);
        } else if (intCell) {
            SingleCell.getAndAddInt(cell, (int) delta);
        } else {
            SingleCell.getAndAddLong(cell, delta);
        }
    }

    /**
     * Commute with a function of a primitive cell's raw bits; see {@link #commuteAdd}. Outside a
     * transaction: a compare-and-set loop, which may call {@code function} more than once.
     *
     * @implNote In a transaction each call links one small node into the cell's write-log entry.
     *
     * @param cell the cell, holding raw bits
     * @param function a pure function of the raw bits; runs at commit, under the cell's lock
     */
    public static void commuteLong(TxnCell cell, LongUnaryOperator function) {
        Transaction txn = Transaction.current();
        if (txn.isActive()) {
            txn.commuteLong(cell, function);
            return;
        }
        for (;;) {
            long current = SingleCell.getLong(cell);
            if (SingleCell.compareAndSetLong(cell, current, function.applyAsLong(current))) {
                return;
            }
        }
    }

    /**
     * Commute with a function of a reference cell's value; see {@link #commuteAdd}. Outside a
     * transaction: a compare-and-set loop (identity comparison), which may call {@code function}
     * more than once.
     *
     * @implNote In a transaction each call links one small node into the cell's write-log entry.
     *
     * @param cell the cell, holding a reference
     * @param function a pure function of the value; runs at commit, under the cell's lock
     */
    @SuppressWarnings("unchecked")
    public static void commuteObject(TxnCell cell, UnaryOperator<?> function) {
        Transaction txn = Transaction.current();
        if (txn.isActive()) {
            txn.commuteObject(cell, function);
            return;
        }
        UnaryOperator<Object> f = (UnaryOperator<Object>) function;
        for (;;) {
            Object current = SingleCell.getObject(cell);
            if (SingleCell.compareAndSetObject(cell, current, f.apply(current))) {
                return;
            }
        }
    }

    /**
     * Runs {@code body.apply(first, second)} as a transaction (joining the running one, as a nested
     * scope, if there is one) and returns its result: {@code Stm.atomic(() -> body.apply(first,
     * second))} without the capturing lambda. Meant for collection views whose one-call methods
     * must not allocate: with a non-capturing {@code body} (a static lambda or an unbound method
     * reference such as {@code Tree::get}) nothing is allocated per call.
     *
     * @param body the transaction body; may run more than once
     * @param first the first argument passed to {@code body} on every attempt
     * @param second the second argument passed to {@code body} on every attempt
     * @param <A> the first argument's type
     * @param <B> the second argument's type
     * @param <R> the result type
     * @return the result of the attempt that committed
     * @throws NullPointerException if {@code body} is null
     */
    @SuppressWarnings("unchecked")
    public static <A, B, R> R atomic(BiFunction<? super A, ? super B, ? extends R> body, A first, B second) {
        return (R) Transaction.current().call(Objects.requireNonNull(body, "body"), first, second);
    }

    /**
     * Installs the calling thread's contention manager, or restores the engine's default with
     * null. Affects transactions this thread starts afterwards.
     *
     * @param manager the manager for this thread's transactions, or null for the engine's default
     */
    public static void setContentionManager(ContentionManager manager) {
        Transaction.current().setContentionManager(manager);
    }

    /**
     * The owner id of the calling thread's transactions, as reported to contention managers.
     *
     * @return the id, positive and fixed for the life of the thread
     */
    public static long currentOwnerId() {
        return Transaction.current().ownerId();
    }

    /**
     * Names the cell in diagnostics (conflict reports, JFR events); null removes the name.
     * Meant to be called once, before the cell is shared.
     *
     * @param cell the cell to name
     * @param label the name, or null
     */
    public static void setLabel(TxnCell cell, String label) {
        Transaction.label(cell, label);
    }

    /**
     * The cell's diagnostic name, as set by {@link #setLabel}.
     *
     * @param cell the cell
     * @return its name, or null if it has none
     */
    public static String label(TxnCell cell) {
        return Transaction.labelOf(cell);
    }

    /**
     * The latest committed bits, outside any transaction (never joins one; for {@code toString}).
     *
     * @param cell the cell to read
     * @return its latest committed raw bits
     */
    public static long peekLong(TxnCell cell) {
        return SingleCell.getLong(cell);
    }

    /**
     * The latest committed value, outside any transaction (never joins one; for {@code toString}).
     *
     * @param cell the cell to read
     * @return its latest committed value, may be null
     */
    public static Object peekObject(TxnCell cell) {
        return SingleCell.getObject(cell);
    }

    /**
     * The latest committed value, outside any transaction, if the raw bits committed with it
     * share a set bit with {@code mask}; null otherwise. Bits and value come from one consistent
     * read, so a filter kept in the bits lets the caller skip following the value.
     *
     * @param cell the cell to read
     * @param mask the bits to look for
     * @return its latest committed value, or null when its bits and {@code mask} are disjoint
     */
    public static Object peekObjectIfBitsMatch(TxnCell cell, long mask) {
        return SingleCell.getObjectIfBitsMatch(cell, mask);
    }

    private static Transaction running(TxnCell cell) {
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            throw outsideTransaction(cell);
        }
        return txn;
    }

    private static IllegalStateException outsideTransaction(TxnCell cell) {
        String type = cell.getClass().getSimpleName();
        return new IllegalStateException("No transaction is running on thread '"
                + Thread.currentThread().getName() + "': " + type
                + " methods such as get() and set() must run inside Stm.atomic(() -> ...). "
                + "For a single operation outside a transaction use the ref's atomic() view, "
                + "e.g. ref.atomic().get(). A transaction belongs to the thread that started it; "
                + "threads started inside it do not join it.");
    }
}
