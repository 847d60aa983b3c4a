package dev.weft.bench.report;

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
