package dev.weft.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The checker's twins: hand-written histories, each with exactly one textbook anomaly, must be
 * reported as that anomaly with the transactions involved; the same histories with the anomaly
 * removed must pass. Keys X, Y are registers or lists; values are written out so each history
 * reads like the diagram in Adya's thesis.
 */
class ForgedHistoryTest {
    private static final long X = 1;
    private static final long Y = 2;

    private final HistoryRecorder recorder = new HistoryRecorder();
    private final ThreadRecorder t1 = recorder.newThreadRecorder();
    private final ThreadRecorder t2 = recorder.newThreadRecorder();
    private final ThreadRecorder t3 = recorder.newThreadRecorder();

    private CheckResult check() {
        CheckResult result = SerializabilityChecker.check(recorder.history());
        System.out.println(result.describe());
        return result;
    }

    private static Set<Integer> threadsOf(Anomaly anomaly) {
        return anomaly.transactions().stream().map(Txn::thread).collect(Collectors.toSet());
    }

    @Test
    void serialHistoryIsValid() {
        t1.begin();
        t1.read(X, 0).write(X, 11).read(Y, 0).write(Y, 21).commit();
        t2.begin();
        t2.read(X, 11).write(X, 12).read(Y, 21).commit();
        t3.begin();
        t3.read(X, 12).read(Y, 21).commit();
        CheckResult result = check();
        assertTrue(result.valid(), result.describe());
        assertEquals(3, result.committed());
        assertTrue(result.dependencies() > 0, "a serial history with shared keys has dependencies");
    }

    @Test
    void writeSkewIsReportedAsG2() {
        // both doctors read that both are on call (0), each takes himself off call
        t1.begin();
        t1.read(X, 0).read(Y, 0).write(X, 11).commit();
        t2.begin();
        t2.read(X, 0).read(Y, 0).write(Y, 21).commit();
        CheckResult result = check();
        List<Anomaly.G2> g2 = result.anomaliesOf(Anomaly.G2.class);
        assertEquals(1, g2.size(), result.describe());
        assertTrue(g2.get(0).isWriteSkew(), result.describe());
        assertEquals(Set.of(0, 1), threadsOf(g2.get(0)));
        assertEquals(1, result.anomalies().size(), result.describe());
    }

    @Test
    void writeSkewAvoidedBySerialOrderIsValid() {
        t1.begin();
        t1.read(X, 0).read(Y, 0).write(X, 11).commit();
        t2.begin();
        t2.read(X, 11).read(Y, 0).commit(); // sees t1's write: t2 declines
        assertTrue(check().valid());
    }

    @Test
    void lostUpdateIsReported() {
        t1.begin();
        t1.read(X, 0).write(X, 11).commit();
        t2.begin();
        t2.read(X, 0).write(X, 21).commit();
        CheckResult result = check();
        List<Anomaly.LostUpdate> lost = result.anomaliesOf(Anomaly.LostUpdate.class);
        assertEquals(1, lost.size(), result.describe());
        assertEquals(X, lost.get(0).key());
        assertEquals(0, lost.get(0).readValue());
        assertEquals(Set.of(0, 1), threadsOf(lost.get(0)));
    }

    @Test
    void interleavedWritesAreReportedAsG0() {
        t1.begin();
        t1.append(X, 11).append(Y, 12).commit();
        t2.begin();
        t2.append(X, 21).append(Y, 22).commit();
        t3.begin();
        t3.readList(X, 11, 21).readList(Y, 22, 12).commit(); // x: t1 then t2; y: t2 then t1
        CheckResult result = check();
        List<Anomaly.G0> g0 = result.anomaliesOf(Anomaly.G0.class);
        assertEquals(1, g0.size(), result.describe());
        assertEquals(Set.of(0, 1), threadsOf(g0.get(0)));
        assertTrue(g0.get(0).cycle().stream().allMatch(d -> d.kind() == Dependency.Kind.WW));
    }

    @Test
    void circularInformationFlowIsReportedAsG1c() {
        t1.begin();
        t1.append(X, 11).readList(Y, 21).commit(); // t1 saw t2's append
        t2.begin();
        t2.append(Y, 21).readList(X, 11).commit(); // t2 saw t1's append
        CheckResult result = check();
        List<Anomaly.G1c> g1c = result.anomaliesOf(Anomaly.G1c.class);
        assertEquals(1, g1c.size(), result.describe());
        assertEquals(Set.of(0, 1), threadsOf(g1c.get(0)));
    }

    @Test
    void readSkewIsReportedAsGSingle() {
        t1.begin();
        t1.read(X, 0).write(X, 11).read(Y, 0).write(Y, 21).commit();
        t2.begin();
        t2.read(X, 0).read(Y, 21).commit(); // x from before t1, y from after t1
        CheckResult result = check();
        List<Anomaly.GSingle> single = result.anomaliesOf(Anomaly.GSingle.class);
        assertEquals(1, single.size(), result.describe());
        assertEquals(1, single.get(0).cycle().stream().filter(d -> d.kind() == Dependency.Kind.RW).count());
    }

    @Test
    void readOfAnAbortedWriteIsReportedAsG1a() {
        t1.begin();
        t1.write(X, 11).abort();
        t2.begin();
        t2.read(X, 11).commit();
        CheckResult result = check();
        List<Anomaly.G1a> g1a = result.anomaliesOf(Anomaly.G1a.class);
        assertEquals(1, g1a.size(), result.describe());
        assertEquals(1, g1a.get(0).reader().thread());
        assertEquals(Outcome.ABORTED, g1a.get(0).writer().outcome());
    }

    @Test
    void readOfAnUnfinishedAttemptsWriteIsReportedAsG1a() {
        t1.begin();
        t1.write(X, 11); // still running when the history is taken
        t2.begin();
        t2.read(X, 11).commit();
        CheckResult result = check();
        assertEquals(1, result.anomaliesOf(Anomaly.G1a.class).size(), result.describe());
        assertEquals(Outcome.UNFINISHED, result.anomaliesOf(Anomaly.G1a.class).get(0).writer().outcome());
    }

    @Test
    void readOfAnIntermediateWriteIsReportedAsG1b() {
        t1.begin();
        t1.write(X, 11).write(X, 12).commit();
        t2.begin();
        t2.read(X, 11).commit();
        CheckResult result = check();
        assertEquals(1, result.anomaliesOf(Anomaly.G1b.class).size(), result.describe());
    }

    @Test
    void readOfAnIntermediateListStateIsReportedAsG1b() {
        t1.begin();
        t1.append(X, 11).append(X, 12).commit();
        t2.begin();
        t2.readList(X, 11).commit();
        t3.begin();
        t3.readList(X, 11, 12).commit();
        CheckResult result = check();
        assertEquals(1, result.anomaliesOf(Anomaly.G1b.class).size(), result.describe());
    }

    @Test
    void zombieReadOfAnAbortedAttemptIsReportedAsNonOpaque() {
        // t1 moves money: x and y change together; the aborted attempt saw x before and y after
        t1.begin();
        t1.read(X, 0).write(X, 11).read(Y, 0).write(Y, 21).commit();
        t2.begin();
        t2.read(X, 0).read(Y, 21).abort();
        CheckResult result = check();
        List<Anomaly.NonOpaqueRead> zombies = result.anomaliesOf(Anomaly.NonOpaqueRead.class);
        assertEquals(1, zombies.size(), result.describe());
        assertEquals(1, zombies.get(0).attempt().thread());
        assertEquals(Outcome.ABORTED, zombies.get(0).attempt().outcome());
        assertEquals(1, result.anomalies().size(), "the committed part is serializable: " + result.describe());
    }

    @Test
    void consistentReadsOfAnAbortedAttemptAreValid() {
        t1.begin();
        t1.read(X, 0).write(X, 11).read(Y, 0).write(Y, 21).commit();
        t2.begin();
        t2.read(X, 11).read(Y, 21).abort();
        t3.begin();
        t3.read(X, 0).read(Y, 0).abort();
        assertTrue(check().valid());
    }

    @Test
    void inconsistentReadsOfARunningAttemptAreReportedAsNonOpaque() {
        t1.begin();
        t1.read(X, 0).write(X, 11).read(Y, 0).write(Y, 21).commit();
        t2.begin();
        t2.read(X, 11).read(Y, 0); // still running
        CheckResult result = check();
        assertEquals(1, result.anomaliesOf(Anomaly.NonOpaqueRead.class).size(), result.describe());
        assertEquals(Outcome.UNFINISHED, result.anomaliesOf(Anomaly.NonOpaqueRead.class).get(0).attempt().outcome());
    }

    @Test
    void zombieReadOfListsIsReportedAsNonOpaque() {
        t1.begin();
        t1.append(X, 11).append(Y, 12).commit();
        t2.begin();
        t2.readList(X, 11).readList(Y).abort(); // x after t1, y before t1
        t3.begin();
        t3.readList(X, 11).readList(Y, 12).commit();
        CheckResult result = check();
        assertEquals(1, result.anomaliesOf(Anomaly.NonOpaqueRead.class).size(), result.describe());
    }

    @Test
    void readContradictingOwnWriteIsReported() {
        t1.begin();
        t1.write(X, 11).read(X, 0).commit();
        CheckResult result = check();
        assertEquals(1, result.anomaliesOf(Anomaly.InternalRead.class).size(), result.describe());
    }

    @Test
    void listReadWithoutOwnAppendIsReported() {
        t1.begin();
        t1.append(X, 11).readList(X).commit();
        assertEquals(1, check().anomaliesOf(Anomaly.InternalRead.class).size());
    }

    @Test
    void readOfAValueNobodyWroteIsReported() {
        t1.begin();
        t1.read(X, 99).commit();
        assertEquals(1, check().anomaliesOf(Anomaly.GarbageRead.class).size());
    }

    @Test
    void listReadsThatDisagreeOnOrderAreReported() {
        t1.begin();
        t1.append(X, 11).commit();
        t2.begin();
        t2.append(X, 21).commit();
        t3.begin();
        t3.readList(X, 11, 21).commit();
        ThreadRecorder t4 = recorder.newThreadRecorder();
        t4.begin();
        t4.readList(X, 21).commit();
        CheckResult result = check();
        assertEquals(1, result.anomaliesOf(Anomaly.IncompatibleOrder.class).size(), result.describe());
    }

    @Test
    void duplicateValuesAreRejectedWithAdvice() {
        t1.begin();
        t1.write(X, 11).commit();
        t2.begin();
        t2.write(X, 11).commit();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SerializabilityChecker.check(recorder.history()));
        assertTrue(e.getMessage().contains("uniqueValue"), e.getMessage());
    }

    @Test
    void recordingWithoutAnOpenAttemptIsRejected() {
        assertThrows(IllegalStateException.class, () -> t1.read(X, 0));
        assertThrows(IllegalStateException.class, () -> t1.commit());
        t1.begin();
        assertThrows(IllegalArgumentException.class, () -> t1.write(X, History.INITIAL_VALUE));
    }

    @Test
    void assertValidFailsWithTheAnomalies() {
        t1.begin();
        t1.read(X, 0).write(X, 11).commit();
        t2.begin();
        t2.read(X, 0).write(X, 21).commit();
        CheckResult result = SerializabilityChecker.check(recorder.history());
        AssertionError error = assertThrows(AssertionError.class, result::assertValid);
        assertTrue(error.getMessage().contains("lost update"), error.getMessage());
        assertFalse(result.valid());
    }
}
