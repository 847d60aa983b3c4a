package dev.weft.bench.report;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code report}, {@code render} and {@code gate} commands of {@code weft-bench.jar}.
 *
 * <pre>
 * report --preset quick|full [--include REGEX] [--threads 1,2,4] [--out DIR] [--verbose]
 *     runs the preset through JMH, writes DIR/results.json, DIR/report.md and DIR/charts/
 *     (DIR defaults to bench/results/PRESET)
 * render [--out DIR] [--title TEXT] FILE.json...
 *     renders the report and charts from existing JMH JSON files (merged; a -prof gc file adds B/op)
 * gate --baseline FILE.json --current FILE.json [--tolerance 0.10] [--strict]
 *     exits 1 when a Weft benchmark lost more than the tolerance of its ratio to the baseline,
 *     beyond the error bars of both runs (with --strict: whatever the error bars)
 * </pre>
 *
 * <p>Exit status: 0 success (gate passed), 1 the gate found a regression, 2 a usage error, a
 * gate with nothing to compare, or unreadable input.
 *
 * <p>Thread-safety: stateless.
 */
public final class ReportCli {
    /** The machine description a report run leaves next to its JSON, for later renders. */
    static final String MACHINE_FILE = "machine.txt";

    static final String USAGE = """
            usage: java -jar weft-bench.jar report --preset quick|full [--include REGEX] [--threads 1,2,4]
                                                   [--out DIR] [--into DOC.md] [--verbose]
                   java -jar weft-bench.jar render [--out DIR] [--title TEXT] [--into DOC.md] FILE.json...
                   java -jar weft-bench.jar gate --baseline FILE.json --current FILE.json [--tolerance 0.10] [--strict]
            report  runs the preset through JMH (quick: about 6-7 min on 2 cores; full: about 110 min),
                    writes DIR/results.json, DIR/report.md and DIR/charts/*.png|svg
                    (DIR defaults to bench/results/PRESET); --include narrows the benchmarks (JMH regex)
            render  writes report.md and charts/ into DIR (default: the first file's directory)
                    from existing JMH JSON; several files are merged, a -prof gc run adds B/op;
                    --into also puts the report into DOC.md between its <!-- report:begin --> and
                    <!-- report:end --> lines (how docs/performance.md is regenerated)
            gate    flags every Weft benchmark whose ratio to the AtomicLong, ConcurrentHashMap or lock
                    baseline of its own run lost more than the tolerance; exits 1 if any did beyond
                    the error bars of both runs (losses within them are listed, not failed), or
                    with --strict if any did at all
            """;

    private ReportCli() {}

    /**
     * Runs one command.
     *
     * @param args the command and its options, e.g. {@code gate --baseline a.json --current b.json}
     * @param out where results go
     * @param err where usage errors go
     * @return the exit status
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            out.print(USAGE);
            return 0;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try {
            return switch (args[0]) {
                case "report" -> report(options, out);
                case "render" -> render(options, out);
                case "gate" -> gate(options, out);
                default -> {
                    err.println("unknown command: " + args[0]);
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            err.println(e.getMessage());
            return 2;
        }
    }

    private static int report(Options options, PrintStream out) {
        Preset preset = Preset.named(options.require("--preset"));
        if (options.threads != null) {
            preset = preset.withThreads(options.threads);
        }
        Path directory = Path.of(options.out != null ? options.out : "bench/results/" + preset.name());
        String include = options.include != null ? options.include : Preset.DEFAULT_INCLUDE;
        String machine = machine();
        write(directory.resolve(MACHINE_FILE), machine + "\n");
        Path json = new PresetRun(preset, include, directory, options.verbose, out).run();
        List<JmhResult> results = JmhJson.read(List.of(json));
        String command = "java -jar bench/target/weft-bench.jar " + String.join(" ", options.arguments);
        return renderInto(directory, results, new MarkdownReport.Context(preset.name() + " preset", command, machine),
                options.into == null ? null : Path.of(options.into), out);
    }

    private static int render(Options options, PrintStream out) {
        if (options.files.isEmpty()) {
            throw new IllegalArgumentException("render needs at least one JMH JSON file");
        }
        List<Path> files = options.files.stream().map(Path::of).toList();
        Path firstDirectory = files.get(0).toAbsolutePath().getParent();
        Path directory = options.out != null ? Path.of(options.out) : firstDirectory;
        Path machineFile = firstDirectory.resolve(MACHINE_FILE);
        String machine;
        try {
            machine = Files.exists(machineFile) ? Files.readString(machineFile, StandardCharsets.UTF_8).trim()
                    : "not recorded with the JSON; rendered on " + machine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + machineFile + ": " + e.getMessage(), e);
        }
        String title = options.title != null ? options.title
                : String.join(", ", options.files.stream().map(f -> Path.of(f).getFileName().toString()).toList());
        String command = "java -jar bench/target/weft-bench.jar " + String.join(" ", options.arguments);
        return renderInto(directory, JmhJson.read(files), new MarkdownReport.Context(title, command, machine),
                options.into == null ? null : Path.of(options.into), out);
    }

    private static int renderInto(Path directory, List<JmhResult> results, MarkdownReport.Context context,
                                  Path document, PrintStream out) {
        if (results.isEmpty()) {
            throw new IllegalStateException("no JMH results to render: every benchmark failed or none ran");
        }
        Path charts = directory.resolve("charts");
        List<ThroughputCharts.Chart> written = ThroughputCharts.write(results, charts);
        Path report = directory.resolve("report.md");
        MarkdownReport.write(report, results, written, charts, context);
        out.printf("report: %s (%d results, %d charts in %s)%n", report, results.size(), written.size(), charts);
        if (document != null) {
            MarkdownReport.splice(document, results, written, charts, context);
            out.printf("report put into %s%n", document);
        }
        return 0;
    }

    private static int gate(Options options, PrintStream out) {
        List<JmhResult> baseline = JmhJson.read(List.of(Path.of(options.require("--baseline"))));
        List<JmhResult> current = JmhJson.read(List.of(Path.of(options.require("--current"))));
        RegressionGate.Verdict verdict = RegressionGate.evaluate(baseline, current, options.tolerance, options.strict);
        verdict.print(out);
        if (verdict.comparisons().isEmpty()) {
            return 2;
        }
        return verdict.passed() ? 0 : 1;
    }

    /**
     * @return cores, memory, OS and JDK of this machine, and its load average when the run
     *         started: on a shared machine other processes' load moves Weft and the locks by
     *         different amounts, so a loaded run's ratios are not comparable with a quiet run's
     */
    static String machine() {
        long memory = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "%d cores, %.0f GiB, %s %s %s, host JDK %s, load average %s at the start",
                Runtime.getRuntime().availableProcessors(), memory / (double) (1L << 30), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("os.arch"), System.getProperty("java.version"),
                load < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f", load));
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The options of all three commands; each command checks the ones it needs. */
    private static final class Options {
        final List<String> arguments = new ArrayList<>();
        final List<String> files = new ArrayList<>();
        String preset;
        String include;
        String out;
        String title;
        String into;
        String baseline;
        String current;
        List<Integer> threads;
        double tolerance = RegressionGate.DEFAULT_TOLERANCE;
        boolean verbose;
        boolean strict;

        static Options parse(String[] args) {
            Options options = new Options();
            for (int i = 1; i < args.length; i++) {
                String arg = args[i];
                options.arguments.add(arg);
                if (arg.equals("--verbose")) {
                    options.verbose = true;
                    continue;
                }
                if (arg.equals("--strict")) {
                    options.strict = true;
                    continue;
                }
                if (!arg.startsWith("--")) {
                    options.files.add(arg);
                    continue;
                }
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                String value = args[++i];
                options.arguments.add(value.contains(" ") || value.contains("|") ? "'" + value + "'" : value);
                switch (arg) {
                    case "--preset" -> options.preset = value;
                    case "--include" -> options.include = value;
                    case "--out" -> options.out = value;
                    case "--title" -> options.title = value;
                    case "--into" -> options.into = value;
                    case "--baseline" -> options.baseline = value;
                    case "--current" -> options.current = value;
                    case "--threads" -> options.threads = threads(value);
                    case "--tolerance" -> options.tolerance = tolerance(value);
                    default -> throw new IllegalArgumentException("unknown option: " + arg);
                }
            }
            options.arguments.add(0, args[0]);
            return options;
        }

        String require(String option) {
            String value = switch (option) {
                case "--preset" -> preset;
                case "--baseline" -> baseline;
                case "--current" -> current;
                default -> throw new IllegalArgumentException(option);
            };
            if (value == null) {
                throw new IllegalArgumentException("missing " + option + " (see -h)");
            }
            return value;
        }

        private static List<Integer> threads(String value) {
            List<Integer> counts = new ArrayList<>();
            for (String part : value.split(",")) {
                try {
                    counts.add(Integer.parseInt(part.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--threads needs whole numbers separated by commas, got '" + value + "'");
                }
            }
            return counts;
        }

        private static double tolerance(String value) {
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--tolerance needs a fraction such as 0.10, got '" + value + "'");
            }
        }
    }
}
