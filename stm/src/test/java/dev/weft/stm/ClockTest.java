package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.internal.EngineProbe;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The version clock's contract (see GlobalClock): commits do not write the clock, cells may carry
 * versions newer than it (by at most AHEAD_LIMIT), a reader that meets one together with another
 * cell advances the clock before using both, and every commit gives each cell it writes a version
 * above the cell's previous one. Tests run one at a
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
    void readingACellNewerThanTheClockWithAnotherAdvancesTheClockFirst() {
        Counter fresh = new Counter(0);
        Counter old = new Counter(2);
        atomic(() -> fresh.set(1));
        long version = EngineProbe.version(fresh);
        assertEquals(3, Stm.atomicLong(() -> fresh.get() + old.get()));
        assertTrue(EngineProbe.clock() >= version, "clock " + EngineProbe.clock() + " below version " + version);
        atomic(() -> fresh.set(5));
        version = EngineProbe.version(fresh);
        assertEquals(7, Stm.atomicLong(() -> old.get() + fresh.get())); // the newer cell read second
        assertTrue(EngineProbe.clock() >= version, "clock " + EngineProbe.clock() + " below version " + version);
    }

    /**
     * A transaction whose only read is one cell needs no snapshot of anything else: it defers the
     * clock advance, and an increment of one hot cell never writes the clock, however often the
     * cell is rewritten, until the cell would run {@code AHEAD_LIMIT} above the clock.
     */
    @Test
    void incrementingOneCellWritesTheClockOnlyEveryAheadLimitCommits() {
        Counter cell = new Counter(0);
        long before = EngineProbe.clock();
        int increments = 100;
        for (int i = 0; i < increments; i++) {
            atomic(() -> cell.set(cell.get() + 1));
            assertEquals(i + 1, Stm.atomicLong(cell::get));
        }
        assertEquals(before, EngineProbe.clock(), "single-cell transactions moved the clock");
        assertEquals(before + increments, EngineProbe.version(cell), "each increment adds one to the version");

        long limit = EngineProbe.aheadLimit();
        for (long i = increments; i < 3 * limit; i++) {
            atomic(() -> cell.set(cell.get() + 1));
            long ahead = EngineProbe.version(cell) - EngineProbe.clock();
            assertTrue(ahead <= limit, "cell " + ahead + " above the clock after " + (i + 1) + " increments");
        }
        assertEquals(3 * limit, Stm.atomicLong(cell::get));
        assertTrue(EngineProbe.clock() > before, "the clock never caught up with the cell");
    }

    /**
     * The deferred extension of a first read is validated at the second read: a commit that
     * changed the first cell in between makes the attempt run again (it would otherwise see the
     * first cell's old value next to the second's new one), one that did not lets it go on.
     */
    @Test
    void aDeferredFirstReadIsValidatedWhenTheSecondCellIsRead() throws Exception {
        Counter first = new Counter(0);
        Counter second = new Counter(0);
        atomic(() -> first.set(1)); // newer than the clock: the reader defers on it
        atomic(() -> second.set(1));
        // attempt 1 aborts at its second read instead of seeing (1, 2), a state that never existed
        assertEquals(List.of("attempt 2 saw 2, 2"), secondReadAfter(first, second, () -> atomic(() -> {
            first.set(first.get() + 1);
            second.set(second.get() + 1);
        })));
        atomic(() -> first.set(2)); // newer than the clock again
        assertEquals(List.of("attempt 1 saw 2, 3"),
                secondReadAfter(first, second, () -> atomic(() -> second.set(second.get() + 1))));
    }

    /**
     * Runs a transaction that reads {@code first}, lets {@code commit} run, then reads
     * {@code second}; returns what each attempt that reached the second read saw.
     */
    private static List<String> secondReadAfter(Counter first, Counter second, Runnable commit) throws Exception {
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch committed = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        int[] attempts = {0};
        CompletableFuture<Object> reader = RetryTest.async("reader", () -> atomic(() -> {
            int attempt = ++attempts[0];
            long a = first.get();
            if (attempt == 1) {
                read.countDown();
                await(committed);
            }
            long b = second.get();
            seen.add("attempt " + attempt + " saw " + a + ", " + b);
            return null;
        }));
        assertTrue(read.await(10, TimeUnit.SECONDS));
        commit.run();
        committed.countDown();
        reader.get(10, TimeUnit.SECONDS);
        return seen;
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
