package dev.weft.bench.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Weft against the others, case by case: for every Weft method of every case, its advantage over
 * the best STM peer measured in the same case and over the reference baseline (see
 * {@link #reference}).
 *
 * <p>An advantage above 1 means Weft is better: for throughput it is Weft's score divided by the
 * other's, for the time modes the other's divided by Weft's. Its error is propagated from both
 * scores' JMH errors ({@link Score#dividedBy}).
 *
 * <p>Thread-safety: immutable.
 *
 * @param rows one row per Weft method per case, in case order
 */
public record RatioTable(List<Row> rows) {

    /**
     * The baselines the regression gate and the table divide by, most preferred first: the
     * {@code java.util.concurrent} primitive closest to the workload, then a lock.
     */
    public static final List<String> REFERENCE_PREFERENCE =
            List.of("atomicLong", "concurrentHashMap", "concurrentSkipListMap", "lock");

    /** Copies {@code rows}. */
    public RatioTable {
        rows = List.copyOf(rows);
    }

    /**
     * One Weft method in one case.
     *
     * @param benchmarkCase the case
     * @param weft the Weft method
     * @param weftScore its score
     * @param bestPeer the STM peer with the best score in the case, or null when none ran
     * @param peerScore that peer's score, or null
     * @param versusPeer Weft's advantage over it, or null
     * @param reference the reference baseline of the case, or null when none ran
     * @param referenceScore its score, or null
     * @param versusReference Weft's advantage over it (usually below 1), or null
     */
    public record Row(BenchmarkCase benchmarkCase, Implementation weft, Score weftScore,
                      Implementation bestPeer, Score peerScore, Score versusPeer,
                      Implementation reference, Score referenceScore, Score versusReference) {}

    /**
     * @param results merged JMH results
     * @return the table; cases without a Weft method are left out
     */
    public static RatioTable of(List<JmhResult> results) {
        List<Row> rows = new ArrayList<>();
        for (var entry : byCase(results).entrySet()) {
            BenchmarkCase benchmarkCase = entry.getKey();
            Map<String, JmhResult> byMethod = entry.getValue();
            JmhResult peer = bestPeer(benchmarkCase, byMethod.values());
            JmhResult reference = reference(byMethod.keySet()).map(byMethod::get).orElse(null);
            for (JmhResult weft : byMethod.values()) {
                if (Implementation.of(weft.method()).role() != Implementation.Role.WEFT) {
                    continue;
                }
                rows.add(new Row(benchmarkCase, Implementation.of(weft.method()), weft.score(),
                        peer == null ? null : Implementation.of(peer.method()),
                        peer == null ? null : peer.score(),
                        peer == null ? null : advantage(benchmarkCase, weft.score(), peer.score()),
                        reference == null ? null : Implementation.of(reference.method()),
                        reference == null ? null : reference.score(),
                        reference == null ? null : advantage(benchmarkCase, weft.score(), reference.score())));
            }
        }
        return new RatioTable(rows);
    }

    /**
     * Groups results by case, cases in order, methods in first-seen order.
     *
     * @param results merged JMH results
     * @return the results of each case by method name
     */
    public static SortedMap<BenchmarkCase, Map<String, JmhResult>> byCase(List<JmhResult> results) {
        SortedMap<BenchmarkCase, Map<String, JmhResult>> cases = new TreeMap<>();
        for (JmhResult result : results) {
            cases.computeIfAbsent(result.benchmarkCase(), c -> new LinkedHashMap<>()).put(result.method(), result);
        }
        return cases;
    }

    /**
     * The reference baseline among the methods of a case: the first of
     * {@link #REFERENCE_PREFERENCE} present, else the alphabetically first other baseline.
     *
     * @param methods the method names measured in the case
     * @return the reference method, or empty when the case has no baseline
     */
    public static Optional<String> reference(Collection<String> methods) {
        for (String preferred : REFERENCE_PREFERENCE) {
            if (methods.contains(preferred)) {
                return Optional.of(preferred);
            }
        }
        return methods.stream()
                .filter(m -> Implementation.of(m).role() == Implementation.Role.BASELINE)
                .sorted()
                .findFirst();
    }

    /**
     * @param benchmarkCase the case, whose mode says whether higher is better
     * @param weft Weft's score
     * @param other the other's score
     * @return above 1 when Weft is better
     */
    public static Score advantage(BenchmarkCase benchmarkCase, Score weft, Score other) {
        return benchmarkCase.higherIsBetter() ? weft.dividedBy(other) : other.dividedBy(weft);
    }

    private static JmhResult bestPeer(BenchmarkCase benchmarkCase, Collection<JmhResult> results) {
        JmhResult best = null;
        for (JmhResult result : results) {
            if (Implementation.of(result.method()).role() != Implementation.Role.STM_PEER) {
                continue;
            }
            if (best == null || isBetter(benchmarkCase, result.score(), best.score())) {
                best = result;
            }
        }
        return best;
    }

    private static boolean isBetter(BenchmarkCase benchmarkCase, Score a, Score b) {
        return benchmarkCase.higherIsBetter() ? a.value() > b.value() : a.value() < b.value();
    }
}
