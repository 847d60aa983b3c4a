package dev.weft.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
    void presetsRunAtOneTwoAndFourThreadsAndQuickIsTheShorter() {
        assertEquals(List.of(1, 2, 4), Preset.QUICK.threads());
        assertEquals(List.of(1, 2, 4), Preset.FULL.threads());
        assertTrue(Preset.QUICK.iterationTimePerBenchmark().compareTo(Preset.FULL.iterationTimePerBenchmark()) < 0);
        assertTrue(Preset.FULL.allocationPass());
        assertEquals(List.of(1), Preset.QUICK.withThreads(List.of(1)).threads());
        assertThrows(IllegalArgumentException.class, () -> Preset.QUICK.withThreads(List.of(0)));
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
