package dev.weft.check;

import dev.weft.refs.LongRef;
import dev.weft.refs.Ref;
import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link ListAppendWorkload} with Weft's composition operators in the transaction body: besides
 * plain reads and appends, a micro-operation may be
 * <ul>
 *   <li><b>nested</b>: a nested {@code Stm.atomic} scope reads a list and appends to it, and with
 *       probability {@code abandonShare} then throws; the outer transaction catches the exception
 *       (the scope's append is rolled back, the transaction goes on) and reads the list again;</li>
 *   <li><b>orElse</b>: {@code Stm.orElse(first, second)} where {@code first} reads a list, appends
 *       to it and calls {@code Stm.retry()} if the length it read is odd, so {@code second}
 *       (which never retries) appends to another list instead;</li>
 *   <li><b>commute</b>: {@code commuteAdd(1)} on a per-key {@link LongRef} counter.</li>
 * </ul>
 *
 * <p>Recording. Rolled-back parts are recorded provisionally and dropped with
 * {@link ThreadRecorder#rollbackTo(int)}: an abandoned scope loses its read and its append (the
 * outer transaction re-reads the list to show what survived); a retried {@code first} loses its
 * append but keeps its read, which stays in the transaction's read set and came from its
 * snapshot. Commutes do not fit the unique-value model and are not recorded; instead each worker
 * tallies the commutes of its transactions that committed (after the runner returned), and
 * {@link #invariantViolations()} compares each counter with the tallies' sum.
 *
 * <p>Thread-safety: thread-safe; lists and counters live in refs touched only inside the
 * {@link TransactionRunner}'s transaction, each worker's tally only by that worker until the
 * run is over.
 */
public final class ComposedListAppendWorkload implements Workload {
    private static final long[] EMPTY = new long[0];
    private static final int MAX_WORKERS = 1024;
    private static final byte READ = 0;
    private static final byte APPEND = 1;
    private static final byte NESTED = 2;
    private static final byte NESTED_ABANDONED = 3;
    private static final byte OR_ELSE = 4;
    private static final byte COMMUTE = 5;

    private final int keysPerWindow;
    private final int transactionsPerWindow;
    private final int maxOpsPerTxn;
    private final double nestedShare;
    private final double abandonShare;
    private final double orElseShare;
    private final double commuteShare;
    private final TransactionRunner runner;
    private final boolean recordRolledBack;
    private final long commuteDelta; // 1; 2 in the twin whose counters must disagree with the tallies
    private final ConcurrentHashMap<Long, Ref<long[]>> lists = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, LongRef> counters = new ConcurrentHashMap<>();
    // slot i written only by worker i; read by invariantViolations() after the workers are joined
    // Transactions started by all workers: the window is the same for every worker at a time, so
    // workers that drift apart still contend for the same keys (per-worker windows let a worker
    // that started a little later work on keys nobody else touched any more: almost no conflicts).
    private final AtomicLong transactionsStarted = new AtomicLong();
    private final int[] abandonedScopes = new int[MAX_WORKERS]; // in every attempt, committed or not
    private final int[] retriedAlternatives = new int[MAX_WORKERS];
    @SuppressWarnings("unchecked")
    private final HashMap<Long, Long>[] committedCommutes = new HashMap[MAX_WORKERS];

    /**
     * A composed list-append workload over Weft refs.
     *
     * @param keysPerWindow keys in use at a time, at least 1
     * @param transactionsPerWindow transactions (of all workers together) before they move to fresh
     *     keys, at least 1
     * @param maxOpsPerTxn micro-operations per transaction, at most, at least 1
     * @param nestedShare fraction of micro-operations run in a nested scope
     * @param abandonShare fraction of nested scopes that throw and are rolled back
     * @param orElseShare fraction of micro-operations run as an {@code orElse}
     * @param commuteShare fraction of micro-operations that commute a counter
     * @param runner the transaction boundary, normally {@link TransactionRunner#WEFT}
     * @throws IllegalArgumentException if a count is below 1, a fraction outside 0 to 1, or
     *     {@code nestedShare + orElseShare + commuteShare} above 1
     */
    public ComposedListAppendWorkload(int keysPerWindow, int transactionsPerWindow, int maxOpsPerTxn,
            double nestedShare, double abandonShare, double orElseShare, double commuteShare,
            TransactionRunner runner) {
        this(keysPerWindow, transactionsPerWindow, maxOpsPerTxn, nestedShare, abandonShare, orElseShare,
                commuteShare, runner, false);
    }

    /** As the public constructor; {@code recordRolledBack} keeps rolled-back ops (a broken recorder, for twins). */
    ComposedListAppendWorkload(int keysPerWindow, int transactionsPerWindow, int maxOpsPerTxn, double nestedShare,
            double abandonShare, double orElseShare, double commuteShare, TransactionRunner runner,
            boolean recordRolledBack) {
        this(keysPerWindow, transactionsPerWindow, maxOpsPerTxn, nestedShare, abandonShare, orElseShare, commuteShare,
                runner, recordRolledBack, 1);
    }

    /** As above; {@code commuteDelta} other than 1 breaks the counters on purpose (a twin for the commute check). */
    ComposedListAppendWorkload(int keysPerWindow, int transactionsPerWindow, int maxOpsPerTxn, double nestedShare,
            double abandonShare, double orElseShare, double commuteShare, TransactionRunner runner,
            boolean recordRolledBack, long commuteDelta) {
        if (keysPerWindow < 1 || transactionsPerWindow < 1 || maxOpsPerTxn < 1) {
            throw new IllegalArgumentException("keysPerWindow, transactionsPerWindow and maxOpsPerTxn must be >= 1");
        }
        if (!isFraction(nestedShare) || !isFraction(abandonShare) || !isFraction(orElseShare)
                || !isFraction(commuteShare) || nestedShare + orElseShare + commuteShare > 1) {
            throw new IllegalArgumentException("shares must be within 0..1, and nestedShare + orElseShare + "
                    + "commuteShare at most 1");
        }
        this.keysPerWindow = keysPerWindow;
        this.transactionsPerWindow = transactionsPerWindow;
        this.maxOpsPerTxn = maxOpsPerTxn;
        this.nestedShare = nestedShare;
        this.abandonShare = abandonShare;
        this.orElseShare = orElseShare;
        this.commuteShare = commuteShare;
        this.runner = Objects.requireNonNull(runner, "runner");
        this.recordRolledBack = recordRolledBack;
        this.commuteDelta = commuteDelta;
    }

    /**
     * 4 keys at a time, fresh keys every 40 transactions (all workers together), up to 4 micro-operations:
     * 20 % nested (half of them abandoned), 20 % orElse, 10 % commute, the rest plain.
     *
     * @return a new workload, recording through {@link TransactionRunner#WEFT}
     */
    public static ComposedListAppendWorkload weft() {
        return new ComposedListAppendWorkload(4, 40, 4, 0.2, 0.5, 0.2, 0.1, TransactionRunner.WEFT);
    }

    @Override
    public void transaction(int thread, SplittableRandom random, ThreadRecorder recorder) {
        if (thread >= MAX_WORKERS) {
            throw new IllegalArgumentException("at most " + MAX_WORKERS + " workers");
        }
        long window = transactionsStarted.getAndIncrement() / transactionsPerWindow;
        int ops = 1 + random.nextInt(maxOpsPerTxn);
        byte[] kinds = new byte[ops];
        long[] keys = new long[ops];
        long[] otherKeys = new long[ops];
        for (int i = 0; i < ops; i++) {
            keys[i] = window * keysPerWindow + random.nextInt(keysPerWindow);
            otherKeys[i] = window * keysPerWindow + random.nextInt(keysPerWindow);
            double draw = random.nextDouble();
            if (draw < nestedShare) {
                kinds[i] = random.nextDouble() < abandonShare ? NESTED_ABANDONED : NESTED;
            } else if (draw < nestedShare + orElseShare) {
                kinds[i] = OR_ELSE;
            } else if (draw < nestedShare + orElseShare + commuteShare) {
                kinds[i] = COMMUTE;
            } else {
                kinds[i] = random.nextBoolean() ? APPEND : READ;
            }
        }
        runner.run(recorder, () -> {
            for (int i = 0; i < ops; i++) {
                switch (kinds[i]) {
                    case READ -> recorder.readList(keys[i], list(keys[i]).atomic().get());
                    case APPEND -> append(recorder, keys[i]);
                    case NESTED, NESTED_ABANDONED -> {
                        if (nested(recorder, keys[i], kinds[i] == NESTED_ABANDONED)) {
                            abandonedScopes[thread]++;
                        }
                    }
                    case OR_ELSE -> {
                        if (orElse(recorder, keys[i], otherKeys[i])) {
                            retriedAlternatives[thread]++;
                        }
                    }
                    case COMMUTE -> counter(keys[i]).commuteAdd(commuteDelta);
                    default -> throw new AssertionError(kinds[i]);
                }
            }
        });
        // the runner returned normally: this transaction committed, with its commutes
        HashMap<Long, Long> tally = committedCommutes[thread];
        for (int i = 0; i < ops; i++) {
            if (kinds[i] == COMMUTE) {
                if (tally == null) {
                    tally = committedCommutes[thread] = new HashMap<>();
                }
                tally.merge(keys[i], 1L, Long::sum);
            }
        }
    }

    /**
     * A nested scope reads and appends to {@code key}, then maybe throws; the list is read again
     * after it. Returns whether the scope was abandoned.
     */
    private boolean nested(ThreadRecorder recorder, long key, boolean abandon) {
        int mark = recorder.mark();
        boolean abandoned = false;
        try {
            Stm.atomic(() -> {
                recorder.readList(key, list(key).atomic().get());
                append(recorder, key);
                if (abandon) {
                    throw AbandonedScope.INSTANCE;
                }
            });
        } catch (AbandonedScope e) {
            abandoned = true;
            if (!recordRolledBack) {
                recorder.rollbackTo(mark); // the scope's writes were rolled back; its read goes too
            }
        }
        recorder.readList(key, list(key).atomic().get());
        return abandoned;
    }

    /**
     * {@code first} appends to {@code key} and retries if the length it read is odd; {@code second}
     * appends to {@code other}. Returns whether {@code first} retried.
     */
    private boolean orElse(ThreadRecorder recorder, long key, long other) {
        int[] mark = {-1}; // set by first after its read, which stays recorded
        boolean[] secondRan = {false};
        Stm.orElse(() -> {
            long[] current = list(key).atomic().get();
            recorder.readList(key, current);
            mark[0] = recorder.mark();
            append(recorder, key, current);
            if ((current.length & 1) == 1) {
                Stm.retry();
            }
        }, () -> {
            secondRan[0] = true;
            if (mark[0] >= 0 && !recordRolledBack) {
                recorder.rollbackTo(mark[0]); // first's append was rolled back
            }
            append(recorder, other);
        });
        return secondRan[0];
    }

    private void append(ThreadRecorder recorder, long key) {
        append(recorder, key, list(key).atomic().get());
    }

    private void append(ThreadRecorder recorder, long key, long[] current) {
        long element = recorder.uniqueValue(); // fresh in every attempt: unique per key
        long[] grown = Arrays.copyOf(current, current.length + 1);
        grown[current.length] = element;
        list(key).atomic().set(grown);
        recorder.append(key, element);
    }

    private Ref<long[]> list(long key) {
        return lists.computeIfAbsent(key, k -> new Ref<>(EMPTY));
    }

    private LongRef counter(long key) {
        return counters.computeIfAbsent(key, k -> new LongRef(0));
    }

    /**
     * Counters that differ from the number of committed transactions that commuted them. Call
     * after the workers have finished.
     *
     * @return one line per wrong counter, empty if all agree
     */
    @Override
    public List<String> invariantViolations() {
        Map<Long, Long> expected = new TreeMap<>();
        for (HashMap<Long, Long> tally : committedCommutes) {
            if (tally != null) {
                tally.forEach((key, count) -> expected.merge(key, count, Long::sum));
            }
        }
        List<String> violations = new ArrayList<>();
        new TreeMap<>(counters).forEach((key, counter) -> {
            long actual = counter.atomic().get();
            long want = expected.getOrDefault(key, 0L);
            if (actual != want) {
                violations.add("counter " + key + " is " + actual + ", but " + want
                        + " committed transactions commuted it");
            }
        });
        return violations;
    }

    /** Nested scopes abandoned so far, in all attempts (to show the run exercised them). */
    int abandonedScopes() {
        return Arrays.stream(abandonedScopes).sum();
    }

    /** {@code orElse} alternatives that retried so far, in all attempts. */
    int retriedAlternatives() {
        return Arrays.stream(retriedAlternatives).sum();
    }

    /** Counters commuted by committed transactions so far: the sum of the workers' tallies. */
    long committedCommutes() {
        long sum = 0;
        for (HashMap<Long, Long> tally : committedCommutes) {
            if (tally != null) {
                for (long count : tally.values()) {
                    sum += count;
                }
            }
        }
        return sum;
    }

    @Override
    public String toString() {
        return "composed-list-append(" + keysPerWindow + " keys per window of " + transactionsPerWindow + ", up to "
                + maxOpsPerTxn + " ops; nested " + nestedShare + " (abandoned " + abandonShare + "), orElse "
                + orElseShare + ", commute " + commuteShare + (recordRolledBack ? ", recording rolled-back ops" : "")
                + ")";
    }

    private static boolean isFraction(double share) {
        return share >= 0 && share <= 1;
    }

    /** Thrown by an abandoned nested scope and caught by the outer transaction. */
    private static final class AbandonedScope extends RuntimeException {
        static final AbandonedScope INSTANCE = new AbandonedScope();

        private AbandonedScope() {
            super("nested scope abandoned by the workload", null, false, false);
        }
    }
}
