package dev.weft.scheduler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.scheduler.Conflict;
import dev.weft.scheduler.ContentionPolicy;
import org.junit.jupiter.api.Test;

/** The priority policies' decisions and the backoff's bounds, on hand-made conflicts. */
class PriorityPolicyTest {

    private record Seen(int attempts, boolean opponentKnown, long taskStartNanos, long opponentStartNanos,
                        long taskWorkNanos, long opponentWorkNanos, long taskSize, long opponentSize)
            implements Conflict {
        Seen(int attempts, boolean opponentKnown, long taskStartNanos, long opponentStartNanos,
             long taskWorkNanos, long opponentWorkNanos) {
            this(attempts, opponentKnown, taskStartNanos, opponentStartNanos, taskWorkNanos,
                    opponentWorkNanos, 0, 0);
        }

        @Override
        public int taskAborts() {
            return attempts;
        }

        @Override
        public boolean lostOnRead() {
            return false;
        }
    }

    @Test
    void theOlderTaskRetriesAtOnceThenEscalatesAndTheYoungerWaits() {
        ContentionPolicy policy = ContentionPolicy.olderWins();
        assertEquals(0, policy.onConflict(new Seen(1, true, 100, 200, 0, 0)));
        assertEquals(ContentionPolicy.ESCALATE, policy.onConflict(new Seen(2, true, 100, 200, 0, 0)));
        assertEquals(PriorityPolicy.YIELD_NANOS, policy.onConflict(new Seen(5, true, 300, 200, 0, 0)));
    }

    @Test
    void theTaskWithMoreWorkWinsAndTiesGoToTheOlder() {
        ContentionPolicy policy = ContentionPolicy.largerWins();
        assertEquals(ContentionPolicy.ESCALATE, policy.onConflict(new Seen(2, true, 300, 200, 900, 100)));
        assertEquals(PriorityPolicy.YIELD_NANOS, policy.onConflict(new Seen(2, true, 100, 200, 100, 900)));
        assertEquals(0, policy.onConflict(new Seen(1, true, 100, 200, 500, 500)));
    }

    @Test
    void theTaskThatAccessedMoreRefsWinsWhateverItsWorkAndAge() {
        ContentionPolicy policy = ContentionPolicy.largerWins();
        // younger and with less time invested, but 40 refs against 12: it has priority
        assertEquals(ContentionPolicy.ESCALATE, policy.onConflict(new Seen(2, true, 300, 200, 100, 900, 40, 12)));
        // older and with more time invested, but smaller: it yields
        assertEquals(PriorityPolicy.YIELD_NANOS, policy.onConflict(new Seen(2, true, 100, 200, 900, 100, 12, 40)));
        // equal sizes: work decides, then age
        assertEquals(ContentionPolicy.ESCALATE, policy.onConflict(new Seen(2, true, 300, 200, 900, 100, 12, 12)));
        assertEquals(0, policy.onConflict(new Seen(1, true, 100, 200, 500, 500, 12, 12)));
        assertEquals(PriorityPolicy.YIELD_NANOS, policy.onConflict(new Seen(1, true, 300, 200, 500, 500, 12, 12)));
    }

    @Test
    void olderWinsIgnoresSizes() {
        ContentionPolicy policy = ContentionPolicy.olderWins();
        assertEquals(PriorityPolicy.YIELD_NANOS, policy.onConflict(new Seen(2, true, 300, 200, 0, 0, 1_000, 1)));
    }

    @Test
    void unknownOpponentsGetJitteredExponentialBackoffWithinBounds() {
        ContentionPolicy policy = ContentionPolicy.olderWins();
        for (int attempts = 1; attempts < 30; attempts++) {
            long wait = policy.onConflict(new Seen(attempts, false, 0, Long.MAX_VALUE, 0, -1));
            long bound = Math.min(256L << Math.min(attempts - 1, 40), 128_000);
            assertTrue(wait >= 0 && wait <= bound, "attempt " + attempts + " waited " + wait);
        }
    }
}
