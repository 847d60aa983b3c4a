package dev.weft.check.internal;

import dev.weft.check.Anomaly;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The anomalies found so far: every one is counted by kind, only the first few of each kind are
 * built as records, so a badly broken history of 10^6 transactions does not produce 10^6 reports.
 *
 * <p>Thread-safety: not thread-safe; used by one checking thread.
 */
public final class Findings {
    private final int keepPerKind;
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final List<Anomaly> kept = new ArrayList<>();

    public Findings(int keepPerKind) {
        this.keepPerKind = keepPerKind;
    }

    void report(String kind, Supplier<Anomaly> anomaly) {
        int count = counts.merge(kind, 1, Integer::sum);
        if (count <= keepPerKind) {
            kept.add(anomaly.get());
        }
    }

    int count(String kind) {
        return counts.getOrDefault(kind, 0);
    }

    public Map<String, Integer> counts() {
        return counts;
    }

    public List<Anomaly> kept() {
        return kept;
    }
}
