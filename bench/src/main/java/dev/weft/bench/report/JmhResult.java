package dev.weft.bench.report;

import java.util.List;

/**
 * One row of JMH's JSON output: one benchmark method measured in one case.
 *
 * <p>Thread-safety: immutable.
 *
 * @param benchmarkCase the workload, mode and thread count
 * @param method the benchmark method (or {@code @Group}) name, e.g. {@code weft} or {@code lock}
 * @param score the primary score and its error
 * @param unit the primary score's unit, e.g. {@code ops/us}
 * @param bytesPerOp {@code gc.alloc.rate.norm} when the run used {@code -prof gc}, else NaN
 * @param forkMeans the mean of each fork's measured iterations, in fork order
 * @param settings how JMH ran it
 */
public record JmhResult(BenchmarkCase benchmarkCase, String method, Score score, String unit,
                        double bytesPerOp, List<Double> forkMeans, RunSettings settings) {

    /** Copies {@code forkMeans}. */
    public JmhResult {
        forkMeans = List.copyOf(forkMeans);
    }

    /** @return whether this result carries an allocation figure */
    public boolean hasBytesPerOp() {
        return !Double.isNaN(bytesPerOp);
    }

    /** @return the same measurement with {@code bytesPerOp} replaced */
    JmhResult withBytesPerOp(double bytes) {
        return new JmhResult(benchmarkCase, method, score, unit, bytes, forkMeans, settings);
    }

    /** @return e.g. {@code BankBenchmark.weft} */
    public String name() {
        return benchmarkCase.workload().className() + "." + method;
    }
}
