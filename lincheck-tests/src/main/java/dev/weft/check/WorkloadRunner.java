package dev.weft.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a {@link Workload} on N threads that start together, records every attempt, and checks
 * the history.
 *
 * <pre>{@code
 * WorkloadResult result = WorkloadRunner.run(ListAppendWorkload.weft(), 4, 2_000, WorkloadRunner.seed());
 * result.assertValid();   // on failure: the seed, the anomalies and the transactions involved
 * }</pre>
 *
 * <p><b>Seeds.</b> {@link #seed()} takes the {@value #SEED_PROPERTY} system property when set,
 * otherwise a random seed; the seed is part of every failure message. Worker {@code i} draws its
 * choices from a generator seeded by the seed and {@code i}, so a seed replays what every worker
 * asked for, in the same order. It does not replay the interleaving, which the scheduler decides:
 * a replayed seed reproduces a bug with the same odds as the original run, not with certainty.
 *
 * <p>Thread-safety: stateless; each {@code run} owns its workers.
 */
public final class WorkloadRunner {
    /** The system property that fixes the seed of every run ({@code -Dweft.check.seed=...}). */
    public static final String SEED_PROPERTY = "weft.check.seed";

    private static final long DEFAULT_TIMEOUT_SECONDS = 600;

    private WorkloadRunner() {}

    /**
     * The seed to use: {@value #SEED_PROPERTY} if set, a fresh random seed otherwise.
     *
     * @return the seed
     * @throws IllegalArgumentException if the property is set but is not a long
     */
    public static long seed() {
        String value = System.getProperty(SEED_PROPERTY);
        if (value == null || value.isBlank()) {
            return new SplittableRandom().nextLong();
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + SEED_PROPERTY + "=" + value + " is not a long; use the seed "
                    + "printed by the failing run", e);
        }
    }

    /**
     * Runs {@code workload} on {@code threads} platform threads, {@code transactionsPerThread}
     * transactions each, then checks the recorded history. Waits at most 10 minutes.
     *
     * @param workload the workload; its {@code transaction} is called concurrently by every worker
     * @param threads the number of worker threads, at least 1
     * @param transactionsPerThread the transactions each worker runs, at least 1
     * @param seed seeds every worker's random choices (see the class comment); {@link #seed()}
     *     gives one that a failing run prints
     * @return the history, the check and the seed; never throws because of what it found
     * @throws IllegalArgumentException if {@code threads} or {@code transactionsPerThread} is below 1
     * @throws AssertionError if the workers do not finish in time (a livelock or a hang)
     */
    public static WorkloadResult run(Workload workload, int threads, int transactionsPerThread, long seed) {
        Objects.requireNonNull(workload, "workload");
        if (threads < 1 || transactionsPerThread < 1) {
            throw new IllegalArgumentException("threads and transactionsPerThread must be at least 1");
        }
        HistoryRecorder recorder = new HistoryRecorder();
        ThreadRecorder[] recorders = new ThreadRecorder[threads];
        for (int i = 0; i < threads; i++) {
            recorders[i] = recorder.newThreadRecorder(); // thread index i in the history = worker i
        }
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int worker = i;
            Thread thread = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed + worker * 0x9E3779B97F4A7C15L);
                try {
                    start.await();
                    for (int n = 0; n < transactionsPerThread && failure.get() == null; n++) {
                        workload.transaction(worker, random, recorders[worker]);
                    }
                } catch (InterruptedException | BrokenBarrierException e) {
                    Thread.currentThread().interrupt();
                    failure.compareAndSet(null, e);
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                }
            }, "weft-workload-" + i);
            workers.add(thread);
            thread.start();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEFAULT_TIMEOUT_SECONDS);
        for (Thread thread : workers) {
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the workers of seed " + seed, e);
            }
            if (thread.isAlive()) {
                failure.compareAndSet(null, new IllegalStateException("stopped waiting"));
                throw new AssertionError(thread.getName() + " did not finish in " + DEFAULT_TIMEOUT_SECONDS
                        + " s (livelock or hang?); " + workload + ", seed " + seed);
            }
        }
        History history = recorder.history();
        CheckResult check = SerializabilityChecker.check(history);
        return new WorkloadResult(workload.toString(), seed, threads, transactionsPerThread, history, check,
                workload.invariantViolations(), failure.get());
    }
}
