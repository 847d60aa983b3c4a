package dev.weft.bench;

import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What a long read-only transaction costs the writer next to it, measured in the writer's own
 * CPU time per transfer rather than in wall-clock throughput.
 *
 * <p>Why not only JMH throughput ({@code ProgressBenchmark.writer*}): on a 2-core machine shared
 * with other processes the writer's throughput next to a second busy thread depends mostly on how
 * much CPU the scheduler leaves it, not on what the reader does to it. CPU nanoseconds per
 * operation ({@link ThreadMXBean#getCurrentThreadCpuTime()}) count only the time the writer runs,
 * so they show the cost the reader imposes through the engine and the caches. Rounds alternate the
 * three setups so that load changes hit them alike:
 * <ul>
 *   <li>{@code alone}: the writer transferring between 100,000 refs;
 *   <li>{@code plainScan}: the same next to a thread summing the refs with one-operation reads (no
 *       transaction: the cache traffic of the scan only);
 *   <li>{@code longReader}: the same next to a read-only transaction summing all 100,000 refs.
 * </ul>
 * Run: {@code java -jar bench/target/weft-bench.jar long-reader [rounds] [millis per setup]}.
 */
public final class LongReaderCpu {
    static final int REFS = 100_000;
    private static final String[] SETUPS = {"alone", "plainScan", "longReader"};

    private LongReaderCpu() {}

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long millis = args.length > 1 ? Long.parseLong(args[1]) : 1500;
        LongRef[] refs = new LongRef[REFS];
        for (int i = 0; i < REFS; i++) {
            refs[i] = new LongRef(10);
        }
        double[][] cpu = new double[SETUPS.length][rounds];
        System.out.printf("%-6s %-11s %12s %12s %12s%n", "round", "setup", "cpu ns/op", "ops/us wall", "reader sums");
        for (int round = 0; round < rounds; round++) {
            for (int s = 0; s < SETUPS.length; s++) {
                double[] result = run(refs, SETUPS[s], millis);
                cpu[s][round] = result[0];
                System.out.printf("%-6d %-11s %12.1f %12.2f %12d%n", round, SETUPS[s], result[0], result[1], (long) result[2]);
            }
        }
        // the first round warms the JIT up: report the median of the others
        System.out.printf("%nmedian cpu ns/op over rounds 2..%d:%n", rounds);
        double alone = median(cpu[0]);
        for (int s = 0; s < SETUPS.length; s++) {
            double m = median(cpu[s]);
            System.out.printf("  %-11s %8.1f   writer efficiency vs alone %5.0f %%%n", SETUPS[s], m, 100 * alone / m);
        }
    }

    private static double median(double[] values) {
        double[] rest = java.util.Arrays.copyOfRange(values, Math.min(1, values.length - 1), values.length);
        java.util.Arrays.sort(rest);
        return rest[rest.length / 2];
    }

    private static double[] run(LongRef[] refs, String setup, long millis) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong sums = new AtomicLong();
        AtomicLong sink = new AtomicLong();
        Thread reader = null;
        if (!setup.equals("alone")) {
            boolean transactional = setup.equals("longReader");
            LongSupplier sumAll = () -> {
                long total = 0;
                for (LongRef ref : refs) {
                    total += ref.get();
                }
                return total;
            };
            reader = new Thread(() -> {
                while (!stop.get()) {
                    long total = 0;
                    if (transactional) {
                        total = Stm.atomicLong(sumAll);
                    } else {
                        for (LongRef ref : refs) {
                            total += ref.atomic().get();
                        }
                    }
                    sink.lazySet(total);
                    sums.incrementAndGet();
                }
            }, "long-reader");
            reader.start();
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        SplittableRandom random = new SplittableRandom(1);
        LongRef[] pair = new LongRef[2];
        Runnable transfer = () -> {
            pair[0].add(-1);
            pair[1].add(1);
        };
        long ops = 0;
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long end = start + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            for (int k = 0; k < 1000; k++) {
                pair[0] = refs[random.nextInt(REFS)];
                pair[1] = refs[random.nextInt(REFS)];
                Stm.atomic(transfer);
            }
            ops += 1000;
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
        long wall = System.nanoTime() - start;
        stop.set(true);
        if (reader != null) {
            reader.join();
        }
        return new double[] {(double) cpu / ops, ops * 1000.0 / wall, sums.get()};
    }
}
