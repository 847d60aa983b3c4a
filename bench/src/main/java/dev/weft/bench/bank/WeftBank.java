package dev.weft.bench.bank;

import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicLong;

import dev.weft.refs.LongRef;
import java.util.function.LongSupplier;

/**
 * The bank over Weft: one {@link LongRef} per account, each transfer and audit a transaction.
 *
 * <p>Thread-safety: thread-safe; tellers are per thread.
 */
public final class WeftBank implements BankWorkload {
    private final LongRef[] accounts;

    /**
     * @param accounts the number of accounts
     * @param initialBalance the starting balance of each
     */
    public WeftBank(int accounts, long initialBalance) {
        this.accounts = new LongRef[accounts];
        for (int i = 0; i < accounts; i++) {
            this.accounts[i] = new LongRef(initialBalance);
        }
    }

    @Override
    public String name() {
        return "Weft";
    }

    @Override
    public Teller newTeller() {
        return new WeftTeller();
    }

    @Override
    public long total() {
        return atomicLong(this::sum);
    }

    private long sum() {
        long sum = 0;
        for (LongRef account : accounts) {
            sum += account.get();
        }
        return sum;
    }

    /**
     * The transaction bodies are built once per teller and read their arguments from fields, so a
     * transfer allocates nothing; {@code atomic(() -> ...)} capturing the arguments would allocate
     * a lambda per call.
     */
    private final class WeftTeller implements Teller {
        private final Runnable transferBody = this::transferOnce;
        private final LongSupplier auditBody = this::auditOnce;
        private int from;
        private int to;
        private long amount;
        private long attempts;

        @Override
        public void transfer(int from, int to, long amount) {
            this.from = from;
            this.to = to;
            this.amount = amount;
            atomic(transferBody);
        }

        @Override
        public long audit() {
            return atomicLong(auditBody);
        }

        @Override
        public long attempts() {
            return attempts;
        }

        private void transferOnce() {
            attempts++; // counts every execution of the body: the commit and each retry
            LongRef source = accounts[from];
            long balance = source.get();
            if (balance >= amount) {
                source.set(balance - amount);
                // a read and a write, as every peer's teller does; accounts[to].add(amount) would be
                // a commute (no read to validate, no conflict on the destination), which the bank
                // used until session 18 without saying so
                LongRef target = accounts[to];
                target.set(target.get() + amount);
            }
        }

        private long auditOnce() {
            attempts++;
            return sum();
        }
    }
}
