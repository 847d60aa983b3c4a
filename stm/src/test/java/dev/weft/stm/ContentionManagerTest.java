package dev.weft.stm;

import static dev.weft.stm.RetryTest.await;
import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.internal.EngineProbe;
import dev.weft.stm.spi.Barrier;
import dev.weft.stm.spi.ContentionManager;
import dev.weft.stm.spi.TxnThread;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's hooks for a scheduler: per-thread contention managers and TxnThread workers. */
class ContentionManagerTest {

    @AfterEach
    void restoreDefault() {
        Barrier.setContentionManager(null);
    }

    /**
     * Another thread holds {@code cell}'s commit lock (inside its external decider) while this
     * thread commits a write to it; {@code manager} sees the conflict and releases the holder.
     * Returns the holder's owner id.
     */
    private static long loseCommitLockTo(Counter cell, CountDownLatch managerCalled, Runnable body) {
        CountDownLatch holding = new CountDownLatch(1);
        AtomicLong holderId = new AtomicLong();
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> {
            holderId.set(Barrier.currentOwnerId());
            atomic(() -> {
                cell.set(100);
                Stm.setExternalDecider(() -> {
                    holding.countDown();
                    await(managerCalled);
                    return true;
                });
            });
        });
        await(holding);
        body.run();
        holder.join();
        return holderId.get();
    }

    @Test
    void managerLearnsWhichTransactionHeldTheLockItLostTo() {
        Counter cell = new Counter(0);
        CountDownLatch called = new CountDownLatch(1);
        List<long[]> calls = new ArrayList<>();
        Barrier.setContentionManager((attempts, lostOnRead, opponent) -> {
            calls.add(new long[] {attempts, lostOnRead ? 1 : 0, opponent});
            called.countDown();
            return ContentionManager.RETRY_NOW;
        });
        long holder = loseCommitLockTo(cell, called, () -> atomic(() -> cell.set(7)));
        assertEquals(7, cell.committed());
        assertTrue(!calls.isEmpty());
        long[] first = calls.get(0);
        assertEquals(1, first[0]);
        assertEquals(0, first[1]);
        assertEquals(holder, first[2]);
        assertTrue(holder != Barrier.currentOwnerId());
    }

    @Test
    void escalateMakesTheNextAttemptIrrevocable() {
        Counter cell = new Counter(0);
        CountDownLatch called = new CountDownLatch(1);
        List<Boolean> irrevocable = new ArrayList<>();
        Barrier.setContentionManager((attempts, lostOnRead, opponent) -> {
            called.countDown();
            return ContentionManager.ESCALATE;
        });
        loseCommitLockTo(cell, called, () -> atomic(() -> {
            irrevocable.add(EngineProbe.isIrrevocable());
            cell.set(cell.get() + 1);
        }));
        assertEquals(List.of(false, true), irrevocable.subList(0, 2));
        assertEquals(101, cell.committed());
    }

    @Test
    void managerThatThrowsAbandonsTheTransactionWithNothingPublished() {
        Counter cell = new Counter(0);
        Counter other = new Counter(0);
        CountDownLatch called = new CountDownLatch(1);
        IllegalStateException reschedule = new IllegalStateException("run me elsewhere");
        Barrier.setContentionManager((attempts, lostOnRead, opponent) -> {
            called.countDown();
            throw reschedule;
        });
        loseCommitLockTo(cell, called, () -> {
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> atomic(() -> {
                other.set(1);
                cell.set(5);
            }));
            assertSame(reschedule, thrown);
        });
        assertEquals(0, other.committed());
        assertEquals(100, cell.committed());
    }

    @Test
    void txnThreadRunsTransactionsOnItsOwnDescriptor() throws Exception {
        Counter cell = new Counter(0);
        AtomicLong[] ids = {new AtomicLong(), new AtomicLong()};
        TxnThread worker = new TxnThread(null, () -> {
            ids[0].set(Barrier.currentOwnerId());
            atomic(() -> cell.add(1));
            ids[1].set(Barrier.currentOwnerId());
        }, "weft-worker") { };
        worker.start();
        worker.join();
        assertEquals(1, cell.committed());
        assertEquals(ids[0].get(), ids[1].get());
        assertTrue(ids[0].get() != Barrier.currentOwnerId());
    }

    @Test
    void managerHearsCommitsWithSizesAndBlockingAroundRetryWaits() throws Exception {
        Counter gate = new Counter(0);
        Counter other = new Counter(0);
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Long> waiter = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            Barrier.setContentionManager(new ContentionManager() {
                @Override
                public int onConflict(int attempts, boolean lostOnRead, long opponentId) {
                    return DEFAULT;
                }

                @Override
                public void onCommit(int attempts, int reads, int writes) {
                    events.add("commit " + attempts + " " + reads + " " + writes);
                }

                @Override
                public void beforeBlock() {
                    events.add("block");
                }

                @Override
                public void afterBlock() {
                    events.add("unblock");
                }
            });
            try {
                waiter.complete(Stm.atomicLong(() -> {
                    long g = gate.get();
                    if (g == 0) {
                        Stm.retry();
                    }
                    other.set(g);
                    return g;
                }));
            } catch (Throwable t) {
                waiter.completeExceptionally(t);
            }
        });
        thread.start();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (!events.contains("block")) {
            assertTrue(System.nanoTime() < deadline, "never blocked");
            Thread.sleep(1); // observing; the threads under test coordinate through the ref
        }
        gate.setAtomically(3);
        assertEquals(3L, waiter.get(20, java.util.concurrent.TimeUnit.SECONDS));
        thread.join();
        assertEquals(List.of("block", "unblock", "commit 0 1 1"), events);
    }

    @Test
    void managerLearnsWhoCommittedTheVersionThatFailedItsValidation() {
        Counter read = new Counter(0);
        Counter written = new Counter(0);
        List<Long> opponents = new ArrayList<>();
        Barrier.setContentionManager((attempts, lostOnRead, opponent) -> {
            opponents.add(opponent);
            return ContentionManager.RETRY_NOW;
        });
        AtomicLong winner = new AtomicLong();
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        atomic(() -> {
            long r = read.get();
            if (runs.incrementAndGet() == 1) {
                CompletableFuture.runAsync(() -> {
                    winner.set(Barrier.currentOwnerId());
                    atomic(() -> read.set(r + 1));
                }).join();
            }
            written.set(r); // a different ref: the conflict is found by validating the read
        });
        assertEquals(List.of(winner.get()), opponents);
        assertEquals(1, written.committed());
    }
}
