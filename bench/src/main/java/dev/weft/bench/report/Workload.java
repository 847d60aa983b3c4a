package dev.weft.bench.report;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One benchmark class at one set of {@code @Param} values: the thing every implementation in the
 * class is measured on, side by side (for example {@code BankBenchmark} with {@code accounts=64}).
 *
 * <p>Thread-safety: immutable.
 *
 * @param className the simple name of the benchmark class
 * @param params the {@code @Param} values by name, sorted by name; empty when the class has none
 */
public record Workload(String className, SortedMap<String, String> params) implements Comparable<Workload> {

    /** Copies {@code params} into an unmodifiable sorted map. */
    public Workload {
        params = Collections.unmodifiableSortedMap(new TreeMap<>(params));
    }

    /** @return the class name without its {@code Benchmark} suffix, e.g. {@code Bank} */
    public String shortName() {
        return className.endsWith("Benchmark") && className.length() > "Benchmark".length()
                ? className.substring(0, className.length() - "Benchmark".length()) : className;
    }

    /** @return the parameters as {@code name=value, ...}, or the empty string when there are none */
    public String describeParams() {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /** @return e.g. {@code Bank (accounts=64)} or {@code ReadOne} */
    public String label() {
        return params.isEmpty() ? shortName() : shortName() + " (" + describeParams() + ")";
    }

    /**
     * @param name a parameter name
     * @return this workload without that parameter (the workload a chart over that parameter shows)
     */
    public Workload without(String name) {
        Map<String, String> rest = new TreeMap<>(params);
        rest.remove(name);
        return new Workload(className, new TreeMap<>(rest));
    }

    @Override
    public int compareTo(Workload other) {
        int byClass = className.compareTo(other.className);
        return byClass != 0 ? byClass : compareParams(params, other.params);
    }

    /** Orders parameter maps value by value, numerically where both values are numbers. */
    private static int compareParams(SortedMap<String, String> a, SortedMap<String, String> b) {
        int bySize = Integer.compare(a.size(), b.size());
        if (bySize != 0) {
            return bySize;
        }
        var left = a.entrySet().iterator();
        var right = b.entrySet().iterator();
        while (left.hasNext()) {
            var x = left.next();
            var y = right.next();
            int byName = x.getKey().compareTo(y.getKey());
            if (byName != 0) {
                return byName;
            }
            int byValue = compareValues(x.getValue(), y.getValue());
            if (byValue != 0) {
                return byValue;
            }
        }
        return 0;
    }

    static int compareValues(String x, String y) {
        try {
            return Double.compare(Double.parseDouble(x), Double.parseDouble(y));
        } catch (NumberFormatException notNumbers) {
            return x.compareTo(y);
        }
    }
}
