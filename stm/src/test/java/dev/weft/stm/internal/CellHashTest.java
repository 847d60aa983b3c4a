package dev.weft.stm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.spi.TxnCell;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A cell's hash is drawn on first use ({@link CellAccess#hash}), not when the cell is made. The
 * write log's index, the lock order and the wait table's stripes all depend on it never
 * changing: threads racing to draw it must all get the winner's value, and it is never 0.
 */
class CellHashTest {

    private static final class Cell extends TxnCell {
        Cell() {
            super((Object) null);
        }
    }

    @Test
    void racingFirstUsesAllSeeOneNonZeroHashForever() throws Exception {
        int threads = 4;
        int cells = 200_000; // enough that the racers overlap whatever their start-up skew
        Cell[] fresh = new Cell[cells];
        for (int i = 0; i < cells; i++) {
            fresh[i] = new Cell();
        }
        int[][] seen = new int[threads][cells];
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] racers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int me = t;
            racers[t] = new Thread(() -> {
                try {
                    start.await(30, TimeUnit.SECONDS);
                    for (int i = 0; i < cells; i++) {
                        int first = CellAccess.hash(fresh[i]);
                        assertEquals(first, CellAccess.hash(fresh[i]), "the hash changed for its own drawer");
                        seen[me][i] = first;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            racers[t].start();
        }
        for (Thread racer : racers) {
            racer.join(60_000);
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        Set<Integer> distinct = new HashSet<>();
        for (int i = 0; i < cells; i++) {
            int settled = CellAccess.hash(fresh[i]);
            assertNotEquals(0, settled, "0 means not drawn yet and must never be a cell's hash");
            for (int t = 0; t < threads; t++) {
                assertEquals(settled, seen[t][i], "threads saw different hashes for cell " + i);
            }
            distinct.add(settled);
        }
        assertTrue(distinct.size() > cells * 9 / 10, "hashes are not spread: " + distinct.size() + " distinct");
    }
}
