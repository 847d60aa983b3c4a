package dev.weft.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * Draws the report's charts with JFreeChart, each as PNG and SVG: for every throughput workload,
 * throughput against threads (one line per implementation, JMH's error as error bars), and for
 * every workload with an update-ratio parameter (a {@code @Param} whose name contains
 * {@code update}), throughput against that ratio at each thread count.
 *
 * <p>The score axis is logarithmic when the scores of one chart span more than
 * {@value #LOG_SCALE_SPREAD}×, so that the STMs stay readable next to {@code AtomicLong}.
 *
 * <p>Thread-safety: stateless; charts are drawn off-screen (headless AWT).
 */
public final class ThroughputCharts {
    /** Charts whose largest score is more than this times their smallest get a log score axis. */
    static final double LOG_SCALE_SPREAD = 20;
    static final int WIDTH = 800;
    static final int HEIGHT = 500;
    private static final Pattern UPDATE_PARAMETER = Pattern.compile("(?i).*update.*");
    private static final String THREADS = "threads";
    private static final Map<String, Color> COLORS = Map.of(
            "weft", new Color(0xC0392B),
            "weftInlineLambda", new Color(0xE67E22),
            "multiverse", new Color(0x2E86C1),
            "scalaStm", new Color(0x27AE60),
            "clojure", new Color(0x8E44AD),
            "atomicLong", new Color(0x7F8C8D),
            "lock", new Color(0x34495E),
            "concurrentHashMap", new Color(0x95A5A6),
            "concurrentSkipListMap", new Color(0xB7950B));
    private static final Color[] OTHER_COLORS = {new Color(0x16A085), new Color(0xD35400), new Color(0x1ABC9C)};

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ThroughputCharts() {}

    /**
     * One chart written as {@code <fileStem>.png} and {@code <fileStem>.svg}.
     *
     * @param title the chart's title
     * @param fileStem the file name without extension
     * @param workload the workload shown (without the parameter on the x axis)
     * @param xAxis {@code threads} or the name of the update-ratio parameter
     */
    public record Chart(String title, String fileStem, Workload workload, String xAxis) {}

    /**
     * Writes every chart the results support into a directory (created if missing).
     *
     * @param results merged JMH results; only throughput results are charted
     * @param directory where to write the PNG and SVG files
     * @return the charts written, in workload order
     * @throws UncheckedIOException if a file cannot be written
     */
    public static List<Chart> write(List<JmhResult> results, Path directory) {
        List<JmhResult> throughput = results.stream().filter(r -> r.benchmarkCase().higherIsBetter()).toList();
        List<Chart> charts = new ArrayList<>();
        try {
            Files.createDirectories(directory);
            Map<Workload, List<JmhResult>> byWorkload = new TreeMap<>();
            for (JmhResult result : throughput) {
                byWorkload.computeIfAbsent(result.benchmarkCase().workload(), w -> new ArrayList<>()).add(result);
            }
            for (var workload : byWorkload.entrySet()) {
                if (distinct(workload.getValue(), THREADS).size() >= 2) {
                    charts.add(draw(directory, workload.getKey(), THREADS, workload.getValue()));
                }
            }
            for (String parameter : updateParameters(throughput)) {
                // one sweep per workload without the parameter and thread count
                Map<Workload, Map<Integer, List<JmhResult>>> sweeps = new TreeMap<>();
                for (JmhResult result : throughput) {
                    Workload workload = result.benchmarkCase().workload();
                    if (workload.params().containsKey(parameter)) {
                        sweeps.computeIfAbsent(workload.without(parameter), w -> new TreeMap<>())
                                .computeIfAbsent(result.benchmarkCase().threads(), t -> new ArrayList<>())
                                .add(result);
                    }
                }
                for (var sweep : sweeps.entrySet()) {
                    for (List<JmhResult> points : sweep.getValue().values()) {
                        if (distinct(points, parameter).size() >= 2 && numeric(points, parameter)) {
                            charts.add(draw(directory, sweep.getKey(), parameter, points));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write charts to " + directory + ": " + e.getMessage(), e);
        }
        return charts;
    }

    private static Set<String> updateParameters(List<JmhResult> results) {
        Set<String> names = new TreeSet<>();
        for (JmhResult result : results) {
            for (String name : result.benchmarkCase().workload().params().keySet()) {
                if (UPDATE_PARAMETER.matcher(name).matches()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static Set<String> distinct(List<JmhResult> results, String axis) {
        Set<String> values = new TreeSet<>();
        for (JmhResult result : results) {
            values.add(xLabel(result, axis));
        }
        return values;
    }

    private static boolean numeric(List<JmhResult> results, String parameter) {
        for (JmhResult result : results) {
            try {
                Double.parseDouble(result.benchmarkCase().workload().params().get(parameter));
            } catch (NumberFormatException | NullPointerException e) {
                return false;
            }
        }
        return true;
    }

    private static String xLabel(JmhResult result, String axis) {
        return axis.equals(THREADS) ? Integer.toString(result.benchmarkCase().threads())
                : result.benchmarkCase().workload().params().get(axis);
    }

    private static double x(JmhResult result, String axis) {
        return Double.parseDouble(xLabel(result, axis));
    }

    private static Chart draw(Path directory, Workload workload, String axis, List<JmhResult> points)
            throws IOException {
        String title;
        String stem;
        if (axis.equals(THREADS)) {
            title = workload.label() + ": throughput vs threads";
            stem = workload.shortName() + paramsStem(workload) + "-vs-threads";
        } else {
            int threads = points.get(0).benchmarkCase().threads();
            title = workload.label() + ", " + threads + " thread" + (threads == 1 ? "" : "s")
                    + ": throughput vs " + axis;
            stem = workload.shortName() + paramsStem(workload) + "-t" + threads + "-vs-" + axis;
        }
        stem = stem.replaceAll("[^A-Za-z0-9_.=-]", "_");
        JFreeChart chart = chart(title, axis, points);
        ChartUtils.saveChartAsPNG(directory.resolve(stem + ".png").toFile(), chart, WIDTH, HEIGHT);
        SVGGraphics2D svg = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(svg, new Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
        SVGUtils.writeToSVG(directory.resolve(stem + ".svg").toFile(), svg.getSVGElement());
        return new Chart(title, stem, workload, axis);
    }

    private static String paramsStem(Workload workload) {
        StringBuilder stem = new StringBuilder();
        workload.params().forEach((name, value) -> stem.append('-').append(name).append('=').append(value));
        return stem.toString();
    }

    private static JFreeChart chart(String title, String axis, List<JmhResult> points) {
        Map<String, YIntervalSeries> series = new LinkedHashMap<>();
        List<JmhResult> ordered = new ArrayList<>(points);
        // Weft first, then the STM peers, then the baselines; each in first-seen order
        ordered.sort(Comparator.comparing(r -> Implementation.of(r.method()).role()));
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (JmhResult result : ordered) {
            Implementation implementation = Implementation.of(result.method());
            YIntervalSeries line = series.computeIfAbsent(result.method(), m -> new YIntervalSeries(implementation.label()));
            Score score = result.score();
            line.add(x(result, axis), score.value(), score.low(), score.high());
            if (score.value() > 0) {
                min = Math.min(min, score.value());
            }
            max = Math.max(max, score.value());
        }
        YIntervalSeriesCollection dataset = new YIntervalSeriesCollection();
        series.values().forEach(dataset::addSeries);

        String unit = points.get(0).unit().replace("us", "µs");
        boolean log = min > 0 && max / min > LOG_SCALE_SPREAD;
        ValueAxis scoreAxis;
        if (log) {
            LogAxis logAxis = new LogAxis(unit + ", log scale (higher is better)");
            logAxis.setSmallestValue(min / 10);
            // ticks at powers of ten labelled as plain numbers (1, 10, 100), not 10^1.3
            logAxis.setTickUnit(new NumberTickUnit(1), false, false);
            logAxis.setAutoTickUnitSelection(false);
            logAxis.setMinorTickCount(9);
            logAxis.setMinorTickMarksVisible(true);
            logAxis.setNumberFormatOverride(new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT)));
            scoreAxis = logAxis;
        } else {
            NumberAxis linear = new NumberAxis(unit + " (higher is better)");
            linear.setAutoRangeIncludesZero(true);
            scoreAxis = linear;
        }
        NumberAxis xAxis = new NumberAxis(axis.equals(THREADS) ? "threads (JMH -t)" : axis);
        xAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        xAxis.setAutoRangeIncludesZero(false);

        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDefaultLinesVisible(true);
        renderer.setDefaultShapesVisible(true);
        renderer.setCapLength(6);
        int index = 0;
        int other = 0;
        for (String method : series.keySet()) {
            Paint paint = COLORS.getOrDefault(method, OTHER_COLORS[other++ % OTHER_COLORS.length]);
            renderer.setSeriesPaint(index, paint);
            boolean weft = Implementation.of(method).role() == Implementation.Role.WEFT;
            renderer.setSeriesStroke(index, new BasicStroke(weft ? 3f : 1.5f));
            index++;
        }
        renderer.setErrorStroke(new BasicStroke(1f));

        XYPlot plot = new XYPlot(dataset, xAxis, scoreAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
