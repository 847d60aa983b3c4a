package dev.weft.check;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A randomized transactional workload that records what it does, for {@link WorkloadRunner}.
 * Weft ships {@link BankWorkload}, {@link ListAppendWorkload} and {@link RegisterWorkload}; a
 * structure's own workload implements the same two methods.
 *
 * <p>Replay: {@link #transaction} must draw every random choice from {@code random} <em>before</em>
 * the transaction body runs (the body may run several times), so that a seed fixes what each
 * thread asks for. The interleaving of threads is not replayed.
 *
 * <p>Thread-safety: {@link #transaction} is called concurrently from every worker thread;
 * implementations must be thread-safe (Weft's keep their shared state in refs).
 */
public interface Workload {

    /**
     * Runs one transaction for worker {@code thread}, recording every attempt on {@code recorder}.
     *
     * @param thread the worker index, from 0
     * @param random this worker's random source (seeded from the run's seed)
     * @param recorder this worker's recorder
     */
    void transaction(int thread, SplittableRandom random, ThreadRecorder recorder);

    /**
     * Violations of the workload's own invariant observed during the run (for the bank: an
     * attempt that saw a total different from the money in the bank), checked in every attempt,
     * committed or not. Empty by default.
     *
     * @return human-readable violations, the first ones
     */
    default List<String> invariantViolations() {
        return List.of();
    }
}
