package dev.weft.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegressionGateTest {

    /** Weft at 10 % of AtomicLong, 20 % of the lock in the bank: the committed baseline. */
    private static ForgedJmh baseline() {
        return new ForgedJmh()
                .thrpt("IncrementOneBenchmark.weft", 1, 30, 1)
                .thrpt("IncrementOneBenchmark.atomicLong", 1, 300, 5)
                .thrpt("IncrementOneBenchmark.lock", 1, 200, 5)
                .thrpt("IncrementOneBenchmark.multiverse", 1, 15, 1)
                .add("BankBenchmark.weft", "thrpt", 2, Map.of("accounts", "64"), 10, 1, Double.NaN)
                .add("BankBenchmark.lock", "thrpt", 2, Map.of("accounts", "64"), 50, 2, Double.NaN);
    }

    @Test
    void flagsAWeftBenchmarkThatLostMoreThanTenPercentOfItsRatio() {
        // the machine got 20 % faster for AtomicLong, Weft stayed put: its ratio lost 1 - 0.1/0.12 ≈ 17 %
        List<JmhResult> current = new ForgedJmh()
                .thrpt("IncrementOneBenchmark.weft", 1, 30, 1)
                .thrpt("IncrementOneBenchmark.atomicLong", 1, 360, 5)
                .add("BankBenchmark.weft", "thrpt", 2, Map.of("accounts", "64"), 10, 1, Double.NaN)
                .add("BankBenchmark.lock", "thrpt", 2, Map.of("accounts", "64"), 50, 2, Double.NaN)
                .parse();

        RegressionGate.Verdict verdict = RegressionGate.evaluate(baseline().parse(), current, 0.10);

        assertFalse(verdict.passed());
        assertEquals(1, verdict.regressions().size());
        RegressionGate.Comparison regression = verdict.regressions().get(0);
        assertEquals("IncrementOneBenchmark", regression.benchmarkCase().workload().className());
        assertEquals("atomicLong", regression.reference());
        assertEquals(-1 / 6.0, regression.change(), 1e-9);
    }

    @Test
    void passesWhenTheWholeMachineIsSlowerButTheRatiosHold() {
        // everything at half speed (a busy machine), Weft's ratios within 10 %: not a regression
        List<JmhResult> current = new ForgedJmh()
                .thrpt("IncrementOneBenchmark.weft", 1, 14, 1)
                .thrpt("IncrementOneBenchmark.atomicLong", 1, 150, 5)
                .add("BankBenchmark.weft", "thrpt", 2, Map.of("accounts", "64"), 4.6, 1, Double.NaN)
                .add("BankBenchmark.lock", "thrpt", 2, Map.of("accounts", "64"), 25, 2, Double.NaN)
                .parse();

        RegressionGate.Verdict verdict = RegressionGate.evaluate(baseline().parse(), current, 0.10);

        assertTrue(verdict.passed(), () -> print(verdict));
        assertEquals(2, verdict.comparisons().size());
    }

    @Test
    void aLossOfExactlyTheToleranceStillPasses() {
        List<JmhResult> current = new ForgedJmh()
                .thrpt("IncrementOneBenchmark.weft", 1, 27, 1)
                .thrpt("IncrementOneBenchmark.atomicLong", 1, 300, 5)
                .parse();

        assertTrue(RegressionGate.evaluate(baseline().parse(), current, 0.10).passed());
        assertFalse(RegressionGate.evaluate(baseline().parse(), current, 0.05).passed());
    }

    @Test
    void aLossWithinOverlappingErrorBarsIsListedButFailsOnlyAStrictGate() {
        // Weft 24 ± 8 against 300: ratio 0.08 ± 0.03, whose interval reaches into the baseline's 0.1 ± 0.004
        List<JmhResult> current = new ForgedJmh()
                .thrpt("IncrementOneBenchmark.weft", 1, 24, 8)
                .thrpt("IncrementOneBenchmark.atomicLong", 1, 300, 5)
                .parse();

        RegressionGate.Verdict lenient = RegressionGate.evaluate(baseline().parse(), current, 0.10);
        assertTrue(lenient.passed(), () -> print(lenient));
        assertEquals(1, lenient.withinNoise().size());
        assertTrue(print(lenient).contains("within noise"), print(lenient));

        RegressionGate.Verdict strict = RegressionGate.evaluate(baseline().parse(), current, 0.10, true);
        assertFalse(strict.passed());
        assertEquals(1, strict.regressions().size());
        assertTrue(print(strict).contains("REGRESSED"), print(strict));
    }

    @Test
    void theSameLossWithTightErrorBarsFailsTheDefaultGate() {
        // the twin of the test above: 24 ± 0.5 puts the whole interval below the baseline's
        List<JmhResult> current = new ForgedJmh()
                .thrpt("IncrementOneBenchmark.weft", 1, 24, 0.5)
                .thrpt("IncrementOneBenchmark.atomicLong", 1, 300, 5)
                .parse();

        RegressionGate.Verdict verdict = RegressionGate.evaluate(baseline().parse(), current, 0.10);
        assertFalse(verdict.passed());
        assertTrue(verdict.withinNoise().isEmpty());
    }

    @Test
    void dividesByABaselinePresentInBothRuns() {
        // the current run lacks atomicLong: both ratios use the lock instead
        List<JmhResult> current = new ForgedJmh()
                .thrpt("IncrementOneBenchmark.weft", 1, 30, 1)
                .thrpt("IncrementOneBenchmark.lock", 1, 200, 5)
                .parse();

        RegressionGate.Verdict verdict = RegressionGate.evaluate(baseline().parse(), current, 0.10);

        assertEquals("lock", verdict.comparisons().get(0).reference());
        assertTrue(verdict.passed());
    }

    @Test
    void casesInOnlyOneRunAreListedButDoNotFail() {
        List<JmhResult> current = new ForgedJmh()
                .thrpt("IncrementOneBenchmark.weft", 1, 30, 1)
                .thrpt("IncrementOneBenchmark.atomicLong", 1, 300, 5)
                .thrpt("IncrementOneBenchmark.weft", 4, 5, 1)
                .thrpt("IncrementOneBenchmark.atomicLong", 4, 100, 5)
                .parse();

        RegressionGate.Verdict verdict = RegressionGate.evaluate(baseline().parse(), current, 0.10);

        assertTrue(verdict.passed());
        assertTrue(verdict.notCompared().stream().anyMatch(s -> s.contains("t=4") && s.contains("not in the baseline")),
                verdict.notCompared()::toString);
        assertTrue(verdict.notCompared().stream().anyMatch(s -> s.contains("Bank") && s.contains("not in the current")),
                verdict.notCompared()::toString);
    }

    @Test
    void aGateThatComparedNothingDoesNotPass() {
        List<JmhResult> unrelated = new ForgedJmh().thrpt("ReadOneBenchmark.weft", 1, 60, 1).parse();

        assertFalse(RegressionGate.evaluate(baseline().parse(), unrelated, 0.10).passed());
    }

    @Test
    void rejectsAToleranceOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> RegressionGate.evaluate(List.of(), List.of(), 10));
    }

    @Test
    void theCommandExitsOneOnARegressionZeroOnAPassAndTwoWhenNothingCompares(@TempDir Path dir) {
        Path base = baseline().write(dir.resolve("baseline.json"));
        Path regressed = new ForgedJmh()
                .thrpt("IncrementOneBenchmark.weft", 1, 20, 1)
                .thrpt("IncrementOneBenchmark.atomicLong", 1, 300, 5)
                .write(dir.resolve("regressed.json"));
        Path fine = new ForgedJmh()
                .thrpt("IncrementOneBenchmark.weft", 1, 31, 1)
                .thrpt("IncrementOneBenchmark.atomicLong", 1, 300, 5)
                .write(dir.resolve("fine.json"));
        Path unrelated = new ForgedJmh().thrpt("ReadOneBenchmark.weft", 1, 60, 1).write(dir.resolve("other.json"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(1, gate(base, regressed, out));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("REGRESSED"));
        assertEquals(0, gate(base, fine, new ByteArrayOutputStream()));
        assertEquals(2, gate(base, unrelated, new ByteArrayOutputStream()));
    }

    private static int gate(Path baseline, Path current, ByteArrayOutputStream out) {
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        return ReportCli.run(new String[] {"gate", "--baseline", baseline.toString(), "--current", current.toString()},
                print, print);
    }

    private static String print(RegressionGate.Verdict verdict) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        verdict.print(new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
