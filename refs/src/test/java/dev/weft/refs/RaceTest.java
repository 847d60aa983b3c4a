package dev.weft.refs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The twins of the concurrency tests: the harness and the lost-update check must be able to fail.
 */
class RaceTest {

    @Test
    void lostUpdateCheckCatchesAnIncrementThatIsNotAtomic() {
        // A deliberately broken increment: read and write are two separate one-operation calls,
        // and the barrier makes every racer read before any writes, so each round loses all but
        // one increment. The total the concurrency tests demand must then not be reached.
        int rounds = 100;
        LongRef counter = new LongRef();
        CyclicBarrier allRead = new CyclicBarrier(Race.THREADS);
        CyclicBarrier allWrote = new CyclicBarrier(Race.THREADS);
        Race.run(thread -> {
            for (int i = 0; i < rounds; i++) {
                long seen = counter.atomic().get();
                allRead.await(60, TimeUnit.SECONDS);
                counter.atomic().set(seen + 1);
                allWrote.await(60, TimeUnit.SECONDS);
            }
        });
        long expected = (long) Race.THREADS * rounds;
        assertEquals(rounds, counter.atomic().get(), "every round should lose all but one increment");
        assertTrue(counter.atomic().get() < expected);
    }

    @Test
    void failureOfOneRacerFailsTheRace() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Race.run(thread -> {
            if (thread == 2) {
                throw new IllegalStateException("racer 2 broke");
            }
        }));
        assertTrue(e.getCause() instanceof IllegalStateException, () -> "cause: " + e.getCause());
    }
}
