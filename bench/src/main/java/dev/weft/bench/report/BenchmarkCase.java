package dev.weft.bench.report;

/**
 * One cell of the comparison: a workload in one benchmark mode at one thread count. Every
 * implementation measured on the same case is compared with every other.
 *
 * <p>Thread-safety: immutable.
 *
 * @param workload the benchmark class and its parameters
 * @param mode JMH's mode: {@code thrpt}, {@code avgt}, {@code sample} or {@code ss}
 * @param threads the number of benchmark threads (JMH {@code -t})
 */
public record BenchmarkCase(Workload workload, String mode, int threads) implements Comparable<BenchmarkCase> {

    /** @return whether a higher score is better (throughput); time modes are lower-is-better */
    public boolean higherIsBetter() {
        return mode.equals("thrpt");
    }

    @Override
    public int compareTo(BenchmarkCase other) {
        int byWorkload = workload.compareTo(other.workload);
        if (byWorkload != 0) {
            return byWorkload;
        }
        int byMode = mode.compareTo(other.mode);
        return byMode != 0 ? byMode : Integer.compare(threads, other.threads);
    }
}
