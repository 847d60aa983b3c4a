package dev.weft.bench.bank;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bank under one {@link ReentrantLock} guarding a {@code long[]}: the simplest correct
 * baseline; every operation excludes every other.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class GlobalLockBank implements BankWorkload {
    private final ReentrantLock lock = new ReentrantLock();
    private final long[] balances; // guarded by lock

    /**
     * @param accounts the number of accounts
     * @param initialBalance the starting balance of each
     */
    public GlobalLockBank(int accounts, long initialBalance) {
        balances = new long[accounts];
        Arrays.fill(balances, initialBalance);
    }

    @Override
    public String name() {
        return "ReentrantLock, global";
    }

    @Override
    public Teller newTeller() {
        return new Teller() {
            @Override
            public void transfer(int from, int to, long amount) {
                lock.lock();
                try {
                    if (balances[from] >= amount) {
                        balances[from] -= amount;
                        balances[to] += amount;
                    }
                } finally {
                    lock.unlock();
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
        lock.lock();
        try {
            long sum = 0;
            for (long balance : balances) {
                sum += balance;
            }
            return sum;
        } finally {
            lock.unlock();
        }
    }
}
