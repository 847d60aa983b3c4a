package dev.weft.bench.report;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A named set of JMH settings the report runs the suite with.
 *
 * <p>Thread-safety: immutable.
 *
 * @param name the name given on the command line
 * @param forks forked JVMs per benchmark, run in as many rounds of one fork (see {@link PresetRun})
 * @param warmupIterations warm-up iterations per fork
 * @param warmupTime the length of one warm-up iteration
 * @param measurementIterations measured iterations per fork
 * @param measurementTime the length of one measured iteration
 * @param threads the thread counts (JMH {@code -t}) to run every benchmark at
 * @param allocationPass whether to run the suite once more at 1 thread with {@code -prof gc}, for
 *                       bytes per operation
 * @param exclude JMH's exclusion regex: the benchmarks this preset leaves out even when the include
 *                pattern matches them
 * @param params {@code @Param} values this preset pins (JMH {@code -p}), by parameter name; empty to
 *               run every value the benchmarks declare
 */
public record Preset(String name, int forks, int warmupIterations, Duration warmupTime,
                     int measurementIterations, Duration measurementTime, List<Integer> threads,
                     boolean allocationPass, String exclude, Map<String, List<String>> params) {

    /**
     * About 6-7 minutes on 2 cores (about 80 benchmarks × 2 thread counts, about 2.4 s each with
     * the fork's start-up): one short fork per benchmark, the collection mixes at one key range and
     * one update ratio, enough for the regression gate's ratios, too short for publishing. Five
     * short measured iterations rather than fewer long ones, because JMH's error uses Student's t
     * over the iterations.
     */
    public static final Preset QUICK = new Preset("quick", 1, 2, Duration.ofMillis(200), 5,
            Duration.ofMillis(200), List.of(1, 2), false, Preset.EXCLUDE + "|" + Preset.FULL_ONLY,
            Map.of("keyRange", List.of("1024"), "update", List.of("50")));

    /**
     * The numbers behind {@code docs/performance.md}: every benchmark at every declared parameter
     * value (about 180), 2 forks of 3 × 0.5 s warm-up and 5 × 0.5 s measured iterations at 1, 2 and
     * 4 threads, run in 2 rounds (every benchmark in one fork at every thread count, then all of
     * it again), then an allocation pass: about 110 minutes on 2 cores. Two forks because a
     * two-thread result on a small virtual machine can differ between forks (thread placement);
     * in rounds because this shared machine has slow phases lasting minutes, and a benchmark's
     * forks spread over the whole run see the same mix of phases as its peers' forks, where forks
     * back to back would put each implementation of a row in its own few seconds; half-second
     * iterations because the whole suite must fit a working session on 2 cores.
     */
    public static final Preset FULL = new Preset("full", 2, 3, Duration.ofMillis(500), 5,
            Duration.ofMillis(500), List.of(1, 2, 4), true, Preset.EXCLUDE, Map.of());

    /**
     * The benchmarks a preset runs unless {@code --include} says otherwise: every class named
     * {@code ...Benchmark} in {@code dev.weft.bench} and its subpackages.
     */
    public static final String DEFAULT_INCLUDE = "^dev\\.weft\\.bench\\.(\\w+\\.)*\\w+Benchmark\\.";

    /**
     * Left out of every preset: {@code ProgressBenchmark} measures latency distributions in
     * thread groups, which the ratio table and the thread-count charts do not apply to; it has
     * its own command in {@code docs/performance.md}.
     */
    public static final String EXCLUDE = "ProgressBenchmark|DiagnosticsOverheadBenchmark";

    /**
     * Left out of the quick preset, run and rendered by the full one: {@code StmBench7Benchmark},
     * a workload rather than a microbenchmark, whose 3 mixes × 5 implementations would add 15
     * benchmarks per thread count (about 2 minutes) to a preset meant to stay near five, and
     * {@code SortedMapNavigationBenchmark}, {@code SortedMapBenchmark}'s mix with navigation
     * instead of lookups, which the quick preset's sorted-map rows already watch.
     */
    public static final String FULL_ONLY = "StmBench7Benchmark|SortedMapNavigationBenchmark";

    /** Checks the values. */
    public Preset {
        if (forks < 1 || warmupIterations < 0 || measurementIterations < 1) {
            throw new IllegalArgumentException("a preset needs at least 1 fork and 1 measured iteration");
        }
        threads = List.copyOf(threads);
        Objects.requireNonNull(exclude, "exclude");
        Map<String, List<String>> pinned = new HashMap<>();
        params.forEach((param, values) -> {
            if (values.isEmpty()) {
                throw new IllegalArgumentException("parameter '" + param + "' is pinned to no value");
            }
            pinned.put(param, List.copyOf(values));
        });
        params = Map.copyOf(pinned);
        if (threads.isEmpty() || threads.stream().anyMatch(t -> t < 1)) {
            throw new IllegalArgumentException("thread counts must be positive, got " + threads);
        }
    }

    /**
     * @param name {@code quick} or {@code full}
     * @return the preset of that name
     * @throws IllegalArgumentException for any other name
     */
    public static Preset named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "quick" -> QUICK;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("unknown preset '" + name + "': use quick or full");
        };
    }

    /**
     * @param counts the thread counts to use instead
     * @return this preset at other thread counts
     */
    public Preset withThreads(List<Integer> counts) {
        return new Preset(name, forks, warmupIterations, warmupTime, measurementIterations, measurementTime,
                counts, allocationPass, exclude, params);
    }

    /** @return the wall-clock time of one benchmark's iterations, without JVM start-up */
    public Duration iterationTimePerBenchmark() {
        return warmupTime.multipliedBy(warmupIterations).plus(measurementTime.multipliedBy(measurementIterations))
                .multipliedBy(forks);
    }
}
