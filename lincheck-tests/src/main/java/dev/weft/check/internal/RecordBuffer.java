package dev.weft.check.internal;

import java.util.Arrays;

/**
 * One thread's recorded attempts, in growable primitive arrays: appending an op is a few array
 * stores, with no lock and no allocation except when an array doubles.
 *
 * <p>Thread-safety: not thread-safe; owned by one recording thread, then read by the thread that
 * merges the history after the recording threads have finished (a join or another happens-before
 * edge must separate the two).
 */
public final class RecordBuffer {
    private int txnCount;
    private byte[] outcome = new byte[65];
    private int[] opStart = new int[65];
    private int opCount;
    private byte[] opKind = new byte[256];
    private long[] opKey = new long[256];
    private long[] opValue = new long[256];
    private int listsLength;
    private long[] lists = new long[256];

    /** Opens a new attempt with the given provisional outcome. */
    public void beginTxn(byte provisionalOutcome) {
        if (txnCount + 1 >= opStart.length) {
            opStart = Arrays.copyOf(opStart, opStart.length * 2);
            outcome = Arrays.copyOf(outcome, opStart.length);
        }
        outcome[txnCount] = provisionalOutcome;
        opStart[txnCount] = opCount;
        txnCount++;
        opStart[txnCount] = opCount;
    }

    /** Sets the outcome of the latest attempt. */
    public void endTxn(byte finalOutcome) {
        outcome[txnCount - 1] = finalOutcome;
    }

    public void op(byte kind, long key, long value) {
        if (opCount == opKind.length) {
            int capacity = opCount * 2;
            opKind = Arrays.copyOf(opKind, capacity);
            opKey = Arrays.copyOf(opKey, capacity);
            opValue = Arrays.copyOf(opValue, capacity);
        }
        opKind[opCount] = kind;
        opKey[opCount] = key;
        opValue[opCount] = value;
        opCount++;
        opStart[txnCount] = opCount;
    }

    public void listOp(long key, long[] elements, int length) {
        int needed = listsLength + 1 + length;
        if (needed > lists.length) {
            lists = Arrays.copyOf(lists, Math.max(needed, lists.length * 2));
        }
        int offset = listsLength;
        lists[listsLength++] = length;
        System.arraycopy(elements, 0, lists, listsLength, length);
        listsLength += length;
        op(HistoryColumns.READ_LIST, key, offset);
    }

    /**
     * Drops the ops from index {@code mark} on (they must belong to the latest attempt), with the
     * list elements their list reads stored.
     */
    public void truncateOps(int mark) {
        for (int i = mark; i < opCount; i++) {
            if (opKind[i] == HistoryColumns.READ_LIST) {
                listsLength = (int) opValue[i]; // the first dropped list read starts the dropped elements
                break;
            }
        }
        opCount = mark;
        opStart[txnCount] = opCount;
    }

    /** The index where the latest attempt's ops start. */
    public int latestTxnOpStart() {
        return opStart[txnCount - 1];
    }

    public int txnCount() {
        return txnCount;
    }

    public int opCount() {
        return opCount;
    }

    public int listsLength() {
        return listsLength;
    }

    /**
     * Copies this buffer's attempts into merged columns starting at transaction {@code txnBase},
     * op {@code opBase} and list offset {@code listBase}.
     */
    public void copyInto(int threadIndex, int txnBase, int opBase, int listBase, int[] thread, int[] sequence,
            byte[] outcomeOut, int[] opStartOut, byte[] opKindOut, long[] opKeyOut, long[] opValueOut,
            long[] listsOut) {
        for (int t = 0; t < txnCount; t++) {
            thread[txnBase + t] = threadIndex;
            sequence[txnBase + t] = t;
            outcomeOut[txnBase + t] = outcome[t];
            opStartOut[txnBase + t] = opBase + opStart[t];
        }
        System.arraycopy(opKind, 0, opKindOut, opBase, opCount);
        System.arraycopy(opKey, 0, opKeyOut, opBase, opCount);
        for (int i = 0; i < opCount; i++) {
            opValueOut[opBase + i] = opKind[i] == HistoryColumns.READ_LIST ? opValue[i] + listBase : opValue[i];
        }
        System.arraycopy(lists, 0, listsOut, listBase, listsLength);
    }
}
