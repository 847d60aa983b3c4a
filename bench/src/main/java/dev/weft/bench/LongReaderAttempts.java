package dev.weft.bench;

import clojure.lang.LockingTransaction;
import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.IntToLongFunction;
import java.util.function.LongSupplier;
import org.multiverse.api.StmUtils;
import org.multiverse.api.Txn;
import org.multiverse.api.TxnExecutor;
import org.multiverse.api.callables.TxnLongCallable;
import org.multiverse.api.callables.TxnVoidCallable;
import org.multiverse.api.references.TxnLong;
import scala.concurrent.stm.Ref;
import scala.concurrent.stm.japi.STM;

/**
 * How many attempts a long read-only transaction needs next to a busy writer, measured for Weft
 * and each peer STM side by side: the numbers behind README's "long read-only transaction under a
 * busy writer" row.
 *
 * <p>Per implementation: {@code refs} refs holding longs, each starting at {@value #INITIAL_VALUE},
 * so their total is known. The measuring thread first sums them with no writer running (at least
 * {@value #WARM_UP_SUMS} times and {@value #WARM_UP_READS} reads: the JIT compiles the bodies, and
 * Multiverse's site executor learns its transaction's size, as it would have long before in a
 * running program). Then a writer thread starts moving 1 between two random distinct refs, each
 * move one transaction of that STM that reads both refs and writes both, back to back as fast as
 * it can; the total never changes. Once the writer has committed {@value #WRITER_HEAD_START}
 * transfers, the measuring thread runs {@code transactions} long transactions one after the
 * other, each summing all refs in one read-only transaction of that STM, waiting between them only
 * until the writer has committed again. Every attempt, once it has read the first half of the
 * refs, waits (parked, at most {@code OVERLAP_WAIT}, 100 ms) until the writer has committed
 * {@value #OVERLAP_COMMITS} more transfers, then reads the second half: so each attempt overlaps
 * commits that changed refs it has read and refs it has yet to read. Without that wait, on a
 * loaded 2-core machine the OS often ran the long transaction while the writer thread waited for
 * a core (a first run of this probe: no writer commit at all during most long transactions, for
 * Weft and every peer alike), and the table measured nothing. An attempt whose wait ends without
 * those commits is counted as a writer stall. For each long transaction it records:
 * <ul>
 *   <li>attempts: how many times the body started, counted by the body itself;
 *   <li>whether the STM gave up (the exception a peer throws at its retry limit: Multiverse's
 *       {@code TooManyRetriesException}, Clojure's "retry limit" {@code RuntimeException}, ...),
 *       recorded as its class and message, and the measurement goes on;
 *   <li>wall time, and the transfers the writer committed while it ran;
 *   <li>whether the committed sum equals the total: a wrong sum is an isolation failure, counted
 *       and reported, never dropped. Attempts whose body ran to its end with a wrong sum but did
 *       not commit are counted apart ("torn": an opacity failure, not a wrong result).
 * </ul>
 * After the writer has stopped, one more sum checks that the writer's transfers lost nothing.
 *
 * <p>Bounds, so that a livelocking peer cannot stall the run: when one long transaction has run
 * for {@code bound}, an alarm stops the writer; the transaction then finishes without it, is
 * recorded as such ({@link LongTransaction#writerStopped()}), and the implementation's remaining
 * long transactions are not run. Once an implementation's long transactions have used
 * {@code budget} in all, its remaining ones are not run either. Both are reported.
 *
 * <p>Not JMH: it counts attempts, which JMH cannot see, and a long transaction is not a
 * microbenchmark. Run: {@code java -jar bench/target/weft-bench.jar long-reader-attempts [refs]
 * [transactions] [bound s] [budget s]} (defaults 10,000, 20, 30, 15). Exits with status 1 when a
 * committed sum or the final sum was wrong.
 *
 * <p>Thread-safety: {@link #measure} may be called from one thread at a time; it runs the long
 * transactions on the calling thread and starts a writer thread and an alarm thread of its own,
 * both ended before it returns.
 */
public final class LongReaderAttempts {
    /** Every ref's starting value. */
    static final long INITIAL_VALUE = 1_000;
    /** Unmeasured sums before the writer starts: at least this many... */
    static final int WARM_UP_SUMS = 3;
    /** ...and at least this many ref reads in all. */
    static final int WARM_UP_READS = 200_000;
    /** Writer commits each attempt waits for at its midpoint... */
    static final int OVERLAP_COMMITS = 10;
    /** ...for at most this long. */
    static final Duration OVERLAP_WAIT = Duration.ofMillis(100);
    /** Transfers the writer commits before the first long transaction. */
    static final long WRITER_HEAD_START = 5_000;
    /** The writer's random seed (its draws are the same for every implementation). */
    private static final long SEED = 0x5EED_10A6L;

    private LongReaderAttempts() {}

    /** The implementations measured, in the table's order. */
    public enum Implementation {
        /** {@code LongRef}s, {@code Stm.atomic} / {@code Stm.atomicLong} with default options. */
        WEFT("Weft"),
        /** {@code TxnLong}s; the long reader and the writer each on a call site's executor ({@link MultiverseSite}). */
        MULTIVERSE_SITE("Multiverse, site executor"),
        /** {@code TxnLong}s; the long reader on {@code StmUtils.atomic} (the default executor), the writer on a site executor. */
        MULTIVERSE_DEFAULT("Multiverse, StmUtils.atomic"),
        /** {@code STM.newRef} views of boxed longs; {@code STM.atomic}. */
        SCALA_STM("ScalaSTM"),
        /** {@code clojure.lang.Ref}s of boxed longs; {@code LockingTransaction.runInTransaction}. */
        CLOJURE("Clojure refs");

        private final String label;

        Implementation(String label) {
            this.label = label;
        }

        /** @return the name printed in the table */
        public String label() {
            return label;
        }
    }

    /**
     * What to measure.
     *
     * @param refs refs summed by each long transaction (at least 2)
     * @param transactions long transactions per implementation
     * @param bound the longest one long transaction may run next to the writer
     * @param budget the most an implementation's long transactions may take in all
     */
    public record Settings(int refs, int transactions, Duration bound, Duration budget) {
        public Settings {
            if (refs < 2) {
                throw new IllegalArgumentException("refs must be at least 2 (a transfer moves between two), got " + refs);
            }
            if (transactions < 1) {
                throw new IllegalArgumentException("transactions must be at least 1, got " + transactions);
            }
            Objects.requireNonNull(bound, "bound");
            Objects.requireNonNull(budget, "budget");
            if (bound.isNegative() || bound.isZero() || budget.isNegative()) {
                throw new IllegalArgumentException("bound must be positive and budget not negative, got "
                        + bound + " and " + budget);
            }
        }

        /** @return 10,000 refs, 20 long transactions, 30 s bound, 15 s budget */
        public static Settings defaults() {
            return new Settings(10_000, 20, Duration.ofSeconds(30), Duration.ofSeconds(15));
        }

        /** @return the sum every long transaction must find */
        public long total() {
            return INITIAL_VALUE * refs;
        }
    }

    /**
     * One long read-only transaction.
     *
     * @param attempts how many times its body started
     * @param wallNanos from the call into the STM to its return (or throw)
     * @param writerCommits transfers the writer committed meanwhile
     * @param sum the sum it committed (0 when it gave up)
     * @param gaveUp null when it committed; else the exception's class and message
     * @param writerStopped whether it ran past the bound, so that the writer was stopped and it
     *     finished only after
     * @param writerStalls attempts whose wait at the midpoint ended without the writer's
     *     {@value LongReaderAttempts#OVERLAP_COMMITS} commits (see the class comment)
     */
    public record LongTransaction(int attempts, long wallNanos, long writerCommits, long sum, String gaveUp,
            boolean writerStopped, int writerStalls) {
        /** @return whether it committed (rather than the STM giving up) */
        public boolean committed() {
            return gaveUp == null;
        }

        LongTransaction withWriterStopped() {
            return new LongTransaction(attempts, wallNanos, writerCommits, sum, gaveUp, true, writerStalls);
        }
    }

    /**
     * One implementation's measurement.
     *
     * @param implementation the label of what was measured
     * @param settings what was asked for
     * @param transactions the long transactions run, in order
     * @param notRun why fewer than {@code settings.transactions()} ran; null when all did
     * @param writerCommits the writer's commits from its start to its stop
     * @param writerFailures the writer's transfers that threw (each is counted and the writer goes on)
     * @param firstWriterFailure the first of them, class and message; null when none
     * @param tornAttempts attempts whose body ran to its end with a wrong sum, committed or not
     * @param finalCheck a sum taken after the writer stopped
     */
    public record Result(String implementation, Settings settings, List<LongTransaction> transactions,
            String notRun, long writerCommits, long writerFailures, String firstWriterFailure, long tornAttempts,
            LongTransaction finalCheck) {
        public Result {
            transactions = List.copyOf(transactions);
        }

        /** @return the long transactions that committed */
        public int committed() {
            return (int) transactions.stream().filter(LongTransaction::committed).count();
        }

        /** @return the long transactions the STM gave up on */
        public int gaveUp() {
            return transactions.size() - committed();
        }

        /** @return committed long transactions whose sum was not the total: isolation failures */
        public int violations() {
            long total = settings.total();
            return (int) transactions.stream().filter(t -> t.committed() && t.sum() != total).count();
        }

        /** @return attempts that saw a wrong sum and did not commit it */
        public long tornAttemptsRolledBack() {
            return tornAttempts - violations();
        }

        /** @return whether the sum after the writer stopped committed and was the total */
        public boolean finalCheckHolds() {
            return finalCheck.committed() && finalCheck.sum() == settings.total();
        }

        /** @return how many long transactions ran past the bound and finished only once the writer stopped */
        public int finishedOnlyOnceWriterStopped() {
            return (int) transactions.stream().filter(LongTransaction::writerStopped).count();
        }

        public int minAttempts() {
            return (int) sorted(LongTransaction::attempts)[0];
        }

        /** @return the middle value (the upper of the two for an even count) */
        public int medianAttempts() {
            return (int) median(LongTransaction::attempts);
        }

        public int maxAttempts() {
            long[] attempts = sorted(LongTransaction::attempts);
            return (int) attempts[attempts.length - 1];
        }

        public long medianWallNanos() {
            return median(LongTransaction::wallNanos);
        }

        public long maxWallNanos() {
            long[] wall = sorted(LongTransaction::wallNanos);
            return wall[wall.length - 1];
        }

        /** @return the writer's commits during one long transaction, the middle value */
        public long medianWriterCommits() {
            return median(LongTransaction::writerCommits);
        }

        /** @return the writer's commits while any long transaction ran */
        public long writerCommitsDuringLongTransactions() {
            return transactions.stream().mapToLong(LongTransaction::writerCommits).sum();
        }

        /** @return attempts whose wait at the midpoint ended without the writer's commits */
        public int writerStalls() {
            return transactions.stream().mapToInt(LongTransaction::writerStalls).sum();
        }

        /** @return how many long transactions overlapped at least one writer commit */
        public int overlapped() {
            return (int) transactions.stream().filter(t -> t.writerCommits() > 0).count();
        }

        /** @return each distinct give-up (class: message) with how many long transactions ended so */
        public Map<String, Integer> giveUps() {
            Map<String, Integer> reasons = new LinkedHashMap<>();
            for (LongTransaction t : transactions) {
                if (!t.committed()) {
                    reasons.merge(t.gaveUp(), 1, Integer::sum);
                }
            }
            return reasons;
        }

        private long median(java.util.function.ToLongFunction<LongTransaction> field) {
            long[] values = sorted(field);
            return values[values.length / 2];
        }

        private long[] sorted(java.util.function.ToLongFunction<LongTransaction> field) {
            if (transactions.isEmpty()) {
                return new long[] {0};
            }
            long[] values = transactions.stream().mapToLong(field).toArray();
            Arrays.sort(values);
            return values;
        }
    }

    public static void main(String[] args) throws InterruptedException {
        Settings settings;
        try {
            settings = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: java -jar weft-bench.jar long-reader-attempts [refs] [transactions] [bound s] [budget s]");
            System.exit(2);
            return;
        }
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Result> results = new ArrayList<>();
        for (Implementation implementation : Implementation.values()) {
            System.err.printf("running %s...%n", implementation.label());
            results.add(measure(implementation, settings));
        }
        print(System.out, settings, results, started);
        boolean held = results.stream().allMatch(r -> r.violations() == 0 && r.finalCheckHolds());
        if (!held) {
            System.exit(1);
        }
    }

    private static Settings parse(String[] args) {
        Settings defaults = Settings.defaults();
        if (args.length > 4) {
            throw new IllegalArgumentException("at most four arguments, got " + args.length);
        }
        int refs = args.length > 0 ? number("refs", args[0]) : defaults.refs();
        int transactions = args.length > 1 ? number("transactions", args[1]) : defaults.transactions();
        Duration bound = args.length > 2 ? Duration.ofSeconds(number("bound", args[2])) : defaults.bound();
        Duration budget = args.length > 3 ? Duration.ofSeconds(number("budget", args[3])) : defaults.budget();
        return new Settings(refs, transactions, bound, budget);
    }

    private static int number(String name, String value) {
        try {
            return Integer.parseInt(value.replace(",", "").replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a whole number, got '" + value + "'");
        }
    }

    /**
     * Runs one implementation's measurement (see the class comment).
     *
     * @param implementation what to measure
     * @param settings sizes and bounds
     * @return what happened, failures included
     * @throws InterruptedException if the calling thread is interrupted while it waits for the writer
     */
    public static Result measure(Implementation implementation, Settings settings) throws InterruptedException {
        return measure(Subject.of(implementation, settings.refs()), settings);
    }

    /** {@link #measure(Implementation, Settings)} on a given subject (tests pass broken ones). */
    static Result measure(Subject subject, Settings settings) throws InterruptedException {
        if (subject.size != settings.refs()) {
            throw new IllegalArgumentException("the subject has " + subject.size + " refs, the settings say " + settings.refs());
        }
        int warmUps = Math.max(WARM_UP_SUMS, WARM_UP_READS / subject.size);
        for (int i = 0; i < warmUps; i++) {
            runOnce(subject);
        }
        subject.tornAttempts = 0;
        Writer writer = new Writer(subject);
        ScheduledExecutorService alarms = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread alarm = new Thread(task, "long-reader-attempts-alarm");
            alarm.setDaemon(true);
            return alarm;
        });
        List<LongTransaction> done = new ArrayList<>();
        String notRun = null;
        writer.start();
        subject.overlapWith = writer;
        try {
            if (!writer.awaitCommits(WRITER_HEAD_START, settings.bound())) {
                notRun = "none run: the writer committed only " + writer.commits() + " transfers in "
                        + seconds(settings.bound()) + " (" + WRITER_HEAD_START + " needed before the first)";
            } else {
                long budgetEnd = System.nanoTime() + settings.budget().toNanos();
                for (int i = 0; i < settings.transactions() && notRun == null; i++) {
                    int left = settings.transactions() - i;
                    if (i > 0 && System.nanoTime() - budgetEnd > 0) {
                        notRun = left + " not run: the " + seconds(settings.budget()) + " budget was spent";
                        break;
                    }
                    if (i > 0 && !writer.awaitCommits(writer.commits() + 1, settings.bound())) {
                        notRun = left + " not run: the writer committed nothing for " + seconds(settings.bound());
                        break;
                    }
                    ScheduledFuture<?> alarm = alarms.schedule(writer::requestStop, settings.bound().toNanos(),
                            TimeUnit.NANOSECONDS);
                    LongTransaction transaction = run(subject, writer);
                    if (!alarm.cancel(false)) { // the alarm has fired: the writer was told to stop
                        transaction = transaction.withWriterStopped();
                        if (left > 1) {
                            notRun = (left - 1) + " not run: long transaction " + (i + 1) + " ran past the "
                                    + seconds(settings.bound()) + " bound";
                        }
                    }
                    done.add(transaction);
                }
            }
        } finally {
            subject.overlapWith = null;
            writer.requestStop();
            alarms.shutdownNow();
            writer.join(settings.bound().toMillis());
        }
        long torn = subject.tornAttempts;
        String firstWriterFailure = writer.firstFailure;
        if (writer.isAlive()) {
            firstWriterFailure = "the writer did not stop within " + seconds(settings.bound())
                    + (firstWriterFailure == null ? "" : "; first failure: " + firstWriterFailure);
        }
        LongTransaction finalCheck = runOnce(subject);
        return new Result(subject.name(), settings, done, notRun, writer.commits.get(), writer.failures,
                firstWriterFailure, torn, finalCheck);
    }

    /** One long transaction on {@code subject} with no writer of the probe's own running. */
    static LongTransaction runOnce(Subject subject) {
        return run(subject, null);
    }

    private static LongTransaction run(Subject subject, Writer writer) {
        subject.attempts = 0;
        long commitsBefore = writer == null ? 0 : writer.commits.get();
        subject.writerStalls = 0;
        long start = System.nanoTime();
        long sum = 0;
        String gaveUp = null;
        try {
            sum = subject.sum();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Exception | Error e) { // whatever the STM throws when it gives up
            gaveUp = describe(e);
        }
        long wall = System.nanoTime() - start;
        long commits = writer == null ? 0 : writer.commits.get() - commitsBefore;
        return new LongTransaction(subject.attempts, wall, commits, sum, gaveUp, false, subject.writerStalls);
    }

    private static String describe(Throwable e) {
        return e.getClass().getName() + ": " + e.getMessage();
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    // ================================================================== the table

    /**
     * Prints the results as one table with notes under it.
     *
     * @param out where to print
     * @param settings what was asked for
     * @param results one per implementation
     * @param started when the run started (printed in the header)
     */
    public static void print(PrintStream out, Settings settings, List<Result> results, Instant started) {
        out.printf(Locale.ROOT, "Long read-only transactions under a busy writer (LongReaderAttempts), %s%n", started);
        out.printf(Locale.ROOT, "%,d refs of %,d (total %,d); %d long transactions per implementation, each one"
                        + " transaction summing every ref;%n", settings.refs(), INITIAL_VALUE, settings.total(),
                settings.transactions());
        out.printf(Locale.ROOT, "writer: one thread moving 1 between two random refs, one transaction each;"
                        + " bound %s per long transaction, budget %s per implementation%n",
                seconds(settings.bound()), seconds(settings.budget()));
        out.printf(Locale.ROOT, "%s %s, %d processors; Multiverse %s, ScalaSTM %s, Clojure %s%n%n",
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                version("org.multiverse", "multiverse-core", TxnLong.class),
                version("org.scala-stm", "scala-stm_2.13", STM.class),
                version("org.clojure", "clojure", LockingTransaction.class));
        String header = "%-28s %5s %7s %8s  %-20s %9s %9s %10s %11s %6s %5s%n";
        String row = "%-28s %5s %7d %8d  %-20s %9.1f %9.1f %10d %,11d %6d %5d%n";
        out.printf(Locale.ROOT, header, "", "run", "commit", "gave up", "attempts", "ms/txn", "ms/txn",
                "writer", "writer", "wrong", "torn");
        out.printf(Locale.ROOT, header, "implementation", "", "", "", "min / med / max", "med", "max",
                "per txn med", "total", "sums", "");
        for (Result r : results) {
            out.printf(Locale.ROOT, row, r.implementation(),
                    r.transactions().size() + "/" + r.settings().transactions(), r.committed(), r.gaveUp(),
                    r.minAttempts() + " / " + r.medianAttempts() + " / " + r.maxAttempts(),
                    r.medianWallNanos() / 1e6, r.maxWallNanos() / 1e6, r.medianWriterCommits(),
                    r.writerCommits(), r.violations(), r.tornAttemptsRolledBack());
        }
        out.println();
        out.println("attempts = body starts per long transaction (a given-up one counts the attempts it made);"
                + " wrong sums = committed sums");
        out.println("that differ from the total (isolation failures); torn = attempts that summed wrong but did not"
                + " commit;");
        out.println("writer per txn = transfers the writer committed while one long transaction ran; med = the middle"
                + " value.");
        for (Result r : results) {
            List<String> notes = new ArrayList<>();
            r.giveUps().forEach((reason, count) -> notes.add("gave up " + count + "x: " + reason));
            if (r.finishedOnlyOnceWriterStopped() > 0) {
                notes.add(r.finishedOnlyOnceWriterStopped() + " ran past the bound and finished only once the"
                        + " writer had been stopped");
            }
            if (r.notRun() != null) {
                notes.add(r.notRun());
            }
            if (r.writerStalls() > 0) {
                notes.add(r.writerStalls() + " attempt(s): the writer committed fewer than " + OVERLAP_COMMITS
                        + " transfers in the " + OVERLAP_WAIT.toMillis() + " ms the reader waited at its midpoint");
            }
            if (r.overlapped() < r.transactions().size()) {
                notes.add((r.transactions().size() - r.overlapped()) + " long transaction(s) saw no writer commit");
            }
            if (r.violations() > 0) {
                long total = r.settings().total();
                notes.add("WRONG committed sums: " + r.transactions().stream()
                        .filter(t -> t.committed() && t.sum() != total).map(t -> Long.toString(t.sum() - total))
                        .toList() + " (difference from the total)");
            }
            if (r.writerFailures() > 0 || r.firstWriterFailure() != null) {
                notes.add("writer: " + r.writerFailures() + " transfer(s) threw; first: " + r.firstWriterFailure());
            }
            if (!r.finalCheckHolds()) {
                LongTransaction check = r.finalCheck();
                notes.add("FINAL SUM WRONG after the writer stopped: " + (check.committed()
                        ? check.sum() + " instead of " + r.settings().total() : "gave up: " + check.gaveUp()));
            }
            if (!notes.isEmpty()) {
                out.printf("%n%s:%n", r.implementation());
                for (String note : notes) {
                    out.println("  " + note);
                }
            }
        }
    }

    /**
     * A dependency's version from the pom.properties Maven puts in its jar, else from its jar's
     * manifest (gone in the shaded jar); "?" when neither says.
     */
    private static String version(String group, String artifact, Class<?> member) {
        String path = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = LongReaderAttempts.class.getResourceAsStream(path)) {
            if (in == null) {
                String version = member.getPackage().getImplementationVersion();
                return version == null ? "?" : version;
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "?");
        } catch (IOException e) {
            return "?";
        }
    }

    // ================================================================== the writer

    /** Transfers of 1 between two random distinct refs, one transaction each, until told to stop. */
    private static final class Writer extends Thread {
        private final Subject subject;
        private final SplittableRandom random = new SplittableRandom(SEED);
        /** Written by the writer after each commit; read by the measuring thread. */
        final AtomicLong commits = new AtomicLong();
        /** Set by the measuring thread or the alarm; read by the writer between transfers. */
        private volatile boolean stopRequested;
        /** Written by the writer; read by the measuring thread after join. */
        long failures;
        /** Written by the writer; read by the measuring thread after join. */
        String firstFailure;

        Writer(Subject subject) {
            super("long-reader-attempts-writer");
            setDaemon(true);
            this.subject = subject;
        }

        @Override
        public void run() {
            int size = subject.size;
            while (!stopRequested) {
                int from = random.nextInt(size);
                int to = random.nextInt(size - 1);
                if (to >= from) {
                    to++;
                }
                try {
                    subject.transfer(from, to);
                    commits.incrementAndGet();
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (RuntimeException | Error e) {
                    failures++;
                    if (firstFailure == null) {
                        firstFailure = describe(e);
                    }
                }
            }
        }

        void requestStop() {
            stopRequested = true;
        }

        long commits() {
            return commits.get();
        }

        /** Waits until the writer has committed {@code target} transfers; false if it did not within {@code bound}. */
        boolean awaitCommits(long target, Duration bound) throws InterruptedException {
            long deadline = System.nanoTime() + bound.toNanos();
            while (commits.get() < target) {
                if (System.nanoTime() - deadline > 0 || !isAlive()) {
                    return commits.get() >= target;
                }
                LockSupport.parkNanos(100_000);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return true;
        }
    }

    // ================================================================== the implementations

    /**
     * One STM's refs, its transfer and its long read-only sum. A sum's body calls
     * {@link #startAttempt()} first, {@link #midpoint(int)} once it has read the first half of the
     * refs, and {@link #endAttempt(long)} with the sum it found.
     *
     * <p>Thread-safety: {@link #transfer} is called by one thread at a time (the writer), {@link #sum}
     * by another (the measuring thread), which alone touches the counters.
     */
    abstract static class Subject {
        final int size;
        final long total;
        /** Body starts of the current long transaction; the measuring thread only. */
        int attempts;
        /** Attempts that reached the end of the body with a wrong sum; the measuring thread only. */
        long tornAttempts;
        /** Attempts of the current long transaction whose midpoint wait ended without the writer's commits. */
        int writerStalls;
        /** The writer each attempt waits for at its midpoint; null when none runs. Set by the measuring thread. */
        Writer overlapWith;
        /**
         * A test's hook, run inside the body at the midpoint with the attempt's number (null: none).
         * Set before measuring.
         */
        volatile IntConsumer atMidpoint;

        Subject(int size) {
            this.size = size;
            this.total = INITIAL_VALUE * size;
        }

        static Subject of(Implementation implementation, int size) {
            return switch (implementation) {
                case WEFT -> new WeftSubject(size);
                case MULTIVERSE_SITE -> new MultiverseSubject(size, true);
                case MULTIVERSE_DEFAULT -> new MultiverseSubject(size, false);
                case SCALA_STM -> new ScalaStmSubject(size);
                case CLOJURE -> new ClojureSubject(size);
            };
        }

        /** @return the label printed in the table */
        abstract String name();

        /** Moves 1 from ref {@code from} to ref {@code to} in one transaction that reads and writes both. */
        abstract void transfer(int from, int to);

        /** @return the sum of every ref, read in one read-only transaction */
        abstract long sum() throws Exception;

        final int startAttempt() {
            return ++attempts;
        }

        /**
         * Waits, bounded, until the writer has committed {@value LongReaderAttempts#OVERLAP_COMMITS}
         * more transfers (so that the attempt overlaps writes to refs it has read and to refs it has
         * yet to read, however the OS schedules the two threads), then runs the test's hook.
         */
        final void midpoint(int attempt) {
            Writer writer = overlapWith;
            if (writer != null && !writer.stopRequested) { // once the alarm has stopped it, no wait
                long target = writer.commits.get() + OVERLAP_COMMITS;
                long deadline = System.nanoTime() + OVERLAP_WAIT.toNanos();
                while (writer.commits.get() < target) {
                    if (System.nanoTime() - deadline > 0 || writer.stopRequested) {
                        writerStalls++;
                        break;
                    }
                    LockSupport.parkNanos(20_000); // give the core to the writer
                }
            }
            IntConsumer hook = atMidpoint;
            if (hook != null) {
                hook.accept(attempt);
            }
        }

        final long endAttempt(long sum) {
            if (sum != total) {
                tornAttempts++;
            }
            return sum;
        }

        /**
         * One attempt of a long transaction's body: sums the refs read through {@code valueAt},
         * the first half, then the wait at the {@link #midpoint}, then the second half.
         */
        final long sumInHalves(IntToLongFunction valueAt) {
            int attempt = startAttempt();
            long sum = 0;
            int half = size / 2;
            for (int i = 0; i < half; i++) {
                sum += valueAt.applyAsLong(i);
            }
            midpoint(attempt);
            for (int i = half; i < size; i++) {
                sum += valueAt.applyAsLong(i);
            }
            return endAttempt(sum);
        }
    }

    private static final class WeftSubject extends Subject {
        private final LongRef[] refs;
        private final LongSupplier sumBody = this::sumOnce;

        WeftSubject(int size) {
            super(size);
            refs = new LongRef[size];
            for (int i = 0; i < size; i++) {
                refs[i] = new LongRef(INITIAL_VALUE);
            }
        }

        @Override
        String name() {
            return Implementation.WEFT.label();
        }

        @Override
        void transfer(int from, int to) {
            Stm.atomic(() -> {
                LongRef source = refs[from];
                source.set(source.get() - 1);
                LongRef destination = refs[to];
                destination.set(destination.get() + 1);
            });
        }

        @Override
        long sum() {
            return Stm.atomicLong(sumBody);
        }

        private long sumOnce() {
            return sumInHalves(i -> refs[i].get());
        }
    }

    private static final class MultiverseSubject extends Subject {
        private final TxnLong[] refs;
        private final boolean siteExecutor;
        /** The writer's call site. */
        private final TxnExecutor transferSite = MultiverseSite.executor();
        /** The long reader's call site (used when {@code siteExecutor}). */
        private final TxnExecutor sumSite = MultiverseSite.executor();
        private final TxnLongCallable sumBody = this::sumOnce;

        MultiverseSubject(int size, boolean siteExecutor) {
            super(size);
            this.siteExecutor = siteExecutor;
            refs = new TxnLong[size];
            for (int i = 0; i < size; i++) {
                refs[i] = StmUtils.newTxnLong(INITIAL_VALUE);
            }
        }

        @Override
        String name() {
            return (siteExecutor ? Implementation.MULTIVERSE_SITE : Implementation.MULTIVERSE_DEFAULT).label();
        }

        @Override
        void transfer(int from, int to) {
            // get/set, not increment(tx, amount): see MultiverseBank's class comment
            transferSite.execute((TxnVoidCallable) tx -> {
                TxnLong source = refs[from];
                source.set(tx, source.get(tx) - 1);
                TxnLong destination = refs[to];
                destination.set(tx, destination.get(tx) + 1);
            });
        }

        @Override
        long sum() {
            return siteExecutor ? sumSite.execute(sumBody) : StmUtils.atomic(sumBody);
        }

        private long sumOnce(Txn tx) {
            return sumInHalves(i -> refs[i].get(tx));
        }
    }

    private static final class ScalaStmSubject extends Subject {
        private final Ref.View<Long>[] refs;
        private final Callable<Long> sumBody = this::sumOnce;

        @SuppressWarnings("unchecked") // no generic array creation in Java
        ScalaStmSubject(int size) {
            super(size);
            refs = (Ref.View<Long>[]) new Ref.View<?>[size];
            for (int i = 0; i < size; i++) {
                refs[i] = STM.newRef(INITIAL_VALUE);
            }
        }

        @Override
        String name() {
            return Implementation.SCALA_STM.label();
        }

        @Override
        void transfer(int from, int to) {
            STM.atomic(() -> {
                Ref.View<Long> source = refs[from];
                source.set(source.get() - 1);
                Ref.View<Long> destination = refs[to];
                destination.set(destination.get() + 1);
            });
        }

        @Override
        long sum() {
            return STM.atomic(sumBody);
        }

        private Long sumOnce() {
            return sumInHalves(i -> refs[i].get());
        }
    }

    private static final class ClojureSubject extends Subject {
        private final clojure.lang.Ref[] refs;
        private final Callable<Object> sumBody = this::sumOnce;

        ClojureSubject(int size) {
            super(size);
            refs = new clojure.lang.Ref[size];
            for (int i = 0; i < size; i++) {
                refs[i] = new clojure.lang.Ref(INITIAL_VALUE);
            }
        }

        @Override
        String name() {
            return Implementation.CLOJURE.label();
        }

        @Override
        void transfer(int from, int to) {
            Callable<Object> body = () -> {
                clojure.lang.Ref source = refs[from];
                source.set((Long) source.deref() - 1);
                clojure.lang.Ref destination = refs[to];
                destination.set((Long) destination.deref() + 1);
                return null;
            };
            try {
                LockingTransaction.runInTransaction(body);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) { // runInTransaction declares Exception; this body throws none of its own
                throw new IllegalStateException("a Clojure transaction failed: " + e, e);
            }
        }

        @Override
        long sum() throws Exception {
            return (Long) LockingTransaction.runInTransaction(sumBody);
        }

        private Object sumOnce() {
            return sumInHalves(i -> (Long) refs[i].deref());
        }
    }
}
