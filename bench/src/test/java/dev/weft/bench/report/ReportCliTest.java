package dev.weft.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReportCliTest {
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final PrintStream print = new PrintStream(console, true, StandardCharsets.UTF_8);

    private int run(String... args) {
        return ReportCli.run(args, print, print);
    }

    @Test
    void helpPrintsTheUsageAndSucceeds() {
        assertEquals(0, run("report", "-h"));
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("--preset quick|full"));
    }

    @Test
    void usageErrorsExitTwoWithAMessage() {
        assertEquals(2, run("report"));
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("missing --preset"));
        assertEquals(2, run("report", "--preset", "medium"));
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("use quick or full"));
        assertEquals(2, run("report", "--preset", "quick", "--threads", "1,two"));
        assertEquals(2, run("gate", "--baseline", "a.json"));
        assertEquals(2, run("gate", "--baseline", "a.json", "--current", "b.json", "--tolerance", "ten"));
        assertEquals(2, run("chart"));
        assertEquals(2, run("render"));
    }

    @Test
    void presetsRunAtTheirThreadCountsAndQuickIsTheShorter() {
        assertEquals(List.of(1, 2), Preset.QUICK.threads());
        assertEquals(List.of(1, 2, 4), Preset.FULL.threads());
        assertEquals(List.of("1024"), Preset.QUICK.params().get("keyRange"));
        assertTrue(Preset.FULL.params().isEmpty(), "the full preset runs every declared parameter value");
        assertEquals(Preset.QUICK.params(), Preset.QUICK.withThreads(List.of(1)).params());
        assertThrows(IllegalArgumentException.class, () -> new Preset("x", 1, 0, Duration.ZERO, 1, Duration.ZERO,
                List.of(1), false, "", Map.of("update", List.of())));
        assertTrue(Preset.QUICK.iterationTimePerBenchmark().compareTo(Preset.FULL.iterationTimePerBenchmark()) < 0);
        assertTrue(Preset.FULL.allocationPass());
        assertEquals(List.of(1), Preset.QUICK.withThreads(List.of(1)).threads());
        assertThrows(IllegalArgumentException.class, () -> Preset.QUICK.withThreads(List.of(0)));
    }

    /**
     * The presets must stay runnable: the full one within two hours on 2 cores (a working session
     * is three), the quick one in a few minutes. Fails when benchmarks or parameter values are added without re-sizing them.
     */
    @Test
    void presetsFitTheirTimeBudgetsForTheSuiteAsItIs() {
        PresetRun full = new PresetRun(Preset.FULL, Preset.DEFAULT_INCLUDE, Path.of("unused"), false, System.out);
        PresetRun quick = new PresetRun(Preset.QUICK, Preset.DEFAULT_INCLUDE, Path.of("unused"), false, System.out);
        assertTrue(quick.countBenchmarks() < full.countBenchmarks(), "quick pins parameters and leaves STMBench7 out");
        assertTrue(full.estimate().compareTo(Duration.ofMinutes(120)) <= 0, "full preset: " + full.estimate());
        assertTrue(quick.estimate().compareTo(Duration.ofMinutes(10)) <= 0, "quick preset: " + quick.estimate());
    }

    @Test
    void theStmBench7WorkloadRunsInTheFullPresetOnly() {
        String benchmark = "dev.weft.bench.StmBench7Benchmark.weft";
        assertTrue(Pattern.compile(Preset.DEFAULT_INCLUDE).matcher(benchmark).find());
        assertTrue(Pattern.compile(Preset.QUICK.exclude()).matcher(benchmark).find());
        assertFalse(Pattern.compile(Preset.FULL.exclude()).matcher(benchmark).find());
        assertEquals(Preset.QUICK.exclude(), Preset.QUICK.withThreads(List.of(1)).exclude());
        for (Preset preset : List.of(Preset.QUICK, Preset.FULL)) {
            assertTrue(Pattern.compile(preset.exclude()).matcher("dev.weft.bench.ProgressBenchmark.writerAlone").find());
            assertFalse(Pattern.compile(preset.exclude()).matcher("dev.weft.bench.BankBenchmark.weft").find());
        }
    }
}
