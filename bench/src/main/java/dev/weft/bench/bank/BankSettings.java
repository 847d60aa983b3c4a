package dev.weft.bench.bank;

import java.time.Duration;

/**
 * The size and length of a bank demo run.
 *
 * @param accounts the number of accounts, at least 2
 * @param threads the number of worker threads, at least 1
 * @param duration how long each implementation runs
 */
public record BankSettings(int accounts, int threads, Duration duration) {
    /** The balance every account starts with. */
    public static final long INITIAL_BALANCE = 1000;

    /** @throws IllegalArgumentException if a value is out of range */
    public BankSettings {
        if (accounts < 2) {
            throw new IllegalArgumentException("--accounts must be at least 2 (a transfer needs two accounts), got " + accounts);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--seconds must be positive, got " + duration.toSeconds());
        }
    }

    /** @return the sum of all balances, constant under transfers */
    public long expectedTotal() {
        return accounts * INITIAL_BALANCE;
    }
}
