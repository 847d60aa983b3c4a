package dev.weft.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a preset run does around JMH: its rounds' JSON, its progress labels, its time estimate. */
class PresetRunTest {
    private static final double[][] ROUND_1 = {{60.0, 62.0, 61.0, 59.0, 63.0}};
    private static final double[][] ROUND_2 = {{30.0, 31.0, 29.0, 30.0, 30.5}};

    private static JsonArray read(Path file) throws Exception {
        return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonArray();
    }

    @Test
    void resultsAreTheRoundsCombinedThenTheAllocationPassUntouched(@TempDir Path dir) throws Exception {
        Path first = new ForgedJmh().measured("ReadOneBenchmark.weft", 1, Map.of(), ROUND_1, Map.of())
                .write(dir.resolve("jmh-r1-t1.json"));
        Path second = new ForgedJmh().measured("ReadOneBenchmark.weft", 1, Map.of(), ROUND_2, Map.of())
                .write(dir.resolve("jmh-r2-t1.json"));
        Path failed = dir.resolve("jmh-r2-t2.json"); // every benchmark of this pass failed: no file
        Path gc = new ForgedJmh().add("ReadOneBenchmark.weft", "thrpt", 1, Map.of(), 41, 9, 128)
                .write(dir.resolve("jmh-gc.json"));
        Path merged = dir.resolve(PresetRun.RESULTS);

        PresetRun.merge(List.of(List.of(first), List.of(second, failed)), List.of(gc), merged);

        JsonArray written = read(merged);
        assertEquals(2, written.size(), "the combined timed entry, then the gc pass's: " + written);
        assertEquals(2, written.get(0).getAsJsonObject().get("forks").getAsInt());
        assertEquals(read(gc).get(0), written.get(1), "the allocation pass's entry as JMH wrote it");
        List<JmhResult> results = JmhJson.read(List.of(merged));
        assertEquals(1, results.size());
        assertEquals(45.55, results.get(0).score().value(), 1e-9, "the mean of both rounds, not the gc pass's 41");
        assertEquals(128, results.get(0).bytesPerOp(), 1e-9, "B/op from the gc pass");
        assertEquals(2, results.get(0).forkMeans().size());
    }

    @Test
    void progressLinesNameTheRoundWhenThereAreSeveral() {
        assertEquals("round 1/2, t=2", PresetRun.phase(1, 2, 2));
        assertEquals("round 2/2, t=4", PresetRun.phase(2, 2, 4));
        assertEquals("t=2", PresetRun.phase(1, 1, 2), "one round: nothing to tell apart");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new ProgressOutput(new PrintStream(bytes, true, StandardCharsets.UTF_8), PresetRun.phase(2, 2, 4), 180)
                .println("# Run progress: 50.00% complete, ETA 00:30:00");
        String line = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(line.startsWith("[round 2/2, t=4  0/180]"), line);
    }

    /** Rounds change the order of the forks, not their number: the same iterations and JVM start-ups. */
    @Test
    void theEstimateCountsOneForkPerRoundAtEveryThreadCountAndOneForTheAllocationPass() {
        Preset preset = new Preset("test", 2, 1, Duration.ofSeconds(1), 2, Duration.ofSeconds(1), List.of(1, 2), true,
                Preset.EXCLUDE, Map.of());
        PresetRun run = new PresetRun(preset, "ReadOneBenchmark", Path.of("unused"), false, System.out);
        int benchmarks = run.countBenchmarks();
        assertTrue(benchmarks > 0, "ReadOneBenchmark is in the benchmark list");

        // one fork: 1 s warm-up + 2 s measured + 1 s start-up; 2 rounds × 2 thread counts + the allocation pass
        assertEquals(Duration.ofSeconds(4 * (2 * 2 + 1)).multipliedBy(benchmarks), run.estimate());
    }
}
