package dev.weft.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ThreadRecorder#mark()} and {@link ThreadRecorder#rollbackTo(int)}: the ops of a part of
 * an attempt that was rolled back are dropped, list reads included, and the ops before the mark
 * and after the rollback are kept in order.
 */
class ThreadRecorderRollbackTest {
    private static final long X = 1;
    private static final long Y = 2;

    private final HistoryRecorder recorder = new HistoryRecorder();
    private final ThreadRecorder rec = recorder.newThreadRecorder();

    @Test
    void rollbackDropsTheOpsAfterTheMarkOnly() {
        rec.begin();
        rec.readList(X, 7).append(X, 11);
        int mark = rec.mark();
        rec.readList(Y, 8, 9).append(Y, 21).readList(X, 7, 11);
        rec.rollbackTo(mark);
        rec.readList(Y, 8).append(Y, 22);
        rec.commit();
        rec.begin();
        rec.readList(X, 7, 11);
        rec.commit();

        History history = recorder.history();
        assertEquals(List.of(new Op.ReadList(X, List.of(7L)), new Op.Append(X, 11), new Op.ReadList(Y, List.of(8L)),
                new Op.Append(Y, 22)), history.transaction(0).ops());
        assertEquals(List.of(new Op.ReadList(X, List.of(7L, 11L))), history.transaction(1).ops());
    }

    @Test
    void rollbackToTheStartEmptiesTheAttempt() {
        rec.begin();
        int mark = rec.mark();
        rec.read(X, 0).write(X, 5).readList(Y, 3);
        rec.rollbackTo(mark);
        rec.commit();
        assertEquals(List.of(), recorder.history().transaction(0).ops());
    }

    @Test
    void aMarkFromAnEarlierAttemptIsRejected() {
        rec.begin();
        rec.read(X, 0);
        int mark = rec.mark();
        rec.write(X, 5);
        rec.abort();
        rec.begin();
        rec.read(X, 0);
        assertThrows(IllegalArgumentException.class, () -> rec.rollbackTo(mark - 1));
        assertThrows(IllegalStateException.class, () -> {
            rec.commit();
            rec.rollbackTo(mark);
        });
    }
}
