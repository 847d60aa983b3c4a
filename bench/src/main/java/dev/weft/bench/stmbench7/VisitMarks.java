package dev.weft.bench.stmbench7;

import java.util.Arrays;

/**
 * The visited set of one worker's depth-first walks over composite parts' graphs, as STMBench7's
 * T1 keeps one per traversal, without allocating: a part is visited in the current walk when its
 * mark equals the walk's stamp, so starting a walk is one increment.
 *
 * <p>Thread-safety: not thread-safe; one per worker. A walk that a transaction abandons leaves
 * marks of an old stamp behind, which the next walk ignores.
 */
final class VisitMarks {
    private final int[] marks;
    private int stamp;

    /** @param parts the number of atomic parts in the design */
    VisitMarks(int parts) {
        marks = new int[parts];
    }

    /** Starts a walk: every part is unvisited. */
    void startWalk() {
        if (++stamp == Integer.MAX_VALUE) { // never in a benchmark run; keeps stamps unambiguous
            Arrays.fill(marks, 0);
            stamp = 1;
        }
    }

    /**
     * @param part an atomic part
     * @return true when the part was unvisited in this walk (it is visited now)
     */
    boolean visit(int part) {
        if (marks[part] == stamp) {
            return false;
        }
        marks[part] = stamp;
        return true;
    }
}
