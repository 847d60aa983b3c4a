package dev.weft.stm.internal;

/**
 * A committed value a cell no longer holds, kept while a registered snapshot reader may need it.
 *
 * <p>A cell's history is a chain from newest to oldest. Nodes are created by the committer that
 * overwrites the value (while it holds the cell's commit lock), only when some registered reader
 * needs it, and are immutable except for the {@code older} link, which a later committer rewrites
 * (plain write, under the cell's commit lock) to skip nodes no registered reader needs any more.
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
     * Drops from the chain the nodes no registered reader needs, given that its newest node was
     * superseded at {@code supersededAt}; returns the newest kept node (or null). A node is needed
     * when some reader's snapshot lies between its version and the version that superseded it.
     * Links of kept nodes are rewritten in place; a reader still walking removed nodes follows
     * their unchanged links to the node it needs.
     */
    static OldVersion retain(OldVersion newest, long supersededAt, SnapshotSet readers) {
        OldVersion first = null;
        OldVersion last = null;
        long upper = supersededAt;
        for (OldVersion node = newest; node != null; ) {
            OldVersion older = node.older;
            if (readers.needs(node.version, upper)) {
                if (last == null) {
                    first = node;
                } else if (last.older != node) {
                    last.older = node;
                }
                last = node;
            }
            upper = node.version;
            node = older;
        }
        if (last != null && last.older != null) {
            last.older = null;
        }
        return first;
    }
}
