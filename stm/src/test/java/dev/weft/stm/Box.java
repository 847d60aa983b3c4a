package dev.weft.stm;

import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;
import java.util.function.UnaryOperator;

/** A transactional reference cell for engine tests. */
final class Box<T> extends TxnCell {
    Box(T initial) {
        super((Object) initial);
    }

    @SuppressWarnings("unchecked")
    T get() {
        return (T) Barrier.readObject(this);
    }

    void set(T value) {
        Barrier.writeObject(this, value);
    }

    void commute(UnaryOperator<T> function) {
        Barrier.commuteObject(this, function);
    }

    @SuppressWarnings("unchecked")
    T committed() {
        return (T) Barrier.peekObject(this);
    }
}
