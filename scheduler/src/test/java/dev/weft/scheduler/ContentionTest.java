package dev.weft.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** Contended workloads always finish, with their invariants intact (starvation freedom). */
class ContentionTest {

    // ------------------------------------------------------------------ a transaction that loses every attempt

    /**
     * One transaction conflicts on every attempt it runs optimistically: after reading the cell it
     * has an outside thread commit to it. Invariant: it still finishes, within
     * {@code escalateAfter + 1} attempts, because the scheduler escalates it.
     */
    private static void alwaysConflictingTaskFinishesWithinTheBound(TxnScheduler.Builder builder, int escalateAfter) {
        Cell cell = new Cell(0);
        AtomicInteger attempts = new AtomicInteger();
        int giveUpAfter = escalateAfter + 50;
        try (TxnScheduler scheduler = builder.parallelism(2).build(); Interferer interferer = new Interferer()) {
            long escalationsBefore = scheduler.statistics().escalations();
            CompletableFuture<Long> task = scheduler.submitAtomic(() -> {
                if (attempts.incrementAndGet() > giveUpAfter) {
                    throw new IllegalStateException("starved: " + giveUpAfter + " attempts");
                }
                long seen = cell.get();
                // Interfere only while optimistic: an irrevocable attempt reserved the cell, so the
                // outside write would wait for this transaction, which would wait for it.
                if (scheduler.statistics().escalations() == escalationsBefore) {
                    interferer.bump(cell);
                }
                cell.set(seen + 100);
                return seen;
            });
            try {
                task.join();
            } catch (RuntimeException e) {
                throw new AssertionFailedError("the always-conflicting task did not finish: " + e.getCause());
            }
            assertEquals(escalateAfter + 1, attempts.get(), "attempts of the always-conflicting task");
            assertEquals(escalateAfter + 100, cell.committed());
        }
    }

    @Test
    void aTransactionThatLosesEveryAttemptFinishesAfterEscalation() {
        alwaysConflictingTaskFinishesWithinTheBound(TxnScheduler.builder().escalateAfter(4), 4);
    }

    @Test
    void aTransactionThatLosesEveryAttemptWithEveryPolicyFinishes() {
        alwaysConflictingTaskFinishesWithinTheBound(TxnScheduler.builder().escalateAfter(3)
                .contentionPolicy(ContentionPolicy.olderWins()), 3);
        alwaysConflictingTaskFinishesWithinTheBound(TxnScheduler.builder().escalateAfter(3)
                .contentionPolicy(ContentionPolicy.largerWins()), 3);
    }

    @Test
    void withoutEscalationTheSameTransactionStarves() {
        // the broken twin: a scheduler that never escalates and a policy that never does either
        assertThrows(AssertionFailedError.class, () -> alwaysConflictingTaskFinishesWithinTheBound(
                TxnScheduler.builder().escalateAfter(Integer.MAX_VALUE).contentionPolicy(conflict -> 0), 4));
    }

    // ------------------------------------------------------------------ a contended bank

    /** One transfer, returning the bank's total as seen by an audit made by the same operation. */
    interface Transfer {
        CompletableFuture<Long> submit(TxnScheduler scheduler, Cell[] accounts, int from, int to, long amount,
                                       AtomicIntegerArray attempts, int id);
    }

    private static long total(Cell[] accounts) {
        long sum = 0;
        for (Cell account : accounts) {
            sum += account.get();
        }
        return sum;
    }

    /** Correct: the move and the audit are one transaction. */
    private static final Transfer ATOMIC = (scheduler, accounts, from, to, amount, attempts, id) ->
            scheduler.submitAtomic(() -> {
                attempts.incrementAndGet(id);
                accounts[from].add(-amount);
                accounts[to].add(amount);
                return total(accounts);
            });

    /** Broken: withdraw, audit and deposit are three transactions. */
    private static final Transfer SPLIT = (scheduler, accounts, from, to, amount, attempts, id) ->
            scheduler.submit(() -> {
                attempts.incrementAndGet(id);
                Stm.atomic(() -> {
                    accounts[from].add(-amount);
                });
                long seen = Stm.atomic(() -> total(accounts));
                Stm.atomic(() -> {
                    accounts[to].add(amount);
                });
                return seen;
            });

    /**
     * Many transfers among few accounts, more tasks than workers. Invariants: every task
     * finishes, every audit and the final state see the same total, and no transfer took more
     * than escalateAfter + 1 attempts.
     */
    private static void contendedBankKeepsItsTotal(Transfer transfer) {
        int accounts = 6;
        long initial = 1_000;
        int transfers = Scale.of(3_000);
        int escalateAfter = 6;
        Cell[] bank = Cell.array(accounts, initial);
        AtomicIntegerArray attempts = new AtomicIntegerArray(transfers);
        SplittableRandom random = new SplittableRandom(42);
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(4).escalateAfter(escalateAfter).build()) {
            List<CompletableFuture<Long>> audits = new ArrayList<>(transfers);
            for (int i = 0; i < transfers; i++) {
                int from = random.nextInt(accounts);
                int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
                audits.add(transfer.submit(scheduler, bank, from, to, 1 + random.nextInt(50), attempts, i));
            }
            for (int i = 0; i < transfers; i++) {
                assertEquals(accounts * initial, audits.get(i).join(), "total seen by transfer " + i);
                assertTrue(attempts.get(i) <= escalateAfter + 1,
                        "transfer " + i + " took " + attempts.get(i) + " attempts");
            }
        }
        long sum = 0;
        for (Cell account : bank) {
            sum += account.committed();
        }
        assertEquals(accounts * initial, sum);
    }

    @Test
    void aContendedBankFinishesEveryTransferWithItsTotalIntact() {
        contendedBankKeepsItsTotal(ATOMIC);
    }

    @Test
    void splitTransfersBreakTheTotalAndTheCheckSeesIt() {
        // the broken twin: the same check fed non-atomic transfers must fail
        assertThrows(AssertionFailedError.class, () -> contendedBankKeepsItsTotal(SPLIT));
    }
}
