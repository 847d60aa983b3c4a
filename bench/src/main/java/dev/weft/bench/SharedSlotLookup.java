package dev.weft.bench;

import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;

/**
 * What two threads pay when their ids share a slot of the engine's descriptor cache (the cache
 * in front of the {@code ThreadLocal} that finds a thread's transaction descriptor; see
 * {@code Transaction.BY_THREAD_ID}), against two threads whose slots differ.
 *
 * <p>Each of two threads runs small transactions (read and write its own ref) back to back; the
 * threads share nothing but the cache. JMH cannot choose its threads' ids, so this is a plain
 * program: rounds alternate a pair created to share a slot ({@code sharing}) and a pair created
 * not to ({@code apart}), and print each thread's throughput. Ids that agree in their low ten bits
 * share a slot whatever the cache's size up to 1,024 slots.
 * Run: {@code java -jar bench/target/weft-bench.jar shared-slot [rounds] [transactions per thread]}.
 */
public final class SharedSlotLookup {
    private SharedSlotLookup() {}

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int transactions = args.length > 1 ? Integer.parseInt(args[1]) : 20_000_000;
        System.out.printf("%-6s %-8s %25s %16s%n", "round", "pair", "thread ids", "Mtx/s per thread");
        for (int round = 0; round < rounds; round++) {
            for (boolean sharing : new boolean[] {true, false}) {
                long[] nanos = new long[2];
                Thread first = worker(transactions, nanos, 0);
                Thread second = worker(transactions, nanos, 1);
                while (!isPair(sharing, first, second)) {
                    second = worker(transactions, nanos, 1);
                }
                first.start();
                second.start();
                first.join();
                second.join();
                System.out.printf("%-6d %-8s %12d %12d %8.1f %7.1f%n", round, sharing ? "sharing" : "apart",
                        id(first), id(second), transactions * 1e3 / nanos[0], transactions * 1e3 / nanos[1]);
            }
        }
    }

    /** Sharing: the low ten bits of the ids agree; apart: already the low eight differ. */
    private static boolean isPair(boolean sharing, Thread first, Thread second) {
        long one = id(first);
        long other = id(second);
        return sharing ? (one & 0x3ff) == (other & 0x3ff) : (one & 0xff) != (other & 0xff);
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() exists only from JDK 19
    private static long id(Thread thread) {
        return thread.getId();
    }

    private static Thread worker(int transactions, long[] nanos, int index) {
        return new Thread(() -> {
            LongRef ref = new LongRef(0);
            Runnable body = () -> ref.set(ref.get() + 1);
            for (int i = 0; i < transactions / 4; i++) { // warm-up
                Stm.atomic(body);
            }
            long start = System.nanoTime();
            for (int i = 0; i < transactions; i++) {
                Stm.atomic(body);
            }
            nanos[index] = System.nanoTime() - start;
        }, "shared-slot-" + index);
    }
}
