package dev.weft.stm.spi;

import dev.weft.stm.internal.SingleCell;
import dev.weft.stm.internal.Transaction;
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
 */
public final class Barrier {
    private Barrier() {}

    public static long readLong(TxnCell cell) {
        return running(cell).readLong(cell);
    }

    public static Object readObject(TxnCell cell) {
        return running(cell).readObject(cell);
    }

    public static void writeLong(TxnCell cell, long bits) {
        running(cell).writeLong(cell, bits);
    }

    public static void writeObject(TxnCell cell, Object value) {
        running(cell).writeObject(cell, value);
    }

    /** Transactional: adds {@code delta} to a cell holding a {@code long}; returns the new value. */
    public static long addLong(TxnCell cell, long delta) {
        Transaction txn = running(cell);
        long updated = txn.readLong(cell) + delta;
        txn.writeLong(cell, updated);
        return updated;
    }

    /** Transactional: adds {@code delta} to a cell holding an {@code int}; returns the new value. */
    public static int addInt(TxnCell cell, int delta) {
        Transaction txn = running(cell);
        int updated = (int) txn.readLong(cell) + delta;
        txn.writeLong(cell, updated);
        return updated;
    }

    /** Transactional: writes {@code bits}, returns the previous bits. */
    public static long exchangeLong(TxnCell cell, long bits) {
        Transaction txn = running(cell);
        long previous = txn.readLong(cell);
        txn.writeLong(cell, bits);
        return previous;
    }

    /** Transactional: writes {@code value}, returns the previous value. */
    public static Object exchangeObject(TxnCell cell, Object value) {
        Transaction txn = running(cell);
        Object previous = txn.readObject(cell);
        txn.writeObject(cell, value);
        return previous;
    }

    public static long getLong(TxnCell cell) {
        Transaction txn = Transaction.current();
        return txn.isActive() ? txn.readLong(cell) : SingleCell.getLong(cell);
    }

    public static Object getObject(TxnCell cell) {
        Transaction txn = Transaction.current();
        return txn.isActive() ? txn.readObject(cell) : SingleCell.getObject(cell);
    }

    public static void setLong(TxnCell cell, long bits) {
        Transaction txn = Transaction.current();
        if (txn.isActive()) {
            txn.writeLong(cell, bits);
        } else {
            SingleCell.getAndSetLong(cell, bits);
        }
    }

    public static void setObject(TxnCell cell, Object value) {
        Transaction txn = Transaction.current();
        if (txn.isActive()) {
            txn.writeObject(cell, value);
        } else {
            SingleCell.getAndSetObject(cell, value);
        }
    }

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

    /** For cells holding a {@code long}: adds {@code delta}, returns the previous value. */
    public static long getAndAddLong(TxnCell cell, long delta) {
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            return SingleCell.getAndAddLong(cell, delta);
        }
        long previous = txn.readLong(cell);
        txn.writeLong(cell, previous + delta);
        return previous;
    }

    /** For cells holding an {@code int}: adds {@code delta} (wrapping), returns the previous value. */
    public static int getAndAddInt(TxnCell cell, int delta) {
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            return SingleCell.getAndAddInt(cell, delta);
        }
        int previous = (int) txn.readLong(cell);
        txn.writeLong(cell, previous + delta);
        return previous;
    }

    public static long getAndSetLong(TxnCell cell, long bits) {
        Transaction txn = Transaction.current();
        if (!txn.isActive()) {
            return SingleCell.getAndSetLong(cell, bits);
        }
        long previous = txn.readLong(cell);
        txn.writeLong(cell, bits);
        return previous;
    }

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

    /** Commute with a function of a primitive cell's raw bits; see {@link #commuteAdd}. */
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

    /** Commute with a function of a reference cell's value; see {@link #commuteAdd}. */
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
     * Installs the calling thread's contention manager, or restores the engine's default with
     * null. Affects transactions this thread starts afterwards.
     */
    public static void setContentionManager(ContentionManager manager) {
        Transaction.current().setContentionManager(manager);
    }

    /** The owner id of the calling thread's transactions, as reported to contention managers. */
    public static long currentOwnerId() {
        return Transaction.current().ownerId();
    }

    /** Names the cell in diagnostics (conflict reports, JFR events); null removes the name. */
    public static void setLabel(TxnCell cell, String label) {
        Transaction.label(cell, label);
    }

    /** The cell's diagnostic name, or null. */
    public static String label(TxnCell cell) {
        return Transaction.labelOf(cell);
    }

    /** The latest committed bits, outside any transaction (never joins one). */
    public static long peekLong(TxnCell cell) {
        return SingleCell.getLong(cell);
    }

    /** The latest committed value, outside any transaction (never joins one). */
    public static Object peekObject(TxnCell cell) {
        return SingleCell.getObject(cell);
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
