package dev.weft.bench;

import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Picks the two distinct random accounts of the next transfer; one per benchmark thread, so the
 * random generator is never shared. Every implementation in {@link TransferBenchmark} uses it, so
 * they all pay the same for picking.
 */
@State(Scope.Thread)
public class AccountPicker {
    /** Accounts in a {@link TransferBenchmark} bank. */
    public static final int ACCOUNTS = 1024;

    private final SplittableRandom random = new SplittableRandom();
    int from;
    int to;

    /** Chooses {@link #from} and {@link #to}: uniform, distinct. */
    void next() {
        from = random.nextInt(ACCOUNTS);
        int other = random.nextInt(ACCOUNTS - 1);
        to = other >= from ? other + 1 : other;
    }
}
