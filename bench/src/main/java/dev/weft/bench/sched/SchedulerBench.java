package dev.weft.bench.sched;

import dev.weft.scheduler.ContentionPolicy;
import dev.weft.scheduler.SchedulerStatistics;
import dev.weft.scheduler.TxnScheduler;
import dev.weft.stm.Stm;
import dev.weft.stm.StmStatistics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The scheduler's workload runner: the same stream of transactional tasks run by Weft's
 * {@code TxnScheduler} and by plain pools without contention management (a {@code ForkJoinPool}
 * and a fixed thread pool running {@code Stm.atomic} per task; the engine's own fallback, short
 * randomized spinning and irrevocability after repeated aborts, still applies there), and where
 * the workload is expressed for them, by Multiverse and ScalaSTM on a fixed pool. For each it
 * prints throughput (committed tasks per second) and aborts per commit, counted the same way for
 * everyone (attempts of the body minus tasks), then the ratios scheduler / plain pool.
 *
 * <pre>
 * java -cp bench/target/weft-bench.jar dev.weft.bench.sched.SchedulerBench \
 *     [--seconds 1.0] [--warmup 0.5] [--factors 1,4] [--workloads counter,bank-high,...]
 * </pre>
 * {@code --factors}: the plain pools' threads = factor x available processors, so factor x cores
 * tasks run at once there; the scheduler gets the same tasks on its default one worker per core
 * and decides itself how many run at once ({@code --oversubscribe-scheduler true} gives it factor
 * x cores workers too).
 * {@code --implementations} replaces the list, for example with the scheduler's ablations
 * {@code weft-sched-noplace} (placement off), {@code weft-sched-nothrottle} (throttling off),
 * {@code weft-sched-bare} (placement, throttling and waits all off: the engine and the worker queues
 * alone) and the priority policies {@code weft-sched-older} and {@code weft-sched-larger}.
 *
 * <p>Why a runner and not JMH: a task's cost includes its queueing and the pool's reaction to
 * conflicts among thousands of in-flight tasks, so the unit measured is a batch of tasks submitted
 * at once and awaited, timed over a fixed period after a warm-up; JMH's per-invocation model fits
 * that no better. Each configuration runs in the same JVM after its own warm-up.
 *
 * <p>Thread-safety: a command-line program, single-threaded apart from the pools it drives.
 */
public final class SchedulerBench {
    private static final int BATCH = 10_000;

    private SchedulerBench() {}

    /** One implementation that runs a workload's tasks. */
    private interface Runner extends AutoCloseable {
        CompletableFuture<?> submit(TxnWorkload workload, long i, LongAdder attempts);

        default SchedulerStatistics schedulerStatistics() {
            return null;
        }

        @Override
        void close();
    }

    private static Map<String, TxnWorkload> workloads() {
        Map<String, TxnWorkload> all = new LinkedHashMap<>();
        // work: Blackhole.consumeCPU tokens inside the transaction (2,000 are a few microseconds),
        // so that the workers, not the submitting thread, are the bottleneck
        all.put("counter", new CounterWorkload(2_000));
        all.put("bank-high", new BankWorkload(16, 2_000));
        all.put("bank-low", new BankWorkload(16_384, 2_000));
        all.put("vacation-high", new VacationWorkload(64, 4, 60, 90));
        all.put("vacation-low", new VacationWorkload(16_384, 2, 90, 98));
        all.put("kmeans-high", new KMeansWorkload(4));
        all.put("kmeans-low", new KMeansWorkload(64));
        return all;
    }

    private static Runner runner(String implementation, int threads, String type) {
        return switch (implementation) {
            case "weft-scheduler", "weft-sched-noplace", "weft-sched-nothrottle", "weft-sched-bare",
                    "weft-sched-older", "weft-sched-larger" -> new Runner() {
                final TxnScheduler scheduler = configure(TxnScheduler.builder().parallelism(threads), implementation).build();

                @Override
                public CompletableFuture<?> submit(TxnWorkload workload, long i, LongAdder attempts) {
                    return scheduler.submitAtomic(type, workload.weftBody(i, attempts));
                }

                @Override
                public SchedulerStatistics schedulerStatistics() {
                    return scheduler.statistics();
                }

                @Override
                public void close() {
                    scheduler.close();
                }
            };
            case "weft-forkjoin" -> pool(new ForkJoinPool(threads), (w, i, a) -> {
                Runnable body = w.weftBody(i, a);
                return () -> Stm.atomic(body);
            });
            case "weft-fixed" -> pool(Executors.newFixedThreadPool(threads), (w, i, a) -> {
                Runnable body = w.weftBody(i, a);
                return () -> Stm.atomic(body);
            });
            case "multiverse-fixed" -> pool(Executors.newFixedThreadPool(threads), TxnWorkload::multiverseTask);
            case "scalastm-fixed" -> pool(Executors.newFixedThreadPool(threads), TxnWorkload::scalaTask);
            default -> throw new IllegalArgumentException("unknown implementation " + implementation);
        };
    }

    /** The scheduler variants: the defaults, and ablations that each switch one mechanism off. */
    private static TxnScheduler.Builder configure(TxnScheduler.Builder builder, String implementation) {
        return switch (implementation) {
            case "weft-sched-noplace" -> builder.placement(false);
            case "weft-sched-nothrottle" -> builder.throttling(false);
            // no placement, no throttling, no wait: what is left is the engine and the queues
            case "weft-sched-bare" -> builder.placement(false).throttling(false).contentionPolicy(conflict -> 0L);
            case "weft-sched-older" -> builder.contentionPolicy(ContentionPolicy.olderWins());
            case "weft-sched-larger" -> builder.contentionPolicy(ContentionPolicy.largerWins());
            default -> builder;
        };
    }

    private interface TaskFactory {
        Runnable task(TxnWorkload workload, long i, LongAdder attempts);
    }

    private static Runner pool(ExecutorService executor, TaskFactory tasks) {
        return new Runner() {
            @Override
            public CompletableFuture<?> submit(TxnWorkload workload, long i, LongAdder attempts) {
                return CompletableFuture.runAsync(tasks.task(workload, i, attempts), executor);
            }

            @Override
            public void close() {
                executor.shutdown();
                try {
                    executor.awaitTermination(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    /** One measured configuration. */
    record Result(String workload, String implementation, int threads, double tasksPerSecond,
                  double abortsPerCommit, double engineConflictsPerCommit, String schedulerNote) {}

    private static long runBatch(Runner runner, TxnWorkload workload, long first, LongAdder attempts) {
        CompletableFuture<?>[] futures = new CompletableFuture<?>[BATCH];
        for (int k = 0; k < BATCH; k++) {
            futures[k] = runner.submit(workload, first + k, attempts);
        }
        CompletableFuture.allOf(futures).join();
        return BATCH;
    }

    static Result measure(String name, TxnWorkload workload, String implementation, int threads,
                          double warmupSeconds, double seconds) {
        workload.setUp();
        LongAdder attempts = new LongAdder();
        long tasks = 0;
        try (Runner runner = runner(implementation, threads, name)) {
            long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
            while (System.nanoTime() < warmupEnd) {
                tasks += runBatch(runner, workload, tasks, attempts);
            }
            long attemptsBefore = attempts.sum();
            StmStatistics engineBefore = Stm.statistics();
            SchedulerStatistics schedulerBefore = runner.schedulerStatistics();
            long measuredTasks = 0;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now;
            do {
                long done = runBatch(runner, workload, tasks, attempts);
                tasks += done;
                measuredTasks += done;
                now = System.nanoTime();
            } while (now < end);
            double elapsed = (now - start) / 1e9;
            long measuredAttempts = attempts.sum() - attemptsBefore;
            StmStatistics engineAfter = Stm.statistics();
            long commits = engineAfter.commits() + engineAfter.readOnlyCommits()
                    - engineBefore.commits() - engineBefore.readOnlyCommits();
            long conflicts = engineAfter.conflicts() - engineBefore.conflicts();
            String note = "";
            SchedulerStatistics schedulerAfter = runner.schedulerStatistics();
            if (schedulerAfter != null) {
                note = String.format(Locale.ROOT, "placements=%d escalations=%d limit=%d throttle-=%d+%d",
                        schedulerAfter.placements() - schedulerBefore.placements(),
                        schedulerAfter.escalations() - schedulerBefore.escalations(),
                        schedulerAfter.concurrencyLimit(),
                        schedulerAfter.throttleDecreases() - schedulerBefore.throttleDecreases(),
                        schedulerAfter.throttleIncreases() - schedulerBefore.throttleIncreases());
            }
            boolean weft = implementation.startsWith("weft");
            return new Result(name, implementation, threads, measuredTasks / elapsed,
                    (double) (measuredAttempts - measuredTasks) / measuredTasks,
                    weft && commits > 0 ? (double) conflicts / commits : Double.NaN, note);
        } finally {
            String peer = implementation.startsWith("multiverse") ? "multiverse"
                    : implementation.startsWith("scalastm") ? "scalastm" : "weft";
            workload.check(tasks, peer);
        }
    }

    public static void main(String[] args) {
        double seconds = 1.0;
        double warmup = 0.5;
        int repeat = 1;
        int[] factors = {1, 4};
        List<String> selected = new ArrayList<>(workloads().keySet());
        List<String> only = null;
        boolean oversubscribe = false;
        for (int a = 0; a + 1 < args.length; a += 2) {
            String value = args[a + 1];
            switch (args[a]) {
                case "--seconds" -> seconds = Double.parseDouble(value);
                case "--warmup" -> warmup = Double.parseDouble(value);
                case "--repeat" -> repeat = Integer.parseInt(value);
                case "--factors" -> factors = java.util.Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--workloads" -> selected = List.of(value.split(","));
                case "--implementations" -> only = List.of(value.split(","));
                case "--oversubscribe-scheduler" -> oversubscribe = Boolean.parseBoolean(value);
                default -> throw new IllegalArgumentException("unknown option " + args[a]
                        + "; use --seconds, --warmup, --repeat, --factors, --workloads, --implementations,"
                        + " --oversubscribe-scheduler");
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "# SchedulerBench: JDK %s, %d processors, %.1f s warm-up + %.1f s per "
                + "configuration, batches of %d tasks, %d round(s) in turn%n",
                Runtime.version(), cores, warmup, seconds, BATCH, repeat);
        String header = String.format(Locale.ROOT, "%-14s %-22s %7s %14s %14s %12s  %s", "workload",
                "implementation", "threads", "tasks/s", "aborts/commit", "engine c/c", "scheduler");
        System.out.println(header);
        Map<String, TxnWorkload> all = workloads();
        Map<String, List<Result>> byConfiguration = new LinkedHashMap<>();
        Map<Result, Integer> factorOf = new java.util.IdentityHashMap<>();
        for (int round = 0; round < repeat; round++) {
            for (int factor : factors) {
                int threads = factor * cores;
                for (String name : selected) {
                    TxnWorkload workload = all.get(name);
                    if (workload == null) {
                        throw new IllegalArgumentException("unknown workload " + name + "; known: " + all.keySet());
                    }
                    List<String> implementations = new ArrayList<>(List.of("weft-scheduler", "weft-forkjoin", "weft-fixed"));
                    if (workload.hasPeers()) {
                        implementations.add("multiverse-fixed");
                        implementations.add("scalastm-fixed");
                    }
                    if (only != null) {
                        // ablations (weft-sched-noplace, ...); peers only where the workload has them
                        implementations = new ArrayList<>(only);
                        if (!workload.hasPeers()) {
                            implementations.removeIf(i -> i.startsWith("multiverse") || i.startsWith("scalastm"));
                        }
                    }
                    for (String implementation : implementations) {
                        // the scheduler runs the same tasks on its default one worker per core
                        // (unless asked for oversubscription); the plain pools get factor x cores threads
                        int poolThreads = implementation.startsWith("weft-sched") && !oversubscribe ? cores : threads;
                        Result r = measure(name, workload, implementation, poolThreads, warmup, seconds);
                        byConfiguration.computeIfAbsent(name + "|" + threads + "|" + implementation,
                                k -> new ArrayList<>()).add(r);
                        factorOf.put(r, factor);
                        print(r);
                    }
                }
            }
        }
        List<Result> medians = new ArrayList<>();
        Map<Result, Integer> medianFactor = new java.util.IdentityHashMap<>();
        for (List<Result> runs : byConfiguration.values()) {
            Result m = median(runs);
            medians.add(m);
            medianFactor.put(m, factorOf.get(runs.get(0)));
        }
        System.out.println();
        System.out.println("# medians over the rounds (throughput and aborts/commit medians taken separately)");
        System.out.println(header);
        medians.forEach(SchedulerBench::print);
        System.out.println();
        System.out.println("# ratios of the medians: scheduler vs each other implementation, same workload and threads");
        System.out.printf(Locale.ROOT, "%-14s %6s %-22s %-17s %12s %28s%n", "workload", "factor", "scheduler", "vs",
                "throughput x", "aborts/commit sched / other");
        for (Result s : medians) {
            if (!s.implementation().startsWith("weft-sched")) {
                continue;
            }
            for (Result o : medians) {
                if (o.workload().equals(s.workload()) && medianFactor.get(o).equals(medianFactor.get(s))
                        && !o.implementation().startsWith("weft-sched")) {
                    System.out.printf(Locale.ROOT, "%-14s %6d %-22s %-17s %12.2f %16.3f / %-9.3f%n", s.workload(),
                            medianFactor.get(s), s.implementation() + "(" + s.threads() + ")",
                            o.implementation() + "(" + o.threads() + ")", s.tasksPerSecond() / o.tasksPerSecond(),
                            s.abortsPerCommit(), o.abortsPerCommit());
                }
            }
        }
    }

    private static void print(Result r) {
        System.out.printf(Locale.ROOT, "%-14s %-22s %7d %14.0f %14.3f %12.3f  %s%n", r.workload(),
                r.implementation(), r.threads(), r.tasksPerSecond(), r.abortsPerCommit(),
                r.engineConflictsPerCommit(), r.schedulerNote());
    }

    private static Result median(List<Result> runs) {
        double[] throughput = runs.stream().mapToDouble(Result::tasksPerSecond).sorted().toArray();
        double[] aborts = runs.stream().mapToDouble(Result::abortsPerCommit).sorted().toArray();
        double[] engine = runs.stream().mapToDouble(Result::engineConflictsPerCommit).sorted().toArray();
        Result first = runs.get(0);
        return new Result(first.workload(), first.implementation(), first.threads(),
                throughput[throughput.length / 2], aborts[aborts.length / 2], engine[engine.length / 2], "");
    }
}
