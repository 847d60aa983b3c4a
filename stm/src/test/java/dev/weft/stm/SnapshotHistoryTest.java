package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.internal.EngineProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
        Counter x = new Counter(0);
        Counter y = new Counter(0);
        AtomicInteger runs = new AtomicInteger();
        List<T> result = new ArrayList<>(1);
        atomic(() -> {
            int run = runs.incrementAndGet();
            x.get();
            if (run == 1) {
                CompletableFuture.runAsync(() -> atomic(() -> {
                    x.add(1);
                    y.add(1);
                }), THREADS).join();
            }
            y.get(); // newer than the first attempt's snapshot, and x changed: that attempt loses here
            assertTrue(EngineProbe.isSnapshot(), "attempt " + run + " does not read a registered snapshot");
            result.clear();
            result.add(snapshotBody.get());
        });
        assertEquals(2, runs.get(), "the snapshot attempt must not abort");
        return result.get(0);
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

    @Test
    void twoReadersWithDifferentSnapshotsEachReadTheirOwnVersion() throws Exception {
        Counter a = new Counter(0);
        CountDownLatch firstRegistered = new CountDownLatch(1);
        CountDownLatch secondRegistered = new CountDownLatch(1);
        CountDownLatch overwritten = new CountDownLatch(1);
        CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> onASnapshot(() -> {
            firstRegistered.countDown();
            await(overwritten);
            return a.get();
        }), THREADS);
        await(firstRegistered);
        elsewhere(() -> a.set(1)); // the first reader needs 0: kept in place
        CompletableFuture<Long> second = CompletableFuture.supplyAsync(() -> onASnapshot(() -> {
            secondRegistered.countDown();
            await(overwritten);
            return a.get();
        }), THREADS);
        await(secondRegistered);
        elsewhere(() -> a.set(2)); // the second needs 1 in place; 0 moves to a node
        assertEquals(1, EngineProbe.historyNodes(a));
        overwritten.countDown();
        assertEquals(0L, first.get(30, TimeUnit.SECONDS));
        assertEquals(1L, second.get(30, TimeUnit.SECONDS));
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
        CountDownLatch firstRegistered = new CountDownLatch(1);
        CountDownLatch secondRegistered = new CountDownLatch(1);
        CountDownLatch overwritten = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> onASnapshot(() -> {
            firstRegistered.countDown();
            await(overwritten);
            return cell.get();
        }), THREADS);
        await(firstRegistered);
        elsewhere(() -> cell.set("one")); // the first reader needs null: kept in place
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> onASnapshot(() -> {
            secondRegistered.countDown();
            await(overwritten);
            return cell.get();
        }), THREADS);
        await(secondRegistered);
        elsewhere(() -> cell.set("two")); // "one" becomes a node above the null, which moves to a node too
        assertEquals(-1, EngineProbe.previousVersion(cell), "nothing in place may be older than a node");
        assertEquals(2, EngineProbe.historyNodes(cell));
        overwritten.countDown();
        assertNull(first.get(30, TimeUnit.SECONDS));
        assertEquals("one", second.get(30, TimeUnit.SECONDS));
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
