package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.refs.LongRef;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class TCounterTest {
    /** A counter under test; {@code window} runs where a broken increment is not atomic. */
    interface Counter {
        void increment(Runnable window);

        long total();
    }

    static Counter striped() {
        TCounter counter = new TCounter();
        return new Counter() {
            private int calls; // racy on purpose: only alternates the two ways in

            @Override
            public void increment(Runnable window) {
                // alternate the two ways in: one-cell operation, and inside a transaction
                if ((calls++ & 1) == 0) {
                    counter.atomic().increment();
                } else {
                    atomic(counter::increment);
                }
            }

            @Override
            public long total() {
                return counter.atomic().get();
            }
        };
    }

    /** Broken: reads in one transaction, writes the incremented value in another. */
    static Counter readThenWrite() {
        LongRef value = new LongRef();
        return new Counter() {
            @Override
            public void increment(Runnable window) {
                long v = value.atomic().get();
                window.run();
                value.atomic().set(v + 1);
            }

            @Override
            public long total() {
                return value.atomic().get();
            }
        };
    }

    /** Threads increment (each window adds one more increment); no increment may be lost. */
    static void assertNoIncrementLost(java.util.function.Supplier<Counter> factory, long seed) {
        int perThread = Scale.of(20_000);
        Counter shared = factory.get();
        java.util.concurrent.atomic.AtomicLong windows = new java.util.concurrent.atomic.AtomicLong();
        Racers.Body body = thread -> {
            for (int i = 0; i < perThread; i++) {
                shared.increment(() -> {
                    windows.incrementAndGet();
                    shared.increment(() -> { });
                });
            }
        };
        Racers.run(seed, body, body);
        assertEquals(2L * perThread + windows.get(), shared.total(), "increments lost (seed " + seed + ")");
    }

    @Test
    void concurrentIncrementsAreNeverLost() {
        assertNoIncrementLost(TCounterTest::striped, System.nanoTime());
    }

    @Test
    void brokenTwinReadThenWriteLosesIncrements() {
        long seed = System.nanoTime();
        assertThrows(AssertionFailedError.class, () -> assertNoIncrementLost(TCounterTest::readThenWrite, seed));
    }

    @Test
    void aCounterChangeRollsBackWithItsTransaction() {
        TCounter counter = new TCounter();
        counter.atomic().add(5);
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            counter.add(10);
            assertEquals(15, counter.get());
            throw new DeliberateFailure();
        }));
        assertEquals(5, counter.atomic().get());
        assertThrows(IllegalStateException.class, counter::increment);
    }
}
