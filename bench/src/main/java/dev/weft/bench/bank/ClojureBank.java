package dev.weft.bench.bank;

import clojure.lang.LockingTransaction;
import clojure.lang.Ref;
import java.util.concurrent.Callable;

/**
 * The bank over Clojure 1.12 refs: one {@link Ref} of a boxed {@code Long} per account, each
 * transfer and audit a {@code LockingTransaction}. The audit only reads, so it runs on Clojure's
 * MVCC history and never blocks writers; a transfer writes both accounts it reads, so write skew
 * (Clojure's snapshot-isolation anomaly) cannot break the invariant and no {@code ensure} is
 * needed.
 *
 * <p>Thread-safety: thread-safe; tellers are per thread.
 */
public final class ClojureBank implements BankWorkload {
    private final Ref[] accounts;

    /**
     * @param accounts the number of accounts
     * @param initialBalance the starting balance of each
     */
    public ClojureBank(int accounts, long initialBalance) {
        this.accounts = new Ref[accounts];
        for (int i = 0; i < accounts; i++) {
            this.accounts[i] = new Ref(initialBalance);
        }
    }

    @Override
    public String name() {
        return "Clojure refs";
    }

    @Override
    public Teller newTeller() {
        return new ClojureTeller();
    }

    @Override
    public long total() {
        return run(this::sum);
    }

    private Object sum() {
        long sum = 0;
        for (Ref account : accounts) {
            sum += (Long) account.deref();
        }
        return sum;
    }

    /** {@code runInTransaction} declares {@code Exception}; a body here throws none of its own. */
    private static long run(Callable<Object> body) {
        try {
            return (Long) LockingTransaction.runInTransaction(body);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("a Clojure transaction failed: " + e, e);
        }
    }

    /** Bodies built once, arguments in fields, as in {@link WeftBank}. */
    private final class ClojureTeller implements Teller {
        private final Callable<Object> transferBody = this::transferOnce;
        private final Callable<Object> auditBody = this::auditOnce;
        private int from;
        private int to;
        private long amount;
        private long attempts;

        @Override
        public void transfer(int from, int to, long amount) {
            this.from = from;
            this.to = to;
            this.amount = amount;
            try {
                LockingTransaction.runInTransaction(transferBody);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("a Clojure transaction failed: " + e, e);
            }
        }

        @Override
        public long audit() {
            return run(auditBody);
        }

        @Override
        public long attempts() {
            return attempts;
        }

        private Object transferOnce() {
            attempts++;
            Ref source = accounts[from];
            long balance = (Long) source.deref();
            if (balance >= amount) {
                source.set(balance - amount);
                Ref destination = accounts[to];
                destination.set((Long) destination.deref() + amount);
            }
            return null;
        }

        private Object auditOnce() {
            attempts++;
            return sum();
        }
    }
}
