package dev.weft.bench.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs a {@link Preset} through JMH's Java API and merges the JSON of its JMH runs into one
 * file, the input of the report and of the regression gate.
 *
 * <p>The forks run in rounds: round 1 runs every benchmark in one fork at each of the preset's
 * thread counts (one JMH run per thread count), round 2 does the same again, and so on, one round
 * per fork; then, for presets that ask for it, comes an allocation pass with {@code -prof gc},
 * once. Left to itself JMH runs all forks of one benchmark back to back, so the implementations
 * compared in one row of the report are measured a few seconds apart, each in its own window of
 * time. This machine is shared and has slow phases lasting minutes, in which every
 * implementation loses about half its throughput; a phase change between two neighbouring
 * benchmarks biased their ratio (MapPut at 4 threads measured 0.68 × ScalaSTM that way, 1.2 ×
 * with the forks alternated by hand). In rounds, each implementation's forks are spread over the
 * whole run, and all implementations sample the same mix of phases. {@link ForkRounds} combines
 * the rounds' JSON into the entries one JMH run of all the forks would have written.
 *
 * <p>Thread-safety: a run blocks its caller; do not run two at once in one JVM (JMH's forks would
 * compete for the cores and the numbers would mean nothing).
 */
public final class PresetRun {
    /** The merged JMH JSON of a run, in the run's output directory. */
    public static final String RESULTS = "results.json";
    /** Starting a forked JVM and loading the peers, as measured on the 2-core machine: about 1 s. */
    private static final long FORK_START_MILLIS = 1000;

    private final Preset preset;
    private final String include;
    private final Path directory;
    private final boolean verbose;
    private final PrintStream out;
    private Path quietLogging; // a java.util.logging configuration for the forks, while a run lasts

    /**
     * @param preset the settings
     * @param include JMH's benchmark regex
     * @param directory where the JSON goes (created if missing)
     * @param verbose whether to show JMH's full output instead of one line per benchmark
     * @param out where progress goes
     */
    public PresetRun(Preset preset, String include, Path directory, boolean verbose, PrintStream out) {
        this.preset = preset;
        this.include = include;
        this.directory = directory;
        this.verbose = verbose;
        this.out = out;
    }

    /**
     * Runs every pass and merges their JSON.
     *
     * @return the merged JSON file
     * @throws IllegalArgumentException if the include pattern matches no benchmark
     * @throws IllegalStateException if JMH fails to run (for example another JMH run holds its lock)
     * @throws UncheckedIOException if the JSON cannot be written
     */
    public Path run() {
        int benchmarks = countBenchmarks();
        if (benchmarks == 0) {
            throw new IllegalArgumentException("--include '" + include + "' matches no benchmark; "
                    + "list them with: java -jar bench/target/weft-bench.jar jmh -l");
        }
        int rounds = preset.forks();
        int passes = rounds * preset.threads().size() + (preset.allocationPass() ? 1 : 0);
        out.printf("%s preset: %d benchmarks × %d passes, about %d min (%sthreads %s%s)%n", preset.name(), benchmarks,
                passes, Math.max(1, Math.round(estimate().toSeconds() / 60.0)),
                rounds > 1 ? rounds + " rounds of one fork at " : "", preset.threads(),
                preset.allocationPass() ? ", then -prof gc at 1 thread" : "");
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(directory);
            quietLogging = Files.createTempFile("weft-bench-logging", ".properties");
            // Multiverse logs two INFO lines per fork through java.util.logging; keep warnings only
            Files.writeString(quietLogging, "handlers=java.util.logging.ConsoleHandler\n.level=WARNING\n",
                    StandardCharsets.UTF_8);
            List<List<Path>> roundParts = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                List<Path> parts = new ArrayList<>();
                for (int threads : preset.threads()) {
                    Path part = directory.resolve("jmh-r" + round + "-t" + threads + ".json");
                    Files.deleteIfExists(part); // a file an interrupted run left must not stand in for a failed pass
                    runJmh(options(part).threads(threads).forks(1), phase(round, rounds, threads), benchmarks);
                    parts.add(part);
                }
                roundParts.add(parts);
                written.addAll(parts);
            }
            List<Path> allocation = new ArrayList<>();
            if (preset.allocationPass()) {
                Path part = directory.resolve("jmh-gc.json");
                Files.deleteIfExists(part);
                runJmh(options(part).threads(1).forks(1).addProfiler(GCProfiler.class), "gc", benchmarks);
                allocation.add(part);
                written.addAll(allocation);
            }
            Path merged = directory.resolve(RESULTS);
            merge(roundParts, allocation, merged);
            for (Path part : written) {
                Files.deleteIfExists(part);
            }
            return merged;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JMH results to " + directory + ": " + e.getMessage(), e);
        } finally {
            if (quietLogging != null) {
                quietLogging.toFile().delete();
            }
        }
    }

    /**
     * @return the label of a JMH run's progress lines, e.g. {@code round 1/2, t=2}; just
     *         {@code t=2} when there is one round
     */
    static String phase(int round, int rounds, int threads) {
        return (rounds > 1 ? "round " + round + "/" + rounds + ", " : "") + "t=" + threads;
    }

    private ChainedOptionsBuilder options(Path result) {
        ChainedOptionsBuilder builder = new OptionsBuilder();
        for (Map.Entry<String, List<String>> pinned : preset.params().entrySet()) {
            builder = builder.param(pinned.getKey(), pinned.getValue().toArray(String[]::new));
        }
        return builder
                .include(include)
                .exclude(preset.exclude())
                .warmupIterations(preset.warmupIterations())
                .warmupTime(time(preset.warmupTime()))
                .measurementIterations(preset.measurementIterations())
                .measurementTime(time(preset.measurementTime()))
                .jvmArgsAppend("-Djava.util.logging.config.file=" + quietLogging)
                .resultFormat(ResultFormatType.JSON)
                .result(result.toString())
                .shouldFailOnError(false);
    }

    /** Whole seconds as seconds, so that JMH and the report print "1 s", not "1000 ms". */
    private static TimeValue time(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? TimeValue.seconds(millis / 1000) : TimeValue.milliseconds(millis);
    }

    private void runJmh(ChainedOptionsBuilder options, String phase, int benchmarks) {
        OutputFormat format = verbose
                ? OutputFormatFactory.createFormatInstance(out, VerboseMode.NORMAL)
                : new ProgressOutput(out, phase, benchmarks);
        try {
            new Runner(options.build(), format).run();
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH failed: " + e.getMessage()
                    + " (if another JMH run is in progress, add -Djmh.ignoreLock=true after java)", e);
        }
    }

    /**
     * @return the expected wall-clock time of {@link #run()}: one fork (its iterations and its
     *         JVM's start-up) of every selected benchmark at every thread count in every round,
     *         and one more in the allocation pass
     */
    Duration estimate() {
        Duration fork = preset.iterationTimePerBenchmark().dividedBy(preset.forks()).plusMillis(FORK_START_MILLIS);
        Duration perBenchmark = fork.multipliedBy((long) preset.forks() * preset.threads().size());
        if (preset.allocationPass()) {
            perBenchmark = perBenchmark.plus(fork);
        }
        return perBenchmark.multipliedBy(countBenchmarks());
    }

    /**
     * Benchmarks (methods × parameter combinations) the include and exclude patterns select, at
     * the parameter values the preset pins.
     */
    int countBenchmarks() {
        OutputFormat silent = OutputFormatFactory.createFormatInstance(out, VerboseMode.SILENT);
        SortedSet<BenchmarkListEntry> entries = BenchmarkList.defaultList().find(silent, List.of(include),
                List.of(preset.exclude()));
        int count = 0;
        for (BenchmarkListEntry entry : entries) {
            int combinations = 1;
            if (entry.getParams().hasValue()) {
                for (Map.Entry<String, String[]> param : entry.getParams().get().entrySet()) {
                    List<String> pinned = preset.params().get(param.getKey());
                    combinations *= Math.max(1, pinned != null ? pinned.size() : param.getValue().length);
                }
            }
            count += combinations;
        }
        return count;
    }

    /**
     * Writes the JSON of a run as one array: the rounds' entries combined by {@link ForkRounds},
     * then the entries of the other passes as they are (the allocation pass is paired with the
     * timed entries later, by {@link JmhJson#merge}).
     *
     * @param rounds each round's JSON files, one per pass (thread count), in round order and in
     *               the same pass order in every round; a missing file (a JMH run whose every
     *               benchmark failed) contributes nothing
     * @param others JSON files to append unchanged
     * @param merged the file to write
     */
    static void merge(List<List<Path>> rounds, List<Path> others, Path merged) throws IOException {
        List<JsonArray> runs = new ArrayList<>();
        for (Path pass : inPassOrder(rounds)) {
            runs.add(entries(List.of(pass)));
        }
        JsonArray all = ForkRounds.combine(runs);
        all.addAll(entries(others));
        Files.writeString(merged, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
                .serializeSpecialFloatingPointValues().create().toJson(all) + "\n", StandardCharsets.UTF_8);
    }

    /**
     * Each round's passes in the order their forks are joined: the first pass of every round, in
     * round order, then the second pass of every round, and so on. A round that lacks its last
     * passes (the run stopped) contributes nothing to them.
     *
     * @param rounds each round's passes, in round order, the passes in the same order in every round
     * @return the passes, pass by pass and within a pass round by round
     */
    static <T> List<T> inPassOrder(List<List<T>> rounds) {
        int passes = rounds.stream().mapToInt(List::size).max().orElse(0);
        List<T> ordered = new ArrayList<>();
        for (int pass = 0; pass < passes; pass++) {
            for (List<T> round : rounds) {
                if (pass < round.size()) {
                    ordered.add(round.get(pass));
                }
            }
        }
        return ordered;
    }

    /** The entries of several JMH JSON arrays, in file order. */
    private static JsonArray entries(List<Path> parts) throws IOException {
        JsonArray all = new JsonArray();
        for (Path part : parts) {
            if (!Files.exists(part)) {
                continue; // a pass whose every benchmark failed writes no file
            }
            try (Reader reader = Files.newBufferedReader(part, StandardCharsets.UTF_8)) {
                all.addAll(JsonParser.parseReader(reader).getAsJsonArray());
            }
        }
        return all;
    }
}
