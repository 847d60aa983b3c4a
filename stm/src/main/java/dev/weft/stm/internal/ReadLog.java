package dev.weft.stm.internal;

import dev.weft.stm.spi.TxnCell;
import java.util.Arrays;

/**
 * The cells a transaction read; owned by one transaction.
 *
 * <p>Used to validate the snapshot on extension and at commit. An optimistic read logs only the
 * cell, not the version it read: every logged read was of a version at or below the read version
 * that validation checks against, and a commit that changed the cell after the read carries a
 * version above it (see Transaction's overview, "Validation"), so "at or below the read version
 * and not locked" means "unchanged". In irrevocable mode it lists the cells the transaction
 * reserved instead, with their versions ({@link #addReserved}): an irrevocable read is of the
 * committed version, however new, so a retry() wait needs the exact version to tell a change.
 * Arrays grow by doubling and are kept between attempts, so a steady-state transaction allocates
 * nothing; {@link #clear()} drops the cell references so a finished transaction does not keep
 * cells alive.
 */
final class ReadLog {
    TxnCell[] cells = new TxnCell[32];
    /** Irrevocable mode only: the version of each reserved cell when it was reserved. */
    long[] reservedVersions = new long[32];
    int size;

    /** Logs an optimistic read. */
    void add(TxnCell cell) {
        int i = size;
        if (i == cells.length) {
            grow();
        }
        cells[i] = cell;
        size = i + 1;
    }

    /** Logs a cell reserved by the irrevocable transaction, at {@code version}. */
    void addReserved(TxnCell cell, long version) {
        int i = size;
        add(cell);
        if (i >= reservedVersions.length) {
            reservedVersions = Arrays.copyOf(reservedVersions, cells.length);
        }
        reservedVersions[i] = version;
    }

    void clear() {
        int n = size;
        if (n > 0) {
            if (n <= 2) { // most transactions: two stores, not Arrays.fill's call and range checks
                cells[0] = null;
                cells[1] = null;
            } else { // not a loop of our own: Lincheck's model checker would count its stores as a spin
                Arrays.fill(cells, 0, n, null);
            }
            size = 0;
        }
    }

    /**
     * Exchanges this log's contents (cells, versions, size) with {@code other}'s: sets a log
     * aside while the descriptor runs other transactions, without copying it.
     */
    void swapContents(ReadLog other) {
        TxnCell[] otherCells = other.cells;
        long[] otherVersions = other.reservedVersions;
        int otherSize = other.size;
        other.cells = cells;
        other.reservedVersions = reservedVersions;
        other.size = size;
        cells = otherCells;
        reservedVersions = otherVersions;
        size = otherSize;
    }

    private void grow() {
        cells = Arrays.copyOf(cells, cells.length * 2);
    }
}
