package dev.weft.check.internal;

/**
 * A whole history in flat primitive arrays: what the checker reads, so that checking 10^6
 * transactions allocates a few dozen arrays instead of millions of objects.
 *
 * <p>Transaction {@code t} owns ops {@code opStart[t] .. opStart[t + 1] - 1}. An op is
 * {@code (opKind, opKey, opValue)}; for {@link #READ_LIST} the value is an offset into
 * {@link #lists}, which holds the list's length followed by its elements.
 *
 * <p>Thread-safety: built once by one thread, then only read; publish it safely (the public
 * {@code History} holds it in a final field).
 */
public final class HistoryColumns {
    public static final byte READ = 0;
    public static final byte WRITE = 1;
    public static final byte APPEND = 2;
    public static final byte READ_LIST = 3;

    public static final byte COMMITTED = 0;
    public static final byte ABORTED = 1;
    public static final byte UNFINISHED = 2;

    public final int txnCount;
    public final int[] thread;
    public final int[] sequence;
    public final byte[] outcome;
    /** Length {@code txnCount + 1}. */
    public final int[] opStart;
    public final byte[] opKind;
    public final long[] opKey;
    public final long[] opValue;
    public final long[] lists;

    public HistoryColumns(int txnCount, int[] thread, int[] sequence, byte[] outcome, int[] opStart,
            byte[] opKind, long[] opKey, long[] opValue, long[] lists) {
        this.txnCount = txnCount;
        this.thread = thread;
        this.sequence = sequence;
        this.outcome = outcome;
        this.opStart = opStart;
        this.opKind = opKind;
        this.opKey = opKey;
        this.opValue = opValue;
        this.lists = lists;
    }

    public int opCount() {
        return opStart[txnCount];
    }

    public int listLength(int op) {
        return (int) lists[(int) opValue[op]];
    }

    /** The {@code index}-th element of the list read by {@code op}. */
    public long listElement(int op, int index) {
        return lists[(int) opValue[op] + 1 + index];
    }

    public boolean committed(int txn) {
        return outcome[txn] == COMMITTED;
    }
}
