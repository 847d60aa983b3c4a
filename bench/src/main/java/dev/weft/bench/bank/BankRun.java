package dev.weft.bench.bank;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

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
            long workerAttempts = worker.teller.attempts();
            attempts = attempts < 0 || workerAttempts < 0 ? -1 : attempts + workerAttempts;
        }
        return new BankResult(bank.name(), threads, elapsedNanos / 1e9, transfers, audits,
                auditFailures, attempts, bank.total(), settings.expectedTotal());
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
