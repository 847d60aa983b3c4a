package dev.weft.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link SerializabilityChecker} found in a history.
 *
 * <p>Thread-safety: an immutable record.
 *
 * @param transactions the number of attempts checked
 * @param committed how many of them committed
 * @param dependencies the number of dependency edges inferred
 * @param anomalyCounts every anomaly found, counted by {@link Anomaly#name()}-like kind ("G0",
 *     "G1a", "G1b", "G1c", "G-single", "G2", "non-opaque read", "lost update", "internal
 *     inconsistency", "garbage read", "incompatible order"), in the order first found
 * @param anomalies the first few anomalies of each kind, in full
 */
public record CheckResult(int transactions, int committed, int dependencies, Map<String, Integer> anomalyCounts,
        List<Anomaly> anomalies) {

    /**
     * Copies the maps and lists.
     *
     * @param transactions the number of attempts checked
     * @param committed how many of them committed
     * @param dependencies the number of dependency edges inferred
     * @param anomalyCounts every anomaly found, counted by {@link Anomaly#name()}-like kind ("G0",
     *     "G1a", "G1b", "G1c", "G-single", "G2", "non-opaque read", "lost update", "internal
     *     inconsistency", "garbage read", "incompatible order"), in the order first found
     * @param anomalies the first few anomalies of each kind, in full
     */
    public CheckResult {
        anomalyCounts = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(anomalyCounts)));
        anomalies = List.copyOf(anomalies);
    }

    /**
     * Whether the history is serializable and opaque as far as the checker can tell: no anomaly at
     * all.
     *
     * @return true if no anomaly was found
     */
    public boolean valid() {
        return anomalies.isEmpty();
    }

    /**
     * The reported anomalies of one kind, for example {@code anomaliesOf(Anomaly.G2.class)}.
     *
     * @param kind the anomaly record class
     * @param <A> the anomaly type
     * @return the kept anomalies of that kind, in the order found
     */
    public <A extends Anomaly> List<A> anomaliesOf(Class<A> kind) {
        List<A> matching = new ArrayList<>();
        for (Anomaly anomaly : anomalies) {
            if (kind.isInstance(anomaly)) {
                matching.add(kind.cast(anomaly));
            }
        }
        return matching;
    }

    /**
     * Throws if anything was found.
     *
     * @throws AssertionError with {@link #describe()} as its message, so a JUnit test fails with
     *     the anomalies and the transactions involved
     */
    public void assertValid() {
        if (!valid()) {
            throw new AssertionError(describe());
        }
    }

    /**
     * A report: the counts, then every kept anomaly with its transactions.
     *
     * @return the report, several lines
     */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append(transactions).append(" attempts (").append(committed).append(" committed), ")
                .append(dependencies).append(" dependencies: ");
        if (valid()) {
            return out.append("no anomaly").toString();
        }
        out.append(anomalyCounts);
        for (Anomaly anomaly : anomalies) {
            out.append("\n  ").append(anomaly.explain().replace("\n", "\n  "));
        }
        return out.toString();
    }
}
