package dev.weft.bench;

import dev.weft.bench.bank.BankRun;
import dev.weft.bench.bank.BankSettings;
import dev.weft.bench.bank.BankWorkload;
import dev.weft.bench.bank.ClojureBank;
import dev.weft.bench.bank.GlobalLockBank;
import dev.weft.bench.bank.MultiverseBank;
import dev.weft.bench.bank.ScalaStmBank;
import dev.weft.bench.bank.WeftBank;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bank: every thread moves random amounts between random accounts, and every
 * {@code accounts}-th operation of each thread is instead an audit, a read-only transaction that
 * sums all accounts while the other threads keep transferring: long read-only transactions
 * against short writers. Auditing once per {@code accounts} operations makes the audits' reads
 * about as many as the transfers' at every size, so the two sizes weigh both kinds equally: at 64
 * accounts audits are short and frequent, at 65,536 they are long and rare.
 *
 * <p>The score counts operations (transfers and audits together). Every audit is checked: a sum
 * other than {@code accounts × 1000} throws, failing the benchmark, so a number in the report
 * also says that the implementation kept the invariant. The same {@link BankWorkload}s run in the
 * bank demo ({@code java -jar weft-bench.jar bank}); the lock is one global
 * {@link java.util.concurrent.locks.ReentrantLock} over a {@code long[]}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class BankBenchmark {

    /** One bank shared by all benchmark threads; a subclass per implementation. */
    @State(Scope.Benchmark)
    public abstract static class Bank {
        /** The number of accounts: small (hot, short audits) and large (cold, long audits). */
        @Param({"64", "65536"})
        public int accounts;

        BankWorkload workload;

        @Setup(Level.Trial)
        public void open() {
            workload = create(accounts, BankSettings.INITIAL_BALANCE);
        }

        /** Checks once more, quiescent, that no money was created or lost. */
        @TearDown(Level.Trial)
        public void close() {
            long total = workload.total();
            if (total != accounts * BankSettings.INITIAL_BALANCE) {
                throw new IllegalStateException(workload.name() + " ended with a total of " + total + ", expected "
                        + accounts * BankSettings.INITIAL_BALANCE);
            }
        }

        abstract BankWorkload create(int accounts, long initialBalance);
    }

    public static class WeftState extends Bank {
        @Override
        BankWorkload create(int accounts, long initialBalance) {
            return new WeftBank(accounts, initialBalance);
        }
    }

    public static class MultiverseState extends Bank {
        @Override
        BankWorkload create(int accounts, long initialBalance) {
            return new MultiverseBank(accounts, initialBalance);
        }
    }

    public static class ScalaStmState extends Bank {
        @Override
        BankWorkload create(int accounts, long initialBalance) {
            return new ScalaStmBank(accounts, initialBalance);
        }
    }

    public static class ClojureState extends Bank {
        @Override
        BankWorkload create(int accounts, long initialBalance) {
            return new ClojureBank(accounts, initialBalance);
        }
    }

    public static class LockState extends Bank {
        @Override
        BankWorkload create(int accounts, long initialBalance) {
            return new GlobalLockBank(accounts, initialBalance);
        }
    }

    /**
     * One benchmark thread's teller, random generator and countdown to its next audit. The teller
     * is opened on the first operation, because a thread state cannot name the bank subclass.
     */
    @State(Scope.Thread)
    public static class Clerk {
        private final SplittableRandom random = new SplittableRandom();
        private BankWorkload.Teller teller;
        private int accounts;
        private long expectedTotal;
        private int untilAudit;

        long operate(Bank bank) {
            BankWorkload.Teller current = teller;
            if (current == null) {
                current = open(bank);
            }
            if (--untilAudit == 0) {
                untilAudit = accounts;
                long total = current.audit();
                if (total != expectedTotal) {
                    throw new IllegalStateException(bank.workload.name() + ": an audit saw a total of " + total
                            + ", expected " + expectedTotal + " (a state no serial execution produces)");
                }
                return total;
            }
            int from = random.nextInt(accounts);
            int to = random.nextInt(accounts - 1);
            if (to >= from) {
                to++; // uniform over the accounts other than from
            }
            current.transfer(from, to, 1 + random.nextInt(BankRun.MAX_AMOUNT));
            return to;
        }

        private BankWorkload.Teller open(Bank bank) {
            teller = bank.workload.newTeller();
            accounts = bank.accounts;
            expectedTotal = accounts * BankSettings.INITIAL_BALANCE;
            // threads start their audit cycles at different points, so audits do not line up
            untilAudit = 1 + random.nextInt(accounts);
            return teller;
        }
    }

    @Benchmark
    public long weft(WeftState bank, Clerk clerk) {
        return clerk.operate(bank);
    }

    @Benchmark
    public long multiverse(MultiverseState bank, Clerk clerk) {
        return clerk.operate(bank);
    }

    @Benchmark
    public long scalaStm(ScalaStmState bank, Clerk clerk) {
        return clerk.operate(bank);
    }

    @Benchmark
    public long clojure(ClojureState bank, Clerk clerk) {
        return clerk.operate(bank);
    }

    @Benchmark
    public long lock(LockState bank, Clerk clerk) {
        return clerk.operate(bank);
    }
}
