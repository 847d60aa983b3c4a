package dev.weft.stm;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Single-threaded rules of {@link Stm#atomic}: results, rollback, nesting, misuse. */
class TransactionSemanticsTest {

    @Test
    void committedWritesAreVisibleAfterwards() {
        Counter a = new Counter(1);
        Counter b = new Counter(2);
        atomic(() -> {
            a.set(10);
            b.add(5);
        });
        assertEquals(10, a.committed());
        assertEquals(7, b.committed());
    }

    @Test
    void valueReturningFormsReturnTheBodyResult() {
        Counter a = new Counter(40);
        assertEquals(42L, Stm.atomicLong(() -> a.get() + 2));
        assertEquals(41, Stm.atomicInt(() -> (int) a.get() + 1));
        assertEquals(20.0, Stm.atomicDouble(() -> a.get() / 2.0));
        assertTrue(Stm.atomicBoolean(() -> a.get() == 40));
        assertEquals("40", atomic(() -> Long.toString(a.get())));
        assertNull(atomic(() -> null));
    }

    @Test
    void readsSeeTheTransactionsOwnWrites() {
        Counter a = new Counter(1);
        long seen = Stm.atomicLong(() -> {
            a.set(5);
            a.add(1);
            return a.get();
        });
        assertEquals(6, seen);
    }

    @Test
    void manyWritesUseTheIndexedWriteLogCorrectly() {
        Counter[] cells = Counter.array(1_000, 0);
        long sum = Stm.atomicLong(() -> {
            for (int i = 0; i < cells.length; i++) {
                cells[i].set(i);
            }
            for (int i = 0; i < cells.length; i++) {
                cells[i].add(1); // read-your-write through the hash index
            }
            long total = 0;
            for (Counter cell : cells) {
                total += cell.get();
            }
            return total;
        });
        assertEquals(1_000L * 1_001 / 2, sum);
        for (int i = 0; i < cells.length; i++) {
            assertEquals(i + 1, cells[i].committed());
        }
    }

    @Test
    void exceptionRollsBackEveryWriteAndPropagatesUnchanged() {
        Counter a = new Counter(1);
        Counter b = new Counter(2);
        IllegalArgumentException thrown = new IllegalArgumentException("boom");
        IllegalArgumentException caught = assertThrows(IllegalArgumentException.class, () -> atomic(() -> {
            a.set(100);
            b.set(200);
            throw thrown;
        }));
        assertSame(thrown, caught, "the body's exception propagates unchanged, not wrapped");
        assertEquals(1, a.committed());
        assertEquals(2, b.committed());
        atomic(() -> a.add(1)); // the thread's descriptor is usable again
        assertEquals(2, a.committed());
    }

    @Test
    void errorsAlsoRollBack() {
        Counter a = new Counter(1);
        assertThrows(StackOverflowError.class, () -> atomic(() -> {
            a.set(7);
            throw new StackOverflowError("test");
        }));
        assertEquals(1, a.committed());
    }

    @Test
    void nestedAtomicJoinsTheOuterTransaction() {
        Counter a = new Counter(0);
        assertThrows(IllegalStateException.class, () -> atomic(() -> {
            atomic(() -> a.set(5));
            assertTrue(Stm.inTransaction());
            assertEquals(5, a.get(), "the outer transaction sees the nested write");
            assertEquals(0, a.committed(), "the nested write is not committed on its own");
            throw new IllegalStateException("roll back both");
        }));
        assertEquals(0, a.committed());
        assertFalse(Stm.inTransaction());
    }

    @Test
    void inTransactionMethodOutsideATransactionThrowsWithAdvice() {
        Counter a = new Counter(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, a::get);
        assertTrue(e.getMessage().contains("Stm.atomic"), e.getMessage());
        assertTrue(e.getMessage().contains("atomic()"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> a.set(1));
        assertEquals(0, a.committed());
    }

    @Test
    void aTransactionIsBoundToItsThread() throws Exception {
        Counter a = new Counter(0);
        AtomicReference<Throwable> fromOtherThread = new AtomicReference<>();
        atomic(() -> {
            a.set(1);
            Thread helper = new Thread(() -> {
                try {
                    a.set(99); // not part of the caller's transaction: must be refused
                } catch (Throwable t) {
                    fromOtherThread.set(t);
                }
            });
            helper.start();
            try {
                helper.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(fromOtherThread.get() instanceof IllegalStateException, String.valueOf(fromOtherThread.get()));
        assertTrue(fromOtherThread.get().getMessage().contains("belongs to the thread"));
        assertEquals(1, a.committed());
    }

    @Test
    void nullBodyIsRejected() {
        assertThrows(NullPointerException.class, () -> atomic((Runnable) null));
        assertThrows(NullPointerException.class, () -> Stm.atomicLong(null));
    }

    @Test
    void readOnlyTransactionsWriteNoSharedMemoryOnceTheClockCoversWhatTheyRead() {
        Counter a = new Counter(3);
        Counter b = new Counter(5);
        atomic(() -> a.set(4)); // commits do not move the clock: a is now newer than it
        long version = versionOf(a);
        assertEquals(9, Stm.atomicLong(() -> a.get() + b.get())); // the first two-cell reader advances it
        long clock = dev.weft.stm.internal.EngineProbe.clock();
        assertTrue(clock >= version, "the reader advanced the clock to the version it read");
        for (int i = 0; i < 100; i++) {
            Stm.atomicLong(() -> a.get() + b.get());
            Stm.atomicLong(a::get);
        }
        assertEquals(clock, dev.weft.stm.internal.EngineProbe.clock(), "200 read-only transactions moved the clock");
        assertEquals(version, versionOf(a), "a read-only transaction changed a version");
    }

    private static long versionOf(Counter cell) {
        return dev.weft.stm.internal.EngineProbe.version(cell);
    }
}
