package dev.weft.check;

/**
 * How a recorded transaction attempt ended.
 *
 * <p>Thread-safety: an enum, immutable.
 */
public enum Outcome {
    /** The attempt committed: its writes are part of the history's committed state. */
    COMMITTED,
    /**
     * The attempt was rolled back (the engine re-ran the body, or the body threw): its writes were
     * never visible, and under opacity its reads still had to come from one consistent snapshot.
     */
    ABORTED,
    /**
     * The attempt was still open when the history was taken (a running transaction): treated like
     * an aborted one, its reads must come from one snapshot and nobody may have read its writes.
     */
    UNFINISHED
}
