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
 * the best STM peer measured in the same case doing the same operation, and over the reference
 * baseline (see {@link #reference}).
 *
 * <p>Like for like: a Weft method is compared only with peers whose method measures the same
 * {@linkplain Implementation#operation() operation} ({@code weftPut} with {@code scalaStmPut},
 * {@code weftCommute} with {@code multiverseCommute}, {@code weft} with {@code multiverse}); a
 * Weft method no peer matches (a one-operation call outside transactions where the peers run a
 * transaction, Weft's striped counter) has no peer ratio. Until session 18 the best peer of the
 * whole case was used, which set some of Weft's non-transactional calls against the peers'
 * transactions.
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
            for (JmhResult weft : byMethod.values()) {
                Implementation implementation = Implementation.of(weft.method());
                if (implementation.role() != Implementation.Role.WEFT) {
                    continue;
                }
                JmhResult peer = bestPeer(benchmarkCase, implementation.operation(), byMethod.values());
                JmhResult reference = reference(implementation.operation(), byMethod.keySet())
                        .map(byMethod::get).orElse(null);
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
        return reference("", methods);
    }

    /**
     * The reference baseline of a Weft method measuring {@code operation}: among the baselines
     * whose names end with the operation ({@code weftTake}: {@code arrayBlockingQueueTake}) when
     * there are any, else among all, the first of {@link #REFERENCE_PREFERENCE} present, else the
     * alphabetically first.
     *
     * @param operation the Weft method's {@linkplain Implementation#operation() operation}
     * @param methods the method names measured in the case
     * @return the reference method, or empty when the case has no baseline
     */
    public static Optional<String> reference(String operation, Collection<String> methods) {
        List<String> baselines = methods.stream()
                .filter(m -> Implementation.of(m).role() == Implementation.Role.BASELINE)
                .sorted()
                .toList();
        List<String> sameOperation = operation.isEmpty() ? List.of()
                : baselines.stream().filter(m -> m.endsWith(operation)).toList();
        List<String> candidates = sameOperation.isEmpty() ? baselines : sameOperation;
        for (String preferred : REFERENCE_PREFERENCE) {
            if (candidates.contains(preferred)) {
                return Optional.of(preferred);
            }
        }
        return candidates.stream().findFirst();
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

    private static JmhResult bestPeer(BenchmarkCase benchmarkCase, String operation, Collection<JmhResult> results) {
        JmhResult best = null;
        for (JmhResult result : results) {
            Implementation peer = Implementation.of(result.method());
            if (peer.role() != Implementation.Role.STM_PEER || !peer.operation().equals(operation)) {
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
