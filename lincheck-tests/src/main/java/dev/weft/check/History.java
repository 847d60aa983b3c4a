package dev.weft.check;

import dev.weft.check.internal.HistoryColumns;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * An immutable record of transaction attempts, committed and not, with their reads and writes:
 * the input of {@link SerializabilityChecker}. Build one with a {@link HistoryRecorder} during a
 * run, or forge one by hand (a new {@code HistoryRecorder}, one {@link ThreadRecorder} per
 * logical thread, {@code begin()/read()/write()/commit()}).
 *
 * <p>Stored in flat arrays; {@link #transaction(int)} builds a {@link Txn} view on demand.
 *
 * <p>Thread-safety: immutable and safe to share.
 */
public final class History {
    /** The value of a register that was never written; never a legal value to write or append. */
    public static final long INITIAL_VALUE = 0;

    private final HistoryColumns columns;

    History(HistoryColumns columns) {
        this.columns = columns;
    }

    /**
     * The number of attempts (committed, aborted and unfinished).
     *
     * @return the number of attempts
     */
    public int size() {
        return columns.txnCount;
    }

    /**
     * The number of attempts that ended with {@code outcome}.
     *
     * @param outcome the outcome to count
     * @return the number of such attempts
     */
    public int count(Outcome outcome) {
        int count = 0;
        for (int t = 0; t < columns.txnCount; t++) {
            if (columns.outcome[t] == outcome.ordinal()) {
                count++;
            }
        }
        return count;
    }

    /**
     * The number of micro-operations of all attempts.
     *
     * @return the number of micro-operations
     */
    public int opCount() {
        return columns.opCount();
    }

    /**
     * Attempt {@code id} as a record.
     *
     * @param id from 0 to {@code size() - 1}
     * @return a new record
     * @throws IndexOutOfBoundsException if {@code id} is out of range
     */
    public Txn transaction(int id) {
        if (id < 0 || id >= columns.txnCount) {
            throw new IndexOutOfBoundsException("transaction " + id + " of " + columns.txnCount);
        }
        List<Op> ops = new ArrayList<>(columns.opStart[id + 1] - columns.opStart[id]);
        for (int op = columns.opStart[id]; op < columns.opStart[id + 1]; op++) {
            long key = columns.opKey[op];
            ops.add(switch (columns.opKind[op]) {
                case HistoryColumns.READ -> new Op.Read(key, columns.opValue[op]);
                case HistoryColumns.WRITE -> new Op.Write(key, columns.opValue[op]);
                case HistoryColumns.APPEND -> new Op.Append(key, columns.opValue[op]);
                default -> new Op.ReadList(key, listOf(op));
            });
        }
        return new Txn(id, columns.thread[id], columns.sequence[id], Outcome.values()[columns.outcome[id]], ops);
    }

    /**
     * Every attempt, as a list view that builds each record on access.
     *
     * @return an unmodifiable list of the attempts, indexed by {@link Txn#id()}
     */
    public List<Txn> transactions() {
        return new AbstractList<>() {
            @Override
            public Txn get(int index) {
                return transaction(index);
            }

            @Override
            public int size() {
                return columns.txnCount;
            }
        };
    }

    HistoryColumns columns() {
        return columns;
    }

    private List<Long> listOf(int op) {
        int length = columns.listLength(op);
        List<Long> elements = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            elements.add(columns.listElement(op, i));
        }
        return elements;
    }

    @Override
    public String toString() {
        return "History[" + size() + " attempts, " + count(Outcome.COMMITTED) + " committed, " + opCount() + " ops]";
    }
}
