package dev.weft.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders merged JMH results as Markdown: how and where they were measured, the ratio table
 * ({@link RatioTable}), then one section per workload with every implementation's score at each
 * thread count, its allocation when measured, and the workload's charts.
 *
 * <p>Thread-safety: stateless.
 */
public final class MarkdownReport {
    private MarkdownReport() {}

    /**
     * What the results do not say themselves.
     *
     * @param title e.g. {@code quick preset}
     * @param command the command that produced the results
     * @param machine the machine, e.g. {@code 2 cores, Linux 6.1 amd64}
     */
    public record Context(String title, String command, String machine) {}

    /**
     * Writes the report.
     *
     * @param file the Markdown file to write; chart paths are written relative to its directory
     * @param results merged JMH results
     * @param charts the charts written for them
     * @param chartDirectory the directory the charts were written to
     * @param context the title, command and machine
     * @throws UncheckedIOException if the file cannot be written
     */
    public static void write(Path file, List<JmhResult> results, List<ThroughputCharts.Chart> charts,
                             Path chartDirectory, Context context) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            String chartPath = parent.relativize(chartDirectory.toAbsolutePath()).toString().replace('\\', '/');
            Files.writeString(file, render(results, charts, chartPath, context), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The line after which {@link #splice} puts the report. */
    public static final String BEGIN = "<!-- report:begin -->";
    /** The line before which {@link #splice} ends the report. */
    public static final String END = "<!-- report:end -->";

    /**
     * Puts the report into a hand-written document, replacing whatever lies between its
     * {@link #BEGIN} and {@link #END} lines, with every heading one level deeper (the report's
     * title becomes a section) and chart paths relative to the document. The rest of the document
     * is kept as it is.
     *
     * @param document the Markdown document, holding both marker lines
     * @param results merged JMH results
     * @param charts the charts written for them
     * @param chartDirectory the directory the charts were written to
     * @param context the title, command and machine
     * @throws IllegalStateException if the document lacks either marker line, or has them out of order
     * @throws UncheckedIOException if the document cannot be read or written
     */
    public static void splice(Path document, List<JmhResult> results, List<ThroughputCharts.Chart> charts,
                              Path chartDirectory, Context context) {
        try {
            String text = Files.readString(document, StandardCharsets.UTF_8);
            int begin = text.indexOf(BEGIN + "\n");
            int end = text.indexOf("\n" + END);
            if (begin < 0 || end < 0 || end < begin) {
                throw new IllegalStateException(document + " needs a line '" + BEGIN + "' and, after it, a line '"
                        + END + "' where the report goes");
            }
            Path parent = document.toAbsolutePath().getParent();
            String chartPath = parent.relativize(chartDirectory.toAbsolutePath()).toString().replace('\\', '/');
            String report = render(results, charts, chartPath, context).replaceAll("(?m)^#", "##").stripTrailing();
            String spliced = text.substring(0, begin + BEGIN.length() + 1) + report + "\n" + text.substring(end);
            Files.writeString(document, spliced, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + document + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param results merged JMH results
     * @param charts the charts written for them
     * @param chartPath the charts' directory relative to the report, e.g. {@code charts}
     * @param context the title, command and machine
     * @return the report's Markdown
     */
    public static String render(List<JmhResult> results, List<ThroughputCharts.Chart> charts, String chartPath,
                                Context context) {
        StringBuilder md = new StringBuilder();
        md.append("# Weft benchmarks: ").append(context.title()).append("\n\n");
        header(md, results, context);
        ratios(md, RatioTable.of(results));
        workloads(md, results, charts, chartPath);
        return md.toString();
    }

    private static void header(StringBuilder md, List<JmhResult> results, Context context) {
        Set<String> jdks = new LinkedHashSet<>();
        Set<String> iterations = new LinkedHashSet<>();
        Set<String> jmh = new LinkedHashSet<>();
        for (JmhResult result : results) {
            RunSettings settings = result.settings();
            jdks.add("JDK " + settings.jdkVersion() + " (" + settings.vmName() + ")");
            jmh.add("JMH " + settings.jmhVersion());
            iterations.add(settings.describeIterations());
        }
        boolean allocation = results.stream().anyMatch(JmhResult::hasBytesPerOp);
        md.append("- **Machine:** ").append(context.machine()).append("; ").append(String.join(", ", jdks))
                .append("\n");
        md.append("- **Settings:** ").append(String.join(", ", jmh)).append("; ")
                .append(String.join("; ", iterations))
                .append(allocation ? "; B/op is gc.alloc.rate.norm from the -prof gc run" : "").append("\n");
        md.append("- **Command:** `").append(context.command()).append("`\n");
        md.append("- **Reading it:** scores are JMH's mean ± the half-width of its 99.9 % confidence interval; "
                + "a ratio is Weft's advantage (above 1: Weft is better), its error propagated from both "
                + "scores; ≈ marks a ratio whose two intervals overlap (order not established by this run). "
                + "Every implementation of a row ran in the same run.\n\n");
    }

    private static void ratios(StringBuilder md, RatioTable table) {
        if (table.rows().isEmpty()) {
            md.append("No Weft benchmark in these results.\n\n");
            return;
        }
        md.append("## Weft against the best STM peer and the baseline\n\n");
        md.append("| benchmark | threads | Weft | best STM peer | Weft ÷ best STM peer | baseline | Weft ÷ baseline |\n");
        md.append("|---|--:|--:|---|--:|---|--:|\n");
        for (RatioTable.Row row : table.rows()) {
            BenchmarkCase benchmarkCase = row.benchmarkCase();
            String name = benchmarkCase.workload().label()
                    + (row.weft().method().equals("weft") ? "" : ", " + row.weft().label())
                    + (benchmarkCase.mode().equals("thrpt") ? "" : " (" + benchmarkCase.mode() + ")");
            md.append("| ").append(name)
                    .append(" | ").append(benchmarkCase.threads())
                    .append(" | ").append(score(row.weftScore()))
                    .append(" | ").append(row.bestPeer() == null ? "–" : row.bestPeer().label() + " " + score(row.peerScore()))
                    .append(" | ").append(ratio(row.versusPeer(), row.weftScore(), row.peerScore(), true))
                    .append(" | ").append(row.reference() == null ? "–" : row.reference().label() + " " + score(row.referenceScore()))
                    .append(" | ").append(ratio(row.versusReference(), row.weftScore(), row.referenceScore(), false))
                    .append(" |\n");
        }
        md.append('\n');
    }

    private static void workloads(StringBuilder md, List<JmhResult> results, List<ThroughputCharts.Chart> charts,
                                  String chartPath) {
        SortedMap<Workload, List<JmhResult>> byWorkload = new TreeMap<>();
        for (JmhResult result : results) {
            byWorkload.computeIfAbsent(result.benchmarkCase().workload(), w -> new ArrayList<>()).add(result);
        }
        Set<ThroughputCharts.Chart> shown = new LinkedHashSet<>();
        for (var entry : byWorkload.entrySet()) {
            Workload workload = entry.getKey();
            md.append("## ").append(workload.label()).append("\n\n");
            table(md, entry.getValue());
            for (ThroughputCharts.Chart chart : charts) {
                if (chart.workload().equals(workload) && shown.add(chart)) {
                    image(md, chart, chartPath);
                }
            }
        }
        for (ThroughputCharts.Chart chart : charts) {
            if (shown.add(chart)) { // charts over an update ratio belong to no single workload
                md.append("## ").append(chart.title()).append("\n\n");
                image(md, chart, chartPath);
            }
        }
    }

    private static void image(StringBuilder md, ThroughputCharts.Chart chart, String chartPath) {
        String prefix = chartPath.isEmpty() ? "" : chartPath + "/";
        md.append("![").append(chart.title()).append("](").append(prefix).append(chart.fileStem()).append(".svg)\n")
                .append("([PNG](").append(prefix).append(chart.fileStem()).append(".png))\n\n");
    }

    /** Rows: implementations; columns: the thread counts (and modes) measured. */
    private static void table(StringBuilder md, List<JmhResult> results) {
        Set<String> modes = new TreeSet<>();
        Set<Integer> threads = new TreeSet<>();
        Map<String, Map<String, JmhResult>> byMethod = new LinkedHashMap<>();
        List<JmhResult> ordered = new ArrayList<>(results);
        ordered.sort((a, b) -> Implementation.of(a.method()).role().compareTo(Implementation.of(b.method()).role()));
        for (JmhResult result : ordered) {
            modes.add(result.benchmarkCase().mode());
            threads.add(result.benchmarkCase().threads());
        }
        List<String> columns = new ArrayList<>();
        for (String mode : modes) {
            for (int t : threads) {
                columns.add(column(mode, t, modes.size() > 1));
            }
        }
        String unit = results.get(0).unit().replace("us", "µs");
        for (JmhResult result : ordered) {
            byMethod.computeIfAbsent(result.method(), m -> new LinkedHashMap<>())
                    .put(column(result.benchmarkCase().mode(), result.benchmarkCase().threads(), modes.size() > 1), result);
        }
        boolean allocation = results.stream().anyMatch(JmhResult::hasBytesPerOp);
        md.append("| implementation (").append(unit).append(") |");
        columns.forEach(c -> md.append(' ').append(c).append(" |"));
        md.append(allocation ? " B/op |\n" : "\n");
        md.append("|---|");
        columns.forEach(c -> md.append("--:|"));
        md.append(allocation ? "--:|\n" : "\n");
        for (var entry : byMethod.entrySet()) {
            Implementation implementation = Implementation.of(entry.getKey());
            boolean weft = implementation.role() == Implementation.Role.WEFT;
            md.append("| ").append(weft ? "**" + implementation.label() + "**" : implementation.label()).append(" |");
            for (String c : columns) {
                JmhResult result = entry.getValue().get(c);
                md.append(' ').append(result == null ? "–" : score(result.score()) + forkRange(result)).append(" |");
            }
            if (allocation) {
                double bytes = entry.getValue().values().stream().filter(JmhResult::hasBytesPerOp)
                        .mapToDouble(JmhResult::bytesPerOp).findFirst().orElse(Double.NaN);
                md.append(' ').append(Double.isNaN(bytes) ? "–" : bytes(bytes)).append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private static String column(String mode, int threads, boolean showMode) {
        return "t=" + threads + (showMode ? " " + mode : "");
    }

    /** The range of the per-fork means, when there are several forks: a wide one means a bimodal run. */
    private static String forkRange(JmhResult result) {
        List<Double> forks = result.forkMeans();
        if (forks.size() < 2) {
            return "";
        }
        double low = forks.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double high = forks.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return " <sub>forks " + number(low, high) + "–" + number(high, high) + "</sub>";
    }

    static String score(Score score) {
        if (Double.isNaN(score.error())) {
            return number(score.value(), score.value());
        }
        return number(score.value(), score.value()) + " ± " + number(score.error(), score.value());
    }

    /** The ratio with its error; bold when Weft is ahead beyond error in the column that targets it. */
    static String ratio(Score ratio, Score weft, Score other, boolean boldWhenAhead) {
        if (ratio == null) {
            return "–";
        }
        // two significant decimals at least: 0.067 ± 0.004, 1.95 ± 0.12
        String pattern = Math.abs(ratio.value()) >= 0.1 ? "%.2f" : "%.3f";
        String text = String.format(Locale.ROOT, pattern, ratio.value())
                + (Double.isNaN(ratio.error()) ? "" : String.format(Locale.ROOT, " ± " + pattern, ratio.error()));
        if (weft.overlaps(other)) {
            return "≈ " + text;
        }
        return boldWhenAhead && ratio.value() > 1 ? "**" + text + "**" : text;
    }

    /** Formats {@code value} with as many decimals as {@code magnitude} deserves. */
    static String number(double value, double magnitude) {
        double size = Math.abs(magnitude);
        String pattern = size >= 100 ? "%,.0f" : size >= 10 ? "%.1f" : size >= 0.1 ? "%.2f" : "%.4f";
        return String.format(Locale.ROOT, pattern, value);
    }

    private static String bytes(double bytes) {
        return bytes < 0.5 ? "0" : String.format(Locale.ROOT, "%,.0f", bytes);
    }
}
