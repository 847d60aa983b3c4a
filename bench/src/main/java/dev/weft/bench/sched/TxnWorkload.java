package dev.weft.bench.sched;

import java.util.concurrent.atomic.LongAdder;

/**
 * A workload for {@link SchedulerBench}: a stream of independent tasks, each one transaction, over
 * shared state. Task {@code i}'s arguments come from a random generator seeded with {@code i}
 * inside each attempt, so a re-run attempt does the same work.
 *
 * <p>Every body counts its attempts in the given adder (attempts minus commits = aborts), which
 * measures Weft and the peers the same way.
 *
 * <p>Thread-safety: the task bodies run concurrently on any threads; {@link #setUp} and
 * {@link #check} run alone.
 */
interface TxnWorkload {
    /** The workload's name and parameters, as printed. */
    String name();

    /** Fresh shared state. */
    void setUp();

    /** Task {@code i}'s transaction body for Weft, to run inside {@code Stm.atomic} (not atomic itself). */
    Runnable weftBody(long i, LongAdder attempts);

    /** Whether {@link #multiverseTask} and {@link #scalaTask} are implemented. */
    default boolean hasPeers() {
        return false;
    }

    /** Task {@code i} as a whole Multiverse transaction, or null when not expressed for Multiverse. */
    default Runnable multiverseTask(long i, LongAdder attempts) {
        return null;
    }

    /** Task {@code i} as a whole ScalaSTM transaction, or null when not expressed for ScalaSTM. */
    default Runnable scalaTask(long i, LongAdder attempts) {
        return null;
    }

    /** Verifies the invariant after {@code tasks} committed tasks (throws if broken). */
    void check(long tasks, String implementation);
}
