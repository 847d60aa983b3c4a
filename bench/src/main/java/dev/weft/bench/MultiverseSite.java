package dev.weft.bench;

import org.multiverse.api.GlobalStmInstance;
import org.multiverse.api.TxnExecutor;

/**
 * Multiverse's fast path for a call site: a {@link TxnExecutor} built once per site from the
 * global STM's factory builder, as Multiverse's documentation has performance-minded code do.
 * Such an executor is speculative (it starts each site with the lean transaction for one ref and
 * moves to a larger kind only when the site needs it), where {@code StmUtils.atomic} runs every
 * transaction on the default executor's general-purpose variable-length transaction. The same
 * isolation (snapshot) and retry behaviour as the default executor. Measured on {@code Transfer}
 * at one thread in session 18: 7.3-8.3 ops/µs against 4.6-5.0 on the default executor (before
 * that session every Multiverse benchmark ran on the default one; the StmBench7 and scheduler
 * workloads moved in session 19). {@code MapPutBenchmark} keeps the default executor: Multiverse's
 * {@code NaiveTxnHashMap} throws {@code NullPointerException} from its own code when a put runs
 * on a speculative executor.
 *
 * <p>Thread-safety: the executors are thread-safe; one per call site, shared by its threads.
 */
public final class MultiverseSite {
    private MultiverseSite() {}

    /** @return a new executor for one call site */
    public static TxnExecutor executor() {
        return GlobalStmInstance.getGlobalStmInstance().newTxnFactoryBuilder().newTxnExecutor();
    }
}
