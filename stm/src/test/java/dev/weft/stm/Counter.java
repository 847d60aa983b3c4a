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

    void commuteAdd(long delta) {
        Barrier.commuteAdd(this, delta, false);
    }

    void commute(java.util.function.LongUnaryOperator function) {
        Barrier.commuteLong(this, function);
    }

    /** A one-operation write (its own transaction, or joining the running one). */
    void setAtomically(long value) {
        Barrier.setLong(this, value);
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
