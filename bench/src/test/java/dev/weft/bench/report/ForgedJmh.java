package dev.weft.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.util.ListStatistics;

/** Builds JMH JSON documents by hand, shaped like JMH 1.37's {@code -rf json} output. */
final class ForgedJmh {
    private final List<String> entries = new ArrayList<>();

    /** Adds a throughput result with no parameters. */
    ForgedJmh thrpt(String classAndMethod, int threads, double score, double error) {
        return add(classAndMethod, "thrpt", threads, Map.of(), score, error, Double.NaN);
    }

    /** Adds a result. */
    ForgedJmh add(String classAndMethod, String mode, int threads, Map<String, String> params, double score,
                  double error, double bytesPerOp) {
        StringBuilder json = new StringBuilder();
        json.append("{\"jmhVersion\":\"1.37\",\"benchmark\":\"dev.weft.bench.").append(classAndMethod)
                .append("\",\"mode\":\"").append(mode).append("\",\"threads\":").append(threads)
                .append(",\"forks\":2,\"jvm\":\"/usr/bin/java\",\"jvmArgs\":[\"-Xmx1g\"],\"jdkVersion\":\"17.0.15\",")
                .append("\"vmName\":\"OpenJDK 64-Bit Server VM\",\"vmVersion\":\"17.0.15+6\",")
                .append("\"warmupIterations\":2,\"warmupTime\":\"400 ms\",\"warmupBatchSize\":1,")
                .append("\"measurementIterations\":2,\"measurementTime\":\"300 ms\",\"measurementBatchSize\":1,");
        if (!params.isEmpty()) {
            json.append("\"params\":{");
            String separator = "";
            for (var param : new TreeMap<>(params).entrySet()) {
                json.append(separator).append('"').append(param.getKey()).append("\":\"").append(param.getValue()).append('"');
                separator = ",";
            }
            json.append("},");
        }
        json.append("\"primaryMetric\":{\"score\":").append(number(score)).append(",\"scoreError\":")
                .append(Double.isNaN(error) ? "\"NaN\"" : number(error))
                .append(",\"scoreConfidence\":[0,0],\"scoreUnit\":\"")
                .append(mode.equals("thrpt") ? "ops/us" : "us/op").append("\",\"rawData\":[[")
                .append(number(score * 0.9)).append(',').append(number(score * 0.9)).append("],[")
                .append(number(score * 1.1)).append(',').append(number(score * 1.1)).append("]]},")
                .append("\"secondaryMetrics\":{");
        if (!Double.isNaN(bytesPerOp)) {
            json.append("\"gc.alloc.rate.norm\":{\"score\":").append(number(bytesPerOp))
                    .append(",\"scoreError\":0.1,\"scoreUnit\":\"B/op\",\"rawData\":[[1]]}");
        }
        json.append("}}");
        entries.add(json.toString());
        return this;
    }

    /**
     * Adds a throughput result as one JMH run of {@code forks.length} forks writes it: one raw
     * data array per fork, and the score, error, confidence interval and percentiles JMH's own
     * statistics give over all their iterations.
     *
     * @param forks the measured iterations of each fork
     * @param secondary further metrics by name (e.g. a {@code @Group}'s methods), each given the
     *                  same way
     */
    ForgedJmh measured(String classAndMethod, int threads, Map<String, String> params, double[][] forks,
                       Map<String, double[][]> secondary) {
        JsonObject entry = JsonParser.parseString("{\"jmhVersion\":\"1.37\",\"benchmark\":\"dev.weft.bench."
                + classAndMethod + "\",\"mode\":\"thrpt\",\"threads\":" + threads + ",\"forks\":" + forks.length
                + ",\"jvm\":\"/usr/bin/java\",\"jvmArgs\":[\"-Xmx1g\"],\"jdkVersion\":\"17.0.15\","
                + "\"vmName\":\"OpenJDK 64-Bit Server VM\",\"vmVersion\":\"17.0.15+6\",\"warmupIterations\":3,"
                + "\"warmupTime\":\"500 ms\",\"warmupBatchSize\":1,\"measurementIterations\":" + forks[0].length
                + ",\"measurementTime\":\"500 ms\",\"measurementBatchSize\":1}").getAsJsonObject();
        if (!params.isEmpty()) {
            JsonObject values = new JsonObject();
            new TreeMap<>(params).forEach(values::addProperty);
            entry.add("params", values);
        }
        entry.add("primaryMetric", metric(forks));
        JsonObject metrics = new JsonObject();
        secondary.forEach((name, iterations) -> metrics.add(name, metric(iterations)));
        entry.add("secondaryMetrics", metrics);
        entries.add(entry.toString());
        return this;
    }

    /** A metric as JMH writes it, its statistics computed by JMH's {@link ListStatistics}. */
    static JsonObject metric(double[][] forks) {
        ListStatistics statistics = new ListStatistics();
        JsonArray rawData = new JsonArray();
        for (double[] fork : forks) {
            JsonArray iterations = new JsonArray();
            for (double iteration : fork) {
                statistics.addValue(iteration);
                iterations.add(iteration);
            }
            rawData.add(iterations);
        }
        JsonObject metric = new JsonObject();
        metric.add("score", jmhNumber(statistics.getMean()));
        metric.add("scoreError", jmhNumber(statistics.getMeanErrorAt(0.999)));
        JsonArray confidence = new JsonArray();
        for (double end : statistics.getConfidenceIntervalAt(0.999)) {
            confidence.add(jmhNumber(end));
        }
        metric.add("scoreConfidence", confidence);
        JsonObject percentiles = new JsonObject();
        for (double level : new double[] {0.0, 50.0, 90.0, 100.0}) {
            percentiles.add(String.valueOf(level), jmhNumber(statistics.getPercentile(level)));
        }
        metric.add("scorePercentiles", percentiles);
        metric.addProperty("scoreUnit", "ops/us");
        metric.add("rawData", rawData);
        return metric;
    }

    /** JMH writes NaN as the string "NaN". */
    private static JsonPrimitive jmhNumber(double value) {
        return Double.isNaN(value) ? new JsonPrimitive("NaN") : new JsonPrimitive(value);
    }

    String json() {
        return "[\n" + String.join(",\n", entries) + "\n]\n";
    }

    List<JmhResult> parse() {
        return JmhJson.parse(new StringReader(json()));
    }

    Path write(Path file) {
        try {
            Files.writeString(file, json(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.6f", value);
    }
}
