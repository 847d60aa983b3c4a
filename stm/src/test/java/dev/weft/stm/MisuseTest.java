package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The rows of the "Bad input" table in docs/semantics.md that no other test shows: each misuse
 * fails at the call with a typed exception that names what is wrong, and a transaction it
 * happens in publishes nothing.
 */
class MisuseTest {

    private static void assertNullRejected(String argument, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertEquals(argument, e.getMessage());
    }

    @Test
    void nullArgumentsAreRejectedWithTheirNameBeforeAnythingRuns() {
        AtomicInteger ran = new AtomicInteger();
        Runnable counted = ran::incrementAndGet;
        assertNullRejected("body", () -> Stm.atomicInt(null));
        assertNullRejected("body", () -> Stm.atomicDouble(null));
        assertNullRejected("body", () -> Stm.atomicBoolean(null));
        assertNullRejected("body", () -> atomic(TxnOptions.DEFAULT, (Runnable) null));
        assertNullRejected("first", () -> Stm.orElse((Runnable) null, counted));
        assertNullRejected("second", () -> Stm.orElse(counted, (Runnable) null));
        assertNullRejected("timeout", () -> Stm.retryFor(null));
        assertNullRejected("initial", () -> TxnLocal.withInitial(null));
        assertEquals(0, ran.get(), "no alternative may run when an argument is null");
    }

    @Test
    void nullHookOrDeciderInsideATransactionRollsItBack() {
        Counter a = new Counter(0);
        for (Runnable register : new Runnable[] {
                () -> Stm.beforeCommit(null), () -> Stm.afterCommit(null),
                () -> Stm.afterRollback(null), () -> Stm.setExternalDecider(null)}) {
            assertThrows(NullPointerException.class, () -> atomic(() -> {
                a.set(1);
                register.run();
            }));
            assertEquals(0, a.committed());
        }
    }

    @Test
    void retryForOutsideATransactionOrWithANegativeTimeoutIsRejected() {
        IllegalStateException outside = assertThrows(IllegalStateException.class,
                () -> Stm.retryFor(Duration.ofMillis(1)));
        assertTrue(outside.getMessage().contains("inside a transaction"), outside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Stm.retryFor(Duration.ofSeconds(-1)));

        Counter a = new Counter(0);
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> atomic(() -> {
            a.set(1);
            Stm.retryFor(Duration.ofMillis(-5));
        }));
        assertTrue(negative.getMessage().contains("negative"), negative.getMessage());
        assertEquals(0, a.committed());
    }

    @Test
    void interruptOfATransactionThatDoesNotBlockIsLeftForTheCaller() {
        Counter a = new Counter(0);
        Thread.currentThread().interrupt();
        try {
            atomic(() -> a.set(1));
            assertEquals(1, a.committed(), "a transaction that does not block commits despite the interrupt");
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void hookRegisteredByAnAfterCommitHookIsOutsideTheTransaction() {
        Counter a = new Counter(0);
        AfterCommitException e = assertThrows(AfterCommitException.class, () -> atomic(() -> {
            a.set(1);
            Stm.afterCommit(() -> Stm.afterCommit(() -> { }));   // runs after the commit: no transaction
        }));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(1, a.committed(), "the commit stands");
        assertFalse(Stm.inTransaction());
    }
}
