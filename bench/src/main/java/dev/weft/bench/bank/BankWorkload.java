package dev.weft.bench.bank;

/**
 * A bank of accounts that worker threads move money between, written once per
 * concurrency-control scheme so the demo runs the same workload over each.
 *
 * <p>Money is only ever moved, so the sum of all balances is constant: an audit that sees a
 * different sum observed a state no serial execution could produce.
 *
 * <p>Thread-safety: implementations are thread-safe; each worker thread uses its own
 * {@link Teller}, which is not.
 */
public interface BankWorkload {
    /** @return the name shown in the report */
    String name();

    /** @return a teller for one worker thread */
    Teller newTeller();

    /**
     * The sum of all balances; meant for after the run, but atomic whenever it is called.
     *
     * @return the sum of all balances
     */
    long total();

    /** One worker thread's access to the bank. Not thread-safe: one per thread. */
    interface Teller {
        /**
         * Atomically moves {@code amount} from one account to another when the source holds at
         * least that much; otherwise changes nothing.
         *
         * @param from the source account
         * @param to the destination account, distinct from {@code from}
         * @param amount the amount, positive
         */
        void transfer(int from, int to, long amount);

        /**
         * Atomically sums all balances.
         *
         * @return the sum as of one instant
         */
        long audit();

        /**
         * How many times this teller has started a transaction body (each commit costs one plus
         * its retries), or -1 when the scheme has no transactions and so never retries.
         *
         * @return body executions so far, or -1
         */
        long attempts();
    }
}
