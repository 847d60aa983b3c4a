package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.internal.EngineProbe;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress without a global lock: long readers, losers that escalate, irrevocable isolation. */
class ProgressTest {

    /**
     * A sum over 100,000 refs while a writer keeps moving values between them: every sum is exact
     * and needs at most two attempts (a second one when a value it read changed before it could
     * go on as a registered snapshot reader; SnapshotPartWayTest has the single-attempt case).
     */
    @Test
    void longReadOnlyTransactionFinishesInAtMostTwoAttempts() throws Exception {
        int size = 100_000;
        Counter[] refs = Counter.array(size, 10);
        long expected = 10L * size;
        int sums = Scale.of(20);
        AtomicLong writerCommits = new AtomicLong();
        AtomicInteger worstAttempts = new AtomicInteger();
        Workers workers = new Workers();
        workers.add(1, w -> {
            SplittableRandom random = new SplittableRandom(7);
            while (!workers.stop.get()) {
                // Half the transfers hit the same two refs, so the reader's snapshot needs values
                // that were overwritten many times while it ran.
                boolean hot = random.nextBoolean();
                int from = hot ? 0 : random.nextInt(size);
                int to = hot ? size - 1 : random.nextInt(size);
                atomic(() -> {
                    refs[from].add(-1);
                    refs[to].add(1);
                });
                writerCommits.incrementAndGet();
            }
        });
        workers.add(1, w -> {
            try {
                // the sums must overlap the writer: on a busy machine it could otherwise start late
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (writerCommits.get() == 0) {
                    assertTrue(System.nanoTime() - deadline < 0, "the writer never committed within 60 s");
                    Thread.yield();
                }
                for (int i = 0; i < sums; i++) {
                    AtomicInteger attempts = new AtomicInteger();
                    long commitsBefore = writerCommits.get();
                    long sum = Stm.atomicLong(() -> {
                        attempts.incrementAndGet();
                        long total = 0;
                        for (Counter ref : refs) {
                            total += ref.get();
                        }
                        return total;
                    });
                    assertEquals(expected, sum, "the sum saw money in flight");
                    worstAttempts.accumulateAndGet(attempts.get(), Math::max);
                    assertTrue(attempts.get() <= 2, "sum " + i + " needed " + attempts.get()
                            + " attempts while the writer committed "
                            + (writerCommits.get() - commitsBefore) + " transfers");
                }
            } finally {
                workers.stop.set(true);
            }
        });
        workers.runAll(120);
        assertTrue(writerCommits.get() > 0, "the writer never ran: the test proved nothing");
    }

    /**
     * A large transaction against threads hammering the same refs keeps losing; after the bounded
     * number of aborts it becomes irrevocable and commits.
     */
    @Test
    void transactionThatKeepsLosingEscalatesAndCommits() throws Exception {
        int size = 64;
        Counter[] hot = Counter.array(size, 0);
        int bigTransactions = Scale.of(20);
        AtomicInteger worstAttempts = new AtomicInteger();
        AtomicLong hammered = new AtomicLong();
        Workers workers = new Workers();
        workers.add(2, w -> {
            SplittableRandom random = new SplittableRandom(w);
            while (!workers.stop.get()) {
                int i = random.nextInt(size);
                atomic(() -> hot[i].add(1));
                hammered.incrementAndGet();
            }
        });
        workers.add(1, w -> {
            try {
                for (int round = 0; round < bigTransactions; round++) {
                    AtomicInteger attempts = new AtomicInteger();
                    atomic(() -> {
                        attempts.incrementAndGet();
                        for (Counter ref : hot) {
                            ref.add(1_000);
                            Thread.onSpinWait(); // a slow body widens the conflict window
                        }
                    });
                    worstAttempts.accumulateAndGet(attempts.get(), Math::max);
                }
            } finally {
                workers.stop.set(true);
            }
        });
        workers.runAll(120);
        assertTrue(worstAttempts.get() <= EngineProbe.irrevocableAfter() + 1,
                "a transaction ran " + worstAttempts.get() + " attempts; escalation is bounded by "
                        + (EngineProbe.irrevocableAfter() + 1));
        long total = 0;
        for (Counter ref : hot) {
            total += ref.committed();
        }
        assertEquals(1_000L * size * bigTransactions + hammered.get(), total, "an update was lost");
    }

    /**
     * While an irrevocable transaction is parked inside its body holding reservations, readers of
     * its refs and writers of other refs proceed; a writer of its refs waits and is serialized
     * after it.
     */
    @Test
    void irrevocableTransactionDoesNotStopReadersOrDisjointWriters() throws Exception {
        Counter touched = new Counter(0);
        Counter onlyRead = new Counter(0);
        Counter untouched = new Counter(0);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong irrevocableAttempts = new AtomicLong();
        Thread irrevocable = new Thread(() -> EngineProbe.runIrrevocably(() -> {
            irrevocableAttempts.incrementAndGet();
            assertTrue(EngineProbe.isIrrevocable());
            touched.set(touched.get() + onlyRead.get() + 10);
            holding.countDown();
            try {
                assertTrue(release.await(60, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }), "irrevocable");
        irrevocable.start();
        assertTrue(holding.await(60, TimeUnit.SECONDS));
        assertTrue(EngineProbe.isReserved(touched));
        assertTrue(EngineProbe.isReserved(onlyRead), "a ref only read is reserved too");

        // Readers of the reserved ref and writers of other refs run to completion right now.
        assertEquals(0, touched.committed());
        assertEquals(0, Stm.atomicLong(touched::get));
        for (int i = 0; i < 1_000; i++) {
            atomic(() -> untouched.add(touched.get() + 1));
        }
        assertEquals(1_000, untouched.committed());

        // A writer of the reserved ref cannot commit until the irrevocable one has.
        AtomicLong writerSaw = new AtomicLong(-1);
        Thread writer = new Thread(() -> atomic(() -> {
            long seen = touched.get();
            writerSaw.set(seen);
            touched.set(seen + 1);
        }), "writer-of-touched");
        writer.start();
        // A writer of a ref the irrevocable one only read: if it could commit now, the irrevocable
        // commit would rest on a stale read (onlyRead = 100, touched = 10: no serial order).
        Thread readDependent = new Thread(() -> atomic(() -> onlyRead.set(touched.get() + 100)),
                "writer-of-onlyRead");
        readDependent.start();
        release.countDown();
        irrevocable.join(60_000);
        writer.join(60_000);
        readDependent.join(60_000);
        assertFalse(irrevocable.isAlive() || writer.isAlive() || readDependent.isAlive());
        long onlyReadFinal = onlyRead.committed();
        assertTrue(onlyReadFinal == 110 || onlyReadFinal == 111,
                "onlyRead = " + onlyReadFinal + ": its writer must serialize after the irrevocable commit");
        assertEquals(1, irrevocableAttempts.get(), "an irrevocable transaction never re-runs");
        assertEquals(11, touched.committed(), "the writer must serialize after the irrevocable commit");
        assertEquals(10, writerSaw.get());
        assertFalse(EngineProbe.isReserved(touched), "reservations are released at commit");
        assertFalse(EngineProbe.isReserved(onlyRead), "read reservations are released at commit");
    }

    /**
     * An irrevocable transaction that writes nothing gives its read reservations back at commit
     * too: a reservation left behind would make every later writer of the cell wait forever
     * (a one-cell update) or abort until it runs irrevocably itself.
     */
    @Test
    void aReadOnlyIrrevocableTransactionReleasesItsReservations() throws Exception {
        Counter read = new Counter(7);
        long seen = Stm.atomic(TxnOptions.DEFAULT.withIrrevocable(true), () -> read.get());
        assertEquals(7, seen);
        assertFalse(EngineProbe.isReserved(read), "a read-only irrevocable commit left its reservation");
        Thread writer = new Thread(() -> read.setAtomically(8), "one-cell-writer");
        writer.start();
        writer.join(10_000);
        assertFalse(writer.isAlive(), "a one-cell update waits for a reservation nobody holds");
        assertEquals(8, read.committed());
    }
}
