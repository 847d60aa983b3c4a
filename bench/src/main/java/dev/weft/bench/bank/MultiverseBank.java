package dev.weft.bench.bank;

import dev.weft.bench.MultiverseSite;
import org.multiverse.api.StmUtils;
import org.multiverse.api.Txn;
import org.multiverse.api.TxnExecutor;
import org.multiverse.api.callables.TxnLongCallable;
import org.multiverse.api.callables.TxnVoidCallable;
import org.multiverse.api.references.TxnLong;

/**
 * The bank over Multiverse 0.7 (its default executor, snapshot isolation): one {@link TxnLong}
 * per account, each transfer and audit a transaction. Snapshot isolation is enough here: a
 * transfer writes both accounts it reads, and an audit only reads.
 *
 * <p>The transfer adds to the destination with {@code get(tx)}/{@code set(tx, v)}, not
 * {@code TxnLong.increment(tx, amount)}: with {@code increment}, audits running next to transfers
 * saw sums off by up to about 100 (27 of 112,306 audits at 2 threads, 64 accounts, in a 3 s run
 * on Multiverse 0.7.0), while the final total stayed right. With get/set no audit failed.
 *
 * <p>Thread-safety: thread-safe; tellers are per thread.
 */
public final class MultiverseBank implements BankWorkload {
    /** The teller's two call sites, each with its own executor (see {@link MultiverseSite}). */
    private static final TxnExecutor TRANSFER_SITE = MultiverseSite.executor();
    private static final TxnExecutor AUDIT_SITE = MultiverseSite.executor();

    private final TxnLong[] accounts;

    /**
     * @param accounts the number of accounts
     * @param initialBalance the starting balance of each
     */
    public MultiverseBank(int accounts, long initialBalance) {
        this.accounts = new TxnLong[accounts];
        for (int i = 0; i < accounts; i++) {
            this.accounts[i] = StmUtils.newTxnLong(initialBalance);
        }
    }

    @Override
    public String name() {
        return "Multiverse";
    }

    @Override
    public Teller newTeller() {
        return new MultiverseTeller();
    }

    @Override
    public long total() {
        return StmUtils.atomic((TxnLongCallable) this::sum);
    }

    private long sum(Txn tx) {
        long sum = 0;
        for (TxnLong account : accounts) {
            sum += account.get(tx);
        }
        return sum;
    }

    /** Bodies built once, arguments in fields: no allocation per call, as in {@link WeftBank}. */
    private final class MultiverseTeller implements Teller {
        private final TxnVoidCallable transferBody = this::transferOnce;
        private final TxnLongCallable auditBody = this::auditOnce;
        private int from;
        private int to;
        private long amount;
        private long attempts;

        @Override
        public void transfer(int from, int to, long amount) {
            this.from = from;
            this.to = to;
            this.amount = amount;
            TRANSFER_SITE.execute(transferBody);
        }

        @Override
        public long audit() {
            return AUDIT_SITE.execute(auditBody);
        }

        @Override
        public long attempts() {
            return attempts;
        }

        private void transferOnce(Txn tx) {
            attempts++;
            TxnLong source = accounts[from];
            long balance = source.get(tx);
            if (balance >= amount) {
                source.set(tx, balance - amount);
                TxnLong destination = accounts[to]; // get/set, not increment(tx, amount): see the class comment
                destination.set(tx, destination.get(tx) + amount);
            }
        }

        private long auditOnce(Txn tx) {
            attempts++;
            return sum(tx);
        }
    }
}
