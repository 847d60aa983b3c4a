package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.internal.EngineProbe;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The version clock's contract (see GlobalClock): commits do not write the clock, cells may carry
 * versions newer than it, a reader that meets one advances the clock before using it, and every
 * commit gives each cell it writes a version above the cell's previous one. Tests run one at a
 * time in this module, so nothing else moves the clock meanwhile.
 */
class ClockTest {

    @Test
    void aCommitDoesNotWriteTheClock() {
        Counter cell = new Counter(0);
        long before = EngineProbe.clock();
        atomic(() -> cell.set(1));
        assertEquals(before, EngineProbe.clock(), "a writing commit moved the clock");
        assertTrue(EngineProbe.version(cell) > before, "the written cell's version is above the clock");
    }

    @Test
    void readingACellNewerThanTheClockAdvancesTheClockFirst() {
        Counter cell = new Counter(0);
        atomic(() -> cell.set(1));
        long version = EngineProbe.version(cell);
        assertEquals(1, Stm.atomicLong(cell::get));
        assertTrue(EngineProbe.clock() >= version, "clock " + EngineProbe.clock() + " below version " + version);
    }

    @Test
    void everyCommitRaisesTheVersionOfWhatItWritesEvenWhenTheClockStandsStill() {
        Counter cell = new Counter(0);
        long previous = EngineProbe.version(cell);
        for (int i = 0; i < 100; i++) {
            int value = i;
            atomic(() -> cell.set(value)); // blind writes: nobody reads, so nobody advances the clock
            long version = EngineProbe.version(cell);
            assertTrue(version > previous, "version " + version + " after " + previous);
            previous = version;
        }
    }

    /**
     * The hazard that version monotonicity prevents: a transaction read the cell, a blind writer
     * replaced its value; the reader's commit-time validation must see the change.
     */
    @Test
    void aBlindOverwriteOfSomethingReadFailsTheReadersValidation() throws Exception {
        Counter watched = new Counter(0);
        Counter derived = new Counter(0);
        atomic(() -> watched.set(10)); // the cell's version is now above the clock
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch overwritten = new CountDownLatch(1);
        int[] attempts = {0};
        CompletableFuture<Object> reader = RetryTest.async("reader", () -> atomic(() -> {
            attempts[0]++;
            long seen = watched.get();
            if (attempts[0] == 1) {
                read.countDown();
                await(overwritten);
            }
            derived.set(seen * 2);
            return null;
        }));
        assertTrue(read.await(10, TimeUnit.SECONDS));
        atomic(() -> watched.set(20)); // blind: reads nothing
        overwritten.countDown();
        reader.get(10, TimeUnit.SECONDS);
        assertEquals(2, attempts[0], "the reader's first attempt must fail validation");
        assertEquals(40, Stm.atomicLong(derived::get));
    }

    /**
     * A read-modify-write whose read cell is also written skips commit-time validation: its lock
     * CAS found the cell at a version no newer than the snapshot. A commit of that cell between
     * the read and the lock must still make the attempt fail.
     */
    @Test
    void anIncrementWhoseCellChangedAfterItsReadRunsAgain() throws Exception {
        Counter cell = new Counter(0);
        atomic(() -> cell.set(1)); // newer than the clock: the reader advances it on its read
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch overwritten = new CountDownLatch(1);
        int[] attempts = {0};
        CompletableFuture<Object> incrementer = RetryTest.async("incrementer", () -> atomic(() -> {
            attempts[0]++;
            long seen = cell.get();
            if (attempts[0] == 1) {
                read.countDown();
                await(overwritten);
            }
            cell.set(seen + 1);
            return null;
        }));
        assertTrue(read.await(10, TimeUnit.SECONDS));
        atomic(() -> cell.set(cell.get() + 10));
        overwritten.countDown();
        incrementer.get(10, TimeUnit.SECONDS);
        assertEquals(2, attempts[0], "the first attempt must lose to the concurrent commit");
        assertEquals(12, Stm.atomicLong(cell::get));
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
