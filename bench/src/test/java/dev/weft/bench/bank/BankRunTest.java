package dev.weft.bench.bank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The main job's bank run as tasks on Weft's scheduler: the same invariant, every operation once. */
class BankRunTest {
    private static final BankSettings SETTINGS = new BankSettings(64, 2, Duration.ofMillis(100));

    @Test
    void theSchedulerRunConservesMoneyAndRunsEveryOperationOnce() {
        BankResult result = BankRun.runOnScheduler(new WeftBank(64, BankSettings.INITIAL_BALANCE), SETTINGS,
                "Weft on TxnScheduler");
        long operations = result.transfers() + result.audits();
        assertTrue(result.invariantHolds(), result.toString());
        assertTrue(operations > 0 && operations % BankRun.BATCH == 0, result.toString());
        assertEquals(operations / BankRun.AUDIT_EVERY, result.audits());
        assertTrue(result.attempts() >= operations, "every operation ran its body at least once: " + result);
        assertEquals("Weft on TxnScheduler", result.name());
    }

    @Test
    void aBankThatLosesMoneyFailsTheSchedulerRunsInvariant() {
        // the broken twin: the same check must fail when a transfer only debits
        BankResult result = BankRun.runOnScheduler(new LeakyBank(64), SETTINGS, "leaky");
        assertFalse(result.invariantHolds(), result.toString());
    }

    /** Broken on purpose: a transfer takes the money from the source and credits nobody. */
    private static final class LeakyBank implements BankWorkload {
        private final LongRef[] accounts;

        LeakyBank(int count) {
            accounts = new LongRef[count];
            for (int i = 0; i < count; i++) {
                accounts[i] = new LongRef(BankSettings.INITIAL_BALANCE);
            }
        }

        @Override
        public String name() {
            return "leaky";
        }

        @Override
        public Teller newTeller() {
            return new Teller() {
                @Override
                public void transfer(int from, int to, long amount) {
                    Stm.atomic(() -> accounts[from].add(-amount));
                }

                @Override
                public long audit() {
                    return total();
                }

                @Override
                public long attempts() {
                    return -1;
                }
            };
        }

        @Override
        public long total() {
            return Stm.atomicLong(() -> {
                long sum = 0;
                for (LongRef account : accounts) {
                    sum += account.get();
                }
                return sum;
            });
        }
    }
}
