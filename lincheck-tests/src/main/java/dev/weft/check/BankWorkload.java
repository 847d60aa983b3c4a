package dev.weft.check;

import dev.weft.refs.Ref;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Jepsen's bank: money moves between a few accounts, and audits read every balance. Transfers
 * conserve the total, so every attempt (even one that will be rolled back, by opacity) must see
 * exactly {@code accounts x initialBalance} and no negative balance.
 *
 * <p>Each account is a {@code Ref} holding (balance, version); the version is a unique value per
 * write, so the run is also a register history for {@link SerializabilityChecker}: a transfer
 * reads both accounts and writes both, which pins each account's version order, and a transfer
 * that lost an update or an audit that saw half a transfer becomes a cycle.
 *
 * <p>A transaction is a transfer with probability {@code 1 - auditShare}: two distinct random
 * accounts, an amount from 1 to 5, skipped (read-only) if the source has less.
 *
 * <p>Thread-safety: thread-safe; the accounts are Weft refs touched only through their
 * {@code atomic()} views inside the {@link TransactionRunner}'s transaction.
 */
public final class BankWorkload implements Workload {
    private static final int KEPT_VIOLATIONS = 10;

    private record Balance(long amount, long version) {}

    private final List<Ref<Balance>> accounts = new ArrayList<>();
    private final long total;
    private final double auditShare;
    private final TransactionRunner runner;
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicInteger violationCount = new AtomicInteger();

    /**
     * A bank over Weft refs.
     *
     * @param accounts number of accounts, at least 2 (few accounts mean more conflicts)
     * @param initialBalance each account's opening balance, at least 0
     * @param auditShare fraction of transactions that are audits, 0 to 1
     * @param runner the transaction boundary, normally {@link TransactionRunner#WEFT}
     */
    public BankWorkload(int accounts, long initialBalance, double auditShare, TransactionRunner runner) {
        if (accounts < 2) {
            throw new IllegalArgumentException("a bank needs at least 2 accounts to transfer between, got " + accounts);
        }
        if (initialBalance < 0 || !(auditShare >= 0 && auditShare <= 1)) { // NaN fails too
            throw new IllegalArgumentException("initialBalance must be >= 0 and auditShare within 0..1");
        }
        for (int i = 0; i < accounts; i++) {
            this.accounts.add(new Ref<>(new Balance(initialBalance, History.INITIAL_VALUE)));
        }
        this.total = accounts * initialBalance;
        this.auditShare = auditShare;
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /**
     * A Weft bank of 8 accounts with 100 each, one transaction in four an audit.
     *
     * @return a new workload, recording through {@link TransactionRunner#WEFT}
     */
    public static BankWorkload weft() {
        return new BankWorkload(8, 100, 0.25, TransactionRunner.WEFT);
    }

    @Override
    public void transaction(int thread, SplittableRandom random, ThreadRecorder recorder) {
        if (random.nextDouble() < auditShare) {
            runner.run(recorder, () -> audit(thread, recorder));
            return;
        }
        int from = random.nextInt(accounts.size());
        int to = (from + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
        long amount = 1 + random.nextInt(5);
        runner.run(recorder, () -> transfer(from, to, amount, recorder));
    }

    private void transfer(int from, int to, long amount, ThreadRecorder recorder) {
        Balance source = read(from, recorder);
        Balance target = read(to, recorder);
        if (source.amount() < amount) {
            return;
        }
        write(from, source.amount() - amount, recorder);
        write(to, target.amount() + amount, recorder);
    }

    private void audit(int thread, ThreadRecorder recorder) {
        long sum = 0;
        StringBuilder seen = new StringBuilder();
        boolean negative = false;
        for (int i = 0; i < accounts.size(); i++) {
            long amount = read(i, recorder).amount();
            sum += amount;
            negative |= amount < 0;
            seen.append(i == 0 ? "" : ", ").append(amount);
        }
        if (sum != total || negative) {
            // bookkeeping of the test, not of the bank: kept even if this attempt rolls back
            if (violationCount.incrementAndGet() <= KEPT_VIOLATIONS) {
                violations.add("thread " + thread + " audit saw balances [" + seen + "], total " + sum
                        + " instead of " + total);
            }
        }
    }

    private Balance read(int account, ThreadRecorder recorder) {
        Balance balance = accounts.get(account).atomic().get();
        recorder.read(account, balance.version());
        return balance;
    }

    private void write(int account, long amount, ThreadRecorder recorder) {
        long version = recorder.uniqueValue();
        accounts.get(account).atomic().set(new Balance(amount, version));
        recorder.write(account, version);
    }

    @Override
    public List<String> invariantViolations() {
        List<String> kept = new ArrayList<>(violations);
        int count = violationCount.get();
        if (count > kept.size()) {
            kept.add("... " + (count - kept.size()) + " more");
        }
        return kept;
    }

    @Override
    public String toString() {
        return "bank(" + accounts.size() + " accounts, total " + total + ", audits " + auditShare + ")";
    }
}
