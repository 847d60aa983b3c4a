package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.internal.EngineProbe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The old versions committers keep for registered snapshot readers: a primitive (or null) value in
 * the cell itself, others as nodes, the version in place always the newest kept. Each test runs a
 * reader whose first attempt loses on a read, so that its second attempt reads a registered
 * snapshot, and lets other threads overwrite cells at chosen points of that snapshot attempt.
 */
class SnapshotHistoryTest {
    // Its own threads: the tests block some of them on latches, which must not starve the others.
    private static final java.util.concurrent.ExecutorService THREADS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "snapshot-history-test");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Runs {@code snapshotBody} in a transaction whose first attempt loses on a read; the body
     * runs in the second attempt, which must read a registered snapshot. Returns its result.
     */
    private static <T> T onASnapshot(java.util.function.Supplier<T> snapshotBody) {
        List<T> result = new ArrayList<>(1);
        int runs = CompositionTest.loseFirstAttemptOnARead(new Counter(0), new Counter(0), () -> {
            assertTrue(EngineProbe.isSnapshot(), "the re-run does not read a registered snapshot");
            result.clear();
            result.add(snapshotBody.get());
        });
        assertEquals(2, runs, "the snapshot attempt must not abort");
        return result.get(0);
    }

    /**
     * Two snapshot readers that both {@code read} once everything else is done: the first
     * registers, {@code betweenReaders} runs, the second registers, {@code afterBoth} runs (while
     * both are still registered). Returns what the first and the second read.
     */
    private static <T> List<T> readByTwoSnapshots(java.util.function.Supplier<T> read, Runnable betweenReaders,
                                                  Runnable afterBoth) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        CompletableFuture<T> first = registeredReader(read, done);
        betweenReaders.run();
        CompletableFuture<T> second = registeredReader(read, done);
        afterBoth.run();
        done.countDown();
        return Arrays.asList(first.get(30, TimeUnit.SECONDS), second.get(30, TimeUnit.SECONDS));
    }

    /** Starts a reader on a snapshot and returns once it is registered; it reads when {@code done} opens. */
    private static <T> CompletableFuture<T> registeredReader(java.util.function.Supplier<T> read, CountDownLatch done) {
        CountDownLatch registered = new CountDownLatch(1);
        CompletableFuture<T> reader = CompletableFuture.supplyAsync(() -> onASnapshot(() -> {
            registered.countDown();
            await(done);
            return read.get();
        }), THREADS);
        await(registered);
        return reader;
    }

    private static void elsewhere(Runnable body) {
        CompletableFuture.runAsync(() -> atomic(body), THREADS).join();
    }

    @Test
    void aPrimitiveOldVersionIsKeptInTheCellAndReadBackAfterTwoOverwrites() {
        Counter a = new Counter(10);
        long seen = onASnapshot(() -> {
            elsewhere(() -> a.set(11));
            elsewhere(() -> a.set(12));
            assertTrue(EngineProbe.previousVersion(a) >= 0, "the overwritten 10 is kept in place");
            assertEquals(0, EngineProbe.historyNodes(a), "no node for a primitive value");
            return a.get();
        });
        assertEquals(10, seen);
        assertEquals(12, a.committed());
    }

    /**
     * Single-cell commits do not write the clock, so a cell can run ahead of it, with no old
     * version kept while nobody is registered. A registering reader moves the clock past anything
     * such commits can have produced (see GlobalClock), so its snapshot includes the cell as it is;
     * were its read version below the cell's, it would find nothing kept and have to abort.
     */
    @Test
    void aSnapshotIncludesACellThatRanAheadOfTheClockBeforeItRegistered() {
        Counter hot = new Counter(0);
        for (int i = 0; i < 100; i++) {
            atomic(() -> hot.set(hot.get() + 1));
        }
        assertTrue(EngineProbe.version(hot) > EngineProbe.clock() + 50, "the cell did not run ahead of the clock");
        assertEquals(100, (long) onASnapshot(hot::get));
    }

    @Test
    void twoReadersWithDifferentSnapshotsEachReadTheirOwnVersion() throws Exception {
        Counter a = new Counter(0);
        List<Long> seen = readByTwoSnapshots(a::get,
                () -> elsewhere(() -> a.set(1)), // the first reader needs 0: kept in place
                () -> {
                    elsewhere(() -> a.set(2)); // the second needs 1 in place; 0 moves to a node
                    assertEquals(1, EngineProbe.historyNodes(a));
                });
        assertEquals(List.of(0L, 1L), seen);
    }

    /** A guarded commit (SPI) keeps old versions of the cell it writes and of the counter it adds to. */
    @Test
    void aGuardedCommitKeepsOldVersionsOfBothItsCells() throws Exception {
        Box<String> cell = new Box<>("v");
        Counter counter = new Counter(0);
        List<String> seen = readByTwoSnapshots(() -> cell.get() + counter.get(),
                () -> assertTrue(dev.weft.stm.spi.Barrier.compareStampsAndSet(null, 0L, cell,
                        dev.weft.stm.spi.Barrier.valueStamp(cell), 0L, "w", counter, 1)),
                () -> assertTrue(dev.weft.stm.spi.Barrier.compareStampsAndSet(null, 0L, cell,
                        dev.weft.stm.spi.Barrier.valueStamp(cell), 0L, "x", counter, 1)));
        assertEquals(List.of("v0", "w1"), seen);
        assertEquals("x", cell.committed());
        assertEquals(2, counter.committed());
    }

    @Test
    void referenceValuesAreKeptAsNodesAndANullInPlace() {
        Box<String> named = new Box<>("v0");
        Box<String> empty = new Box<>(null);
        String seen = onASnapshot(() -> {
            elsewhere(() -> {
                named.set("v1");
                empty.set("now set");
            });
            elsewhere(() -> named.set("v2"));
            assertEquals(1, EngineProbe.historyNodes(named), "the overwritten \"v0\" is a node");
            assertEquals(-1, EngineProbe.previousVersion(named));
            assertTrue(EngineProbe.previousVersion(empty) >= 0, "the overwritten null is kept in place");
            assertNull(empty.get());
            return named.get();
        });
        assertEquals("v0", seen);
    }

    @Test
    void aReferenceValueOverwrittenAfterAPrimitiveOneKeepsBothInVersionOrder() throws Exception {
        Box<String> cell = new Box<>(null);
        List<String> seen = readByTwoSnapshots(cell::get,
                () -> elsewhere(() -> cell.set("one")), // the first reader needs null: kept in place
                () -> {
                    elsewhere(() -> cell.set("two")); // "one" becomes a node above the null, which moves to a node too
                    assertEquals(-1, EngineProbe.previousVersion(cell), "nothing in place may be older than a node");
                    assertEquals(2, EngineProbe.historyNodes(cell));
                });
        assertNull(seen.get(0));
        assertEquals("one", seen.get(1));
    }

    @Test
    void rawBitsNextToAReferenceAreKeptAndReadBackWithIt() {
        Tagged a = new Tagged(1, "one");
        Tagged b = new Tagged(2, null);
        String seen = onASnapshot(() -> {
            elsewhere(() -> {
                a.set(3, "three");
                b.set(4, "four");
            });
            elsewhere(() -> {
                a.set(5, null);
                b.set(6, null);
            });
            return a.read() + " " + b.read();
        });
        assertEquals("one/1 null/2", seen, "a node keeps both halves; a null value keeps its bits in place");
        assertEquals("null/5 null/6", atomic(() -> a.read() + " " + b.read()));
    }

    @Test
    void onceNoReaderIsRegisteredTheNextCommitDropsWhatWasKept() {
        Counter a = new Counter(0);
        Box<String> b = new Box<>("b0");
        onASnapshot(() -> {
            elsewhere(() -> {
                a.set(1);
                b.set("b1");
            });
            return a.get() + b.get();
        });
        assertTrue(EngineProbe.previousVersion(a) >= 0 && EngineProbe.historyNodes(b) == 1);
        atomic(() -> {
            a.set(2);
            b.set("b2");
        });
        assertEquals(-1, EngineProbe.previousVersion(a));
        assertEquals(0, EngineProbe.historyNodes(b));
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS), "timed out");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
