package dev.weft.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the JSON that JMH writes with {@code -rf json} (an array with one object per benchmark,
 * mode, thread count and parameter set) into {@link JmhResult}s, and merges several such files.
 *
 * <p>Thread-safety: stateless.
 */
public final class JmhJson {
    private JmhJson() {}

    /**
     * Reads and merges JMH JSON files; see {@link #merge}. A file that times a case (measured
     * without the allocation profiler) replaces every earlier file's timed results of that case,
     * not only those of the methods it measured: the implementations of a row always come from
     * one run, as the report says. (Until session 18 a method missing from the later run kept its
     * older score, so three {@code MapPut} rows set Multiverse's score of an earlier session
     * beside the others'.)
     *
     * @param files JMH JSON files
     * @return the merged results, in file order
     * @throws IllegalArgumentException if a file is not JMH JSON (the message names the file)
     * @throws UncheckedIOException if a file cannot be read
     */
    public static List<JmhResult> read(List<Path> files) {
        List<JmhResult> all = new ArrayList<>();
        for (Path file : files) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                List<JmhResult> parsed = parse(reader);
                Set<BenchmarkCase> timedCases = new HashSet<>();
                Set<String> timedMethods = new HashSet<>();
                for (JmhResult result : parsed) {
                    if (!result.hasBytesPerOp()) {
                        timedCases.add(result.benchmarkCase());
                        timedMethods.add(key(result));
                    }
                }
                // an earlier allocation figure stays only beside a method this file timed again
                all.removeIf(earlier -> timedCases.contains(earlier.benchmarkCase())
                        && (!earlier.hasBytesPerOp()
                            || !timedMethods.contains(key(earlier))));
                all.addAll(parsed);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " is not JMH JSON output: " + e.getMessage(), e);
            }
        }
        return merge(all);
    }

    /**
     * Parses one JMH JSON document.
     *
     * @param json the document
     * @return one result per entry, in document order
     * @throws IllegalArgumentException if the document is not a JSON array of JMH results
     */
    public static List<JmhResult> parse(Reader json) {
        JsonElement root;
        try {
            root = JsonParser.parseReader(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getMessage(), e);
        }
        if (!root.isJsonArray()) {
            throw new IllegalArgumentException("expected a JSON array of benchmark results, got " + kind(root));
        }
        List<JmhResult> results = new ArrayList<>();
        JsonArray entries = root.getAsJsonArray();
        for (int i = 0; i < entries.size(); i++) {
            try {
                results.add(parseEntry(entries.get(i)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("entry " + i + ": " + e.getMessage(), e);
            }
        }
        return results;
    }

    /**
     * Merges results of several runs of the same suite. When two results measure the same case and
     * method (typically a throughput run and a {@code -prof gc} run), the one measured without
     * the allocation profiler keeps its score, because the profiler perturbs timing, and takes
     * the other's bytes per operation. Among several runs of either kind the later one counts:
     * the score comes from the last run without the profiler (from the last with it when there
     * is none), the bytes per operation from the last run with it. So a newer file's gc run
     * never replaces an older file's score with its own perturbed one.
     *
     * @param results results in run order
     * @return one result per case and method, in first-seen order
     */
    public static List<JmhResult> merge(List<JmhResult> results) {
        Map<String, JmhResult> timed = new LinkedHashMap<>();
        Map<String, JmhResult> profiled = new LinkedHashMap<>();
        Map<String, Boolean> order = new LinkedHashMap<>();
        for (JmhResult next : results) {
            String key = key(next);
            order.putIfAbsent(key, Boolean.TRUE);
            (next.hasBytesPerOp() ? profiled : timed).put(key, next);
        }
        List<JmhResult> merged = new ArrayList<>(order.size());
        for (String key : order.keySet()) {
            JmhResult score = timed.get(key);
            JmhResult allocation = profiled.get(key);
            if (score == null) {
                merged.add(allocation);
            } else {
                merged.add(allocation == null ? score : score.withBytesPerOp(allocation.bytesPerOp()));
            }
        }
        return List.copyOf(merged);
    }

    /** What identifies a result across files: its case and method. */
    private static String key(JmhResult result) {
        return result.benchmarkCase() + "#" + result.method();
    }

    private static JmhResult parseEntry(JsonElement element) {
        JsonObject entry = object(element, "result");
        String benchmark = string(entry, "benchmark");
        int lastDot = benchmark.lastIndexOf('.');
        if (lastDot <= 0 || lastDot == benchmark.length() - 1) {
            throw new IllegalArgumentException("benchmark name '" + benchmark + "' is not Class.method");
        }
        String qualifiedClass = benchmark.substring(0, lastDot);
        String className = qualifiedClass.substring(qualifiedClass.lastIndexOf('.') + 1);
        String method = benchmark.substring(lastDot + 1);

        Map<String, String> params = new TreeMap<>();
        if (entry.has("params") && entry.get("params").isJsonObject()) {
            for (Map.Entry<String, JsonElement> param : entry.getAsJsonObject("params").entrySet()) {
                params.put(param.getKey(), param.getValue().getAsString());
            }
        }
        BenchmarkCase benchmarkCase = new BenchmarkCase(new Workload(className, new TreeMap<>(params)),
                string(entry, "mode"), integer(entry, "threads"));

        JsonObject primary = object(entry.get("primaryMetric"), "primaryMetric");
        Score score = new Score(number(primary, "score"), number(primary, "scoreError"));
        double bytesPerOp = Double.NaN;
        if (entry.has("secondaryMetrics") && entry.get("secondaryMetrics").isJsonObject()) {
            JsonObject secondary = entry.getAsJsonObject("secondaryMetrics");
            if (secondary.has("gc.alloc.rate.norm")) {
                bytesPerOp = number(object(secondary.get("gc.alloc.rate.norm"), "gc.alloc.rate.norm"), "score");
            }
        }
        return new JmhResult(benchmarkCase, method, score, string(primary, "scoreUnit"), bytesPerOp,
                forkMeans(primary), settings(entry));
    }

    private static List<Double> forkMeans(JsonObject primary) {
        List<Double> means = new ArrayList<>();
        if (!primary.has("rawData") || !primary.get("rawData").isJsonArray()) {
            return means;
        }
        for (JsonElement fork : primary.getAsJsonArray("rawData")) {
            JsonArray iterations = fork.getAsJsonArray();
            if (iterations.isEmpty()) {
                continue;
            }
            double sum = 0;
            for (JsonElement iteration : iterations) {
                sum += iteration.getAsDouble();
            }
            means.add(sum / iterations.size());
        }
        return means;
    }

    private static RunSettings settings(JsonObject entry) {
        List<String> jvmArgs = new ArrayList<>();
        if (entry.has("jvmArgs") && entry.get("jvmArgs").isJsonArray()) {
            entry.getAsJsonArray("jvmArgs").forEach(arg -> jvmArgs.add(arg.getAsString()));
        }
        return new RunSettings(optionalString(entry, "jmhVersion"), optionalString(entry, "jdkVersion"),
                optionalString(entry, "vmName"), optionalInteger(entry, "forks"),
                optionalInteger(entry, "warmupIterations"), optionalString(entry, "warmupTime"),
                optionalInteger(entry, "measurementIterations"), optionalString(entry, "measurementTime"),
                jvmArgs);
    }

    private static JsonObject object(JsonElement element, String what) {
        if (element == null || !element.isJsonObject()) {
            throw new IllegalArgumentException(what + " must be a JSON object, got " + kind(element));
        }
        return element.getAsJsonObject();
    }

    private static JsonElement required(JsonObject object, String field) {
        JsonElement value = object.get(field);
        if (value == null || value.isJsonNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value;
    }

    private static String string(JsonObject object, String field) {
        return required(object, field).getAsString();
    }

    private static int integer(JsonObject object, String field) {
        return required(object, field).getAsInt();
    }

    /** JMH writes a number, or the string "NaN" when it has none (an error from one iteration). */
    private static double number(JsonObject object, String field) {
        JsonElement value = required(object, field);
        try {
            return value.getAsDouble();
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException e) {
            throw new IllegalArgumentException("field '" + field + "' is not a number: " + value);
        }
    }

    private static String optionalString(JsonObject object, String field) {
        JsonElement value = object.get(field);
        return value == null || value.isJsonNull() ? "?" : value.getAsString();
    }

    private static int optionalInteger(JsonObject object, String field) {
        JsonElement value = object.get(field);
        return value == null || value.isJsonNull() ? 0 : value.getAsInt();
    }

    private static String kind(JsonElement element) {
        if (element == null || element.isJsonNull()) {
            return "nothing";
        }
        return element.isJsonArray() ? "an array" : element.isJsonObject() ? "an object" : "'" + element + "'";
    }
}
