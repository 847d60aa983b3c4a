package dev.weft.stm.internal;

import dev.weft.stm.spi.TxnCell;

/** Test-only window into the engine's state. */
public final class EngineProbe {
    private EngineProbe() {}

    /** The committed version of a cell that is not commit-locked. */
    public static long version(TxnCell cell) {
        return LockWord.version(CellAccess.lockWordVolatile(cell));
    }

    /** The global clock's current time. */
    public static long clock() {
        return GlobalClock.now();
    }

    /** How far above the clock a commit may stamp a cell without writing the clock. */
    public static long aheadLimit() {
        return GlobalClock.AHEAD_LIMIT;
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

    /** Sets the code run inside a retry() wait after the waiter registered, before it validates. */
    public static void afterWaitEnter(Runnable probe) {
        WaitProbe.afterEnter = probe;
    }

    /** Sets the code run inside a retry() wait after validation, before the first park. */
    public static void beforeWaitPark(Runnable probe) {
        WaitProbe.beforePark = probe;
    }

    /** Fault injection: retry() waits skip their re-validation of what they read. */
    public static void skipWaitValidation(boolean skip) {
        WaitProbe.skipValidation = skip;
    }

    /** Removes every wait probe and fault. */
    public static void resetWaitProbes() {
        WaitProbe.afterEnter = null;
        WaitProbe.beforePark = null;
        WaitProbe.skipValidation = false;
    }

    /** Whether any thread is registered as waiting in retry(). */
    public static boolean anyoneWaiting() {
        return WaitTable.anyWaiting();
    }

    /** How many threads are registered as waiting in retry() right now. */
    public static int waitingCount() {
        return WaitTable.waitingCount();
    }

    /** Whether the calling thread's running attempt reads a registered snapshot. */
    public static boolean isSnapshot() {
        return Transaction.current().isSnapshot();
    }

    /** The version the cell keeps in place for snapshot readers, or -1 if none. */
    public static long previousVersion(TxnCell cell) {
        long version = CellAccess.previousVersion(cell);
        return version == CellAccess.NO_PREVIOUS ? -1 : version;
    }

    /** How many older versions the cell keeps as nodes. */
    public static int historyNodes(TxnCell cell) {
        int count = 0;
        for (OldVersion node = CellAccess.history(cell); node != null; node = node.older) {
            count++;
        }
        return count;
    }
}
