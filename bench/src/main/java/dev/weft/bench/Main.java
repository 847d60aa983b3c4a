package dev.weft.bench;

import dev.weft.bench.bank.BankReport;
import dev.weft.bench.bank.BankResult;
import dev.weft.bench.bank.BankRun;
import dev.weft.bench.bank.BankSettings;
import dev.weft.bench.bank.BankWorkload;
import dev.weft.bench.bank.GlobalLockBank;
import dev.weft.bench.bank.StripedLockBank;
import dev.weft.bench.bank.WeftBank;
import dev.weft.bench.report.ReportCli;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The entry point of {@code weft-bench.jar}.
 *
 * <pre>
 * java -jar weft-bench.jar                                   the bank demo with defaults
 * java -jar weft-bench.jar bank [--accounts N] [--threads N] [--seconds N]
 * java -jar weft-bench.jar jmh [JMH options]                 the JMH benchmarks (-h for JMH's help)
 * java -jar weft-bench.jar report --preset quick|full         run a preset, write JSON, report and charts
 * java -jar weft-bench.jar --report                          the same with the quick preset
 * java -jar weft-bench.jar render FILE.json...               report and charts from existing JSON
 * java -jar weft-bench.jar gate --baseline A --current B     the regression gate
 * </pre>
 *
 * <p>The bank demo exits with status 1 when an implementation lost or created money, 2 on a usage
 * error; {@code report}, {@code render} and {@code gate} are described in {@link ReportCli}.
 */
public final class Main {
    private static final String USAGE = """
            usage: java -jar weft-bench.jar [bank] [--accounts N] [--threads N] [--seconds N]
                   java -jar weft-bench.jar jmh [JMH options, e.g. -t 2 -rf json -rff out.json]
                   java -jar weft-bench.jar report|render|gate ... (report -h for details)
                   java -jar weft-bench.jar --report   (report --preset quick: JMH JSON, report.md, charts)
                   java -jar weft-bench.jar long-reader [rounds] [ms]   (writer CPU/op next to a long reader)
                   java -jar weft-bench.jar long-reader-attempts [refs] [transactions]   (a long reader's attempts next to a writer, Weft and peers)
                   java -jar weft-bench.jar map-scaling [update %] [rounds] [ms]   (1 vs 2 threads on a map, no JMH)
                   java -jar weft-bench.jar shared-slot [rounds] [transactions]   (threads sharing a descriptor-cache slot)
                   java -jar weft-bench.jar scheduler [options]   (the scheduler workload runner; docs/performance.md)
            bank (the default) runs the same transfer/audit workload over Weft (on threads of its
            own, then as tasks on Weft's TxnScheduler), one global ReentrantLock and a
            ReentrantLock per account, each for --seconds, and prints a table.
              --accounts N   accounts, each starting at 1000 (default 1024)
              --threads N    worker threads (default: available processors)
              --seconds N    seconds per implementation (default 5)
            """;

    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("scheduler")) {
            dev.weft.bench.sched.SchedulerBench.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("map-scaling")) {
            MapPutScaling.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("shared-slot")) {
            SharedSlotLookup.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("long-reader")) {
            LongReaderCpu.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("long-reader-attempts")) {
            LongReaderAttempts.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && (args[0].equals("report") || args[0].equals("render") || args[0].equals("gate"))) {
            System.exit(ReportCli.run(args, System.out, System.err));
            return;
        }
        if (args.length > 0 && args[0].equals("--report")) { // the main job's shortcut: the quick preset
            String[] report = new String[args.length + 2];
            report[0] = "report";
            report[1] = "--preset";
            report[2] = "quick";
            System.arraycopy(args, 1, report, 3, args.length - 1);
            System.exit(ReportCli.run(report, System.out, System.err));
            return;
        }
        BankSettings settings;
        try {
            settings = parseBankArguments(args.length > 0 && args[0].equals("bank")
                    ? Arrays.copyOfRange(args, 1, args.length) : args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (settings == null) {
            System.out.print(USAGE);
            return;
        }
        System.exit(runBank(settings) ? 0 : 1);
    }

    /** Runs every implementation, prints the table; returns whether every invariant held. */
    private static boolean runBank(BankSettings settings) throws InterruptedException {
        int accounts = settings.accounts();
        long balance = BankSettings.INITIAL_BALANCE;
        List<BankWorkload> banks = List.of(new WeftBank(accounts, balance),
                new GlobalLockBank(accounts, balance), new StripedLockBank(accounts, balance));
        List<BankResult> results = new ArrayList<>();
        for (BankWorkload bank : banks) {
            System.err.printf("running %s for %d s...%n", bank.name(), settings.duration().toSeconds());
            results.add(BankRun.run(bank, settings));
            if (bank instanceof WeftBank) { // the same transfers as tasks on Weft's scheduler
                System.err.printf("running %s on TxnScheduler for %d s...%n", bank.name(),
                        settings.duration().toSeconds());
                results.add(BankRun.runOnScheduler(new WeftBank(accounts, balance), settings,
                        bank.name() + " on TxnScheduler"));
            }
        }
        BankReport.print(System.out, settings, results);
        return results.stream().allMatch(BankResult::invariantHolds);
    }

    /** Returns null when help was asked for. */
    private static BankSettings parseBankArguments(String[] args) {
        int accounts = 1024;
        int threads = Runtime.getRuntime().availableProcessors();
        int seconds = 5;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("-h") || option.equals("--help")) {
                return null;
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + option);
            }
            int value = parseInt(option, args[++i]);
            switch (option) {
                case "--accounts" -> accounts = value;
                case "--threads" -> threads = value;
                case "--seconds" -> seconds = value;
                default -> throw new IllegalArgumentException("unknown option: " + option);
            }
        }
        return new BankSettings(accounts, threads, Duration.ofSeconds(seconds));
    }

    private static int parseInt(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got '" + value + "'");
        }
    }
}
