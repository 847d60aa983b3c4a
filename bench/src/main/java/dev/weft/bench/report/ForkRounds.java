package dev.weft.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * Combines the JMH JSON of a preset's rounds (see {@link PresetRun}) into the JSON one JMH run
 * of all their forks would have written, the input {@link JmhJson} reads.
 *
 * <p>A round is a sequence of passes, one JMH run per thread count, the same passes in every
 * round. Entries of the same pass in different rounds that measure the same benchmark, mode,
 * thread count and parameter set become one entry: its {@code rawData} holds the rounds' forks in
 * round order, its {@code score} is the mean of all their measured iterations, its
 * {@code scoreError} and {@code scoreConfidence} are JMH's (the half-width of the 99.9 %
 * Student's t interval around that mean, as {@code org.openjdk.jmh.util.AbstractStatistics}
 * computes it), its {@code scorePercentiles} are recomputed over the same iterations, and its
 * {@code forks} adds up the rounds' forks. Every secondary metric with raw data ({@code @Group}
 * methods) is combined the same way; one without keeps the last round's. Everything else comes
 * from the first round that measured the benchmark. A benchmark that only one round measured (it
 * failed in the others) is kept as that round wrote it. An entry that carries
 * {@code gc.alloc.rate.norm} (a {@code -prof gc} run) is never combined with one that does not.
 *
 * <p>Entries of different passes that measured the same configuration are combined too: JMH
 * raises a {@code @Group} benchmark's thread count to its group size, so the 1-thread and the
 * 2-thread pass both measure {@code QueueBenchmark.weft} at 2 threads, and their forks are four
 * forks of one benchmark (on this machine a two-thread JVM can land in a fast or a slow mode, so
 * four forks are worth more than the later two alone, which is all {@link JmhJson#merge} would
 * keep of two entries). Forks are joined in the order of the runs given: pass order, then round
 * order ({@link PresetRun#inPassOrder}).
 *
 * <p>Thread-safety: stateless.
 */
final class ForkRounds {
    /** JMH's confidence level for {@code scoreError} and {@code scoreConfidence}. */
    private static final double CONFIDENCE = 0.999;
    private static final String ALLOCATION = "gc.alloc.rate.norm";

    private ForkRounds() {}

    /**
     * @param runs the entries each JMH run wrote, in the order their forks are to be joined
     *             ({@link PresetRun#inPassOrder}: pass by pass, and within a pass round by round)
     * @return one entry per benchmark, mode, thread count and parameter set, in first-seen order
     * @throws IllegalArgumentException if an entry lacks the fields that identify it
     */
    static JsonArray combine(List<JsonArray> runs) {
        Map<String, List<JsonObject>> measurements = new LinkedHashMap<>();
        for (JsonArray run : runs) {
            for (JsonElement element : run) {
                if (!element.isJsonObject()) {
                    throw new IllegalArgumentException("a JMH result must be a JSON object, got " + element);
                }
                JsonObject entry = element.getAsJsonObject();
                measurements.computeIfAbsent(key(entry), k -> new ArrayList<>()).add(entry);
            }
        }
        JsonArray combined = new JsonArray();
        for (List<JsonObject> sameBenchmark : measurements.values()) {
            combined.add(sameBenchmark.size() == 1 ? sameBenchmark.get(0).deepCopy() : entry(sameBenchmark));
        }
        return combined;
    }

    /** What makes two entries the same benchmark; a profiled entry is never the same as a timed one. */
    private static String key(JsonObject entry) {
        for (String field : List.of("benchmark", "mode", "threads")) {
            if (!entry.has(field)) {
                throw new IllegalArgumentException("a JMH result without '" + field + "': " + entry);
            }
        }
        Map<String, String> params = new TreeMap<>();
        if (entry.has("params") && entry.get("params").isJsonObject()) {
            entry.getAsJsonObject("params").entrySet().forEach(p -> params.put(p.getKey(), p.getValue().toString()));
        }
        boolean profiled = entry.has("secondaryMetrics") && entry.get("secondaryMetrics").isJsonObject()
                && entry.getAsJsonObject("secondaryMetrics").has(ALLOCATION);
        return entry.get("benchmark").getAsString() + "|" + entry.get("mode").getAsString() + "|"
                + entry.get("threads").getAsInt() + "|" + params + (profiled ? "|gc" : "");
    }

    private static JsonObject entry(List<JsonObject> rounds) {
        JsonObject entry = rounds.get(0).deepCopy();
        int forks = 0;
        List<JsonObject> primary = new ArrayList<>();
        Map<String, List<JsonObject>> secondary = new LinkedHashMap<>();
        for (JsonObject round : rounds) {
            forks += round.has("forks") ? round.get("forks").getAsInt() : 1;
            primary.add(round.getAsJsonObject("primaryMetric"));
            if (round.has("secondaryMetrics") && round.get("secondaryMetrics").isJsonObject()) {
                for (Map.Entry<String, JsonElement> metric : round.getAsJsonObject("secondaryMetrics").entrySet()) {
                    secondary.computeIfAbsent(metric.getKey(), k -> new ArrayList<>())
                            .add(metric.getValue().getAsJsonObject());
                }
            }
        }
        entry.addProperty("forks", forks);
        entry.add("primaryMetric", metric(primary));
        if (!secondary.isEmpty()) {
            JsonObject metrics = new JsonObject();
            secondary.forEach((name, measured) -> metrics.add(name, metric(measured)));
            entry.add("secondaryMetrics", metrics);
        }
        return entry;
    }

    /** One metric over the rounds that measured it; see the class comment. */
    private static JsonObject metric(List<JsonObject> rounds) {
        List<JsonObject> withRawData = new ArrayList<>();
        for (JsonObject round : rounds) {
            if (round.has("rawData") && round.get("rawData").isJsonArray()) {
                withRawData.add(round);
            }
        }
        if (withRawData.isEmpty()) {
            return rounds.get(rounds.size() - 1).deepCopy();
        }
        JsonObject metric = withRawData.get(0).deepCopy();
        JsonArray rawData = new JsonArray();
        List<Double> iterations = new ArrayList<>();
        for (JsonObject round : withRawData) {
            for (JsonElement fork : round.getAsJsonArray("rawData")) {
                rawData.add(fork.deepCopy());
                fork.getAsJsonArray().forEach(iteration -> iterations.add(iteration.getAsDouble()));
            }
        }
        double[] values = iterations.stream().mapToDouble(Double::doubleValue).toArray();
        double mean = mean(values);
        double error = meanError(values, mean);
        metric.add("score", number(mean));
        metric.add("scoreError", number(error));
        JsonArray confidence = new JsonArray();
        confidence.add(number(mean - error));
        confidence.add(number(mean + error));
        metric.add("scoreConfidence", confidence);
        if (metric.has("scorePercentiles") && metric.get("scorePercentiles").isJsonObject()) {
            metric.add("scorePercentiles", percentiles(metric.getAsJsonObject("scorePercentiles"), values));
        }
        metric.add("rawData", rawData);
        return metric;
    }

    private static double mean(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }

    /**
     * JMH's {@code AbstractStatistics.getMeanErrorAt(0.999)}: Student's t quantile at
     * (1 + 0.999) / 2 with n - 1 degrees of freedom, times the sample standard deviation, over
     * sqrt(n). JMH gives NaN for n <= 2, and so does this.
     */
    private static double meanError(double[] values, double mean) {
        int n = values.length;
        if (n <= 2) {
            return Double.NaN;
        }
        double squares = 0;
        for (double value : values) {
            squares += Math.pow(value - mean, 2);
        }
        double standardDeviation = Math.sqrt(squares / (n - 1));
        double quantile = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - CONFIDENCE) / 2);
        return quantile * standardDeviation / Math.sqrt(n);
    }

    /** The same percentiles JMH wrote, over all iterations, computed as JMH's {@code ListStatistics} does. */
    private static JsonObject percentiles(JsonObject written, double[] values) {
        JsonObject percentiles = new JsonObject();
        for (String level : written.keySet()) {
            double p = Double.parseDouble(level);
            double value;
            if (values.length == 0) {
                value = Double.NaN;
            } else if (p == 0) {
                value = Arrays.stream(values).min().orElseThrow();
            } else {
                value = new Percentile().evaluate(values, p);
            }
            percentiles.add(level, number(value));
        }
        return percentiles;
    }

    /** A number as JMH writes it: NaN as the string "NaN", since JSON has no NaN. */
    private static JsonPrimitive number(double value) {
        return Double.isFinite(value) ? new JsonPrimitive(value) : new JsonPrimitive(String.valueOf(value));
    }
}
