package dev.weft.check;

import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicBoolean;
import static dev.weft.stm.Stm.atomicLong;

import dev.weft.collections.TMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Transactions over whole maps compose: an entry moved between two {@link TMap}s is in exactly
 * one of them for every observer, and transfers between the accounts of one {@code TMap} keep the
 * total that an audit (every entry, read in one transaction) sees. Both are checked against plain
 * {@code HashMap}s, with the move and the transfer each split into two transactions as the broken
 * twins.
 */
class MapTransactionsLincheckTest {
    static final int KEYS = 3;
    static final int INITIAL_BALANCE = 2;

    /** Two maps; key k starts in {@code left} with value k. */
    @Param(name = "key", gen = IntGen.class, conf = "1:3")
    public static class TwoMaps {
        final TMap<Integer, Integer> left = new TMap<>();
        final TMap<Integer, Integer> right = new TMap<>();

        public TwoMaps() {
            for (int key = 1; key <= KEYS; key++) {
                left.asMap().put(key, key);
            }
        }

        @Operation
        public Integer moveLeftToRight(@Param(name = "key") int key) {
            return atomic(() -> move(left, right, key));
        }

        @Operation
        public Integer moveRightToLeft(@Param(name = "key") int key) {
            return atomic(() -> move(right, left, key));
        }

        /** The sum of the values of both maps, read in one transaction. */
        @Operation
        public long total() {
            return atomicLong(() -> sum(left) + sum(right));
        }

        /** Both maps' contents, read in one transaction. */
        @Operation
        public String contents() {
            return atomic(() -> sorted(left) + "|" + sorted(right));
        }

        @Operation
        public Integer getRight(@Param(name = "key") int key) {
            return right.asMap().get(key);
        }

        private static Integer move(TMap<Integer, Integer> from, TMap<Integer, Integer> to, int key) {
            Integer value = from.remove(key);
            if (value != null) {
                to.put(key, value);
            }
            return value;
        }
    }

    /** Broken twin: the move removes in one transaction and puts in another. */
    @Param(name = "key", gen = IntGen.class, conf = "1:3")
    public static class SplitMoveMaps {
        final TMap<Integer, Integer> left = new TMap<>();
        final TMap<Integer, Integer> right = new TMap<>();

        public SplitMoveMaps() {
            for (int key = 1; key <= KEYS; key++) {
                left.asMap().put(key, key);
            }
        }

        @Operation
        public Integer moveLeftToRight(@Param(name = "key") int key) {
            Integer value = left.asMap().remove(key);
            if (value != null) {
                right.asMap().put(key, value); // until this commits, the entry is in neither map
            }
            return value;
        }

        @Operation
        public long total() {
            return atomicLong(() -> sum(left) + sum(right));
        }
    }

    /** The sequential specification of the two maps. */
    public static class TwoMapsSpec {
        private final Map<Integer, Integer> left = new HashMap<>();
        private final Map<Integer, Integer> right = new HashMap<>();

        public TwoMapsSpec() {
            for (int key = 1; key <= KEYS; key++) {
                left.put(key, key);
            }
        }

        public Integer moveLeftToRight(int key) {
            return move(left, right, key);
        }

        public Integer moveRightToLeft(int key) {
            return move(right, left, key);
        }

        public long total() {
            return left.values().stream().mapToLong(Integer::longValue).sum()
                    + right.values().stream().mapToLong(Integer::longValue).sum();
        }

        public String contents() {
            return new TreeMap<>(left) + "|" + new TreeMap<>(right);
        }

        public Integer getRight(int key) {
            return right.get(key);
        }

        private static Integer move(Map<Integer, Integer> from, Map<Integer, Integer> to, int key) {
            Integer value = from.remove(key);
            if (value != null) {
                to.put(key, value);
            }
            return value;
        }
    }

    /** Accounts 1..3 of one {@link TMap}, each starting with {@link #INITIAL_BALANCE}. */
    @Param(name = "account", gen = IntGen.class, conf = "1:3")
    @Param(name = "amount", gen = IntGen.class, conf = "1:2")
    public static class Accounts {
        final TMap<Integer, Integer> balances = new TMap<>();

        public Accounts() {
            for (int account = 1; account <= KEYS; account++) {
                balances.asMap().put(account, INITIAL_BALANCE);
            }
        }

        @Operation
        public boolean transfer(@Param(name = "account") int from, @Param(name = "account") int to,
                @Param(name = "amount") int amount) {
            return atomicBoolean(() -> {
                int available = balances.get(from);
                if (from == to || available < amount) {
                    return false;
                }
                balances.put(from, available - amount);
                balances.merge(to, amount, Integer::sum);
                return true;
            });
        }

        /** Every balance, read in one transaction, summed. */
        @Operation
        public long audit() {
            return atomicLong(() -> sum(balances));
        }

        @Operation
        public Integer balance(@Param(name = "account") int account) {
            return balances.asMap().get(account);
        }
    }

    /** Broken twin: the transfer withdraws in one transaction and deposits in another. */
    @Param(name = "account", gen = IntGen.class, conf = "1:3")
    @Param(name = "amount", gen = IntGen.class, conf = "1:2")
    public static class SplitTransferAccounts {
        final TMap<Integer, Integer> balances = new TMap<>();

        public SplitTransferAccounts() {
            for (int account = 1; account <= KEYS; account++) {
                balances.asMap().put(account, INITIAL_BALANCE);
            }
        }

        @Operation
        public boolean transfer(@Param(name = "account") int from, @Param(name = "account") int to,
                @Param(name = "amount") int amount) {
            boolean withdrawn = atomicBoolean(() -> {
                int available = balances.get(from);
                if (from == to || available < amount) {
                    return false;
                }
                balances.put(from, available - amount);
                return true;
            });
            if (withdrawn) {
                balances.asMap().merge(to, amount, Integer::sum); // in flight until this commits
            }
            return withdrawn;
        }

        @Operation
        public long audit() {
            return atomicLong(() -> sum(balances));
        }
    }

    /** The sequential accounts; the audit always finds the initial total. */
    public static class AccountsSpec {
        private final Map<Integer, Integer> balances = new HashMap<>();

        public AccountsSpec() {
            for (int account = 1; account <= KEYS; account++) {
                balances.put(account, INITIAL_BALANCE);
            }
        }

        public boolean transfer(int from, int to, int amount) {
            int available = balances.get(from);
            if (from == to || available < amount) {
                return false;
            }
            balances.put(from, available - amount);
            balances.merge(to, amount, Integer::sum);
            return true;
        }

        public long audit() {
            return (long) KEYS * INITIAL_BALANCE;
        }

        public Integer balance(int account) {
            return balances.get(account);
        }
    }

    /** The values of {@code map} summed with its in-transaction {@code forEach}. */
    static long sum(TMap<Integer, Integer> map) {
        long[] total = {0};
        map.forEach((key, value) -> total[0] += value);
        return total[0];
    }

    /** The entries of {@code map} in key order, in the running transaction. */
    static String sorted(TMap<Integer, Integer> map) {
        TreeMap<Integer, Integer> copy = new TreeMap<>();
        map.forEach(copy::put);
        return copy.toString();
    }

    @Test
    void moveBetweenTwoMapsIsAtomicUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(TwoMapsSpec.class).check(TwoMaps.class);
    }

    @Test
    void moveBetweenTwoMapsIsAtomicUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(TwoMapsSpec.class).check(TwoMaps.class);
    }

    @Test
    void moveOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> CollectionLincheck.twin(TwoMapsSpec.class).check(SplitMoveMaps.class));
    }

    @Test
    void auditSeesTheTotalUnderConcurrentTransfersUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(AccountsSpec.class).check(Accounts.class);
    }

    @Test
    void auditSeesTheTotalUnderConcurrentTransfersUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(AccountsSpec.class).check(Accounts.class);
    }

    @Test
    void transferOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(
                () -> CollectionLincheck.twin(AccountsSpec.class).check(SplitTransferAccounts.class));
    }
}
