package dev.weft.bench.bank;

import java.io.PrintStream;
import java.util.List;

/**
 * Prints bank demo results as one table.
 *
 * <p>Thread-safety: stateless.
 */
public final class BankReport {
    private static final String ROW = "%-26s %7s %14s %11s %15s  %s%n";

    private BankReport() {}

    /**
     * @param out where to print
     * @param settings the run's settings
     * @param results one per implementation
     */
    public static void print(PrintStream out, BankSettings settings, List<BankResult> results) {
        out.printf("Bank: %,d accounts of %,d, %d threads, %d s per implementation, "
                        + "transfers of 1..%d, an audit of all accounts every %dth operation%n%n",
                settings.accounts(), BankSettings.INITIAL_BALANCE, settings.threads(),
                settings.duration().toSeconds(), BankRun.MAX_AMOUNT, BankRun.AUDIT_EVERY);
        out.printf(ROW, "implementation", "threads", "transfers/s", "audits/s", "retries/commit", "invariant");
        for (BankResult result : results) {
            double retries = result.retriesPerCommit();
            out.printf(ROW, result.name(), result.threads(),
                    String.format("%,.0f", result.transfersPerSecond()),
                    String.format("%,.0f", result.auditsPerSecond()),
                    Double.isNaN(retries) ? "-" : String.format("%.4f", retries),
                    result.invariantHolds() ? "verified" : failure(result));
        }
        out.printf("%ninvariant: every audit and the final total equal accounts x %,d = %,d%n",
                BankSettings.INITIAL_BALANCE, settings.expectedTotal());
    }

    private static String failure(BankResult result) {
        return String.format("FAILED (%,d bad audits, final total %,d)", result.auditFailures(), result.finalTotal());
    }
}
