package dev.weft.bench.bank;

import java.util.concurrent.Callable;
import scala.concurrent.stm.Ref;
import scala.concurrent.stm.japi.STM;

/**
 * The bank over ScalaSTM 0.11 through its Java API ({@code japi.STM}): one boxed
 * {@code Ref.View<Long>} per account, each transfer and audit an {@code STM.atomic} block.
 *
 * <p>Thread-safety: thread-safe; tellers are per thread.
 */
public final class ScalaStmBank implements BankWorkload {
    private final Ref.View<Long>[] accounts;

    /**
     * @param accounts the number of accounts
     * @param initialBalance the starting balance of each
     */
    @SuppressWarnings("unchecked") // no generic array creation in Java
    public ScalaStmBank(int accounts, long initialBalance) {
        this.accounts = (Ref.View<Long>[]) new Ref.View<?>[accounts];
        for (int i = 0; i < accounts; i++) {
            this.accounts[i] = STM.newRef(initialBalance);
        }
    }

    @Override
    public String name() {
        return "ScalaSTM";
    }

    @Override
    public Teller newTeller() {
        return new ScalaStmTeller();
    }

    @Override
    public long total() {
        return STM.atomic((Callable<Long>) this::sum);
    }

    private long sum() {
        long sum = 0;
        for (Ref.View<Long> account : accounts) {
            sum += account.get();
        }
        return sum;
    }

    /** Bodies built once, arguments in fields, as in {@link WeftBank}. */
    private final class ScalaStmTeller implements Teller {
        private final Runnable transferBody = this::transferOnce;
        private final Callable<Long> auditBody = this::auditOnce;
        private int from;
        private int to;
        private long amount;
        private long attempts;

        @Override
        public void transfer(int from, int to, long amount) {
            this.from = from;
            this.to = to;
            this.amount = amount;
            STM.atomic(transferBody);
        }

        @Override
        public long audit() {
            return STM.atomic(auditBody);
        }

        @Override
        public long attempts() {
            return attempts;
        }

        private void transferOnce() {
            attempts++;
            Ref.View<Long> source = accounts[from];
            long balance = source.get();
            if (balance >= amount) {
                source.set(balance - amount);
                Ref.View<Long> destination = accounts[to];
                destination.set(destination.get() + amount);
            }
        }

        private long auditOnce() {
            attempts++;
            return sum();
        }
    }
}
