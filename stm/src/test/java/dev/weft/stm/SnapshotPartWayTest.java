package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.internal.EngineProbe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A long read-only attempt (more than the engine's extension limit of 1,024 logged reads) that
 * meets a cell newer than its snapshot goes on as a registered snapshot reader instead of
 * aborting: it keeps the reads it has done, and from then on reads one consistent state. Each
 * test sums {@value #CELLS} cells holding {@value #INITIAL} each while other threads move
 * amounts between them at chosen points of the sum; any state a serial run produces has the
 * same total.
 */
class SnapshotPartWayTest {
    private static final int CELLS = 3000;
    private static final long INITIAL = 10;
    /** Past the extension limit: the reader has logged more reads than it revalidates per extension. */
    private static final int SWITCH_AT = 1500;

    private static final ExecutorService OTHER = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "snapshot-part-way-test");
        thread.setDaemon(true);
        return thread;
    });

    @AfterAll
    static void stop() {
        OTHER.shutdownNow();
    }

    /** Commits a move of 1 from {@code from} to {@code to} on another thread, and waits for it. */
    private static void moveElsewhere(Counter[] cells, int from, int to) {
        CompletableFuture.runAsync(() -> atomic(() -> {
            cells[from].add(-1);
            cells[to].add(1);
        }), OTHER).join();
    }

    /**
     * Sums the cells in the running transaction; with {@code move}, first moves 1 from
     * {@code from} to {@code to} on another thread when the sum has read SWITCH_AT cells.
     */
    private static long sum(Counter[] cells, boolean move, int from, int to) {
        long total = 0;
        for (int i = 0; i < CELLS; i++) {
            if (move && i == SWITCH_AT) {
                moveElsewhere(cells, from, to);
            }
            total += cells[i].get();
        }
        return total;
    }

    @Test
    void aLongReaderThatMeetsANewerCellGoesOnAsASnapshotWithoutAborting() {
        Counter[] cells = Counter.array(CELLS, INITIAL);
        AtomicInteger runs = new AtomicInteger();
        boolean[] snapshotAfterSwitch = new boolean[1];
        long sum = Stm.atomicLong(() -> {
            int run = runs.incrementAndGet();
            long total = 0;
            for (int i = 0; i < CELLS; i++) {
                if (run == 1 && i == SWITCH_AT) {
                    moveElsewhere(cells, SWITCH_AT + 100, SWITCH_AT + 101); // both unread: no conflict
                }
                if (run == 1 && i == SWITCH_AT + 200) {
                    snapshotAfterSwitch[0] = EngineProbe.isSnapshot();
                    // After the switch: from a cell already read to one not read yet. The reader
                    // must see the second one's old value (kept for it), or it counts the 1 twice.
                    moveElsewhere(cells, 5, SWITCH_AT + 300);
                }
                total += cells[i].get();
            }
            return total;
        });
        assertEquals(INITIAL * CELLS, sum, "the sum saw a state no serial run produces");
        assertEquals(1, runs.get(), "the long reader aborted instead of going on as a snapshot");
        assertTrue(snapshotAfterSwitch[0], "the reader did not become a registered snapshot reader");
        assertEquals(INITIAL - 1, cells[5].committed());
        assertEquals(INITIAL + 1, cells[SWITCH_AT + 300].committed());
    }

    @Test
    void aChangeToACellAlreadyReadStillAbortsTheLongReader() {
        Counter[] cells = Counter.array(CELLS, INITIAL);
        AtomicInteger runs = new AtomicInteger();
        // From a cell read to one not read: the newer cell triggers the switch, whose
        // validation must find the first cell changed since it was read.
        long sum = Stm.atomicLong(() -> sum(cells, runs.incrementAndGet() == 1, 5, SWITCH_AT + 100));
        assertEquals(INITIAL * CELLS, sum, "the sum mixed a value read before the move with one after it");
        assertEquals(2, runs.get(), "a reader whose log was invalid must abort and run again");
    }

    @Test
    void aWriteAfterTheSwitchRunsTheTransactionAgainAndCommitsIt() {
        Counter[] cells = Counter.array(CELLS, INITIAL);
        Counter total = new Counter(0);
        AtomicInteger runs = new AtomicInteger();
        atomic(() -> {
            long sum = sum(cells, runs.incrementAndGet() == 1, SWITCH_AT + 100, SWITCH_AT + 101);
            total.set(sum); // a snapshot reader cannot validate a write: this attempt must abort
        });
        assertTrue(runs.get() >= 2, "a write after the switch committed without a validated read set");
        assertEquals(INITIAL * CELLS, total.committed());
        assertFalse(Stm.inTransaction());
    }

    @Test
    void retryAfterTheSwitchRunsAgainAndTheTransactionNoLongerSwitches() {
        Counter[] cells = Counter.array(CELLS, INITIAL);
        AtomicInteger runs = new AtomicInteger();
        long sum = Stm.atomicLong(() -> {
            int run = runs.incrementAndGet();
            long total = sum(cells, run <= 2, SWITCH_AT + 100, SWITCH_AT + 101);
            if (run == 1) {
                assertTrue(EngineProbe.isSnapshot(), "the first run did not switch: the test proves nothing");
                Stm.retry(); // a partial read set cannot be waited on: runs again at once
            }
            return total;
        });
        assertEquals(INITIAL * CELLS, sum);
        // Run 2 meets a newer cell past the limit again; had it switched, it would have returned.
        // It aborts instead, and run 3 reads a snapshot registered from its start.
        assertEquals(3, runs.get(), "the run after a retry from a switched attempt switched again");
    }
}
