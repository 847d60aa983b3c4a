package dev.weft.bench.report;

import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

/**
 * JMH's output reduced to one line per benchmark: its place in the run, JMH's own completion
 * estimate, the benchmark, and its score when it ends. JMH's failure reports (from
 * {@code <failure>} to the end of the benchmark) and its {@code #} notes and warnings pass
 * through; per-iteration lines and the forked JVMs' own chatter (peers' logging) do not.
 *
 * <p>Thread-safety: JMH calls an output format from its runner thread only; not thread-safe.
 */
final class ProgressOutput implements OutputFormat {
    private static final String PROGRESS = "# Run progress: ";

    private final PrintStream out;
    private final String phase;
    private final int total;
    private int started;
    private String current = "";
    private boolean lineOpen;   // a progress line awaits its score
    private boolean inFailure;  // JMH is reporting a failure of the current benchmark

    /**
     * @param out where to print
     * @param phase shown at the start of every line, e.g. {@code t=2} or {@code round 1/2, t=2}
     * @param total the number of benchmarks (methods × parameter sets) this run will execute
     */
    ProgressOutput(PrintStream out, String phase, int total) {
        this.out = out;
        this.phase = phase;
        this.total = total;
    }

    @Override
    public void startBenchmark(BenchmarkParams params) {
        started++;
        String name = params.getBenchmark();
        name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
        StringBuilder label = new StringBuilder(name);
        for (String key : params.getParamsKeys()) {
            label.append(' ').append(key).append('=').append(params.getParam(key));
        }
        current = label.toString();
        inFailure = false;
    }

    @Override
    public void println(String line) {
        if (line == null || line.isBlank() || line.startsWith("# Fork:") || line.startsWith("# Preparing")) {
            return;
        }
        if (line.startsWith(PROGRESS)) {
            if (lineOpen) {
                return; // JMH repeats the estimate before every fork; the first one stands
            }
            // "# Run progress: 12.50% complete, ETA 00:03:10"
            out.printf(Locale.ROOT, "[%s %2d/%d] %-48s %s ... ", phase, started, total, current,
                    line.substring(PROGRESS.length()).trim());
            out.flush();
            lineOpen = true;
            return;
        }
        if (line.startsWith("<failure>")) {
            inFailure = true;
        }
        if (inFailure || line.startsWith("#")) {
            closeLine();
            out.println(line);
        }
    }

    private void closeLine() {
        if (lineOpen) {
            out.println();
            lineOpen = false;
        }
    }

    @Override
    public void endBenchmark(BenchmarkResult result) {
        if (result == null || result.getPrimaryResult() == null) {
            closeLine();
            out.println("  " + current + ": no result (see the failure above)");
            return;
        }
        lineOpen = false;
        Result<?> primary = result.getPrimaryResult();
        out.printf(Locale.ROOT, "%s ± %s %s%n", MarkdownReport.number(primary.getScore(), primary.getScore()),
                MarkdownReport.number(primary.getScoreError(), primary.getScore()), primary.getScoreUnit());
    }

    @Override
    public void print(String text) {
        // JMH prints partial lines only for iteration results, which this format leaves out
    }

    @Override
    public void verbosePrintln(String line) {
        // extra detail: left out
    }

    @Override
    public void write(int b) {
        // the forked JVM's own output (e.g. peers' logging): left out
    }

    @Override
    public void write(byte[] bytes) {
        // the forked JVM's own output: left out
    }

    @Override
    public void iteration(BenchmarkParams params, IterationParams iteration, int index) {
        // one line per benchmark, not per iteration
    }

    @Override
    public void iterationResult(BenchmarkParams params, IterationParams iteration, int index, IterationResult data) {
        // one line per benchmark, not per iteration
    }

    @Override
    public void startRun() {
        // nothing to print
    }

    @Override
    public void endRun(Collection<RunResult> results) {
        // the report follows
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
