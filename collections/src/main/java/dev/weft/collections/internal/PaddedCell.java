package dev.weft.collections.internal;

import dev.weft.stm.spi.TxnCell;

/**
 * A transactional cell followed by 64 bytes of padding, for cells that are allocated next to each
 * other but written by different threads (a queue's head and tail, the stripes of a count) or read
 * by every operation next to often-written neighbours (a sorted map's shape cell): unpadded, two
 * or three such cells share a cache line, and a write to one takes the line away from the readers
 * and writers of the others.
 *
 * <p>Thread-safety: as any {@link TxnCell}; access it through the SPI barriers.
 */
@SuppressWarnings("unused")
public final class PaddedCell extends TxnCell {
    private long p1, p2, p3, p4, p5, p6, p7, p8;

    /** A reference cell holding {@code value}. */
    public PaddedCell(Object value) {
        super(value);
    }

    /** A primitive cell holding the raw bits {@code bits}. */
    public PaddedCell(long bits) {
        super(bits);
    }
}
