package dev.weft.stm.internal;

import dev.weft.stm.spi.TxnCell;
import java.util.Arrays;

/**
 * The redo log: the values a transaction will publish at commit; owned by one transaction.
 *
 * <p>Every read first asks whether the transaction already wrote the cell ({@link #indexOf}), so
 * the common miss must be cheap: a 64-bit filter with one bit per cell hash answers most misses
 * with one AND. Logs up to {@link #LINEAR_LIMIT} entries are searched linearly; larger ones get an
 * open-addressing index of entry numbers, keyed by the cell's hash, built when the log crosses the
 * limit and kept up to date from then on.
 *
 * <p>{@code lockedWords[i]} holds the lock word entry {@code i}'s cell had when the commit locked
 * it (its version before this commit), or the reserved word in irrevocable mode. A commit that
 * met a lock held by another locks again in {@code lockOrder}: by the cells' hashes, one order
 * shared by all transactions.
 */
final class WriteLog {
    private static final int LINEAR_LIMIT = 8;

    TxnCell[] cells = new TxnCell[16];
    long[] bits = new long[16];
    Object[] objects = new Object[16];
    long[] lockedWords = new long[16];
    OldVersion[] histories = new OldVersion[16]; // filled at commit only while snapshot readers exist
    long[] previousVersions = new long[16];      // likewise: each cell's previousVersion after the commit
    long[] lockOrder = new long[16];             // (cell hash << 32 | entry), sorted: the order of a contended commit
    boolean historiesUsed;
    boolean hasCommutes;  // some entry's objects slot holds a pending Commute
    int size;
    private long filter;
    private int[] index; // entry number + 1, 0 = empty; null until size exceeds LINEAR_LIMIT
    private boolean indexed;

    int indexOf(TxnCell cell) {
        if (size == 0) {
            return -1;
        }
        int hash = CellAccess.hash(cell);
        if ((filter & (1L << hash)) == 0) {
            return -1;
        }
        if (!indexed) {
            TxnCell[] cells = this.cells;
            for (int i = 0; i < size; i++) {
                if (cells[i] == cell) {
                    return i;
                }
            }
            return -1;
        }
        int[] index = this.index;
        int mask = index.length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
            int entry = index[slot];
            if (entry == 0) {
                return -1;
            }
            if (cells[entry - 1] == cell) {
                return entry - 1;
            }
        }
    }

    /** Records a write; returns the entry number. */
    int put(TxnCell cell, long newBits, Object newObject) {
        int i = indexOf(cell);
        if (i < 0) {
            i = append(cell);
        }
        bits[i] = newBits;
        objects[i] = newObject;
        return i;
    }

    int append(TxnCell cell) {
        int i = size;
        if (i == cells.length) {
            grow();
        }
        cells[i] = cell;
        size = i + 1;
        int hash = CellAccess.hash(cell);
        filter |= 1L << hash;
        if (indexed) {
            if (size * 2 > index.length) {
                rebuildIndex();
            } else {
                insert(hash, i);
            }
        } else if (size > LINEAR_LIMIT) {
            rebuildIndex();
        }
        return i;
    }

    private void rebuildIndex() {
        int capacity = Integer.highestOneBit(size * 4 - 1) << 1;
        if (index == null || index.length < capacity) {
            index = new int[capacity];
        } else {
            Arrays.fill(index, 0);
        }
        indexed = true;
        for (int i = 0; i < size; i++) {
            insert(CellAccess.hash(cells[i]), i);
        }
    }

    private void insert(int hash, int entry) {
        int[] index = this.index;
        int mask = index.length - 1;
        int slot = hash & mask;
        while (index[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        index[slot] = entry + 1;
    }

    /**
     * Drops the entries from {@code newSize} on (a nested scope rolling back): the filter and the
     * index are rebuilt from the entries that remain. Rare path; linear in the log's size.
     */
    void truncate(int newSize) {
        if (newSize >= size) {
            return;
        }
        if (newSize == 0) {
            clear();
            return;
        }
        Arrays.fill(cells, newSize, size, null);
        Arrays.fill(objects, newSize, size, null);
        size = newSize;
        long rebuilt = 0;
        for (int i = 0; i < newSize; i++) {
            rebuilt |= 1L << CellAccess.hash(cells[i]);
        }
        filter = rebuilt;
        if (indexed) {
            if (newSize > LINEAR_LIMIT) {
                rebuildIndex();
            } else {
                Arrays.fill(index, 0);
                indexed = false;
            }
        }
    }

    void clear() {
        hasCommutes = false;
        if (size > 0) {
            if (size <= 2) { // as ReadLog.clear: two stores each, no Arrays.fill (never a loop: Lincheck)
                cells[0] = null;
                cells[1] = null;
                objects[0] = null;
                objects[1] = null;
            } else {
                Arrays.fill(cells, 0, size, null);
                Arrays.fill(objects, 0, size, null);
            }
            if (historiesUsed) {
                Arrays.fill(histories, 0, size, null);
                historiesUsed = false;
            }
            if (indexed) {
                Arrays.fill(index, 0);
                indexed = false;
            }
            size = 0;
            filter = 0;
        }
    }

    private void grow() {
        int capacity = cells.length * 2;
        cells = Arrays.copyOf(cells, capacity);
        bits = Arrays.copyOf(bits, capacity);
        objects = Arrays.copyOf(objects, capacity);
        lockedWords = Arrays.copyOf(lockedWords, capacity);
        histories = Arrays.copyOf(histories, capacity);
        previousVersions = Arrays.copyOf(previousVersions, capacity);
        lockOrder = Arrays.copyOf(lockOrder, capacity);
    }
}
