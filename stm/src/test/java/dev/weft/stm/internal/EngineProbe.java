package dev.weft.stm.internal;

import dev.weft.stm.spi.TxnCell;

/** Test-only window into the engine's state. */
public final class EngineProbe {
    private EngineProbe() {}

    /** The committed version of a cell that is not commit-locked. */
    public static long version(TxnCell cell) {
        return LockWord.version(CellAccess.lockWordVolatile(cell));
    }

    /** Whether the irrevocable transaction currently holds a reservation on the cell. */
    public static boolean isReserved(TxnCell cell) {
        return LockWord.isReserved(CellAccess.lockWordVolatile(cell));
    }

    /** Runs {@code body} as an irrevocable transaction from its first attempt. */
    public static void runIrrevocably(Runnable body) {
        Transaction.current().executeIrrevocably(body, Transaction.RUNNABLE);
    }

    /** Whether the calling thread's running attempt is irrevocable. */
    public static boolean isIrrevocable() {
        return Transaction.current().isIrrevocable();
    }

    /** Aborted attempts of this thread's running or last transaction. */
    public static int abortedAttempts() {
        return Transaction.current().attempts();
    }

    /** The number of aborts after which a transaction becomes irrevocable. */
    public static int irrevocableAfter() {
        return Transaction.IRREVOCABLE_AFTER;
    }
}
