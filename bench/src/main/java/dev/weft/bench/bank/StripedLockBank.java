package dev.weft.bench.bank;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bank with one {@link ReentrantLock} per account: transfers between disjoint accounts run in
 * parallel. Locks are always taken in increasing account order, so no two operations can wait
 * for each other in a cycle (no deadlock); an audit takes every lock.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class StripedLockBank implements BankWorkload {
    private final ReentrantLock[] locks;
    private final long[] balances; // balances[i] guarded by locks[i]

    /**
     * @param accounts the number of accounts
     * @param initialBalance the starting balance of each
     */
    public StripedLockBank(int accounts, long initialBalance) {
        balances = new long[accounts];
        Arrays.fill(balances, initialBalance);
        locks = new ReentrantLock[accounts];
        for (int i = 0; i < accounts; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    @Override
    public String name() {
        return "ReentrantLock per account";
    }

    @Override
    public Teller newTeller() {
        return new Teller() {
            @Override
            public void transfer(int from, int to, long amount) {
                ReentrantLock first = locks[Math.min(from, to)];
                ReentrantLock second = locks[Math.max(from, to)];
                first.lock();
                second.lock();
                try {
                    if (balances[from] >= amount) {
                        balances[from] -= amount;
                        balances[to] += amount;
                    }
                } finally {
                    second.unlock();
                    first.unlock();
                }
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
        for (ReentrantLock lock : locks) {
            lock.lock();
        }
        try {
            long sum = 0;
            for (long balance : balances) {
                sum += balance;
            }
            return sum;
        } finally {
            for (int i = locks.length - 1; i >= 0; i--) {
                locks[i].unlock();
            }
        }
    }
}
