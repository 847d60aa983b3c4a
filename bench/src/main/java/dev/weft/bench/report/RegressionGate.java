package dev.weft.bench.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/**
 * Compares a run of the suite with a baseline run and flags every Weft benchmark that lost more
 * than a tolerance (10 % by default) relative to its own baseline <em>ratio</em>.
 *
 * <p>Absolute scores move with the machine, its load and the JDK, so the gate never compares them
 * across runs. Within one run, each Weft method of a case is divided by the case's reference
 * baseline ({@code AtomicLong}, {@code ConcurrentHashMap}, ..., or a lock; see
 * {@link RatioTable#reference}) measured in the same run; the gate compares that ratio with the
 * same ratio in the baseline run. A Weft method regressed when
 * {@code currentRatio < baselineRatio × (1 - tolerance)} and the loss is established: the current
 * ratio's interval (JMH's error, propagated) lies wholly below the baseline ratio's. A loss beyond
 * the tolerance whose intervals overlap is reported as <em>within noise</em> and does not fail the
 * gate (two-thread rows of a single fork on a shared 2-core VM swing by half between JVMs; a
 * gate that fails on them is one nobody reads); {@code strict} fails on those too. A ratio
 * without an error (a single iteration) counts as established.
 *
 * <p>Cases measured in only one of the runs, or without a baseline common to both, are listed as
 * not compared and never fail the gate; a gate that compared nothing does not pass (see
 * {@link Verdict#passed}).
 *
 * <p>Thread-safety: stateless.
 */
public final class RegressionGate {
    /** The loss, relative to the baseline ratio, that the gate tolerates: 10 %. */
    public static final double DEFAULT_TOLERANCE = 0.10;
    /** Keeps a loss of exactly the tolerance (e.g. 0.09 against 0.1) from failing by a rounding error. */
    private static final double ROUNDING = 1e-9;

    private RegressionGate() {}

    /**
     * One Weft method in one case, in both runs.
     *
     * @param benchmarkCase the case
     * @param weftMethod the Weft method
     * @param reference the baseline method both ratios divide by
     * @param baselineRatio Weft's advantage over the reference in the baseline run
     * @param currentRatio the same in the current run
     */
    public record Comparison(BenchmarkCase benchmarkCase, String weftMethod, String reference,
                             Score baselineRatio, Score currentRatio) {
        /** @return the relative change of the ratio: -0.25 means it lost 25 % */
        public double change() {
            return currentRatio.value() / baselineRatio.value() - 1;
        }

        /**
         * @param tolerance the tolerated loss, e.g. 0.10
         * @return whether the ratio lost more than the tolerance
         */
        public boolean regressed(double tolerance) {
            return lost(tolerance) && established();
        }

        /**
         * @param tolerance the tolerated loss, e.g. 0.10
         * @return whether the ratio lost more than the tolerance, established or not
         */
        public boolean lost(double tolerance) {
            return change() < -tolerance - ROUNDING; // a loss of exactly the tolerance passes
        }

        /** @return whether the current ratio's interval lies wholly below the baseline ratio's */
        public boolean established() {
            if (Double.isNaN(currentRatio.error()) || Double.isNaN(baselineRatio.error())) {
                return true;
            }
            return currentRatio.value() + currentRatio.error() < baselineRatio.value() - baselineRatio.error();
        }
    }

    /**
     * The outcome of a gate run.
     *
     * @param comparisons every Weft method compared, in case order
     * @param notCompared descriptions of what could not be compared, and why
     * @param tolerance the tolerated loss
     * @param strict whether a loss within the error bars fails the gate too
     */
    public record Verdict(List<Comparison> comparisons, List<String> notCompared, double tolerance,
                          boolean strict) {
        /** Copies the lists. */
        public Verdict {
            comparisons = List.copyOf(comparisons);
            notCompared = List.copyOf(notCompared);
        }

        /** @return the comparisons that fail the gate: established losses (any loss when strict) */
        public List<Comparison> regressions() {
            return comparisons.stream().filter(this::fails).toList();
        }

        /** @return losses beyond the tolerance that the error bars do not establish */
        public List<Comparison> withinNoise() {
            return comparisons.stream().filter(c -> c.lost(tolerance) && !c.established()).toList();
        }

        private boolean fails(Comparison c) {
            return strict ? c.lost(tolerance) : c.regressed(tolerance);
        }

        /** @return whether at least one Weft benchmark was compared and none regressed */
        public boolean passed() {
            return !comparisons.isEmpty() && regressions().isEmpty();
        }

        /**
         * Prints one line per comparison, what was not compared, and the verdict.
         *
         * @param out where to print
         */
        public void print(PrintStream out) {
            out.printf("%-58s %-14s %17s %17s %8s%n", "Weft benchmark", "÷ reference", "baseline ratio",
                    "current ratio", "change");
            for (Comparison c : comparisons) {
                out.printf("%-58s %-14s %17s %17s %+7.1f%%%s%n", describe(c.benchmarkCase(), c.weftMethod()),
                        c.reference(), format(c.baselineRatio()), format(c.currentRatio()), 100 * c.change(),
                        fails(c) ? "  REGRESSED" : c.lost(tolerance) ? "  within noise" : "");
            }
            for (String line : notCompared) {
                out.println("not compared: " + line);
            }
            List<Comparison> regressions = regressions();
            List<Comparison> noisy = withinNoise();
            if (!strict && !noisy.isEmpty()) {
                out.printf("%d lost more than %.0f %% within their error bars (intervals overlap): not failed;"
                        + " rerun them with more forks, or gate with --strict%n", noisy.size(), 100 * tolerance);
            }
            if (comparisons.isEmpty()) {
                out.println("FAIL: nothing to compare; the two files share no Weft benchmark with a baseline");
            } else if (regressions.isEmpty()) {
                out.printf("PASS: %d Weft benchmarks compared, none lost more than %.0f %% of its ratio%n",
                        comparisons.size(), 100 * tolerance);
            } else {
                out.printf("FAIL: %d of %d Weft benchmarks lost more than %.0f %% of their ratio to the baseline%n",
                        regressions.size(), comparisons.size(), 100 * tolerance);
                out.println("(compare runs taken on a quiet machine: other processes' load moves Weft and the"
                        + " baselines by different amounts; each run's report states its load average)");
            }
        }
    }

    /**
     * @param baseline the baseline run's merged results
     * @param current the current run's merged results
     * @param tolerance the tolerated loss, in [0, 1)
     * @return the comparisons and what could not be compared
     * @throws IllegalArgumentException if the tolerance is out of range
     */
    public static Verdict evaluate(List<JmhResult> baseline, List<JmhResult> current, double tolerance) {
        return evaluate(baseline, current, tolerance, false);
    }

    /**
     * @param baseline the baseline run's merged results
     * @param current the current run's merged results
     * @param tolerance the tolerated loss, in [0, 1)
     * @param strict whether a loss within the error bars fails too
     * @return the comparisons and what could not be compared
     * @throws IllegalArgumentException if the tolerance is out of range
     */
    public static Verdict evaluate(List<JmhResult> baseline, List<JmhResult> current, double tolerance,
                                   boolean strict) {
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in [0, 1), e.g. 0.10 for 10 %, got " + tolerance);
        }
        SortedMap<BenchmarkCase, Map<String, JmhResult>> before = RatioTable.byCase(baseline);
        SortedMap<BenchmarkCase, Map<String, JmhResult>> after = RatioTable.byCase(current);
        List<Comparison> comparisons = new ArrayList<>();
        List<String> notCompared = new ArrayList<>();
        for (var entry : after.entrySet()) {
            BenchmarkCase benchmarkCase = entry.getKey();
            Map<String, JmhResult> now = entry.getValue();
            Map<String, JmhResult> then = before.get(benchmarkCase);
            for (JmhResult weft : now.values()) {
                if (Implementation.of(weft.method()).role() != Implementation.Role.WEFT) {
                    continue;
                }
                String what = describe(benchmarkCase, weft.method());
                if (then == null || !then.containsKey(weft.method())) {
                    notCompared.add(what + ": not in the baseline");
                    continue;
                }
                Set<String> common = new HashSet<>(now.keySet());
                common.retainAll(then.keySet());
                Optional<String> reference = RatioTable.reference(Implementation.of(weft.method()).operation(), common);
                if (reference.isEmpty()) {
                    notCompared.add(what + ": no AtomicLong, java.util.concurrent or lock baseline in both runs");
                    continue;
                }
                String ref = reference.get();
                comparisons.add(new Comparison(benchmarkCase, weft.method(), ref,
                        RatioTable.advantage(benchmarkCase, then.get(weft.method()).score(), then.get(ref).score()),
                        RatioTable.advantage(benchmarkCase, weft.score(), now.get(ref).score())));
            }
        }
        for (var entry : before.entrySet()) {
            Map<String, JmhResult> now = after.get(entry.getKey());
            for (String method : entry.getValue().keySet()) {
                if (Implementation.of(method).role() == Implementation.Role.WEFT
                        && (now == null || !now.containsKey(method))) {
                    notCompared.add(describe(entry.getKey(), method) + ": not in the current run");
                }
            }
        }
        return new Verdict(comparisons, notCompared, tolerance, strict);
    }

    private static String describe(BenchmarkCase benchmarkCase, String method) {
        Workload workload = benchmarkCase.workload();
        String params = workload.params().isEmpty() ? "" : " " + workload.describeParams();
        String mode = benchmarkCase.mode().equals("thrpt") ? "" : " " + benchmarkCase.mode();
        return workload.shortName() + "." + method + params + " t=" + benchmarkCase.threads() + mode;
    }

    private static String format(Score ratio) {
        return Double.isNaN(ratio.error())
                ? String.format("%.4f", ratio.value())
                : String.format("%.4f ± %.4f", ratio.value(), ratio.error());
    }
}
