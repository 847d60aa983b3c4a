package dev.weft.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JmhJsonTest {

    @Test
    void readsClassMethodModeThreadsParamsScoreAndSettings() {
        List<JmhResult> results = new ForgedJmh()
                .add("BankBenchmark.weft", "thrpt", 4, Map.of("accounts", "65536"), 12.5, 0.75, Double.NaN)
                .parse();

        assertEquals(1, results.size());
        JmhResult result = results.get(0);
        assertEquals("BankBenchmark", result.benchmarkCase().workload().className());
        assertEquals(Map.of("accounts", "65536"), result.benchmarkCase().workload().params());
        assertEquals("thrpt", result.benchmarkCase().mode());
        assertEquals(4, result.benchmarkCase().threads());
        assertEquals("weft", result.method());
        assertEquals(new Score(12.5, 0.75), result.score());
        assertEquals("ops/us", result.unit());
        assertFalse(result.hasBytesPerOp());
        assertEquals(2, result.forkMeans().size());
        assertEquals(12.5 * 0.9, result.forkMeans().get(0), 1e-6);
        assertEquals(12.5 * 1.1, result.forkMeans().get(1), 1e-6);
        assertEquals("17.0.15", result.settings().jdkVersion());
        assertEquals(2, result.settings().forks());
        assertEquals("400 ms", result.settings().warmupTime());
        assertEquals(List.of("-Xmx1g"), result.settings().jvmArgs());
    }

    @Test
    void aScoreErrorOfNaNFromASingleIterationIsKeptAsNaN() {
        JmhResult result = new ForgedJmh().thrpt("ReadOneBenchmark.weft", 1, 3.0, Double.NaN).parse().get(0);

        assertTrue(Double.isNaN(result.score().error()));
    }

    @Test
    void allocationComesFromGcAllocRateNorm() {
        JmhResult result = new ForgedJmh()
                .add("ReadOneBenchmark.scalaStm", "thrpt", 1, Map.of(), 20, 1, 128).parse().get(0);

        assertEquals(128, result.bytesPerOp(), 1e-9);
    }

    @Test
    void mergeKeepsTheUnprofiledScoreAndTakesBytesPerOpFromTheGcRun(@TempDir Path dir) {
        Path throughput = new ForgedJmh().thrpt("ReadOneBenchmark.weft", 1, 60, 2).write(dir.resolve("t1.json"));
        Path gc = new ForgedJmh().add("ReadOneBenchmark.weft", "thrpt", 1, Map.of(), 41, 9, 0.0001)
                .write(dir.resolve("gc.json"));

        for (List<Path> order : List.of(List.of(throughput, gc), List.of(gc, throughput))) {
            List<JmhResult> merged = JmhJson.read(order);
            assertEquals(1, merged.size(), "one result per case and method");
            assertEquals(60, merged.get(0).score().value(), 1e-9, "the score measured without the profiler");
            assertEquals(0.0001, merged.get(0).bytesPerOp(), 1e-12, "B/op from the gc run");
        }
    }

    /**
     * A full run merged over an older one (how docs/performance.md combines sessions): the newer
     * run's throughput pass gives the score even though the older result already carries B/op,
     * and the newer gc pass gives only the B/op.
     */
    @Test
    void aNewerRunsGcPassDoesNotReplaceItsOwnScore(@TempDir Path dir) {
        Path older = new ForgedJmh().thrpt("ReadOneBenchmark.weft", 2, 10, 1)
                .add("ReadOneBenchmark.weft", "thrpt", 2, Map.of(), 9, 1, 64).write(dir.resolve("older.json"));
        Path newer = new ForgedJmh().thrpt("ReadOneBenchmark.weft", 2, 20, 1)
                .add("ReadOneBenchmark.weft", "thrpt", 2, Map.of(), 17, 3, 32).write(dir.resolve("newer.json"));

        List<JmhResult> merged = JmhJson.read(List.of(older, newer));

        assertEquals(1, merged.size());
        assertEquals(20, merged.get(0).score().value(), 1e-9, "the newer run's unprofiled score");
        assertEquals(32, merged.get(0).bytesPerOp(), 1e-9, "the newer gc run's B/op");
    }

    @Test
    void aLaterFileTimingACaseReplacesTheWholeRow(@TempDir Path dir) {
        Path older = new ForgedJmh().thrpt("MapPutBenchmark.weft", 2, 10, 1)
                .thrpt("MapPutBenchmark.multiverse", 2, 2, 1)
                .thrpt("MapPutBenchmark.weft", 1, 11, 1)
                .thrpt("MapPutBenchmark.multiverse", 1, 3, 1)
                .add("MapPutBenchmark.multiverse", "thrpt", 2, Map.of(), 1.5, 1, 400)
                .write(dir.resolve("older.json"));
        Path newer = new ForgedJmh().thrpt("MapPutBenchmark.weft", 2, 12, 1)
                .write(dir.resolve("newer.json"));

        List<JmhResult> merged = JmhJson.read(List.of(older, newer));

        assertEquals(List.of("multiverse@1 3.0", "weft@1 11.0", "weft@2 12.0"), merged.stream()
                .map(r -> r.method() + "@" + r.benchmarkCase().threads() + " " + r.score().value())
                .sorted().toList(),
                "the older run's multiverse at 2 threads (timed or profiled) left the row with that run; "
                        + "the row the newer file did not time keeps both");
    }

    @Test
    void differentThreadCountsAndParamsAreDifferentCases() {
        List<JmhResult> results = JmhJson.merge(new ForgedJmh()
                .thrpt("ReadOneBenchmark.weft", 1, 60, 2)
                .thrpt("ReadOneBenchmark.weft", 2, 110, 2)
                .add("BankBenchmark.weft", "thrpt", 1, Map.of("accounts", "64"), 10, 1, Double.NaN)
                .add("BankBenchmark.weft", "thrpt", 1, Map.of("accounts", "65536"), 3, 1, Double.NaN)
                .parse());

        assertEquals(4, results.size());
    }

    @Test
    void rejectsADocumentThatIsNotAnArray() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JmhJson.parse(new StringReader("{\"benchmark\":\"x\"}")));
        assertTrue(e.getMessage().contains("expected a JSON array"), e.getMessage());
    }

    @Test
    void rejectsMalformedJson() {
        assertThrows(IllegalArgumentException.class, () -> JmhJson.parse(new StringReader("[{\"benchmark\":")));
    }

    @Test
    void rejectsAnEntryWithoutAPrimaryMetricNamingTheEntry() {
        String json = "[{\"benchmark\":\"dev.weft.bench.ReadOneBenchmark.weft\",\"mode\":\"thrpt\",\"threads\":1}]";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JmhJson.parse(new StringReader(json)));
        assertTrue(e.getMessage().contains("entry 0") && e.getMessage().contains("primaryMetric"), e.getMessage());
    }

    @Test
    void rejectsAScoreThatIsNotANumber() {
        String json = new ForgedJmh().thrpt("ReadOneBenchmark.weft", 1, 60, 2).json()
                .replace("\"score\":60.000000", "\"score\":\"fast\"");
        assertThrows(IllegalArgumentException.class, () -> JmhJson.parse(new StringReader(json)));
    }

    @Test
    void readNamesTheFileThatIsNotJmhJson(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("notes.json");
        java.nio.file.Files.writeString(file, "\"hello\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JmhJson.read(List.of(file)));
        assertTrue(e.getMessage().contains("notes.json"), e.getMessage());
    }

    @Test
    void readsRealJmhOutputWithProfilerMetrics() throws Exception {
        // two entries of the -prof gc run behind docs/performance.md, as JMH 1.37 wrote them
        try (var in = JmhJsonTest.class.getResourceAsStream("/jmh-1.37-gc-sample.json");
             var reader = new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8)) {
            List<JmhResult> results = JmhJson.parse(reader);
            assertEquals(List.of("scalaStm", "weft"), results.stream().map(JmhResult::method).sorted().toList());
            JmhResult weft = results.stream().filter(r -> r.method().equals("weft")).findFirst().orElseThrow();
            JmhResult scalaStm = results.stream().filter(r -> r.method().equals("scalaStm")).findFirst().orElseThrow();
            assertTrue(weft.bytesPerOp() < 0.01, "Weft's reads allocate nothing: " + weft.bytesPerOp());
            assertEquals(128, scalaStm.bytesPerOp(), 1, "ScalaSTM's readOne allocates 128 B");
            assertEquals("ops/us", weft.unit());
        }
    }
}
