package dev.weft.check;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of one {@link WorkloadRunner} run: the recorded history, what the checker found,
 * the workload's own invariant violations, and the seed that replays the workers' choices.
 *
 * <p>Thread-safety: an immutable record (the history is immutable).
 *
 * @param workload the workload's description
 * @param seed the seed of the run; {@code -D}{@value WorkloadRunner#SEED_PROPERTY}{@code =seed}
 *     replays it
 * @param threads the number of worker threads
 * @param transactionsPerThread the transactions each worker ran
 * @param history every recorded attempt
 * @param check the serializability and opacity check of {@code history}
 * @param invariantViolations the workload's own findings ({@link Workload#invariantViolations()})
 * @param workerFailure the first exception a worker threw, or null
 */
public record WorkloadResult(String workload, long seed, int threads, int transactionsPerThread, History history,
        CheckResult check, List<String> invariantViolations, Throwable workerFailure) {

    /**
     * Copies the list.
     *
     * @param workload the workload's description
     * @param seed the seed of the run; {@code -D}{@value WorkloadRunner#SEED_PROPERTY}{@code =seed}
     *     replays it
     * @param threads the number of worker threads
     * @param transactionsPerThread the transactions each worker ran
     * @param history every recorded attempt
     * @param check the serializability and opacity check of {@code history}
     * @param invariantViolations the workload's own findings ({@link Workload#invariantViolations()})
     * @param workerFailure the first exception a worker threw, or null
     */
    public WorkloadResult {
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(check, "check");
        invariantViolations = List.copyOf(invariantViolations);
    }

    /**
     * Whether the run found nothing wrong: no anomaly, no invariant violation, no worker failure.
     *
     * @return true if nothing was found
     */
    public boolean valid() {
        return check.valid() && invariantViolations.isEmpty() && workerFailure == null;
    }

    /**
     * Throws if the run found anything wrong.
     *
     * @throws AssertionError whose message starts with the seed and how to replay it, then the
     *     findings
     */
    public void assertValid() {
        if (!valid()) {
            AssertionError error = new AssertionError(describe());
            if (workerFailure != null) {
                error.initCause(workerFailure);
            }
            throw error;
        }
    }

    /**
     * The seed line, then the checker's report and the invariant violations.
     *
     * @return the report, several lines
     */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append(workload).append(" on ").append(threads).append(" threads x ").append(transactionsPerThread)
                .append(" transactions, seed ").append(seed).append(" (replay with -D")
                .append(WorkloadRunner.SEED_PROPERTY).append('=').append(seed).append(")\n");
        if (workerFailure != null) {
            out.append("a worker failed: ").append(workerFailure).append('\n');
        }
        for (String violation : invariantViolations) {
            out.append("invariant: ").append(violation).append('\n');
        }
        out.append(check.describe());
        return out.toString();
    }
}
