package dev.weft.stm.internal;

import java.util.Arrays;

/**
 * Old contents of redo-log entries overwritten inside a nested scope, so that a nested scope that
 * fails can be rolled back alone (closed nesting). Owned by one transaction.
 *
 * <p>An entry is recorded only when a nested scope overwrites a redo-log entry created before the
 * scope began (entries created inside the scope are simply truncated away), so a transaction
 * without nested scopes never records anything. Rolling back to a mark replays the records above
 * it newest first, which restores each entry to its content at the mark.
 */
final class UndoLog {
    private WriteLog[] logs = new WriteLog[8];
    private int[] entries = new int[8];
    private long[] bits = new long[8];
    private Object[] objects = new Object[8];
    int size;

    void record(WriteLog log, int entry) {
        int i = size;
        if (i == entries.length) {
            int capacity = i * 2;
            logs = Arrays.copyOf(logs, capacity);
            entries = Arrays.copyOf(entries, capacity);
            bits = Arrays.copyOf(bits, capacity);
            objects = Arrays.copyOf(objects, capacity);
        }
        logs[i] = log;
        entries[i] = entry;
        bits[i] = log.bits[entry];
        objects[i] = log.objects[entry];
        size = i + 1;
    }

    /** Restores every entry recorded above {@code mark}, newest first, and forgets the records. */
    void rollbackTo(int mark) {
        for (int i = size - 1; i >= mark; i--) {
            WriteLog log = logs[i];
            log.bits[entries[i]] = bits[i];
            log.objects[entries[i]] = objects[i];
            logs[i] = null;
            objects[i] = null;
        }
        size = mark;
    }

    void clear() {
        if (size > 0) {
            Arrays.fill(logs, 0, size, null);
            Arrays.fill(objects, 0, size, null);
            size = 0;
        }
    }
}
