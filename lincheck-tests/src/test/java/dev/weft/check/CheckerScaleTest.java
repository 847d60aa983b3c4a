package dev.weft.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The checker stays linear: a serial history of 50,000 x {@code weft.test.scale} transactions
 * (10^6 under -Pstress) is accepted, and the same history with one write skew appended is
 * rejected. The elapsed time is printed, never asserted (speed goals live in JMH).
 */
class CheckerScaleTest {
    private static final int TRANSACTIONS = 50_000 * WeftLincheck.scale();

    @Test
    void largeSerialHistoryIsAccepted() {
        History history = SerialHistories.generate(42, TRANSACTIONS, 4).history();
        long started = System.nanoTime();
        CheckResult result = SerializabilityChecker.check(history);
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("checked %,d attempts, %,d ops, %,d dependencies in %,d ms%n", history.size(),
                history.opCount(), result.dependencies(), millis);
        assertTrue(result.valid(), result::describe);
        assertEquals(TRANSACTIONS, history.size());
    }

    @Test
    void largeHistoryWithOneWriteSkewIsRejected() {
        HistoryRecorder recorder = SerialHistories.generate(43, TRANSACTIONS, 4);
        ThreadRecorder doctorA = recorder.newThreadRecorder();
        ThreadRecorder doctorB = recorder.newThreadRecorder();
        long alice = -1;
        long bob = -2; // fresh keys, still at their initial value
        doctorA.begin();
        doctorA.read(alice, 0).read(bob, 0).write(alice, doctorA.uniqueValue()).commit();
        doctorB.begin();
        doctorB.read(alice, 0).read(bob, 0).write(bob, doctorB.uniqueValue()).commit();
        CheckResult result = SerializabilityChecker.check(recorder.history());
        assertEquals(1, result.anomaliesOf(Anomaly.G2.class).size(), result::describe);
        assertEquals(1, result.anomalies().size(), result::describe);
        assertTrue(result.anomaliesOf(Anomaly.G2.class).get(0).isWriteSkew());
    }

    @Test
    void serialHistoriesOfManySeedsAreAccepted() {
        for (long seed = 0; seed < 200; seed++) {
            CheckResult result = SerializabilityChecker.check(SerialHistories.generate(seed, 300, 3).history());
            long failingSeed = seed;
            assertTrue(result.valid(), () -> "seed " + failingSeed + ": " + result.describe());
        }
    }
}
