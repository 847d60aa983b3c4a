package dev.weft.bench.bank;

import dev.weft.scheduler.TxnScheduler;
import dev.weft.stm.Stm;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs the bank workload over one implementation: every worker thread loops random transfers
 * between two distinct random accounts, and every {@value #AUDIT_EVERY}th operation audits the
 * whole bank instead, until the time is up.
 *
 * <p>Thread-safety: {@link #run} may be called from any thread; it blocks until the run ends.
 */
public final class BankRun {
    /** Every this many operations a worker audits instead of transferring. */
    public static final int AUDIT_EVERY = 100;
    /** Transfers move between 1 and this amount. */
    public static final int MAX_AMOUNT = 100;
    /** Operations the scheduler run hands over per {@code parallelFor}. */
    static final int BATCH = 10_000;

    private final BankWorkload bank;
    private final BankSettings settings;
    private volatile boolean running = true; // written by the timing thread; read by workers

    private BankRun(BankWorkload bank, BankSettings settings) {
        this.bank = bank;
        this.settings = settings;
    }

    /**
     * Runs the workload for {@code settings.duration()} on {@code settings.threads()} threads.
     *
     * @param bank a fresh bank with {@code settings.accounts()} accounts at the initial balance
     * @param settings the run's size and length
     * @return the counts and the invariant check
     * @throws InterruptedException if interrupted while waiting for the workers
     */
    public static BankResult run(BankWorkload bank, BankSettings settings) throws InterruptedException {
        return new BankRun(bank, settings).run();
    }

    private BankResult run() throws InterruptedException {
        int threads = settings.threads();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        SplittableRandom seeds = new SplittableRandom();
        Worker[] workers = new Worker[threads];
        Thread[] started = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker(bank.newTeller(), seeds.split(), ready, go);
            started[i] = new Thread(workers[i], "bank-" + bank.name() + "-" + i);
            started[i].start();
        }
        ready.await();
        long startNanos = System.nanoTime();
        go.countDown();
        Thread.sleep(settings.duration().toMillis());
        running = false;
        long elapsedNanos = System.nanoTime() - startNanos;
        for (Thread thread : started) {
            thread.join();
        }

        long transfers = 0, audits = 0, auditFailures = 0, attempts = 0;
        for (Worker worker : workers) {
            transfers += worker.transfers;
            audits += worker.audits;
            auditFailures += worker.auditFailures;
            attempts = addAttempts(attempts, worker.teller);
        }
        return new BankResult(bank.name(), threads, elapsedNanos / 1e9, transfers, audits,
                auditFailures, attempts, bank.total(), settings.expectedTotal());
    }

    /**
     * The same workload as tasks on a {@link TxnScheduler} with {@code settings.threads()} workers
     * instead of threads of its own: the calling thread hands the scheduler batches of
     * {@value #BATCH} operations ({@code parallelFor}, each operation one transaction, its teller
     * call joining it) until the time is up, so the run lasts at most one batch longer. Operation
     * {@code n}'s accounts and amount come from a hash of {@code n}, so tasks share nothing but the
     * bank; each worker thread gets its own teller.
     *
     * @param bank a fresh bank, as for {@link #run}
     * @param settings the run's size and length
     * @param name the name shown in the report
     * @return the counts and the invariant check
     */
    public static BankResult runOnScheduler(BankWorkload bank, BankSettings settings, String name) {
        int accounts = settings.accounts();
        long expected = settings.expectedTotal();
        ConcurrentLinkedQueue<BankWorkload.Teller> tellers = new ConcurrentLinkedQueue<>();
        ThreadLocal<BankWorkload.Teller> teller = ThreadLocal.withInitial(() -> {
            BankWorkload.Teller created = bank.newTeller();
            tellers.add(created);
            return created;
        });
        LongAdder auditFailures = new LongAdder();
        long operations = 0;
        long elapsedNanos;
        try (TxnScheduler scheduler = TxnScheduler.builder().parallelism(settings.threads())
                .threadNamePrefix("bank-" + bank.name() + "-scheduler-").build()) {
            long startNanos = System.nanoTime();
            long deadline = startNanos + settings.duration().toNanos();
            do { // at least one batch, however late this thread gets the core back after the start
                long base = operations;
                scheduler.parallelFor(0, BATCH, i -> {
                    long operation = base + i + 1;
                    BankWorkload.Teller mine = teller.get();
                    if (operation % AUDIT_EVERY == 0) {
                        if (mine.audit() != expected) {
                            Stm.afterCommit(auditFailures::increment); // counted once, for the attempt that committed
                        }
                    } else {
                        long h = mix(operation);
                        int from = (int) Long.remainderUnsigned(h, accounts);
                        int to = (int) Long.remainderUnsigned(h >>> 20, accounts - 1);
                        if (to >= from) {
                            to++;
                        }
                        mine.transfer(from, to, 1 + Long.remainderUnsigned(h >>> 40, MAX_AMOUNT));
                    }
                });
                operations += BATCH;
            } while (System.nanoTime() - deadline < 0);
            elapsedNanos = System.nanoTime() - startNanos;
        }
        long audits = operations / AUDIT_EVERY; // every operation ran exactly once (parallelFor)
        long attempts = 0;
        for (BankWorkload.Teller each : tellers) {
            attempts = addAttempts(attempts, each);
        }
        return new BankResult(name, settings.threads(), elapsedNanos / 1e9, operations - audits, audits,
                auditFailures.sum(), attempts, bank.total(), expected);
    }

    /** A running total of tellers' attempts: -1 once any teller has no transactions to count. */
    private static long addAttempts(long total, BankWorkload.Teller teller) {
        long attempts = teller.attempts();
        return total < 0 || attempts < 0 ? -1 : total + attempts;
    }

    /** SplitMix64's finalizer: a well-mixed 64-bit hash of {@code x}. */
    private static long mix(long x) {
        long z = x * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** One worker thread; its counts are read by the timing thread after join(). */
    private final class Worker implements Runnable {
        final BankWorkload.Teller teller;
        private final SplittableRandom random;
        private final CountDownLatch ready;
        private final CountDownLatch go;
        long transfers;
        long audits;
        long auditFailures;

        Worker(BankWorkload.Teller teller, SplittableRandom random, CountDownLatch ready, CountDownLatch go) {
            this.teller = teller;
            this.random = random;
            this.ready = ready;
            this.go = go;
        }

        @Override
        public void run() {
            ready.countDown();
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            int accounts = settings.accounts();
            long expected = settings.expectedTotal();
            for (long operation = 1; running; operation++) {
                if (operation % AUDIT_EVERY == 0) {
                    if (teller.audit() != expected) {
                        auditFailures++;
                    }
                    audits++;
                } else {
                    int from = random.nextInt(accounts);
                    int to = random.nextInt(accounts - 1);
                    if (to >= from) {
                        to++; // uniform over the accounts other than from
                    }
                    teller.transfer(from, to, 1 + random.nextInt(MAX_AMOUNT));
                    transfers++;
                }
            }
        }
    }
}
