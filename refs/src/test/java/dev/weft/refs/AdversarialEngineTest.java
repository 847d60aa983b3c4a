package dev.weft.refs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.stm.AfterCommitException;
import dev.weft.stm.CommitRejectedException;
import dev.weft.stm.Stm;
import dev.weft.stm.TooManyAttemptsException;
import dev.weft.stm.TransactionTimeoutException;
import dev.weft.stm.TxnOptions;
import dev.weft.stm.spi.Barrier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Adversarial races against the engine, through the typed refs: long readers that switch to a
 * registered snapshot part-way or re-run as one, next to every kind of writer (transactions,
 * commutes, irrevocable transactions, one-operation updates, guarded commits); opacity checked
 * inside every body; one-operation updates interleaved with multi-ref transactions; and aborts of
 * every kind (exceptions from bodies, hooks, commute functions and deciders, maxAttempts,
 * timeouts) that must leave nothing half-committed.
 *
 * <p>Every invariant is checked inside the transaction body, where a violation is recorded before
 * anything is thrown: a doomed attempt's exception would be swallowed by the engine (it re-runs the
 * attempt), but a doomed attempt must not observe a broken invariant either (opacity). A failure
 * names the seed; {@code -Dweft.test.seed=...} replays the same random choices (interleavings
 * differ from run to run), {@code -Dweft.test.scale=N} makes every race N times longer.
 */
class AdversarialEngineTest {
    private static final int SCALE = Integer.getInteger("weft.test.scale", 1);
    private static final long SEED = Long.getLong("weft.test.seed", 0x5EED_2026L);
    /** Past the engine's extension limit (1,024 reads): a long reader may switch to a snapshot. */
    private static final int ACCOUNTS = 3000;
    private static final int PAIRS = 64;
    private static final long INITIAL = 100;
    private static final long TIMEOUT_SECONDS = 120;
    /** Where a reader made to switch part-way is when another thread commits for it (past 1,024 reads). */
    private static final int SWITCH_AT = 1500;

    private static final TxnOptions IRREVOCABLE = TxnOptions.DEFAULT.withIrrevocable(true);

    // ------------------------------------------------------------------ harness

    /**
     * Threads released together by one latch: finite roles run their body once, endless roles run
     * theirs until every finite role has finished. Failures and invariant violations are collected
     * and reported with the seed.
     */
    private static final class Crew {
        private final String test;
        private final long seed;
        private final List<Thread> finite = new ArrayList<>();
        private final List<Thread> endless = new ArrayList<>();
        private final CountDownLatch start = new CountDownLatch(1);
        final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicReference<String> violation = new AtomicReference<>();
        /** Commits on behalf of a reader that wants to be made to switch (see Bank.forceSwitch). */
        final ExecutorService poker = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "poker");
            thread.setDaemon(true);
            return thread;
        });

        interface Body {
            void run(SplittableRandom random) throws Exception;
        }

        Crew(String test, long seed) {
            this.test = test;
            this.seed = seed;
        }

        void finite(String name, Body body) {
            finite.add(thread(name, body, false));
        }

        void endless(String name, Body body) {
            endless.add(thread(name, body, true));
        }

        private Thread thread(String name, Body body, boolean loop) {
            SplittableRandom random = new SplittableRandom(seed * 31 + finite.size() * 7919L + endless.size() * 104729L
                    + name.hashCode());
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    do {
                        body.run(random);
                    } while (loop && !stop.get() && violation.get() == null);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    stop.set(true);
                }
            }, test + "-" + name);
            thread.setDaemon(true);
            return thread;
        }

        /** Records a broken invariant (first one wins) and throws, so the body stops. */
        AssertionError violation(String message) {
            violation.compareAndSet(null, message + " [" + Thread.currentThread().getName() + "]");
            stop.set(true);
            return new AssertionError(message);
        }

        boolean stopped() {
            return stop.get();
        }

        void run() {
            boolean verbose = Boolean.getBoolean("weft.test.verbose"); // prints the engine's counters per race
            if (verbose) {
                Stm.resetStatistics();
            }
            long began = System.nanoTime();
            List<Thread> all = new ArrayList<>(finite);
            all.addAll(endless);
            for (Thread thread : all) {
                thread.start();
            }
            start.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            try {
                join(finite, deadline);
                stop.set(true);
                join(endless, deadline);
            } finally {
                poker.shutdownNow();
            }
            String where = test + " (seed " + seed + ", scale " + SCALE + ")";
            if (verbose) {
                System.out.println(where + " took " + (System.nanoTime() - began) / 1_000_000 + " ms: "
                        + Stm.statistics());
            }
            if (violation.get() != null) {
                fail(where + ": invariant broken: " + violation.get(), failure.get());
            }
            if (failure.get() != null) {
                fail(where + ": a thread failed: " + failure.get(), failure.get());
            }
        }

        private void join(List<Thread> threads, long deadline) {
            for (Thread thread : threads) {
                try {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail("interrupted");
                }
                if (thread.isAlive()) {
                    stop.set(true);
                    StringBuilder stack = new StringBuilder();
                    for (StackTraceElement frame : thread.getStackTrace()) {
                        stack.append("\n\tat ").append(frame);
                    }
                    fail(test + " (seed " + seed + "): " + thread.getName() + " did not finish within "
                            + TIMEOUT_SECONDS + " s; it is at:" + stack, failure.get());
                }
            }
        }
    }

    // ------------------------------------------------------------------ the bank

    /**
     * Accounts whose total never changes (every transaction moves amounts between them) and pairs
     * (x, y) that only one-operation updates of a single thread advance, x first, then y: in every
     * state a serial execution passes through, 0 <= x - y <= 1. A reader reads the ys first, the
     * accounts, then the xs (or the reverse), so a stale y next to a fresh x (or the reverse)
     * breaks the pair invariant.
     */
    private static final class Bank {
        final LongRef[] accounts;
        final LongRef[] xs = new LongRef[PAIRS];
        final LongRef[] ys = new LongRef[PAIRS];
        final LongRef[] layout;
        final long total;
        private final long[] pairModel = new long[PAIRS]; // the pair writer's own count (it is the only writer)
        final AtomicLong moves = new AtomicLong();        // writes done so far (readers start once writers run)

        Bank(int accountCount) {
            accounts = new LongRef[accountCount];
            for (int i = 0; i < accountCount; i++) {
                accounts[i] = new LongRef(INITIAL);
            }
            total = INITIAL * accountCount;
            for (int i = 0; i < PAIRS; i++) {
                xs[i] = new LongRef();
                ys[i] = new LongRef();
            }
            layout = new LongRef[2 * PAIRS + accountCount];
            System.arraycopy(ys, 0, layout, 0, PAIRS);
            System.arraycopy(accounts, 0, layout, PAIRS, accountCount);
            System.arraycopy(xs, 0, layout, PAIRS + accountCount, PAIRS);
        }

        /** Inside a transaction: reads everything in layout order (or reversed), checks both invariants. */
        long audit(boolean forward, Crew crew) {
            return audit(forward, crew, null);
        }

        /** As {@link #audit(boolean, Crew)}; with a poker, first makes the reader switch part-way. */
        long audit(boolean forward, Crew crew, ExecutorService poker) {
            long sum = 0;
            long[] x = new long[PAIRS];
            long[] y = new long[PAIRS];
            int n = layout.length;
            for (int k = 0; k < n; k++) {
                if (poker != null && k == SWITCH_AT) {
                    forceSwitch(poker, forward, k);
                }
                int index = forward ? k : n - 1 - k;
                long value = layout[index].get();
                if (index < PAIRS) {
                    y[index] = value;
                } else if (index < PAIRS + accounts.length) {
                    sum += value;
                } else {
                    x[index - PAIRS - accounts.length] = value;
                }
            }
            checkAudit(crew, sum, x, y);
            return sum;
        }

        void checkAudit(Crew crew, long sum, long[] x, long[] y) {
            if (sum != total) {
                throw crew.violation("a reader summed " + sum + ", the total is " + total);
            }
            for (int i = 0; i < PAIRS; i++) {
                long difference = x[i] - y[i];
                if (difference < 0 || difference > 1) {
                    throw crew.violation("pair " + i + " read as x=" + x[i] + ", y=" + y[i]
                            + ": no serial state has x - y outside [0, 1]");
                }
            }
        }

        /** One transfer, or one version bump that keeps the value, by a randomly chosen kind of writer. */
        void move(SplittableRandom random) {
            int from = random.nextInt(accounts.length);
            int to = random.nextInt(accounts.length);
            long amount = 1 + random.nextInt(5);
            LongRef a = accounts[from];
            LongRef b = accounts[to];
            moves.incrementAndGet();
            switch (random.nextInt(10)) {
                case 0, 1 -> Stm.atomic(() -> {
                    a.set(a.get() - amount);
                    b.set(b.get() + amount);
                });
                case 8 -> Stm.atomic(() -> { // commutes with functions
                    a.commute(v -> v - amount);
                    b.commute(v -> v + amount);
                });
                case 9 -> { // a guarded commit: a -= amount and b += amount in one call, if a is unchanged
                    if (a != b) {
                        LongRef guard = accounts[random.nextInt(accounts.length)];
                        long guardStamp = Barrier.valueStamp(guard);
                        long stamp = Barrier.valueStamp(a);
                        long value = a.atomic().get();
                        if (Barrier.valueStamp(a) == stamp) {
                            Barrier.compareStampsAndSet(guard, guardStamp, a, stamp, value - amount, null, b, amount);
                        }
                    }
                }
                case 2 -> Stm.atomic(() -> { // commutes: neither account is read
                    a.add(-amount);
                    b.add(amount);
                });
                case 3 -> Stm.atomic(() -> { // a commute next to a read-write
                    a.commuteAdd(-amount);
                    b.set(b.get() + amount);
                });
                case 4 -> Stm.atomic(IRREVOCABLE, () -> {
                    a.set(a.get() - amount);
                    b.set(b.get() + amount);
                });
                case 5 -> Stm.atomic(() -> { // a chain of transfers in one transaction
                    for (int i = 0; i < 6; i++) {
                        LongRef p = accounts[random.nextInt(accounts.length)];
                        LongRef q = accounts[random.nextInt(accounts.length)];
                        p.set(p.get() - amount);
                        q.add(amount);
                    }
                });
                case 6 -> a.atomic().getAndAdd(0); // a new version with the same value
                default -> {
                    long seen = b.atomic().get();
                    b.atomic().compareAndSet(seen, seen); // a new version if it still holds seen
                }
            }
        }

        /**
         * The only writer of the pairs: advances x then y of a random pair by one, with a randomly
         * chosen one-operation update, and checks what each returns against its own count.
         */
        void advancePair(SplittableRandom random, Crew crew) {
            int i = random.nextInt(PAIRS);
            long before = pairModel[i];
            bumpOnce(xs[i], before, random, crew);
            bumpOnce(ys[i], before, random, crew);
            pairModel[i] = before + 1;
        }

        private static void bumpOnce(LongRef ref, long before, SplittableRandom random, Crew crew) {
            LongRef.Atomic view = ref.atomic();
            long returned;
            long expected;
            switch (random.nextInt(8)) {
                case 0 -> { returned = view.incrementAndGet(); expected = before + 1; }
                case 1 -> { returned = view.getAndAdd(1); expected = before; }
                case 2 -> { returned = view.compareAndSet(before, before + 1) ? before : -1; expected = before; }
                case 3 -> { view.set(before + 1); returned = view.get(); expected = before + 1; }
                case 4 -> { returned = view.updateAndGet(v -> v + 1); expected = before + 1; }
                case 5 -> { returned = view.getAndSet(before + 1); expected = before; }
                case 6 -> { returned = view.accumulateAndGet(1, Long::sum); expected = before + 1; }
                default -> { returned = view.getAndIncrement(); expected = before; }
            }
            if (returned != expected) {
                throw crew.violation("a one-operation update of a ref only this thread writes returned "
                        + returned + ", expected " + expected);
            }
        }

        /**
         * Makes a long reader switch to a registered snapshot part-way: called at its read number
         * {@code readsSoFar} (past the extension limit) of its first attempt, commits a transfer
         * between two accounts it reads later, on another thread, and waits for it; the next read
         * of a changed account meets a cell newer than the reader's snapshot.
         */
        void forceSwitch(ExecutorService poker, boolean forward, int readsSoFar) {
            int a = forward ? readsSoFar + 50 - PAIRS : accounts.length - readsSoFar - 50 + PAIRS;
            int b = forward ? a + 1 : a - 1;
            CompletableFuture.runAsync(() -> Stm.atomic(() -> {
                accounts[a].set(accounts[a].get() - 1);
                accounts[b].set(accounts[b].get() + 1);
            }), poker).orTimeout(30, TimeUnit.SECONDS).join();
        }

        /** Waits (yielding) until the writers have done some work, so that readers race with them. */
        void awaitWriters(Crew crew) {
            while (moves.get() < 2_000 && !crew.stopped()) {
                Thread.yield();
            }
        }

        void checkFinal(Crew crew) {
            long sum = 0;
            for (LongRef account : accounts) {
                sum += account.atomic().get();
            }
            if (sum != total) {
                throw crew.violation("after the race the accounts hold " + sum + ", not " + total);
            }
            for (int i = 0; i < PAIRS; i++) {
                if (xs[i].atomic().get() != pairModel[i] || ys[i].atomic().get() != pairModel[i]) {
                    throw crew.violation("pair " + i + " ended at x=" + xs[i].atomic().get() + ", y="
                            + ys[i].atomic().get() + ", but was advanced " + pairModel[i] + " times");
                }
            }
        }
    }

    /** Runs an audit as a read-only transaction; a read-only transaction aborts at most once. */
    private static void auditAtMostTwice(Bank bank, boolean forward, Crew crew, boolean forceSwitch) {
        AtomicInteger runs = new AtomicInteger();
        long sum = Stm.atomicLong(() -> {
            int run = runs.incrementAndGet();
            return bank.audit(forward, crew, forceSwitch && run == 1 ? crew.poker : null);
        });
        if (sum != bank.total) {
            throw crew.violation("the audit returned " + sum);
        }
        if (runs.get() > 2) {
            throw crew.violation("a read-only transaction ran " + runs.get()
                    + " times; semantics.md promises at most 2 (the second reads a registered snapshot)");
        }
    }

    // ------------------------------------------------------------------ long readers

    /**
     * Invariant: every attempt of a long read-only transaction (3,000 accounts and 128 pair refs,
     * read in both directions) sees one committed state: the accounts' total and 0 <= x - y <= 1
     * for every pair, while transactions, commutes, irrevocable transactions and one-operation
     * updates write; and it runs at most twice.
     */
    @Test
    void longReadersSeeOneStateWhileEveryKindOfWriterRaces() {
        Bank bank = new Bank(ACCOUNTS);
        Crew crew = new Crew("longReadersSeeOneState", SEED);
        int rounds = 300 * SCALE;
        crew.endless("mover", bank::move);
        crew.endless("pairs", random -> bank.advancePair(random, crew));
        crew.finite("forward", random -> {
            bank.awaitWriters(crew);
            for (int i = 0; i < rounds && !crew.stopped(); i++) {
                if (i % 25 == 24) { // now and then an irrevocable reader: reserves all it reads
                    Stm.atomic(IRREVOCABLE, () -> bank.audit(true, crew));
                } else {
                    auditAtMostTwice(bank, true, crew, i % 2 == 0);
                }
            }
        });
        crew.finite("backward", random -> {
            bank.awaitWriters(crew);
            TxnOptions readOnly = TxnOptions.DEFAULT.withReadOnly(true).withMaxAttempts(2);
            for (int i = 0; i < rounds && !crew.stopped(); i++) {
                if (i % 2 == 0) { // read-only option; at most 2 attempts: a third would throw
                    Stm.atomic(readOnly, () -> bank.audit(false, crew));
                } else {
                    auditAtMostTwice(bank, false, crew, i % 4 == 1);
                }
            }
        });
        crew.run();
        bank.checkFinal(crew);
    }

    /**
     * Invariant (semantics.md, "Long readers"): a read-only transaction runs at most twice, however
     * busy the writers are. Here every snapshot slot is held: as many long readers as the registry
     * has slots (max(16, 4 x cores), as SnapshotRegistry.SLOT_COUNT) have switched to a snapshot
     * part-way and wait inside their bodies; a further long reader then meets a newer ref past the
     * extension limit in every attempt (another thread commits to refs it has not read yet).
     * {@code -Dweft.test.holders=N} changes the number of holders: with one slot left free the
     * reader runs once.
     */
    // Regression (session 16): with every slot taken the reader ran 17 times (16 aborts, then
    // irrevocable), each attempt aborting where it would have switched; it now extends instead.
    @Test
    void aReadOnlyTransactionRunsAtMostTwiceEvenWhenEverySnapshotSlotIsTaken() throws Exception {
        int slots = Integer.getInteger("weft.test.holders", Math.max(16, 4 * Runtime.getRuntime().availableProcessors()));
        int cellsEach = 2000;
        ExecutorService poker = Executors.newSingleThreadExecutor();
        ExecutorService holderThreads = Executors.newFixedThreadPool(slots, r -> {
            Thread thread = new Thread(r, "slot-holder");
            thread.setDaemon(true);
            return thread;
        });
        CountDownLatch holding = new CountDownLatch(slots);
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<Long>> holders = new ArrayList<>();
        try {
            for (int h = 0; h < slots; h++) {
                LongRef[] cells = newCells(cellsEach);
                AtomicBoolean counted = new AtomicBoolean();
                holders.add(CompletableFuture.supplyAsync(() -> {
                    AtomicInteger runs = new AtomicInteger();
                    return Stm.atomicLong(() -> {
                        int run = runs.incrementAndGet();
                        long sum = 0;
                        for (int i = 0; i < cellsEach; i++) {
                            if (run == 1 && i == SWITCH_AT) {
                                moveOn(poker, cells, SWITCH_AT + 10, SWITCH_AT + 11); // makes it switch
                            }
                            sum += cells[i].get();
                        }
                        if (counted.compareAndSet(false, true)) {
                            holding.countDown();
                        }
                        awaitLatch(release); // holds its snapshot slot
                        return sum;
                    });
                }, holderThreads));
            }
            assertTrue(holding.await(60, TimeUnit.SECONDS), "the slot holders did not all get through their reads");
            LongRef[] cells = newCells(cellsEach);
            AtomicInteger runs = new AtomicInteger();
            long sum = Stm.atomicLong(() -> {
                runs.incrementAndGet();
                long total = 0;
                for (int i = 0; i < cellsEach; i++) {
                    if (i == SWITCH_AT) { // a writer commits to refs this attempt has not read yet
                        moveOn(poker, cells, SWITCH_AT + 10, SWITCH_AT + 11);
                    }
                    total += cells[i].get();
                }
                return total;
            });
            assertEquals(INITIAL * cellsEach, sum);
            assertTrue(runs.get() <= 2, "a read-only transaction ran " + runs.get() + " times while every "
                    + "snapshot slot was taken; semantics.md promises at most 2");
        } finally {
            release.countDown();
            for (CompletableFuture<Long> holder : holders) {
                assertEquals(INITIAL * cellsEach, holder.get(60, TimeUnit.SECONDS));
            }
            poker.shutdownNow();
            holderThreads.shutdownNow();
        }
    }

    private static LongRef[] newCells(int n) {
        LongRef[] cells = new LongRef[n];
        for (int i = 0; i < n; i++) {
            cells[i] = new LongRef(INITIAL);
        }
        return cells;
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Invariant: nested atomic blocks (completing, or throwing after a write and rolled back) and
     * orElse alternatives (the first retries, the second re-reads the same refs) inside a long
     * reader all read the one state the reader reads: same total, pairs in step, and the second
     * alternative reads exactly the values the first read (the first's reads stay in the
     * transaction).
     */
    @Test
    void nestedScopesAndOrElseInsideALongReaderReadTheSameState() {
        Bank bank = new Bank(ACCOUNTS);
        LongRef scratch = new LongRef();
        Crew crew = new Crew("nestedScopesAndOrElse", SEED + 1);
        int rounds = 200 * SCALE;
        crew.endless("mover", bank::move);
        crew.endless("pairs", random -> bank.advancePair(random, crew));
        crew.finite("reader", random -> {
            bank.awaitWriters(crew);
            for (int round = 0; round < rounds && !crew.stopped(); round++) {
                int chunk = 200 + random.nextInt(300);
                Stm.atomic(() -> {
                    long[] x = new long[PAIRS];
                    long[] y = new long[PAIRS];
                    long[] sum = new long[1];
                    LongRef[] layout = bank.layout;
                    for (int start = 0, part = 0; start < layout.length; start += chunk, part++) {
                        int from = start;
                        int to = Math.min(layout.length, start + chunk);
                        switch (part % 4) {
                            case 0 -> readRange(bank, from, to, x, y, sum);
                            case 1 -> Stm.atomic(() -> readRange(bank, from, to, x, y, sum));
                            case 2 -> {
                                try {
                                    Stm.atomic(() -> {
                                        scratch.set(scratch.get() + 1); // discarded with the scope
                                        readRange(bank, from, to, x, y, sum);
                                        throw new ScopeFailure();
                                    });
                                } catch (ScopeFailure expected) {
                                    // the scope's reads stay; its write is gone
                                }
                            }
                            default -> {
                                long[] firstSaw = new long[to - from];
                                boolean[] firstRan = new boolean[1];
                                Stm.orElse(() -> {
                                    for (int k = from; k < to; k++) {
                                        firstSaw[k - from] = layout[k].get();
                                    }
                                    firstRan[0] = true;
                                    Stm.retry();
                                }, () -> {
                                    for (int k = from; k < to; k++) {
                                        long value = layout[k].get();
                                        if (firstRan[0] && value != firstSaw[k - from]) {
                                            throw crew.violation("orElse's second alternative read " + value
                                                    + " where the first read " + firstSaw[k - from]);
                                        }
                                    }
                                });
                                readRange(bank, from, to, x, y, sum);
                            }
                        }
                    }
                    bank.checkAudit(crew, sum[0], x, y);
                    if (scratch.get() != 0) {
                        throw crew.violation("a write of a rolled-back nested scope is still visible: " + scratch.get());
                    }
                });
            }
        });
        crew.run();
        bank.checkFinal(crew);
        assertEquals(0, scratch.atomic().get(), "a rolled-back nested scope's write was committed");
    }

    private static final class ScopeFailure extends RuntimeException {
        ScopeFailure() {
            super("nested scope fails on purpose", null, false, false);
        }
    }

    private static void readRange(Bank bank, int from, int to, long[] x, long[] y, long[] sum) {
        LongRef[] layout = bank.layout;
        int accounts = bank.accounts.length;
        for (int index = from; index < to; index++) {
            long value = layout[index].get();
            if (index < PAIRS) {
                y[index] = value;
            } else if (index < PAIRS + accounts) {
                sum[0] += value;
            } else {
                x[index - PAIRS - accounts] = value;
            }
        }
    }

    /**
     * Invariant: a transaction that writes after a long read phase commits only if what it read is
     * still current: a counter incremented from a value read before (or after) 3,000 other reads
     * loses no increment to concurrent one-operation, commuting and transactional increments, and
     * the audit written with it is the accounts' true total.
     */
    @Test
    void aLongTransactionThatWritesAfterItsReadsLosesNoUpdate() {
        Bank bank = new Bank(ACCOUNTS);
        LongRef counter = new LongRef();
        LongRef audit = new LongRef(bank.total);
        AtomicLong increments = new AtomicLong();
        Crew crew = new Crew("longWriterLosesNoUpdate", SEED + 2);
        int rounds = 25 * SCALE;
        crew.endless("mover", bank::move);
        crew.endless("incrementer", random -> {
            switch (random.nextInt(3)) {
                case 0 -> counter.atomic().incrementAndGet();
                case 1 -> Stm.atomic(() -> counter.increment()); // a commute
                default -> Stm.atomic(() -> counter.set(counter.get() + 1));
            }
            increments.incrementAndGet();
        });
        for (boolean counterFirst : new boolean[] {true, false}) {
            crew.finite(counterFirst ? "counter-first" : "counter-last", random -> {
                bank.awaitWriters(crew);
                for (int i = 0; i < rounds && !crew.stopped(); i++) {
                    boolean scopeFirst = random.nextBoolean();
                    boolean force = random.nextBoolean();
                    AtomicInteger runs = new AtomicInteger();
                    Stm.atomic(() -> {
                        int run = runs.incrementAndGet();
                        if (scopeFirst) { // a write rolled back with its scope: the write log is empty again
                            try {
                                Stm.atomic(() -> {
                                    counter.set(counter.get() + 1000);
                                    throw new ScopeFailure();
                                });
                            } catch (ScopeFailure expected) {
                                // rolled back alone
                            }
                        }
                        long seen = counterFirst ? counter.get() : 0;
                        long sum = 0;
                        for (int k = 0; k < bank.accounts.length; k++) {
                            if (force && run == 1 && k == SWITCH_AT) {
                                bank.forceSwitch(crew.poker, true, k + PAIRS);
                            }
                            sum += bank.accounts[k].get();
                        }
                        if (sum != bank.total) {
                            throw crew.violation("a long read-write transaction summed " + sum);
                        }
                        if (!counterFirst) {
                            seen = counter.get();
                        }
                        counter.set(seen + 1);
                        audit.set(sum);
                    });
                    increments.incrementAndGet();
                }
            });
        }
        crew.run();
        assertEquals(increments.get(), counter.atomic().get(),
                "increments were lost (seed " + (SEED + 2) + "): a long transaction committed a write based on a stale read");
        assertEquals(bank.total, audit.atomic().get());
        bank.checkFinal(crew);
    }

    /**
     * Invariant: a + b >= 0. Two long transactions each read a and b, then 3,000 accounts, and
     * take 1 from their own ref when a + b >= 1: write skew (both take from a total of 1) is
     * impossible, even when the read phase made them snapshot readers part-way.
     */
    @Test
    void longTransactionsCannotWriteSkew() {
        Bank bank = new Bank(ACCOUNTS);
        LongRef a = new LongRef(1);
        LongRef b = new LongRef(0);
        Crew crew = new Crew("longWriteSkew", SEED + 3);
        int rounds = 150 * SCALE;
        crew.endless("mover", bank::move);
        crew.endless("checker", random -> Stm.atomic(() -> {
            if (a.get() + b.get() < 0) {
                throw crew.violation("write skew: a=" + a.get() + ", b=" + b.get());
            }
        }));
        for (LongRef own : new LongRef[] {a, b}) {
            crew.finite(own == a ? "take-a" : "take-b", random -> {
                bank.awaitWriters(crew);
                for (int i = 0; i < rounds && !crew.stopped(); i++) {
                    Stm.atomic(() -> { // top up to a total of 1 (short)
                        if (a.get() + b.get() < 1) {
                            own.set(own.get() + 1 - (a.get() + b.get()));
                        }
                    });
                    boolean force = random.nextBoolean();
                    AtomicInteger runs = new AtomicInteger();
                    Stm.atomic(() -> {
                        int run = runs.incrementAndGet();
                        long total = a.get() + b.get();
                        long sum = 0;
                        for (int k = 0; k < bank.accounts.length; k++) {
                            if (force && run == 1 && k == SWITCH_AT) {
                                bank.forceSwitch(crew.poker, true, k + PAIRS);
                            }
                            sum += bank.accounts[k].get();
                        }
                        if (sum != bank.total) {
                            throw crew.violation("a long transaction summed " + sum);
                        }
                        if (total != a.get() + b.get()) {
                            throw crew.violation("a and b changed inside one transaction");
                        }
                        if (total >= 1) {
                            own.set(own.get() - 1);
                        }
                    });
                }
            });
        }
        crew.run();
        assertTrue(a.atomic().get() + b.atomic().get() >= 0,
                "write skew (seed " + (SEED + 3) + "): a=" + a.atomic().get() + ", b=" + b.atomic().get());
    }

    /**
     * Invariant: a long reader that calls retry() after its reads (when the gate is not open yet)
     * is woken by the gate's one-operation update, however the attempt that retried read (as a
     * part-way snapshot, a registered snapshot or optimistically), and every attempt sees the
     * accounts' total.
     */
    @Test
    void aLongReaderThatRetriesAfterItsReadsIsWokenAndSeesOneState() {
        Bank bank = new Bank(ACCOUNTS);
        LongRef gate = new LongRef();
        AtomicLong inBody = new AtomicLong(); // rounds whose body has started at least once
        Crew crew = new Crew("longReaderRetries", SEED + 4);
        int rounds = 40 * SCALE;
        crew.endless("mover", bank::move);
        crew.finite("opener", random -> {
            for (int round = 1; round <= rounds && !crew.stopped(); round++) {
                while (inBody.get() < round) { // the waiter has started this round: open the gate
                    if (crew.stopped()) {
                        return;
                    }
                    Thread.yield(); // two cores: let the waiter run
                }
                gate.atomic().set(round);
            }
        });
        crew.finite("waiter", random -> {
            bank.awaitWriters(crew);
            for (int round = 1; round <= rounds && !crew.stopped(); round++) {
                int wanted = round;
                AtomicInteger runs = new AtomicInteger();
                long seenGate = Stm.atomicLong(() -> {
                    int run = runs.incrementAndGet();
                    inBody.accumulateAndGet(wanted, Math::max);
                    long sum = 0;
                    for (int k = 0; k < bank.accounts.length; k++) {
                        if (run == 1 && k == SWITCH_AT) {
                            bank.forceSwitch(crew.poker, true, k + PAIRS);
                        }
                        sum += bank.accounts[k].get();
                    }
                    if (sum != bank.total) {
                        throw crew.violation("a retrying long reader summed " + sum);
                    }
                    long open = gate.get();
                    if (open < wanted) {
                        Stm.retry();
                    }
                    return open;
                });
                if (seenGate != wanted) {
                    throw crew.violation("the waiter passed gate " + seenGate + " in round " + wanted);
                }
            }
        });
        crew.run();
        assertEquals(rounds, gate.atomic().get());
    }

    /**
     * Invariant: with accounts of three kinds (LongRef and DoubleRef keep old versions in the cell;
     * Ref<Long> keeps them as nodes, except null, which stands for 0 and is kept in the cell, so
     * cells keep switching between both kinds of history), a long reader sees the accounts' total,
     * and pairs advanced by one-operation updates of each kind in step.
     */
    @Test
    void longReadersOfMixedRefKindsSeeOneState() {
        int n = ACCOUNTS;
        Object[] accounts = new Object[n];
        for (int i = 0; i < n; i++) {
            accounts[i] = switch (i % 3) {
                case 0 -> new LongRef(2);
                case 1 -> new DoubleRef(2);
                default -> new Ref<Long>(2L);
            };
        }
        long total = 2L * n;
        int pairs = 48;
        Object[] xs = new Object[pairs];
        Object[] ys = new Object[pairs];
        for (int i = 0; i < pairs; i++) {
            xs[i] = i % 3 == 0 ? new LongRef() : i % 3 == 1 ? new DoubleRef() : new Ref<Long>(null);
            ys[i] = i % 3 == 0 ? new LongRef() : i % 3 == 1 ? new DoubleRef() : new Ref<Long>(null);
        }
        long[] pairModel = new long[pairs];
        Crew crew = new Crew("mixedRefKinds", SEED + 5);
        int rounds = 250 * SCALE;
        AtomicLong moves = new AtomicLong();
        crew.endless("mover", random -> {
            Object from = accounts[random.nextInt(n)];
            Object to = accounts[random.nextInt(n)];
            long amount = 1 + random.nextInt(2);
            boolean irrevocable = random.nextInt(16) == 0;
            boolean commute = random.nextBoolean();
            moves.incrementAndGet();
            Runnable transfer = () -> {
                long have = readAny(from);
                if (have >= amount) { // keep balances small and non-negative: Ref<Long> often holds null
                    writeAny(from, have - amount);
                    if (commute) {
                        commuteAddAny(to, amount);
                    } else {
                        writeAny(to, readAny(to) + amount);
                    }
                }
            };
            if (irrevocable) {
                Stm.atomic(IRREVOCABLE, transfer);
            } else {
                Stm.atomic(transfer);
            }
        });
        crew.endless("pairs", random -> {
            int i = random.nextInt(pairs);
            long before = pairModel[i];
            bumpAny(xs[i], before, random);
            bumpAny(ys[i], before, random);
            pairModel[i] = before + 1;
        });
        for (boolean forward : new boolean[] {true, false}) {
            crew.finite(forward ? "forward" : "backward", random -> {
                while (moves.get() < 2_000 && !crew.stopped()) {
                    Thread.yield();
                }
                for (int round = 0; round < rounds && !crew.stopped(); round++) {
                    AtomicInteger runs = new AtomicInteger();
                    Stm.atomic(() -> {
                        runs.incrementAndGet();
                        long[] y = new long[pairs];
                        long[] x = new long[pairs];
                        long sum = 0;
                        if (forward) {
                            for (int i = 0; i < pairs; i++) {
                                y[i] = readAny(ys[i]);
                            }
                        } else {
                            for (int i = 0; i < pairs; i++) {
                                x[i] = readAny(xs[i]);
                            }
                        }
                        for (int i = 0; i < n; i++) {
                            long value = readAny(accounts[forward ? i : n - 1 - i]);
                            if (value < 0) {
                                throw crew.violation("an account read as " + value + ", below zero");
                            }
                            sum += value;
                        }
                        for (int i = 0; i < pairs; i++) {
                            if (forward) {
                                x[i] = readAny(xs[i]);
                            } else {
                                y[i] = readAny(ys[i]);
                            }
                        }
                        if (sum != total) {
                            throw crew.violation("a mixed-kind reader summed " + sum + ", the total is " + total);
                        }
                        for (int i = 0; i < pairs; i++) {
                            if (x[i] - y[i] < 0 || x[i] - y[i] > 1) {
                                throw crew.violation("pair " + i + " (" + xs[i].getClass().getSimpleName()
                                        + ") read as x=" + x[i] + ", y=" + y[i]);
                            }
                        }
                    });
                    if (runs.get() > 2) {
                        throw crew.violation("a read-only transaction ran " + runs.get() + " times");
                    }
                }
            });
        }
        crew.run();
        long sum = 0;
        for (Object account : accounts) {
            sum += Stm.atomicLong(() -> readAny(account));
        }
        assertEquals(total, sum, "the accounts' total changed (seed " + (SEED + 5) + ")");
    }

    @SuppressWarnings("unchecked")
    private static long readAny(Object cell) {
        if (cell instanceof LongRef ref) {
            return ref.get();
        }
        if (cell instanceof DoubleRef ref) {
            return (long) ref.get();
        }
        Long value = ((Ref<Long>) cell).get();
        return value == null ? 0 : value;
    }

    @SuppressWarnings("unchecked")
    private static void writeAny(Object cell, long value) {
        if (cell instanceof LongRef ref) {
            ref.set(value);
        } else if (cell instanceof DoubleRef ref) {
            ref.set(value);
        } else {
            ((Ref<Long>) cell).set(value == 0 ? null : Long.valueOf(value)); // fresh boxes: identity differs
        }
    }

    @SuppressWarnings("unchecked")
    private static void commuteAddAny(Object cell, long amount) {
        if (cell instanceof LongRef ref) {
            ref.commuteAdd(amount);
        } else if (cell instanceof DoubleRef ref) {
            ref.commute(v -> v + amount);
        } else {
            ((Ref<Long>) cell).commute(v -> v == null ? Long.valueOf(amount) : v + amount);
        }
    }

    /** One-operation increment of a ref only the calling thread writes. */
    @SuppressWarnings("unchecked")
    private static void bumpAny(Object cell, long before, SplittableRandom random) {
        if (cell instanceof LongRef ref) {
            ref.atomic().incrementAndGet();
        } else if (cell instanceof DoubleRef ref) {
            if (random.nextBoolean()) {
                ref.atomic().addAndGet(1.0);
            } else {
                ref.atomic().compareAndSet((double) before, before + 1.0);
            }
        } else {
            Ref<Long> ref = (Ref<Long>) cell;
            switch (random.nextInt(3)) {
                case 0 -> ref.atomic().updateAndGet(v -> v == null ? 1L : v + 1);
                case 1 -> ref.atomic().compareAndSet(ref.atomic().get(), before + 1);
                default -> ref.atomic().set(before + 1);
            }
        }
    }

    /** A Ref<Long> pair count, stored as null when it is a multiple of 3 (kept in the cell), else boxed (a node). */
    private static Long encodeCount(long count) {
        return count % 3 == 0 ? null : Long.valueOf(count);
    }

    /**
     * Whether a Ref<Long> pair read as (x, y), encoded by {@link #encodeCount}, can be a state in
     * which x was advanced at most once more than y: y <= x <= y + 1.
     */
    private static boolean refPairInStep(Long x, Long y) {
        if (x != null && y != null) {
            return x - y == 0 || x - y == 1;
        }
        if (x == null && y == null) {
            return true; // both multiples of 3: only equal ones are in step, which we cannot tell apart
        }
        if (x == null) { // x = y + 1, a multiple of 3
            return (y + 1) % 3 == 0;
        }
        return x % 3 == 1; // y = x - 1, a multiple of 3
    }

    /**
     * Invariant: pairs rewritten thousands of times between two reads of a long reader (so their
     * versions run far ahead of the clock, and every registered reader needs another old version
     * of them: in place, moved into a node, or in a node, with Ref<Long> values switching between
     * null, kept in the cell, and boxes, kept as nodes) are read in step by three concurrent long
     * readers, each x at most one step ahead of its y.
     */
    @Test
    void hotPairsRewrittenFarAheadOfTheClockAreReadInStepByConcurrentSnapshots() {
        int n = 2000;
        LongRef[] accounts = new LongRef[n];
        for (int i = 0; i < n; i++) {
            accounts[i] = new LongRef(INITIAL);
        }
        LongRef longX = new LongRef();
        LongRef longY = new LongRef();
        DoubleRef doubleX = new DoubleRef();
        DoubleRef doubleY = new DoubleRef();
        Ref<Long> refX = new Ref<>(encodeCount(0));
        Ref<Long> refY = new Ref<>(encodeCount(0));
        AtomicLong steps = new AtomicLong();
        Crew crew = new Crew("hotPairs", SEED + 9);
        int rounds = 150 * SCALE;
        crew.endless("hammer", random -> {
            long next = steps.get() + 1;
            longX.atomic().incrementAndGet();
            doubleX.atomic().addAndGet(1.0);
            refX.atomic().set(encodeCount(next));
            longY.atomic().getAndAdd(1);
            doubleY.atomic().compareAndSet(next - 1, next);
            refY.atomic().set(encodeCount(next));
            steps.set(next); // only this thread writes the pairs
        });
        for (int r = 0; r < 3; r++) {
            int reader = r;
            crew.finite("reader-" + r, random -> {
                while (steps.get() < 5_000 && !crew.stopped()) {
                    Thread.yield();
                }
                for (int round = 0; round < rounds && !crew.stopped(); round++) {
                    boolean force = (round + reader) % 3 == 0;
                    AtomicInteger runs = new AtomicInteger();
                    Stm.atomic(() -> {
                        int run = runs.incrementAndGet();
                        long ly = longY.get();
                        double dy = doubleY.get();
                        Long ry = refY.get();
                        long sum = 0;
                        for (int k = 0; k < n; k++) {
                            if (force && run == 1 && k == SWITCH_AT) {
                                int a = k + 20;
                                CompletableFuture.runAsync(() -> Stm.atomic(() -> {
                                    accounts[a].set(accounts[a].get() - 1);
                                    accounts[a + 1].set(accounts[a + 1].get() + 1);
                                }), crew.poker).orTimeout(30, TimeUnit.SECONDS).join();
                            }
                            sum += accounts[k].get();
                        }
                        long lx = longX.get();
                        double dx = doubleX.get();
                        Long rx = refX.get();
                        if (sum != INITIAL * n) {
                            throw crew.violation("a reader summed " + sum);
                        }
                        if (lx - ly < 0 || lx - ly > 1 || dx - dy < 0 || dx - dy > 1 || !refPairInStep(rx, ry)) {
                            throw crew.violation("hot pairs read out of step: long x=" + lx + " y=" + ly
                                    + ", double x=" + dx + " y=" + dy + ", ref x=" + rx + " y=" + ry
                                    + " (attempt " + run + ")");
                        }
                    });
                    if (runs.get() > 2) {
                        throw crew.violation("a read-only transaction ran " + runs.get() + " times");
                    }
                }
            });
        }
        crew.run();
    }

    // ------------------------------------------------------------------ short transactions and one-operation updates

    /**
     * Invariant: 0 <= x - y <= (threads advancing pairs) for every pair, where one-operation
     * updates advance x then y, transactions and guarded commits add the same amount to both, and
     * a transaction reading y, other refs, then x (in one state) never sees x behind y; a
     * one-operation read of y followed by one of x never sees x behind the y it read before
     * (linearizability).
     */
    @Test
    void oneOperationUpdatesAndTransactionsKeepEveryPairInStep() {
        int pairs = 16;
        LongRef[] xs = new LongRef[pairs];
        LongRef[] ys = new LongRef[pairs];
        for (int i = 0; i < pairs; i++) {
            xs[i] = new LongRef();
            ys[i] = new LongRef();
        }
        int advancers = 2;
        Crew crew = new Crew("pairsInStep", SEED + 6);
        int operations = 150_000 * SCALE;
        for (int t = 0; t < advancers; t++) {
            crew.finite("advancer-" + t, random -> {
                for (int k = 0; k < operations && !crew.stopped(); k++) {
                    int i = random.nextInt(pairs);
                    switch (random.nextInt(4)) {
                        case 0 -> { xs[i].atomic().incrementAndGet(); ys[i].atomic().getAndAdd(1); }
                        case 1 -> { xs[i].atomic().updateAndGet(v -> v + 1); ys[i].atomic().addAndGet(1); }
                        case 2 -> {
                            for (;;) { // compare-and-set loops
                                long v = xs[i].atomic().get();
                                if (xs[i].atomic().compareAndSet(v, v + 1)) {
                                    break;
                                }
                            }
                            for (;;) {
                                long v = ys[i].atomic().get();
                                if (ys[i].atomic().compareAndSet(v, v + 1)) {
                                    break;
                                }
                            }
                        }
                        default -> { // a transaction that keeps the difference, with a commute on y
                            long d = 1 + random.nextInt(3);
                            boolean readBack = random.nextBoolean();
                            Stm.atomic(() -> {
                                if (readBack) { // commutes on both, then reads that apply them to the snapshot
                                    xs[i].add(d);
                                    ys[i].add(d);
                                    long x = xs[i].get();
                                    long y = ys[i].get();
                                    if (x - y < 0 || x - y > advancers) {
                                        throw crew.violation("reads of commuted refs gave x=" + x + ", y=" + y);
                                    }
                                } else {
                                    xs[i].set(xs[i].get() + d);
                                    ys[i].add(d);
                                }
                            });
                        }
                    }
                }
            });
        }
        crew.endless("guarded", random -> { // a one-call two-cell commit: x += d, y += d
            int i = random.nextInt(pairs);
            long d = 1 + random.nextInt(3);
            long stamp = Barrier.valueStamp(xs[i]);
            long value = xs[i].atomic().get();
            if (Barrier.valueStamp(xs[i]) == stamp) {
                Barrier.compareStampsAndSet(null, 0, xs[i], stamp, value + d, null, ys[i], d);
            }
        });
        crew.endless("reader", random -> {
            int i = random.nextInt(pairs);
            int j = random.nextInt(pairs);
            if (random.nextBoolean()) {
                Stm.atomic(() -> {
                    long y = ys[i].get();
                    long other = xs[j].get() + ys[j].get();
                    long x = xs[i].get();
                    if (x - y < 0 || x - y > advancers) {
                        throw crew.violation("a transaction read pair " + i + " as x=" + x + ", y=" + y
                                + " (after reading pair " + j + ": " + other + ")");
                    }
                    long xj = xs[j].get();
                    long yj = ys[j].get();
                    if (xj + yj != other) {
                        throw crew.violation("re-reading pair " + j + " gave another value inside one transaction");
                    }
                });
            } else {
                long y = ys[i].atomic().get();
                long x = xs[i].atomic().get();
                if (x < y) {
                    throw crew.violation("a one-operation read of x=" + x + " after one of y=" + y
                            + ": x is never behind a y read before it");
                }
            }
        });
        crew.run();
        for (int i = 0; i < pairs; i++) {
            assertEquals(xs[i].atomic().get(), ys[i].atomic().get(), "pair " + i + " ended out of step");
        }
    }

    /**
     * Invariant: no wake-up is lost. Three threads pass a turn round (turn % 3 says whose it is),
     * each waiting in retry() for its turn, then passing it on with a different kind of commit (a
     * one-operation compare-and-set, a commuting transaction, a guarded commit); one of them waits
     * with 2,000 other refs in its read set. A lost wake-up stops the round: the race times out.
     */
    @Test
    void retryHandoffsWokenByEveryKindOfCommitAreNeverLost() {
        LongRef turn = new LongRef();
        LongRef[] ballast = new LongRef[2000];
        for (int i = 0; i < ballast.length; i++) {
            ballast[i] = new LongRef(1);
        }
        int passes = 3_000 * SCALE;
        Crew crew = new Crew("retryHandoffs", SEED + 11);
        for (int p = 0; p < 3; p++) {
            int me = p;
            crew.finite("player-" + p, random -> {
                for (int k = 0; k < passes && !crew.stopped(); k++) {
                    long mine = Stm.atomicLong(() -> {
                        if (me == 2) {
                            long sum = 0;
                            for (LongRef ref : ballast) {
                                sum += ref.get();
                            }
                            if (sum != ballast.length) {
                                throw crew.violation("the ballast summed " + sum);
                            }
                        }
                        long t = turn.get();
                        if (t % 3 != me) {
                            Stm.retry();
                        }
                        return t;
                    });
                    switch (me) {
                        case 0 -> {
                            if (!turn.atomic().compareAndSet(mine, mine + 1)) {
                                throw crew.violation("the turn moved while it was player 0's");
                            }
                        }
                        case 1 -> Stm.atomic(() -> turn.add(1)); // a commute wakes the next player
                        default -> {
                            long stamp = Barrier.valueStamp(turn);
                            if (turn.atomic().get() != mine
                                    || !Barrier.compareStampsAndSet(null, 0, turn, stamp, mine + 1, null, null, 0)) {
                                throw crew.violation("a guarded commit of player 2's turn failed");
                            }
                        }
                    }
                }
            });
        }
        crew.run();
        assertEquals(3L * passes, turn.atomic().get());
    }

    /**
     * Invariant: a transaction that re-reads the same few refs again and again, past the extension
     * limit, reads the same value for a ref every time within one attempt (repeatable reads follow
     * from opacity), while one-operation updates and transactions change those refs.
     */
    @Test
    void aReaderThatRereadsTheSameRefsPastTheExtensionLimitReadsThemAlike() {
        int hot = 8;
        LongRef[] refs = new LongRef[hot];
        Ref<Object>[] boxes = newRefArray(hot);
        for (int i = 0; i < hot; i++) {
            refs[i] = new LongRef();
            boxes[i] = new Ref<>(null);
        }
        Crew crew = new Crew("rereads", SEED + 7);
        int rounds = 1500 * SCALE;
        crew.endless("writer", random -> {
            int i = random.nextInt(hot);
            switch (random.nextInt(4)) {
                case 0 -> refs[i].atomic().incrementAndGet();
                case 1 -> boxes[i].atomic().set(random.nextBoolean() ? null : new Object());
                case 2 -> Stm.atomic(() -> {
                    refs[i].set(refs[i].get() + 1);
                    boxes[i].set(boxes[i].get() == null ? new Object() : null);
                });
                default -> Stm.atomic(() -> refs[i].add(1));
            }
        });
        crew.finite("rereader", random -> {
            for (int round = 0; round < rounds && !crew.stopped(); round++) {
                int passes = 200 + random.nextInt(200); // 1,600 to 3,200 reads of 8 refs, + as many boxes
                Stm.atomic(() -> {
                    long[] first = new long[hot];
                    Object[] firstBox = new Object[hot];
                    for (int pass = 0; pass < passes; pass++) {
                        for (int i = 0; i < hot; i++) {
                            long value = refs[i].get();
                            Object box = boxes[i].get();
                            if (pass == 0) {
                                first[i] = value;
                                firstBox[i] = box;
                            } else if (value != first[i] || box != firstBox[i]) {
                                throw crew.violation("pass " + pass + " read ref " + i + " as " + value + "/" + box
                                        + " after " + first[i] + "/" + firstBox[i] + " in the same attempt");
                            }
                        }
                    }
                });
            }
        });
        crew.run();
    }

    @SuppressWarnings("unchecked")
    private static Ref<Object>[] newRefArray(int n) {
        return (Ref<Object>[]) new Ref<?>[n];
    }

    // ------------------------------------------------------------------ aborts of every kind

    private static final class Planned extends RuntimeException {
        Planned(String what) {
            super(what, null, false, false);
        }
    }

    /**
     * Invariant: a transaction that does not commit publishes nothing, whichever way it ends (its
     * body throws, a beforeCommit hook throws, a commute function throws at commit, the external
     * decider rejects or throws, maxAttempts runs out, the timeout passes, an afterRollback hook
     * throws after a conflict, irrevocably or not), and one that commits (also with a throwing
     * afterCommit hook, or with a nested scope rolled back) publishes everything: the accounts'
     * total never changes, and each thread's own counter and ledger of amounts moved equal what
     * its committed transactions added. Every attempt sees the total (opacity).
     */
    @Test
    void transactionsThatEndWithoutCommittingPublishNothing() {
        int n = 24; // few accounts: many conflicts
        LongRef[] accounts = new LongRef[n];
        for (int i = 0; i < n; i++) {
            accounts[i] = new LongRef(INITIAL);
        }
        long total = INITIAL * n;
        int threads = 4;
        LongRef[] committed = new LongRef[threads];
        LongRef[] moved = new LongRef[threads];
        long[] expectedCommitted = new long[threads];
        long[] expectedMoved = new long[threads];
        int[] endings = new int[16];
        AtomicInteger unexpectedEndings = new AtomicInteger();
        Crew crew = new Crew("abortsPublishNothing", SEED + 8);
        int operations = 15_000 * SCALE;
        for (int t = 0; t < threads; t++) {
            int me = t;
            committed[t] = new LongRef();
            moved[t] = new LongRef();
            crew.finite("t" + t, random -> {
                for (int k = 0; k < operations && !crew.stopped(); k++) {
                    int from = random.nextInt(n);
                    int to = random.nextInt(n);
                    long amount = 1 + random.nextInt(9);
                    int ending = random.nextInt(13);
                    boolean irrevocable = random.nextInt(10) == 0;
                    TxnOptions options = switch (ending) {
                        case 6 -> TxnOptions.DEFAULT.withMaxAttempts(1 + random.nextInt(2));
                        case 7 -> TxnOptions.DEFAULT.withTimeout(Duration.ofNanos(1 + random.nextInt(20_000)));
                        default -> irrevocable ? IRREVOCABLE : TxnOptions.DEFAULT;
                    };
                    boolean[] commits = new boolean[1];
                    try {
                        Stm.atomic(options, () -> {
                            long sum = 0;
                            for (LongRef account : accounts) {
                                sum += account.get();
                            }
                            if (sum != total) {
                                throw crew.violation("an attempt summed " + sum + ", the total is " + total);
                            }
                            accounts[from].set(accounts[from].get() - amount);
                            if (ending == 3) {
                                accounts[to].commute(v -> { throw new Planned("commute function"); });
                            } else {
                                accounts[to].add(amount);
                            }
                            committed[me].increment();
                            moved[me].set(moved[me].get() + amount);
                            switch (ending) {
                                case 1 -> throw new Planned("body");
                                case 2 -> Stm.beforeCommit(() -> { throw new Planned("beforeCommit"); });
                                case 4 -> Stm.setExternalDecider(() -> false);
                                case 5 -> Stm.setExternalDecider(() -> { throw new Planned("decider"); });
                                case 8 -> Stm.afterRollback(() -> { throw new Planned("afterRollback"); });
                                case 9 -> Stm.afterCommit(() -> { throw new Planned("afterCommit"); });
                                case 10 -> { // a nested scope that writes everything again, then fails
                                    try {
                                        Stm.atomic(() -> {
                                            for (LongRef account : accounts) {
                                                account.set(account.get() + 1);
                                            }
                                            committed[me].add(1000);
                                            throw new Planned("nested");
                                        });
                                    } catch (Planned expected) {
                                        // rolled back alone
                                    }
                                }
                                case 11 -> Stm.beforeCommit(() -> accounts[to].set(accounts[to].get())); // a read-write hook
                                default -> { }
                            }
                        });
                        commits[0] = true;
                    } catch (AfterCommitException e) {
                        commits[0] = ending == 9;
                        if (ending != 9) {
                            unexpectedEndings.incrementAndGet();
                        }
                    } catch (CommitRejectedException | TooManyAttemptsException | TransactionTimeoutException e) {
                        boolean expected = e instanceof CommitRejectedException ? ending == 4
                                : e instanceof TooManyAttemptsException ? ending == 6 : ending == 7;
                        if (!expected) {
                            throw crew.violation("ending " + ending + " threw " + e);
                        }
                    } catch (Planned e) {
                        String what = e.getMessage();
                        boolean expected = switch (ending) {
                            case 1 -> what.equals("body");
                            case 2 -> what.equals("beforeCommit");
                            case 3 -> what.equals("commute function");
                            case 5 -> what.equals("decider");
                            case 8 -> what.equals("afterRollback");
                            default -> false;
                        };
                        if (!expected) {
                            throw crew.violation("ending " + ending + " threw " + e + " (suppressed: "
                                    + java.util.Arrays.toString(e.getSuppressed()) + ")");
                        }
                    }
                    if (commits[0]) {
                        expectedCommitted[me]++;
                        expectedMoved[me] += amount;
                    }
                    synchronized (endings) {
                        endings[ending]++;
                    }
                }
            });
        }
        crew.run();
        long sum = 0;
        for (LongRef account : accounts) {
            sum += account.atomic().get();
        }
        assertEquals(total, sum, "half a transfer was published (seed " + (SEED + 8) + ")");
        for (int t = 0; t < threads; t++) {
            assertEquals(expectedCommitted[t], committed[t].atomic().get(),
                    "thread " + t + ": commits counted by the refs differ from the commits seen (seed " + (SEED + 8) + ")");
            assertEquals(expectedMoved[t], moved[t].atomic().get(), "thread " + t + ": ledger differs");
        }
        assertEquals(0, unexpectedEndings.get());
        // Nothing stays locked or reserved: every account can still be written by a one-operation update.
        for (LongRef account : accounts) {
            CompletableFuture.runAsync(() -> account.atomic().getAndAdd(0)).orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    // ------------------------------------------------------------------ state of a rolled-back attempt

    /** Commits x += 1 on another thread and waits for it: the calling attempt's read of x is stale. */
    private static void changeElsewhere(LongRef x) {
        CompletableFuture.runAsync(() -> x.atomic().incrementAndGet()).orTimeout(30, TimeUnit.SECONDS).join();
    }

    /**
     * An attempt that sets an external decider and then loses a conflict is rolled back entirely:
     * its decider must not be asked by the next attempt, which set none. (The same body commits at
     * once when nothing conflicts; only the lost conflict makes it fail.)
     */
    // Regression (session 16): the next attempt carried the rolled-back attempt's decider and was
    // rejected by it (CommitRejectedException); an attempt's end now forgets its decider.
    @Test
    void aDeciderSetByAnAttemptThatLostAConflictIsNotAskedByTheNextAttempt() {
        LongRef x = new LongRef();
        LongRef y = new LongRef();
        AtomicInteger runs = new AtomicInteger();
        Stm.atomic(() -> {
            int run = runs.incrementAndGet();
            long seen = x.get();
            if (run == 1) {
                Stm.setExternalDecider(() -> false); // this attempt will be rolled back by the conflict
                changeElsewhere(x);
            }
            y.set(seen + 1);
        });
        assertEquals(2, runs.get(), "the first attempt should have lost the conflict on x");
        assertEquals(2, y.atomic().get());
    }

    /**
     * A body that sets a decider capturing what it read (a new decider object per attempt) runs
     * again after a lost conflict and sets its new decider: that is its first decider in the
     * attempt, not a second one, so it must not be refused.
     */
    // Regression (session 16): the second attempt threw IllegalStateException "This transaction
    // already has an external decider": the rolled-back attempt's decider was still set.
    @Test
    void aBodyThatSetsACapturingDeciderCanRunAgainAfterAConflict() {
        LongRef x = new LongRef();
        LongRef y = new LongRef();
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger asked = new AtomicInteger();
        Stm.atomic(() -> {
            int run = runs.incrementAndGet();
            long seen = x.get();
            Stm.setExternalDecider(() -> { // captures seen: a different object in every attempt
                asked.incrementAndGet();
                return seen >= 0;
            });
            if (run == 1) {
                changeElsewhere(x);
            }
            y.set(seen + 1);
        });
        assertEquals(2, runs.get());
        assertEquals(1, asked.get(), "only the committing attempt's decider is asked");
        assertEquals(2, y.atomic().get());
    }

    /** The same after a retry(): the attempt that retried is rolled back, its decider with it. */
    // Regression (session 16): as above, through the retry() wait.
    @Test
    void aDeciderSetBeforeRetryIsNotAskedAfterTheWakeUp() throws Exception {
        LongRef gate = new LongRef();
        LongRef y = new LongRef();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Void> opener = CompletableFuture.runAsync(() -> {
            try {
                waiting.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            gate.atomic().set(1);
        });
        Stm.atomic(() -> {
            if (gate.get() == 0) {
                Stm.setExternalDecider(() -> false);
                waiting.countDown();
                Stm.retry();
            }
            y.set(1);
        });
        opener.get(30, TimeUnit.SECONDS);
        assertEquals(1, y.atomic().get());
    }

    /**
     * An irrevocable transaction that only reads, with an external decider that lets it commit,
     * must give back the reservations it took on what it read: afterwards a one-operation update
     * of a ref it read completes (it waits only while a reservation is held).
     */
    // Regression (session 16): the update never completed: a commit with an empty write log and a
    // decider ended the attempt without giving back the reservations on the cells read.
    @Test
    void aReadOnlyIrrevocableTransactionWithADeciderGivesBackItsReservations() throws Exception {
        LongRef x = new LongRef();
        long seen = Stm.atomic(IRREVOCABLE, () -> {
            Stm.setExternalDecider(() -> true);
            return x.get();
        });
        assertEquals(0, seen);
        CompletableFuture<Long> update = CompletableFuture.supplyAsync(() -> x.atomic().incrementAndGet());
        try {
            assertEquals(1, update.get(30, TimeUnit.SECONDS)); // a liveness bound: a leaked reservation waits for ever
        } catch (java.util.concurrent.TimeoutException stuck) {
            Stm.atomic(IRREVOCABLE, () -> x.set(x.get())); // rescue: an irrevocable commit clears the bit
            update.get(30, TimeUnit.SECONDS);
            fail("a one-operation update of a ref read by a committed irrevocable transaction waited "
                    + "30 s for a reservation that was never given back");
        }
    }

    // ------------------------------------------------------------------ snapshot slots

    /**
     * A long reader made to switch to a registered snapshot part-way (another thread commits to two
     * unread accounts when it has read 1,500), then ended abnormally in each way a transaction can
     * end; afterwards a long reader still switches: it runs once although an account it has not read
     * yet changes after the switch, and it reads that account's old value. Invariant: the snapshot
     * registry's slots (16 on this machine) are all given back, 20 times each kind of ending.
     */
    @Test
    void aSwitchedReaderGivesItsSnapshotSlotBackHoweverItEnds() throws Exception {
        LongRef[] cells = new LongRef[ACCOUNTS];
        for (int i = 0; i < ACCOUNTS; i++) {
            cells[i] = new LongRef(INITIAL);
        }
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            int switchAt = 1500;
            String[] endings = {"exception", "afterCommit", "decider", "maxAttempts", "timeout", "nested"};
            for (String ending : endings) {
                for (int repeat = 0; repeat < 20; repeat++) {
                    AtomicInteger runs = new AtomicInteger();
                    TxnOptions options = switch (ending) {
                        case "maxAttempts" -> TxnOptions.DEFAULT.withMaxAttempts(1);
                        case "timeout" -> TxnOptions.DEFAULT.withTimeout(Duration.ofMillis(1));
                        default -> TxnOptions.DEFAULT;
                    };
                    try {
                        Stm.atomic(options, () -> {
                            int run = runs.incrementAndGet();
                            long sum = 0;
                            for (int i = 0; i < ACCOUNTS; i++) {
                                if (run == 1 && i == switchAt) {
                                    moveOn(other, cells, switchAt + 10, switchAt + 11);
                                }
                                sum += cells[i].get();
                            }
                            switch (ending) {
                                case "exception" -> throw new Planned("exception");
                                case "afterCommit" -> Stm.afterCommit(() -> { throw new Planned("afterCommit"); });
                                case "decider" -> Stm.setExternalDecider(() -> false);
                                case "maxAttempts" -> cells[0].set(cells[0].get()); // a write after the switch aborts
                                case "timeout" -> {
                                    long deadline = System.nanoTime() + 2_000_000;
                                    while (System.nanoTime() < deadline) {
                                        Thread.onSpinWait(); // let the timeout pass, then abort by writing
                                    }
                                    cells[0].set(cells[0].get());
                                }
                                default -> Stm.atomic(() -> cells[1].set(cells[1].get())); // aborts the attempt
                            }
                        });
                    } catch (Planned | AfterCommitException | CommitRejectedException | TooManyAttemptsException
                             | TransactionTimeoutException expected) {
                        // every ending but "nested" ends here
                    }
                }
            }
            // Every slot must be free again: this reader switches (one run) and reads a kept old value.
            AtomicInteger runs = new AtomicInteger();
            long sum = Stm.atomicLong(() -> {
                int run = runs.incrementAndGet();
                long total = 0;
                for (int i = 0; i < ACCOUNTS; i++) {
                    if (run == 1 && i == switchAt) {
                        moveOn(other, cells, switchAt + 10, switchAt + 11); // both unread: makes it switch
                    }
                    if (run == 1 && i == switchAt + 100) {
                        moveOn(other, cells, 3, switchAt + 200); // read to unread, after the switch
                    }
                    total += cells[i].get();
                }
                return total;
            });
            assertEquals(INITIAL * ACCOUNTS, sum, "the reader mixed states");
            assertEquals(1, runs.get(), "the long reader could not switch to a snapshot after readers that "
                    + "switched ended abnormally: a snapshot slot was not given back");
        } finally {
            other.shutdownNow();
        }
    }

    private static void moveOn(ExecutorService other, LongRef[] cells, int from, int to) {
        CompletableFuture.runAsync(() -> Stm.atomic(() -> {
            cells[from].set(cells[from].get() - 1);
            cells[to].set(cells[to].get() + 1);
        }), other).join();
    }
}
