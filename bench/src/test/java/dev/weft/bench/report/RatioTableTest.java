package dev.weft.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RatioTableTest {

    @Test
    void ratioErrorAddsRelativeErrorsInQuadrature() {
        Score ratio = new Score(30, 3).dividedBy(new Score(10, 0.4));

        assertEquals(3.0, ratio.value(), 1e-12);
        assertEquals(3.0 * Math.sqrt(0.1 * 0.1 + 0.04 * 0.04), ratio.error(), 1e-12);
    }

    @Test
    void ratioErrorIsUnknownWhenAScoreErrorIsUnknown() {
        assertTrue(Double.isNaN(new Score(30, Double.NaN).dividedBy(new Score(10, 1)).error()));
    }

    @Test
    void dividingByAZeroScoreIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Score(1, 0).dividedBy(new Score(0, 0)));
    }

    @Test
    void overlapIsDecidedByTheSumOfTheErrors() {
        assertTrue(new Score(10, 1).overlaps(new Score(11.5, 0.5)));
        assertFalse(new Score(10, 1).overlaps(new Score(11.6, 0.5)));
    }

    @Test
    void weftIsDividedByTheBestStmPeerAndByAtomicLongBeforeTheLock() {
        RatioTable table = RatioTable.of(new ForgedJmh()
                .thrpt("IncrementOneBenchmark.weft", 1, 30, 1.5)
                .thrpt("IncrementOneBenchmark.multiverse", 1, 15, 0.6)
                .thrpt("IncrementOneBenchmark.scalaStm", 1, 13.6, 1.6)
                .thrpt("IncrementOneBenchmark.clojure", 1, 4, 0.4)
                .thrpt("IncrementOneBenchmark.lock", 1, 218, 7)
                .thrpt("IncrementOneBenchmark.atomicLong", 1, 450, 24)
                .parse());

        assertEquals(1, table.rows().size());
        RatioTable.Row row = table.rows().get(0);
        assertEquals("multiverse", row.bestPeer().method());
        assertEquals(2.0, row.versusPeer().value(), 1e-9);
        assertEquals("atomicLong", row.reference().method());
        assertEquals(30 / 450.0, row.versusReference().value(), 1e-9);
    }

    @Test
    void everyWeftVariantGetsItsOwnRowAndCasesAreSeparatedByThreads() {
        RatioTable table = RatioTable.of(new ForgedJmh()
                .thrpt("TransferBenchmark.weft", 1, 14, 1)
                .thrpt("TransferBenchmark.weftInlineLambda", 1, 13, 1)
                .thrpt("TransferBenchmark.scalaStm", 1, 7, 1)
                .thrpt("TransferBenchmark.weft", 2, 8, 1)
                .thrpt("TransferBenchmark.scalaStm", 2, 8, 1)
                .parse());

        assertEquals(List.of("weft@1", "weftInlineLambda@1", "weft@2"), table.rows().stream()
                .map(r -> r.weft().method() + "@" + r.benchmarkCase().threads()).toList());
        assertEquals(1.0, table.rows().get(2).versusPeer().value(), 1e-9);
        assertNull(table.rows().get(0).reference(), "no baseline ran");
    }

    @Test
    void inTimeModesLowerIsBetterSoTheAdvantageIsInverted() {
        RatioTable table = RatioTable.of(new ForgedJmh()
                .add("LatencyBenchmark.weft", "avgt", 1, Map.of(), 2, 0.1, Double.NaN)
                .add("LatencyBenchmark.multiverse", "avgt", 1, Map.of(), 6, 0.1, Double.NaN)
                .add("LatencyBenchmark.clojure", "avgt", 1, Map.of(), 9, 0.1, Double.NaN)
                .parse());

        RatioTable.Row row = table.rows().get(0);
        assertEquals("multiverse", row.bestPeer().method(), "the fastest peer has the lowest time");
        assertEquals(3.0, row.versusPeer().value(), 1e-9);
    }

    @Test
    void casesWithoutWeftAreLeftOut() {
        assertTrue(RatioTable.of(new ForgedJmh().thrpt("ProgressBenchmark.writerAlone", 1, 8, 1).parse())
                .rows().isEmpty());
    }

    @Test
    void theReferenceFollowsThePreferenceThenAnyOtherBaseline() {
        assertEquals(Optional.of("concurrentHashMap"),
                RatioTable.reference(List.of("weft", "lock", "concurrentHashMap", "scalaStm")));
        assertEquals(Optional.of("lock"), RatioTable.reference(List.of("weft", "lock", "multiverse")));
        assertEquals(Optional.of("synchronizedMap"), RatioTable.reference(List.of("weft", "synchronizedMap")));
        assertEquals(Optional.empty(), RatioTable.reference(List.of("weft", "clojure")));
    }

    @Test
    void eachWeftMethodMeetsOnlyPeersDoingTheSameOperation() {
        RatioTable table = RatioTable.of(new ForgedJmh()
                .thrpt("CommuteHotSpotBenchmark.weftCommute", 1, 20, 1)
                .thrpt("CommuteHotSpotBenchmark.weftOneOp", 1, 100, 1)
                .thrpt("CommuteHotSpotBenchmark.weftCounter", 1, 150, 1)
                .thrpt("CommuteHotSpotBenchmark.multiverseCommute", 1, 10, 1)
                .thrpt("CommuteHotSpotBenchmark.clojureCommute", 1, 4, 1)
                .thrpt("CommuteHotSpotBenchmark.multiverseOneOp", 1, 80, 1)
                .thrpt("CommuteHotSpotBenchmark.atomicLong", 1, 200, 1)
                .parse());

        Map<String, RatioTable.Row> rows = new java.util.HashMap<>();
        table.rows().forEach(row -> rows.put(row.weft().method(), row));
        assertEquals("multiverseCommute", rows.get("weftCommute").bestPeer().method());
        assertEquals("multiverseOneOp", rows.get("weftOneOp").bestPeer().method(),
                "the faster multiverseOneOp is not the commute's peer, nor the commute the one-op's");
        assertEquals(1.25, rows.get("weftOneOp").versusPeer().value(), 1e-9);
        assertNull(rows.get("weftCounter").bestPeer(), "no peer has a striped counter");
        assertNull(rows.get("weftCounter").versusPeer());
        assertEquals("atomicLong", rows.get("weftCounter").reference().method());
    }

    @Test
    void aWeftCallOutsideTransactionsIsNotSetAgainstThePeersTransactions() {
        RatioTable table = RatioTable.of(new ForgedJmh()
                .thrpt("QueueRoundTripBenchmark.weft", 1, 25, 1)
                .thrpt("QueueRoundTripBenchmark.weftInTransaction", 1, 12, 1)
                .thrpt("QueueRoundTripBenchmark.multiverseInTransaction", 1, 1, 0.1)
                .thrpt("QueueRoundTripBenchmark.clojureInTransaction", 1, 2, 0.1)
                .thrpt("QueueRoundTripBenchmark.concurrentLinkedQueue", 1, 60, 1)
                .parse());

        RatioTable.Row outside = table.rows().get(0);
        RatioTable.Row inTransaction = table.rows().get(1);
        assertEquals("weft", outside.weft().method());
        assertNull(outside.bestPeer());
        assertEquals("concurrentLinkedQueue", outside.reference().method());
        assertEquals("clojureInTransaction", inTransaction.bestPeer().method());
        assertEquals(6.0, inTransaction.versusPeer().value(), 1e-9);
    }

    @Test
    void anInlineLambdaVariantMeetsThePlainOperationsPeers() {
        RatioTable table = RatioTable.of(new ForgedJmh()
                .thrpt("TransferBenchmark.weftInlineLambda", 1, 13, 1)
                .thrpt("TransferBenchmark.scalaStm", 1, 6.5, 1)
                .parse());

        assertEquals("scalaStm", table.rows().get(0).bestPeer().method());
        assertEquals(2.0, table.rows().get(0).versusPeer().value(), 1e-9);
    }

    @Test
    void putsMeetPutsAndTakesMeetTakesAmongPeersAndBaselines() {
        RatioTable table = RatioTable.of(new ForgedJmh()
                .thrpt("RetryPingPongBenchmark.weftPut", 2, 3, 0.1)
                .thrpt("RetryPingPongBenchmark.weftTake", 2, 3, 0.1)
                .thrpt("RetryPingPongBenchmark.scalaStmPut", 2, 1, 0.1)
                .thrpt("RetryPingPongBenchmark.scalaStmTake", 2, 6, 0.1)
                .thrpt("RetryPingPongBenchmark.arrayBlockingQueuePut", 2, 5, 0.1)
                .thrpt("RetryPingPongBenchmark.arrayBlockingQueueTake", 2, 4, 0.1)
                .parse());

        RatioTable.Row put = table.rows().get(0);
        RatioTable.Row take = table.rows().get(1);
        assertEquals("scalaStmPut", put.bestPeer().method());
        assertEquals("arrayBlockingQueuePut", put.reference().method());
        assertEquals("scalaStmTake", take.bestPeer().method());
        assertEquals("arrayBlockingQueueTake", take.reference().method());
        assertEquals(Optional.of("arrayBlockingQueueTake"),
                RatioTable.reference("Take", List.of("weftTake", "arrayBlockingQueuePut", "arrayBlockingQueueTake")));
        assertEquals(Optional.of("atomicLong"),
                RatioTable.reference("Commute", List.of("weftCommute", "longAdder", "atomicLong")),
                "no baseline does the operation: the preference decides");
    }

    @Test
    void theOperationIsTheNameWithoutTheImplementationsPrefix() {
        assertEquals("", Implementation.of("weft").operation());
        assertEquals("", Implementation.of("weftInlineLambda").operation());
        assertEquals("Put", Implementation.of("weftPut").operation());
        assertEquals("Put", Implementation.of("scalaStmPut").operation());
        assertEquals("InTransaction", Implementation.of("clojureInTransaction").operation());
        assertEquals("OneOp", Implementation.of("multiverseOneOp").operation());
        assertEquals("arrayBlockingQueueTake", Implementation.of("arrayBlockingQueueTake").operation());
    }
}
