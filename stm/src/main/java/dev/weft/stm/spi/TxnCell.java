package dev.weft.stm.spi;


/**
 * One transactional memory location: the unit the engine versions, locks and validates.
 *
 * <p>A reference cell may also carry raw {@code long} bits next to its value (both halves are
 * written, versioned, validated and kept for snapshot readers together): a collection stores there
 * what lets a reader decide without following the reference, e.g. a filter of the keys below.
 *
 * <p>Weft's refs and collection nodes extend this class, so a ref <em>is</em> its cell and a
 * transactional read costs no extra indirection. The class deliberately has no public or protected
 * methods: its state is reachable only through the engine (which accesses the private fields with
 * {@link java.lang.invoke.VarHandle}s), so nothing of it leaks into the API of a subclass.
 *
 * <p>A cell holds either a primitive value (stored as raw {@code long} bits) or a reference value;
 * the subclass decides which and always uses the same one. Values change only through the engine's
 * commit protocol or its single-cell operations, see {@link Barrier}.
 *
 * <p>Subclasses must be published safely (through a transactional write, a final field, or any
 * other happens-before edge), like any object that is not immutable.
 */
public abstract class TxnCell {
    /*
     * Field protocol (the engine's overview in dev.weft.stm.internal.Transaction has the full story):
     *
     * lockWord     written by committers: CAS to a commit-locked word, release-store of the new
     *              version; CAS of the reservation bit by the irrevocable transaction. Read by
     *              everybody with acquire before, and plain after an acquire fence (seqlock).
     * longValue    written only while the cell is commit-locked (opaque, so 64-bit writes never
     *              tear); read racily between two lockWord reads.
     * objectValue  as longValue.
     * previousVersion, previousBits
     *              the newest older committed version kept for registered snapshot readers, when
     *              its value is primitive (or a null reference): kept in the cell, so keeping it
     *              allocates nothing and stores no reference; Long.MAX_VALUE when there is none.
     *              Written only while commit-locked (opaque), read racily between two lockWord
     *              reads.
     * history      older committed versions kept for registered snapshot readers, all older than
     *              previousVersion when that is set; written only while commit-locked, read racily
     *              between two lockWord reads.
     * hash         spreads cells over the write log's filter and hash index, the lock order and the
     *              wait table's stripes. 0 until first asked for, then set once by a
     *              compare-and-set (CellAccess.hash) and never changed.
     * label        a name for diagnostics (conflict reports, JFR), set once by the owner of the
     *              ref before sharing it, or never; read racily (a String, safely published).
     */
    @SuppressWarnings("unused") private long lockWord;
    @SuppressWarnings("unused") private long longValue;
    @SuppressWarnings("unused") private Object objectValue;
    @SuppressWarnings("unused") private long previousVersion;
    @SuppressWarnings("unused") private long previousBits;
    @SuppressWarnings("unused") private Object history;
    @SuppressWarnings("unused") private int hash;
    @SuppressWarnings("unused") private String label;

    /**
     * Creates a cell holding a primitive value, committed at version zero.
     *
     * @param initialBits the raw bits of the initial value
     */
    protected TxnCell(long initialBits) {
        this.longValue = initialBits;
        this.previousVersion = Long.MAX_VALUE; // none
    }

    /**
     * Creates a cell holding a reference value and raw bits next to it (both halves, see
     * {@link Barrier#writeBitsAndObject}), committed at version zero.
     *
     * @param initialBits the raw bits committed with the value
     * @param initialValue the initial value, may be {@code null}
     */
    protected TxnCell(long initialBits, Object initialValue) {
        this.longValue = initialBits;
        this.objectValue = initialValue;
        this.previousVersion = Long.MAX_VALUE; // none
    }

    /**
     * Creates a cell holding a reference value, committed at version zero.
     *
     * @param initialValue the initial value, may be {@code null}
     */
    protected TxnCell(Object initialValue) {
        this.objectValue = initialValue;
        this.previousVersion = Long.MAX_VALUE; // none
    }
}
