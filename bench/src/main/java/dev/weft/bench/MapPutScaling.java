package dev.weft.bench;

import dev.weft.collections.TMap;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CyclicBarrier;

/**
 * Does a second thread add throughput to a map under a get/put mix on this machine? A stand-alone
 * harness (plain threads, no JMH) for the question JMH's two-thread rows leave open on a shared
 * VM, where forks of one build land at different speeds: it runs the same mix with 1 and with 2
 * threads, alternating, for {@code TMap}'s view and for {@code ConcurrentHashMap}, and prints
 * total operations per microsecond for each round. Mix as in {@link MapPutBenchmark}: 1,024 keys
 * (half present at the start), {@code update} percent puts writing one of 1,024 preallocated
 * values, the rest gets.
 *
 * <p>Run: {@code java -jar bench/target/weft-bench.jar map-scaling [update %] [rounds] [ms per round]}
 * (defaults 10, 3, 500).
 */
public final class MapPutScaling {
    private static final int KEYS = 1024;

    private MapPutScaling() {}

    public static void main(String[] args) throws Exception {
        int update = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long millis = args.length > 2 ? Long.parseLong(args[2]) : 500;
        System.out.printf("# get/put mix, %d %% puts, %d keys, %d ms per round, %d processors%n",
                update, KEYS, millis, Runtime.getRuntime().availableProcessors());
        for (int round = 0; round < rounds; round++) {
            for (String implementation : new String[] {"weft", "concurrentHashMap"}) {
                for (int threads = 1; threads <= 2; threads++) {
                    double rate = run(implementation, threads, update, millis);
                    System.out.printf("round %d  %-18s threads=%d  %6.1f ops/us%n", round, implementation, threads, rate);
                }
            }
        }
    }

    private static double run(String implementation, int threads, int update, long millis) throws Exception {
        MapKeys space = new MapKeys(); // the JMH map benchmarks' boxed keys and put values
        space.keyRange = KEYS;
        space.setup();
        Integer[] keys = space.keys;
        Integer[] values = space.values;
        ConcurrentMap<Integer, Integer> map = implementation.equals("weft")
                ? new TMap<Integer, Integer>().asMap() : new ConcurrentHashMap<>();
        for (int i = 0; i < KEYS; i += 2) {
            map.put(keys[i], keys[i]);
        }
        long[] ops = new long[threads];
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        Thread[] workers = new Thread[threads];
        long nanos = millis * 1_000_000;
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(31L * id + 7);
                awaitQuietly(start);
                long end = System.nanoTime() + nanos;
                long count = 0;
                int next = 0;
                long sink = 0;
                do {
                    for (int k = 0; k < 256; k++) {
                        int dice = random.nextInt(100);
                        Integer key = keys[random.nextInt(KEYS)];
                        if (dice < update) {
                            map.put(key, values[next++ & (KeyDraw.VALUES - 1)]);
                        } else {
                            Integer found = map.get(key);
                            sink += found == null ? 0 : found;
                        }
                    }
                    count += 256;
                } while (System.nanoTime() < end);
                ops[id] = count + (sink == 42 ? 1 : 0); // keeps the gets' results alive
            });
            workers[t].start();
        }
        awaitQuietly(start);
        for (Thread worker : workers) {
            worker.join();
        }
        long total = 0;
        for (long count : ops) {
            total += count;
        }
        return total / (nanos / 1000.0);
    }

    private static void awaitQuietly(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
