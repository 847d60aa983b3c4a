package dev.weft.check;

import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicBoolean;
import static dev.weft.stm.Stm.atomicLong;

import dev.weft.refs.LongRef;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Transactions over two refs are atomic and isolated: guarded transfers between two accounts,
 * read-only transactions and one-operation reads of the same refs are linearizable against plain
 * {@code long}s, so a transaction reading both accounts always sees the conserved total.
 */
class TransferTransactionsTest {
    static final long INITIAL_BALANCE = 2;
    static final long TOTAL = 2 * INITIAL_BALANCE;

    /** Two accounts; every transaction that writes moves money from one to the other. */
    @Param(name = "amount", gen = IntGen.class, conf = "1:2")
    public static class Accounts {
        private final LongRef a = new LongRef(INITIAL_BALANCE);
        private final LongRef b = new LongRef(INITIAL_BALANCE);

        @Operation
        public boolean transferAToB(@Param(name = "amount") int amount) {
            return atomicBoolean(() -> move(a, b, amount));
        }

        @Operation
        public boolean transferBToA(@Param(name = "amount") int amount) {
            return atomicBoolean(() -> move(b, a, amount));
        }

        @Operation
        public long sum() {
            return atomicLong(() -> a.get() + b.get());
        }

        @Operation
        public String readPair() {
            return atomic(() -> a.get() + "/" + b.get());
        }

        @Operation
        public long balanceA() {
            return a.atomic().get();
        }

        @Operation
        public long balanceB() {
            return b.atomic().get();
        }

        boolean move(LongRef from, LongRef to, int amount) {
            if (from.get() < amount) {
                return false;
            }
            from.add(-amount);
            to.add(amount);
            return true;
        }
    }

    /**
     * The same transfers made of commutes: the balance check reads {@code from}, the two updates
     * are blind and applied at commit. Two opposite transfers then write the same two cells and
     * read only one each, so their commits contend for both locks; until commits locked in one
     * global order, each could hold one lock while waiting for the other, both gave up, retried in
     * step, and the model checker reported the execution as hung.
     */
    public static class CommutingAccounts extends Accounts {
        @Override
        boolean move(LongRef from, LongRef to, int amount) {
            if (from.get() < amount) {
                return false;
            }
            from.commuteAdd(-amount);
            to.commuteAdd(amount);
            return true;
        }
    }

    /**
     * The same accounts with a transfer split into two transactions: between them the money is
     * in neither account, and {@code sum()} and {@code readPair()} can observe that.
     */
    @Param(name = "amount", gen = IntGen.class, conf = "1:2")
    public static class SplitTransferAccounts {
        private final LongRef a = new LongRef(INITIAL_BALANCE);
        private final LongRef b = new LongRef(INITIAL_BALANCE);

        @Operation
        public boolean transferAToB(@Param(name = "amount") int amount) {
            return splitMove(a, b, amount);
        }

        @Operation
        public boolean transferBToA(@Param(name = "amount") int amount) {
            return splitMove(b, a, amount);
        }

        @Operation
        public long sum() {
            return atomicLong(() -> a.get() + b.get());
        }

        @Operation
        public String readPair() {
            return atomic(() -> a.get() + "/" + b.get());
        }

        @Operation
        public long balanceA() {
            return a.atomic().get();
        }

        @Operation
        public long balanceB() {
            return b.atomic().get();
        }

        private static boolean splitMove(LongRef from, LongRef to, int amount) {
            boolean withdrawn = atomicBoolean(() -> {
                if (from.get() < amount) {
                    return false;
                }
                from.add(-amount);
                return true;
            });
            if (withdrawn) {
                atomic(() -> to.add(amount)); // a second transaction: the money is in flight until it commits
            }
            return withdrawn;
        }
    }

    /** The sequential specification: two plain {@code long}s whose sum is always {@link #TOTAL}. */
    public static class PlainAccounts {
        private long a = INITIAL_BALANCE;
        private long b = INITIAL_BALANCE;

        public boolean transferAToB(int amount) {
            if (a < amount) {
                return false;
            }
            a -= amount;
            b += amount;
            return true;
        }

        public boolean transferBToA(int amount) {
            if (b < amount) {
                return false;
            }
            b -= amount;
            a += amount;
            return true;
        }

        public long sum() {
            return TOTAL; // the invariant itself: transfers conserve money
        }

        public String readPair() {
            return a + "/" + b;
        }

        public long balanceA() {
            return a;
        }

        public long balanceB() {
            return b;
        }
    }

    @Test
    void transfersAreAtomicUnderModelChecking() {
        WeftLincheck.modelChecking().sequentialSpecification(PlainAccounts.class).check(Accounts.class);
    }

    @Test
    void commutingTransfersAreAtomicUnderModelChecking() {
        WeftLincheck.modelChecking().sequentialSpecification(PlainAccounts.class).check(CommutingAccounts.class);
    }

    @Test
    void transfersAreAtomicUnderStress() {
        WeftLincheck.stress().sequentialSpecification(PlainAccounts.class).check(Accounts.class);
    }

    @Test
    void transferSplitIntoTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> WeftLincheck.modelChecking().minimizeFailedScenario(false)
                .sequentialSpecification(PlainAccounts.class).check(SplitTransferAccounts.class));
    }
}
