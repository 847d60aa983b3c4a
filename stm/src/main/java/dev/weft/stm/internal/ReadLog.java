package dev.weft.stm.internal;

import dev.weft.stm.spi.TxnCell;
import java.util.Arrays;

/**
 * The cells a transaction read and the versions it read them at; owned by one transaction.
 *
 * <p>Used to validate the snapshot on extension and at commit. In irrevocable mode it lists the
 * cells the transaction reserved instead. Arrays grow by doubling and are kept between attempts,
 * so a steady-state transaction allocates nothing; {@link #clear()} drops the cell references so
 * a finished transaction does not keep cells alive.
 */
final class ReadLog {
    TxnCell[] cells = new TxnCell[32];
    long[] versions = new long[32];
    int size;

    void add(TxnCell cell, long version) {
        int i = size;
        if (i == cells.length) {
            grow();
        }
        cells[i] = cell;
        versions[i] = version;
        size = i + 1;
    }

    void clear() {
        if (size > 0) {
            Arrays.fill(cells, 0, size, null);
            size = 0;
        }
    }

    private void grow() {
        int capacity = cells.length * 2;
        cells = Arrays.copyOf(cells, capacity);
        versions = Arrays.copyOf(versions, capacity);
    }
}
