package dev.weft.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkdownReportTest {

    private static ForgedJmh transferRun() {
        return new ForgedJmh()
                .thrpt("TransferBenchmark.weft", 1, 14.4, 0.9)
                .thrpt("TransferBenchmark.multiverse", 1, 8.0, 0.65)
                .thrpt("TransferBenchmark.lock", 1, 131, 9)
                .thrpt("TransferBenchmark.weft", 2, 8.3, 2.3)
                .thrpt("TransferBenchmark.multiverse", 2, 8.7, 1.1)
                .thrpt("TransferBenchmark.lock", 2, 107, 20);
    }

    @Test
    void theRatioRowShowsBothScoresTheRatioAndItsError() {
        String md = MarkdownReport.render(transferRun().parse(), List.of(), "charts",
                new MarkdownReport.Context("test", "java -jar weft-bench.jar render x.json", "2 cores"));

        // 14.4 / 8.0 = 1.80, error 1.80 * hypot(0.9/14.4, 0.65/8.0) = 0.18; intervals apart: bold
        assertTrue(md.contains("| Transfer | 1 | 14.4 ± 0.9 | Multiverse 8.00 ± 0.65 | **1.80 ± 0.18** "
                + "| ReentrantLock 131 ± 9 | 0.11 ± 0.01 |"), md);
        // 8.3 / 8.7: the intervals overlap, so the order is not established
        assertTrue(md.contains("| ≈ 0.95 ± 0.29 |"), md);
    }

    @Test
    void statesMachineSettingsAndCommand() {
        String md = MarkdownReport.render(transferRun().parse(), List.of(), "charts",
                new MarkdownReport.Context("quick preset", "java -jar bench/target/weft-bench.jar report --preset quick",
                        "2 cores, 24 GiB"));

        assertTrue(md.startsWith("# Weft benchmarks: quick preset\n"), md);
        assertTrue(md.contains("2 cores, 24 GiB; JDK 17.0.15 (OpenJDK 64-Bit Server VM)"), md);
        assertTrue(md.contains("2 forks × (2 × 400 ms warm-up + 2 × 300 ms measured)"), md);
        assertTrue(md.contains("`java -jar bench/target/weft-bench.jar report --preset quick`"), md);
    }

    @Test
    void theWorkloadTableHasAColumnPerThreadCountAndBytesPerOpWhenMeasured() {
        List<JmhResult> results = JmhJson.merge(new ForgedJmh()
                .thrpt("ReadOneBenchmark.weft", 1, 60, 2)
                .thrpt("ReadOneBenchmark.weft", 2, 117, 7)
                .thrpt("ReadOneBenchmark.clojure", 1, 8.8, 0.3)
                .add("ReadOneBenchmark.weft", "thrpt", 1, Map.of(), 40, 3, 0.0001)
                .add("ReadOneBenchmark.clojure", "thrpt", 1, Map.of(), 7, 3, 552)
                .parse());

        String md = MarkdownReport.render(results, List.of(), "charts", new MarkdownReport.Context("t", "c", "m"));

        assertTrue(md.contains("| implementation (ops/µs) | t=1 | t=2 | B/op |"), md);
        assertTrue(md.contains("| **Weft** | 60.0 ± 2.0 <sub>forks 54.0–66.0</sub> | 117 ± 7 <sub>forks 105–129</sub> | 0 |"), md);
        assertTrue(md.contains("| Clojure refs | 8.80 ± 0.30 <sub>forks 7.92–9.68</sub> | – | 552 |"), md);
    }

    @Test
    void theRenderCommandWritesTheReportWithItsChartsEmbedded(@TempDir Path dir) throws Exception {
        Path json = transferRun().write(dir.resolve("run.json"));
        Path out = dir.resolve("out");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(console, true, StandardCharsets.UTF_8);

        int status = ReportCli.run(new String[] {"render", "--out", out.toString(), json.toString()}, print, print);

        assertEquals(0, status, console.toString(StandardCharsets.UTF_8));
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("![Transfer: throughput vs threads](charts/Transfer-vs-threads.svg)"), md);
        ThroughputChartsTest.assertValidSvg(out.resolve("charts/Transfer-vs-threads.svg"));
        ThroughputChartsTest.assertValidPng(out.resolve("charts/Transfer-vs-threads.png"));
    }

    @Test
    void renderIntoReplacesOnlyWhatLiesBetweenTheMarkersOfTheDocument(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("results"));
        Path json = transferRun().write(dir.resolve("results/run.json"));
        Path doc = dir.resolve("docs/performance.md");
        Files.createDirectories(doc.getParent());
        Files.writeString(doc, "# Performance\n\nintro kept\n\n" + MarkdownReport.BEGIN + "\nold numbers\n"
                + MarkdownReport.END + "\n\n## Analysis\n\nkept too\n");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(console, true, StandardCharsets.UTF_8);

        int status = ReportCli.run(new String[] {"render", "--into", doc.toString(), json.toString()}, print, print);

        assertEquals(0, status, console.toString(StandardCharsets.UTF_8));
        String md = Files.readString(doc);
        assertTrue(md.startsWith("# Performance\n\nintro kept\n\n" + MarkdownReport.BEGIN + "\n## Weft benchmarks: "), md);
        assertTrue(md.endsWith("\n" + MarkdownReport.END + "\n\n## Analysis\n\nkept too\n"), md);
        assertFalse(md.contains("old numbers"), md);
        assertTrue(md.contains("### Transfer"), "the report's sections are one level deeper: " + md);
        assertTrue(md.contains("](../results/charts/Transfer-vs-threads.svg)"), "chart paths relative to the document: " + md);

        Files.writeString(doc, "# no markers\n");
        assertEquals(2, ReportCli.run(new String[] {"render", "--into", doc.toString(), json.toString()}, print, print));
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("needs a line '<!-- report:begin -->'"));
        assertEquals("# no markers\n", Files.readString(doc));
    }

    @Test
    void theRenderCommandRefusesAFileThatIsNotJmhJson(@TempDir Path dir) throws Exception {
        Path json = Files.writeString(dir.resolve("broken.json"), "{}");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(console, true, StandardCharsets.UTF_8);

        assertEquals(2, ReportCli.run(new String[] {"render", json.toString()}, print, print));
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("broken.json is not JMH JSON"));
    }
}
