package dev.weft.scheduler;

import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;

/**
 * A transactional long for the scheduler's tests (the refs module is not a dependency of the
 * scheduler; its test classes run inside the scheduler's module, which may use the cell SPI).
 */
final class Cell extends TxnCell {
    Cell(long initial) {
        super(initial);
    }

    long get() {
        return Barrier.readLong(this);
    }

    void set(long value) {
        Barrier.writeLong(this, value);
    }

    long add(long delta) {
        return Barrier.addLong(this, delta);
    }

    /** A one-operation write outside any transaction. */
    void setFromOutside(long value) {
        Barrier.setLong(this, value);
    }

    /** The latest committed value, outside any transaction. */
    long committed() {
        return Barrier.peekLong(this);
    }

    static Cell[] array(int length, long initial) {
        Cell[] cells = new Cell[length];
        for (int i = 0; i < length; i++) {
            cells[i] = new Cell(initial);
        }
        return cells;
    }
}
