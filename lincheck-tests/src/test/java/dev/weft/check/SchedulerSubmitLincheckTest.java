package dev.weft.check;

import dev.weft.refs.LongRef;
import dev.weft.scheduler.TxnScheduler;
import dev.weft.stm.Stm;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's submit/complete contract is linearizable: a task submitted with
 * {@code submitAtomic} (or a plain {@code submit} that runs one transaction) runs exactly once,
 * and its future completes with the result of the one attempt that committed, so a caller that
 * submits and joins sees what a caller of a plain, locked counter would. A task run twice, a
 * future completed with an attempt that did not commit, or two tasks' transactions interleaved
 * would show as results no sequential order explains.
 *
 * <p>Stress only: the tasks run on the scheduler's workers, threads Lincheck's model checker does
 * not control (it would report the callers' joins as hangs). One scheduler serves every scenario
 * (a static field, closed with the JVM): a scheduler per scenario would start threads thousands of
 * times.
 */
class SchedulerSubmitLincheckTest {
    static final TxnScheduler SCHEDULER = TxnScheduler.builder().parallelism(2)
            .threadNamePrefix("weft-lincheck-worker-").build();

    /** A counter whose every operation is a task submitted to the scheduler and joined. */
    @Param(name = "delta", gen = IntGen.class, conf = "1:3")
    public static class SubmittedCounter {
        private final LongRef counter = new LongRef();

        @Operation
        public long incrementAndGet() {
            return SCHEDULER.submitAtomic(counter::incrementAndGet).join();
        }

        @Operation
        public long getAndAdd(@Param(name = "delta") int delta) {
            // a plain task running one transaction of its own
            return SCHEDULER.submit(() -> Stm.atomic(() -> counter.getAndAdd(delta))).join();
        }

        @Operation
        public long doubleAndGet() {
            return SCHEDULER.submitAtomic(() -> counter.updateAndGet(v -> 2 * v)).join(); // order-sensitive
        }

        @Operation
        public long get() {
            return SCHEDULER.submitAtomic(counter::get).join();
        }
    }

    /** The sequential specification: a plain {@code long}. */
    public static class PlainCounter {
        private long value;

        public long incrementAndGet() {
            return ++value;
        }

        public long getAndAdd(int delta) {
            long previous = value;
            value += delta;
            return previous;
        }

        public long doubleAndGet() {
            value *= 2;
            return value;
        }

        public long get() {
            return value;
        }
    }

    /**
     * The broken twin: each task reads and writes in two transactions, so two tasks running at
     * once on the two workers can both read the same value and one update is lost.
     */
    @Param(name = "delta", gen = IntGen.class, conf = "1:3")
    public static class SplitTaskCounter {
        private final LongRef counter = new LongRef();

        @Operation
        public long incrementAndGet() {
            return SCHEDULER.submit(() -> {
                long seen = Stm.atomic(counter::get);
                Thread.yield(); // widen the window between the two transactions
                return Stm.atomic(() -> {
                    counter.set(seen + 1);
                    return seen + 1;
                });
            }).join();
        }

        @Operation
        public long get() {
            return SCHEDULER.submitAtomic(counter::get).join();
        }
    }

    /** The specification of {@link SplitTaskCounter}. */
    public static class PlainIncrementCounter {
        private long value;

        public long incrementAndGet() {
            return ++value;
        }

        public long get() {
            return value;
        }
    }

    @Test
    void submittedTasksCompleteOnceWithTheirCommittedResultUnderStress() {
        WeftLincheck.stress().sequentialSpecification(PlainCounter.class).check(SubmittedCounter.class);
    }

    @Test
    void tasksSplitIntoTwoTransactionsAreCaught() {
        ExpectedViolation.assertCaught(() -> WeftLincheck.stress().actorsPerThread(4)
                .invocationsPerIteration(1_000).minimizeFailedScenario(false)
                .sequentialSpecification(PlainIncrementCounter.class).check(SplitTaskCounter.class));
    }
}
