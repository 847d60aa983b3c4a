package dev.weft.stm;

import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.TxnCell;
import dev.weft.stm.spi.TxnHandle;

/** A reference cell carrying raw bits next to its value (as TMap's slots carry their key filter). */
final class Tagged extends TxnCell {
    Tagged(long bits, Object value) {
        super(bits, value);
    }

    /** Writes both halves in the running transaction. */
    void set(long bits, Object value) {
        Barrier.writeBitsAndObject(Barrier.running(), this, bits, value);
    }

    /** Both halves as "value/bits", read in the running transaction. */
    String read() {
        TxnHandle txn = Barrier.running();
        Object value = Barrier.readObject(txn, this);
        return value + "/" + Barrier.lastReadBits(txn);
    }
}
