package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.internal.EngineProbe;
import dev.weft.stm.spi.Barrier;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The SPI's guarded commit ({@code valueStamp}, {@code compareStampsAndSet}): one cell written,
 * one counter added to, one guard checked, as one commit that either happens whole or writes
 * nothing at all.
 */
class GuardedCommitTest {

    @Test
    void bothCellsCommitTogetherAtOneVersion() {
        Counter guard = new Counter(0);
        Box<String> cell = new Box<>("a");
        Counter counter = new Counter(10);
        assertTrue(Barrier.compareStampsAndSet(guard, Barrier.valueStamp(guard), cell, Barrier.valueStamp(cell),
                0L, "b", counter, 5));
        assertEquals("b", cell.committed());
        assertEquals(15, counter.committed());
        assertEquals(EngineProbe.version(cell), EngineProbe.version(counter), "one commit, one version");
        assertEquals("b15", atomic(() -> cell.get() + counter.get()));
    }

    @Test
    void withoutGuardOrCounterItIsAStampedStore() {
        Box<String> cell = new Box<>("a");
        long stamp = Barrier.valueStamp(cell);
        assertTrue(Barrier.compareStampsAndSet(null, 0L, cell, stamp, 0L, "b", null, 99));
        assertEquals("b", cell.committed());
        assertFalse(Barrier.compareStampsAndSet(null, 0L, cell, stamp, 0L, "c", null, 0),
                "a stamp is good for one commit");
        assertEquals("b", cell.committed());
    }

    @Test
    void aCommitToTheGuardSinceItsStampMakesItFailAndWriteNothing() {
        Counter guard = new Counter(0);
        Box<String> cell = new Box<>("a");
        Counter counter = new Counter(10);
        long guardStamp = Barrier.valueStamp(guard);
        long cellStamp = Barrier.valueStamp(cell);
        long cellVersion = EngineProbe.version(cell);
        long counterVersion = EngineProbe.version(counter);
        atomic(() -> guard.set(0)); // same value, new commit: the stamp must notice
        assertFalse(Barrier.compareStampsAndSet(guard, guardStamp, cell, cellStamp, 0L, "b", counter, 5));
        assertEquals("a", cell.committed());
        assertEquals(10, counter.committed());
        assertEquals(cellVersion, EngineProbe.version(cell), "a failed commit moves no version");
        assertEquals(counterVersion, EngineProbe.version(counter));
        // both locks were given back: a fresh attempt and plain transactions go through
        assertTrue(Barrier.compareStampsAndSet(guard, Barrier.valueStamp(guard), cell, cellStamp, 0L, "b", counter, 5));
        atomic(() -> counter.set(counter.get() + 1));
        assertEquals(16, counter.committed());
    }

    @Test
    void aCommitToTheCellSinceItsStampMakesItFail() {
        Counter guard = new Counter(0);
        Box<String> cell = new Box<>("a");
        Counter counter = new Counter(0);
        long guardStamp = Barrier.valueStamp(guard);
        long cellStamp = Barrier.valueStamp(cell);
        Barrier.setObject(cell, "x");
        Barrier.setObject(cell, "a"); // back to the old value: still a change
        assertFalse(Barrier.compareStampsAndSet(guard, guardStamp, cell, cellStamp, 0L, "b", counter, 1));
        assertEquals("a", cell.committed());
        assertEquals(0, counter.committed());
    }

    /**
     * A reservation of the irrevocable transaction on the guard (which it only read) does not
     * stop the commit; one on the written cell or on the counter makes it fail at once, without
     * waiting for the irrevocable transaction and without leaving anything locked.
     */
    @Test
    void reservationsOfTheIrrevocableTransaction() throws Exception {
        Counter guard = new Counter(0);
        Box<String> cell = new Box<>("a");
        Counter counter = new Counter(0);
        Box<String> otherCell = new Box<>("p");
        Counter otherCounter = new Counter(0);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread irrevocable = new Thread(() -> EngineProbe.runIrrevocably(() -> {
            guard.get();
            cell.get();
            otherCounter.get();
            holding.countDown();
            try {
                assertTrue(release.await(60, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }), "irrevocable");
        irrevocable.start();
        try {
            assertTrue(holding.await(60, TimeUnit.SECONDS));
            assertTrue(EngineProbe.isReserved(guard) && EngineProbe.isReserved(cell));

            assertTrue(Barrier.compareStampsAndSet(guard, Barrier.valueStamp(guard), otherCell,
                    Barrier.valueStamp(otherCell), 0L, "q", counter, 1), "a reserved guard is only read");
            assertEquals("q", otherCell.committed());

            assertFalse(Barrier.compareStampsAndSet(guard, Barrier.valueStamp(guard), cell,
                    Barrier.valueStamp(cell), 0L, "b", counter, 1), "the written cell is reserved");
            assertFalse(Barrier.compareStampsAndSet(null, 0L, otherCell, Barrier.valueStamp(otherCell),
                    0L, "r", otherCounter, 1), "the counter is reserved");
            assertEquals("a", cell.committed());
            assertEquals("q", otherCell.committed(), "the cell was given back unchanged");
            assertEquals(1, counter.committed());
            assertEquals(0, otherCounter.committed());
        } finally {
            release.countDown();
            irrevocable.join(60_000);
        }
        assertFalse(irrevocable.isAlive());
        assertTrue(Barrier.compareStampsAndSet(null, 0L, otherCell, Barrier.valueStamp(otherCell), 0L, "r",
                otherCounter, 1));
        assertEquals(1, otherCounter.committed());
    }

    /**
     * Guarded commits that add one to a count held in the cell and one to the counter, next to
     * transactions that do the same in-transaction, next to commits to the guard that make some
     * of them fail: every transaction sees the cell's count equal to the counter (no state in
     * which one commit was half done), and at the end both equal the successes.
     */
    @Test
    void concurrentGuardedCommitsAndTransactionsKeepTheCellAndCounterInStep() throws Exception {
        Counter guard = new Counter(0);
        Box<Long> cell = new Box<>(0L);
        Counter counter = new Counter(0);
        AtomicLong successes = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        int perWorker = Scale.of(20_000);
        Workers workers = new Workers();
        workers.add(2, worker -> {
            for (int i = 0; i < perWorker; i++) {
                long guardStamp = Barrier.valueStamp(guard);
                long cellStamp = Barrier.valueStamp(cell);
                long seen = (Long) Barrier.peekObject(cell);
                if (Barrier.compareStampsAndSet(guard, guardStamp, cell, cellStamp, 0L, seen + 1, counter, 1)) {
                    successes.incrementAndGet();
                } else {
                    failures.incrementAndGet();
                }
            }
        });
        workers.add(1, worker -> {
            for (int i = 0; i < perWorker / 4; i++) {
                atomic(() -> {
                    cell.set(cell.get() + 1);
                    counter.set(counter.get() + 1);
                });
                successes.incrementAndGet();
                if (i % 16 == 0) {
                    atomic(() -> guard.set(guard.get() + 1));
                }
            }
        });
        workers.add(1, worker -> {
            for (int i = 0; i < perWorker / 4; i++) {
                atomic(() -> {
                    long inCell = cell.get();
                    long inCounter = counter.get();
                    assertEquals(inCell, inCounter, "a transaction saw half of a guarded commit");
                });
            }
        });
        workers.runAll(120);
        assertEquals(successes.get(), cell.committed());
        assertEquals(successes.get(), counter.committed());
    }
}
