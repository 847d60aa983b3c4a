package dev.weft.stm.internal;

import dev.weft.stm.spi.TxnCell;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Memory-ordered access to the private fields of {@link TxnCell}; the only code that touches them.
 *
 * <p>Method names state the memory order. The seqlock read pattern used by every reader is
 * {@code lockWordAcquire}, value reads, {@link VarHandle#acquireFence()}, {@code lockWordOpaque}
 * (as in {@code StampedLock.validate}): the fence keeps the value reads before the second lock
 * word read, so equal words mean no commit wrote the value in between. Writers hold the commit lock
 * (taken by a volatile CAS, which orders their later value writes after it) and publish with
 * {@code setLockWordRelease}, which orders the value writes before the new version.
 */
final class CellAccess {
    private CellAccess() {}

    static long lockWordAcquire(TxnCell cell) {
        return (long) LOCK_WORD.getAcquire(cell);
    }

    static long lockWordOpaque(TxnCell cell) {
        return (long) LOCK_WORD.getOpaque(cell);
    }

    static long lockWordVolatile(TxnCell cell) {
        return (long) LOCK_WORD.getVolatile(cell);
    }

    static boolean casLockWord(TxnCell cell, long expected, long update) {
        return LOCK_WORD.compareAndSet(cell, expected, update);
    }

    /** Used by the lock holder only (commit-locked or reserved by the irrevocable transaction). */
    static void setLockWordVolatile(TxnCell cell, long word) {
        LOCK_WORD.setVolatile(cell, word);
    }

    /** Publishes the values written before it: the end of every commit of the cell. */
    static void setLockWordRelease(TxnCell cell, long word) {
        LOCK_WORD.setRelease(cell, word);
    }

    /** Opaque so a racing reader never sees a torn 64-bit value. */
    static long longValueOpaque(TxnCell cell) {
        return (long) LONG_VALUE.getOpaque(cell);
    }

    static void setLongValueOpaque(TxnCell cell, long bits) {
        LONG_VALUE.setOpaque(cell, bits);
    }

    /** Plain: reference reads never tear and the surrounding acquire/fence order them. */
    static Object objectValue(TxnCell cell) {
        return OBJECT_VALUE.get(cell);
    }

    static void setObjectValue(TxnCell cell, Object value) {
        OBJECT_VALUE.set(cell, value);
    }

    /** Opaque: written while commit-locked; 64-bit reads must not tear. */
    static long previousVersion(TxnCell cell) {
        return (long) PREVIOUS_VERSION.getOpaque(cell);
    }

    static long previousBits(TxnCell cell) {
        return (long) PREVIOUS_BITS.getOpaque(cell);
    }

    static void setPrevious(TxnCell cell, long version, long bits) {
        PREVIOUS_BITS.setOpaque(cell, bits);
        PREVIOUS_VERSION.setOpaque(cell, version);
    }

    static void clearPrevious(TxnCell cell) {
        PREVIOUS_VERSION.setOpaque(cell, NO_PREVIOUS);
    }

    /** {@link #previousVersion} of a cell that keeps no previous version in place. */
    static final long NO_PREVIOUS = Long.MAX_VALUE;

    static OldVersion history(TxnCell cell) {
        return (OldVersion) HISTORY.get(cell);
    }

    static void setHistory(TxnCell cell, OldVersion history) {
        HISTORY.set(cell, history);
    }

    /**
     * The cell's hash: 0 in a new cell (creating one draws no random number, so a queue node or
     * a map slot costs only its allocation), drawn and set once, by a compare-and-set, the first
     * time anything asks. Every caller then sees the same value for the cell's lifetime: the
     * field only ever goes from 0 to that value, so a plain read sees either, and a caller that
     * read 0 (not yet drawn, or not yet visible to it) gets the winner's value from the CAS.
     */
    static int hash(TxnCell cell) {
        int h = (int) HASH.get(cell);
        return h != 0 ? h : assignHash(cell);
    }

    private static int assignHash(TxnCell cell) {
        int drawn = ThreadLocalRandom.current().nextInt();
        if (drawn == 0) {
            drawn = 0x9E3779B9; // 0 means "not drawn yet"
        }
        int witness = (int) HASH.compareAndExchange(cell, 0, drawn);
        return witness == 0 ? drawn : witness;
    }

    static String label(TxnCell cell) {
        return (String) LABEL.get(cell);
    }

    static void setLabel(TxnCell cell, String label) {
        LABEL.setRelease(cell, label);
    }

    private static final VarHandle LABEL;
    private static final VarHandle LOCK_WORD;
    private static final VarHandle LONG_VALUE;
    private static final VarHandle OBJECT_VALUE;
    private static final VarHandle HISTORY;
    private static final VarHandle PREVIOUS_VERSION;
    private static final VarHandle PREVIOUS_BITS;
    private static final VarHandle HASH;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(TxnCell.class, MethodHandles.lookup());
            LOCK_WORD = lookup.findVarHandle(TxnCell.class, "lockWord", long.class);
            LONG_VALUE = lookup.findVarHandle(TxnCell.class, "longValue", long.class);
            OBJECT_VALUE = lookup.findVarHandle(TxnCell.class, "objectValue", Object.class);
            HISTORY = lookup.findVarHandle(TxnCell.class, "history", Object.class);
            PREVIOUS_VERSION = lookup.findVarHandle(TxnCell.class, "previousVersion", long.class);
            PREVIOUS_BITS = lookup.findVarHandle(TxnCell.class, "previousBits", long.class);
            HASH = lookup.findVarHandle(TxnCell.class, "hash", int.class);
            LABEL = lookup.findVarHandle(TxnCell.class, "label", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
