package dev.weft.check;

import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicBoolean;

import dev.weft.refs.LongRef;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * The verification-kit examples of docs/guide.md, run; the collections module's
 * {@code DocSnippetsTest} keeps the guide's blocks equal to the regions marked here. Each check has
 * its twin: the same wallet with a withdrawal split in two transactions, which the kit must reject.
 */
class GuideKitExamplesTest {

    // snippet: kit-structure
    /** Two pockets; money moves between them and never appears or vanishes. */
    @Param(name = "amount", gen = IntGen.class, conf = "1:3")
    public static class Wallet {
        private final LongRef cash = new LongRef(5), card = new LongRef(0);

        @Operation
        public boolean pay(@Param(name = "amount") int amount) {
            return atomicBoolean(() -> {                 // check and debit in one transaction
                if (cash.get() < amount) return false;
                cash.add(-amount);
                card.add(amount);
                return true;
            });
        }

        @Operation
        public void refund(@Param(name = "amount") int amount) {
            atomic(() -> {
                long back = Math.min(amount, card.get());
                card.add(-back);
                cash.add(back);
            });
        }

        @Operation
        public long total() {
            return atomic(() -> cash.get() + card.get());
        }
    }
    // end

    @Test
    void walletIsLinearizable() {
        // snippet: kit-check
        WeftLincheck.check(Wallet.class);     // the wallet, run one operation at a time, is the specification
        // end
    }

    /** The twin: the balance check and the debit are two transactions. */
    @Param(name = "amount", gen = IntGen.class, conf = "1:3")
    public static class CheckThenPayWallet {
        private final LongRef cash = new LongRef(5), card = new LongRef(0);

        @Operation
        public boolean pay(@Param(name = "amount") int amount) {
            if (cash.atomic().get() < amount) {
                return false;
            }
            atomic(() -> {                               // another pay may have spent it since the check
                cash.add(-amount);
                card.add(amount);
            });
            return true;
        }

        @Operation
        public long cash() {
            return cash.atomic().get();
        }
    }

    @Test
    void paymentSplitInTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> WeftLincheck.modelChecking().minimizeFailedScenario(false)
                .sequentialSpecification(CheckThenPayWallet.class).check(CheckThenPayWallet.class));
    }

    @Test
    void bankWorkloadOnFourThreadsIsSerializableAndOpaque() {
        // snippet: kit-workload
        WorkloadResult result = WorkloadRunner.run(BankWorkload.weft(), 4, 500, WorkloadRunner.seed());
        result.assertValid();      // on failure: the anomalies, the transactions involved, and the seed to replay
        // end
    }
}
