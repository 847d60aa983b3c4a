package dev.weft.stm;

import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;

/** The smallest useful cell for engine tests: a transactional long (refs live in another module). */
final class Counter extends TxnCell {
    Counter(long initial) {
        super(initial);
    }

    long get() {
        return Barrier.readLong(this);
    }

    void set(long value) {
        Barrier.writeLong(this, value);
    }

    void add(long delta) {
        Barrier.addLong(this, delta);
    }

    long committed() {
        return Barrier.peekLong(this);
    }

    static Counter[] array(int length, long initial) {
        Counter[] cells = new Counter[length];
        for (int i = 0; i < length; i++) {
            cells[i] = new Counter(initial);
        }
        return cells;
    }
}
