package dev.weft.check;

import dev.weft.check.internal.Analysis;
import dev.weft.check.internal.Findings;
import java.util.Objects;

/**
 * Checks that a recorded {@link History} is serializable and opaque: the committed transactions
 * are equivalent to some serial order, and every attempt that did not commit read one consistent
 * snapshot of them.
 *
 * <pre>{@code
 * CheckResult result = SerializabilityChecker.check(recorder.history());
 * result.assertValid();                          // AssertionError listing the anomalies
 * }</pre>
 *
 * <h2>What it proves, and what not</h2>
 * It infers Adya's dependency graph from the values the history read, as Elle does, so every
 * anomaly it reports is real: no serial order explains the reads (given unique values per key,
 * and given that the recorded reads and writes are what happened). It can miss anomalies the
 * history does not expose: a register's version order is known only where a transaction read a
 * key before writing it (blind writes stay unordered), a list's order only as far as some
 * transaction read it, and it does not use real time (a transaction that started after another
 * committed may still be ordered before it: strict serializability is not checked). It finds:
 * <ul>
 *   <li>cycles among committed transactions: {@link Anomaly.G0}, {@link Anomaly.G1c},
 *       {@link Anomaly.GSingle}, {@link Anomaly.G2} (write skew);</li>
 *   <li>{@link Anomaly.LostUpdate}, {@link Anomaly.G1a} (aborted read), {@link Anomaly.G1b}
 *       (intermediate read), {@link Anomaly.InternalRead}, {@link Anomaly.GarbageRead},
 *       {@link Anomaly.IncompatibleOrder};</li>
 *   <li>opacity violations: an aborted or unfinished attempt on a dependency cycle
 *       ({@link Anomaly.NonOpaqueRead}).</li>
 * </ul>
 *
 * <p>Cost: linear in the history (attempts, operations, elements of list reads) for a valid
 * history; 10^6 transactions take seconds. Cyclic components are classified with a bounded
 * amount of search.
 *
 * <p>Thread-safety: stateless; {@code check} may run concurrently on different histories. A
 * check runs on the calling thread and is not transactional.
 */
public final class SerializabilityChecker {
    /** How many anomalies of each kind are reported in full by {@link #check(History)}; all are counted. */
    public static final int REPORTED_PER_KIND = 10;

    private SerializabilityChecker() {}

    /**
     * Checks a history.
     *
     * @param history the attempts to check
     * @return what was found; {@link CheckResult#valid()} if nothing
     * @throws IllegalArgumentException if a value was written (or appended) twice to the same key:
     *     the checker needs unique values
     */
    public static CheckResult check(History history) {
        Objects.requireNonNull(history, "history");
        Findings findings = new Findings(REPORTED_PER_KIND);
        Analysis analysis = new Analysis(history.columns(), history::transaction, findings);
        analysis.run();
        return new CheckResult(history.size(), history.count(Outcome.COMMITTED), analysis.edgeCount(),
                findings.counts(), findings.kept());
    }
}
