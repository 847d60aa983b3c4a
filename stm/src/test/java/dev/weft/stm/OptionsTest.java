package dev.weft.stm;

import static dev.weft.stm.RetryTest.async;
import static dev.weft.stm.RetryTest.awaitParked;
import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.retry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.internal.EngineProbe;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** TxnOptions, timeouts and interrupts: each ends the transaction with a typed outcome, rolled back. */
class OptionsTest {

    @Test
    void readOnlyTransactionRejectsWritesAndWritesNothing() {
        Counter a = new Counter(1);
        TxnOptions readOnly = TxnOptions.DEFAULT.withReadOnly(true);
        assertEquals(1L, (long) atomic(readOnly, () -> a.get()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> atomic(readOnly, () -> {
            a.get();
            a.set(2);
        }));
        assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        assertEquals(1, a.committed());
        assertThrows(IllegalStateException.class, () -> atomic(readOnly, () -> a.commuteAdd(1)));
        assertEquals(1, a.committed());
    }

    @Test
    void maxAttemptsEndsAKeepsLosingTransactionWithTooManyAttempts() {
        Counter contended = new Counter(0);
        Counter mine = new Counter(0);
        AtomicInteger runs = new AtomicInteger();
        TooManyAttemptsException e = assertThrows(TooManyAttemptsException.class,
                () -> atomic(TxnOptions.DEFAULT.withMaxAttempts(3), () -> {
                    runs.incrementAndGet();
                    mine.set(contended.get() + 1);
                    // another thread commits to what we read: our commit validation must fail
                    CompletableFuture.runAsync(() -> contended.setAtomically(contended.committed() + 1)).join();
                }));
        assertEquals(3, e.attempts());
        assertEquals(3, runs.get());
        assertEquals(0, mine.committed());
    }

    @Test
    void irrevocableOptionRunsIrrevocablyFromTheFirstAttempt() {
        AtomicBoolean irrevocable = new AtomicBoolean();
        Counter a = new Counter(0);
        atomic(TxnOptions.DEFAULT.withIrrevocable(true), () -> {
            a.set(1);
            irrevocable.set(EngineProbe.isIrrevocable());
        });
        assertTrue(irrevocable.get());
        assertEquals(1, a.committed());
        assertFalse(EngineProbe.isReserved(a));
    }

    @Test
    void timeoutWhileBlockedInRetryRollsBackWithTimeoutException() {
        Counter never = new Counter(0);
        Counter written = new Counter(0);
        TransactionTimeoutException e = assertThrows(TransactionTimeoutException.class,
                () -> atomic(TxnOptions.DEFAULT.withTimeout(Duration.ofMillis(50)), () -> {
                    written.set(1);
                    if (never.get() == 0) {
                        retry();
                    }
                }));
        assertTrue(e.getMessage().contains("PT0.05S"), e.getMessage());
        assertEquals(0, written.committed());
    }

    @Test
    void timeoutPassingDuringACommitLetsTheCommitFinish() {
        Counter a = new Counter(0);
        atomic(TxnOptions.DEFAULT.withTimeout(Duration.ofMillis(5)), () -> {
            a.set(1);
            Stm.setExternalDecider(() -> { // the deadline passes while the commit holds its locks
                sleep(30);
                return true;
            });
        });
        assertEquals(1, a.committed());
    }

    @Test
    void interruptWhileParkedRollsBackThrowsAndKeepsTheInterruptStatus() throws Exception {
        Counter gate = new Counter(0);
        Counter written = new Counter(0);
        AtomicBoolean statusAfter = new AtomicBoolean();
        CompletableFuture<Long> waiter = async("interrupted", () -> {
            try {
                return Stm.atomicLong(() -> {
                    written.set(1);
                    if (gate.get() == 0) {
                        retry();
                    }
                    return 1;
                });
            } finally {
                statusAfter.set(Thread.currentThread().isInterrupted());
            }
        });
        awaitParked(waiter);
        RetryTest.THREADS.get(waiter).interrupt();
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(20, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof TransactionInterruptedException, String.valueOf(e.getCause()));
        assertTrue(statusAfter.get());
        assertEquals(0, written.committed());
        assertFalse(EngineProbe.anyoneWaiting());
    }

    @Test
    void alreadyInterruptedThreadThatRetriesThrowsAtOnce() {
        Counter gate = new Counter(0);
        Thread.currentThread().interrupt();
        try {
            assertThrows(TransactionInterruptedException.class, () -> atomic(() -> {
                if (gate.get() == 0) {
                    retry();
                }
            }));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void invalidOptionsAreRejectedWithClearMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TxnOptions.DEFAULT.withMaxAttempts(0));
        assertTrue(e.getMessage().contains("maxAttempts"));
        assertThrows(IllegalArgumentException.class, () -> TxnOptions.DEFAULT.withTimeout(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> TxnOptions.DEFAULT.withTimeout(null));
        assertThrows(NullPointerException.class, () -> atomic((TxnOptions) null, () -> { }));
    }

    @Test
    void optionsOfANestedCallAreIgnored() {
        Counter a = new Counter(0);
        atomic(() -> atomic(TxnOptions.DEFAULT.withReadOnly(true), () -> a.set(1)));
        assertEquals(1, a.committed());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
