package dev.weft.stm.internal;

/**
 * A committed value a cell no longer holds, kept while a registered snapshot reader may need it.
 *
 * <p>A cell's history is a chain from newest to oldest. Nodes are created by the committer that
 * overwrites the value (while it holds the cell's commit lock) and are immutable except for the
 * {@code older} link, which a later committer may cut (plain write) once no registered reader can
 * reach past the node; readers that still see the old link are unaffected because they stop at a
 * node no older than their snapshot.
 */
final class OldVersion {
    final long version;
    final long bits;
    final Object object;
    OldVersion older;

    OldVersion(long version, long bits, Object object, OldVersion older) {
        this.version = version;
        this.bits = bits;
        this.object = object;
        this.older = older;
    }

    /** The newest node in the chain whose version is at most {@code readVersion}, or null. */
    static OldVersion visibleAt(OldVersion newest, long readVersion) {
        OldVersion node = newest;
        while (node != null && node.version > readVersion) {
            node = node.older;
        }
        return node;
    }

    /**
     * Cuts the chain after the first node no reader older than {@code horizon} can need: the newest
     * node with {@code version <= horizon}. Returns the chain.
     */
    static OldVersion trim(OldVersion newest, long horizon) {
        OldVersion node = newest;
        while (node != null) {
            if (node.version <= horizon) {
                node.older = null;
                break;
            }
            node = node.older;
        }
        return newest;
    }
}
