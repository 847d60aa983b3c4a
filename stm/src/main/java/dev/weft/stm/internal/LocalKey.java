package dev.weft.stm.internal;

import dev.weft.stm.spi.TxnCell;

/**
 * The key of a transaction-local value in a transaction's local log (a {@link WriteLog} that is
 * never published): a cell only for its identity and hash.
 */
public final class LocalKey extends TxnCell {
    public LocalKey() {
        super(0L);
    }
}
