package dev.weft.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.bench.bank.BankWorkload;
import dev.weft.bench.bank.GlobalLockBank;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The bank benchmark's bodies outside JMH: every implementation keeps the invariant (all money
 * conserved, every audit sees the total) when two threads transfer and audit at once, and the
 * benchmark's audit check fails loudly on a bank that creates money.
 */
class BankBenchmarkTest {
    private static final int ACCOUNTS = 64;
    private static final int OPERATIONS_PER_THREAD = 20_000 * Integer.getInteger("weft.test.scale", 1);

    private static List<Supplier<BankBenchmark.Bank>> implementations() {
        return List.of(BankBenchmark.WeftState::new, BankBenchmark.MultiverseState::new,
                BankBenchmark.ScalaStmState::new, BankBenchmark.ClojureState::new, BankBenchmark.LockState::new);
    }

    @Test
    void everyImplementationConservesMoneyWhileTwoThreadsTransferAndAudit() throws Exception {
        for (Supplier<BankBenchmark.Bank> implementation : implementations()) {
            BankBenchmark.Bank bank = implementation.get();
            bank.accounts = ACCOUNTS;
            bank.open();
            List<Throwable> failures = runTwoClerks(bank);
            assertTrue(failures.isEmpty(), () -> bank.workload.name() + " broke the invariant: " + failures);
            assertDoesNotThrow(bank::close, bank.workload.name() + " changed the total");
        }
    }

    @Test
    void anAuditOfABankThatCreatesMoneyFailsTheBenchmark() {
        BankBenchmark.Bank bank = new BankBenchmark.Bank() {
            @Override
            BankWorkload create(int accounts, long initialBalance) {
                return new MoneyPrintingBank(accounts, initialBalance);
            }
        };
        bank.accounts = ACCOUNTS;
        bank.open();
        BankBenchmark.Clerk clerk = new BankBenchmark.Clerk();

        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> {
            for (int i = 0; i < 2 * ACCOUNTS; i++) { // at least one audit within 2 × accounts operations
                clerk.operate(bank);
            }
        });
        assertTrue(failure.getMessage().contains("an audit saw a total of"), failure.getMessage());
        assertThrows(IllegalStateException.class, bank::close);
    }

    private static List<Throwable> runTwoClerks(BankBenchmark.Bank bank) throws InterruptedException {
        CyclicBarrier start = new CyclicBarrier(2);
        List<Throwable> failures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread thread = new Thread(() -> {
                BankBenchmark.Clerk clerk = new BankBenchmark.Clerk();
                try {
                    start.await();
                    for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
                        clerk.operate(bank);
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return failures;
    }

    /** Broken on purpose: a transfer credits the destination without debiting the source. */
    private static final class MoneyPrintingBank implements BankWorkload {
        private final GlobalLockBank correct;
        private final long[] extra = new long[1];

        MoneyPrintingBank(int accounts, long initialBalance) {
            correct = new GlobalLockBank(accounts, initialBalance);
        }

        @Override
        public String name() {
            return "money printer";
        }

        @Override
        public Teller newTeller() {
            Teller inner = correct.newTeller();
            return new Teller() {
                @Override
                public void transfer(int from, int to, long amount) {
                    extra[0] += amount;
                }

                @Override
                public long audit() {
                    return inner.audit() + extra[0];
                }

                @Override
                public long attempts() {
                    return -1;
                }
            };
        }

        @Override
        public long total() {
            return correct.total() + extra[0];
        }
    }

    @Test
    void theBenchmarkParametersAreTheIssuesSizes() throws Exception {
        var param = BankBenchmark.Bank.class.getField("accounts").getAnnotation(org.openjdk.jmh.annotations.Param.class);
        assertEquals(List.of("64", "65536"), List.of(param.value()));
    }
}
