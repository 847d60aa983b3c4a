package dev.weft.bench.bank;

/**
 * What one implementation achieved in a bank demo run.
 *
 * @param name the implementation
 * @param threads the number of worker threads
 * @param seconds the measured wall-clock time
 * @param transfers committed transfers, all threads
 * @param audits committed audits, all threads
 * @param auditFailures audits whose sum was not the expected total
 * @param attempts transaction body executions, or -1 when the implementation has no transactions
 * @param finalTotal the sum of all balances after the run
 * @param expectedTotal the sum every audit and the final total must equal
 */
public record BankResult(String name, int threads, double seconds, long transfers, long audits,
                         long auditFailures, long attempts, long finalTotal, long expectedTotal) {

    /** @return committed transfers per second */
    public double transfersPerSecond() {
        return transfers / seconds;
    }

    /** @return committed audits per second */
    public double auditsPerSecond() {
        return audits / seconds;
    }

    /** @return body executions beyond the first, per commit; NaN without transactions */
    public double retriesPerCommit() {
        long commits = transfers + audits;
        return attempts < 0 || commits == 0 ? Double.NaN : (double) (attempts - commits) / commits;
    }

    /** @return whether the money was conserved: every audit and the final total saw the expected sum */
    public boolean invariantHolds() {
        return auditFailures == 0 && finalTotal == expectedTotal;
    }
}
