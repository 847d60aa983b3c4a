package dev.weft.check;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Weft's engine under randomized workloads on 2 to 8 threads, every attempt recorded and the
 * history checked for serializability and opacity. Sizes scale with {@code weft.test.scale};
 * each failure prints the seed ({@code -Dweft.check.seed} replays the workers' choices).
 *
 * <p>The twins run the same workloads with the transaction boundary removed (every ref access a
 * transaction of its own): the checker must report them.
 */
class EngineSerializabilityTest {
    private static final int SCALE = WeftLincheck.scale();

    /** No transaction: each ref access commits on its own, the attempt is recorded as one transaction. */
    static final TransactionRunner NO_TRANSACTION = (recorder, body) -> {
        recorder.begin();
        body.run();
        recorder.commit();
    };

    private static WorkloadResult run(Workload workload, int threads, int transactionsPerThread) {
        WorkloadResult result = WorkloadRunner.run(workload, threads, transactionsPerThread, WorkloadRunner.seed());
        System.out.printf("%s, %d threads, seed %d: %,d attempts, %,d committed, %s%n", result.workload(), threads,
                result.seed(), result.history().size(), result.history().count(Outcome.COMMITTED),
                result.check().anomalyCounts());
        return result;
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 4, 8})
    void bankTransfersAreSerializableAndAuditsSeeTheTotal(int threads) {
        run(BankWorkload.weft(), threads, SCALE * 8_000 / threads).assertValid();
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 4, 8})
    void listAppendHistoriesAreSerializable(int threads) {
        run(ListAppendWorkload.weft(), threads, SCALE * 8_000 / threads).assertValid();
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 4})
    void registerHistoriesAreSerializable(int threads) {
        run(RegisterWorkload.weft(), threads, SCALE * 8_000 / threads).assertValid();
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 4, 8})
    void composedListAppendHistoriesAreSerializableAndCommutesAddUp(int threads) {
        ComposedListAppendWorkload workload = ComposedListAppendWorkload.weft();
        WorkloadResult result = run(workload, threads, SCALE * 8_000 / threads);
        System.out.printf("  %,d nested scopes abandoned, %,d orElse alternatives retried, %,d commutes committed, "
                + "%,d attempts aborted%n", workload.abandonedScopes(), workload.retriedAlternatives(),
                workload.committedCommutes(), result.history().count(Outcome.ABORTED));
        result.assertValid();
        assertTrue(workload.abandonedScopes() > 0 && workload.retriedAlternatives() > 0
                && workload.committedCommutes() > 0, "the run did not exercise every composition: " + workload);
    }

    @Test
    void bankWithoutTransactionsIsCaught() {
        WorkloadResult result = runUntilCaught(
                () -> new BankWorkload(4, 100, 0.25, NO_TRANSACTION), 4, 2_000);
        assertFalse(result.check().valid(), result::describe);
    }

    @Test
    void listAppendWithoutTransactionsIsCaught() {
        WorkloadResult result = runUntilCaught(() -> new ListAppendWorkload(2, 40, 4, NO_TRANSACTION), 4, 2_000);
        assertFalse(result.check().valid(), result::describe);
    }

    @Test
    void registersWithoutTransactionsAreCaught() {
        WorkloadResult result = runUntilCaught(() -> new RegisterWorkload(3, 4, 0.05, NO_TRANSACTION), 4, 2_000);
        assertFalse(result.check().valid(), result::describe);
    }

    @Test
    void composedListAppendWithoutTransactionsIsCaught() {
        WorkloadResult result = runUntilCaught(
                () -> new ComposedListAppendWorkload(2, 40, 4, 0.2, 0.5, 0.2, 0.1, NO_TRANSACTION), 4, 2_000);
        assertFalse(result.check().valid(), result::describe);
    }

    /** Counters that do not match the committed commutes (each commute adds 2): the tally check must say so. */
    @Test
    void composedListAppendWithMiscountedCommutesIsCaught() {
        ComposedListAppendWorkload workload = new ComposedListAppendWorkload(2, 40, 4, 0.2, 0.5, 0.2, 0.1,
                TransactionRunner.WEFT, false, 2);
        WorkloadResult result = run(workload, 2, 1_000);
        assertTrue(result.check().valid(), result::describe);
        assertFalse(result.invariantViolations().isEmpty(), "the commute tally check missed counters off by a factor 2");
    }

    /** A recorder that keeps the appends of abandoned nested scopes and retried alternatives. */
    @Test
    void composedListAppendRecordingRolledBackAppendsIsCaught() {
        WorkloadResult result = runUntilCaught(() -> new ComposedListAppendWorkload(2, 40, 4, 0.2, 0.5, 0.2, 0.1,
                TransactionRunner.WEFT, true), 4, 2_000);
        assertFalse(result.check().valid(), result::describe);
    }

    interface WorkloadFactory {
        Workload create();
    }

    /**
     * Runs a broken workload up to five times (fresh seed each) until the checker reports it:
     * a race needs the scheduler's help, and five misses in a row mean the checker is blind.
     */
    private static WorkloadResult runUntilCaught(WorkloadFactory factory, int threads, int transactionsPerThread) {
        List<Long> seeds = new ArrayList<>();
        for (int attempt = 0; attempt < 5; attempt++) {
            WorkloadResult result = run(factory.create(), threads, transactionsPerThread);
            seeds.add(result.seed());
            if (!result.check().valid()) {
                System.out.println(result.describe().lines().limit(20).reduce("", (a, b) -> a + b + "\n"));
                return result;
            }
        }
        assertTrue(false, "the checker did not catch the broken workload in 5 runs, seeds " + seeds);
        return null;
    }
}
