package dev.weft.check;

import dev.weft.refs.Ref;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Elle's list-append workload over Weft refs: each key holds a list that only grows; a
 * transaction does 1 to {@code maxOpsPerTxn} micro-operations, each an append of a unique element
 * or a read of the whole list. Reads of lists reveal the full order of appends, so this is the
 * workload on which {@link SerializabilityChecker} infers the most.
 *
 * <p>Keys rotate so lists stay short: worker transaction {@code i} picks among the
 * {@code keysPerWindow} keys of window {@code i / transactionsPerWindow}.
 *
 * <p>Thread-safety: thread-safe; each list is a {@code Ref<long[]>} (arrays never mutated after
 * publication) touched only through its {@code atomic()} view inside the
 * {@link TransactionRunner}'s transaction; refs are created on first use.
 */
public final class ListAppendWorkload implements Workload {
    private static final long[] EMPTY = new long[0];

    private final int keysPerWindow;
    private final int transactionsPerWindow;
    private final int maxOpsPerTxn;
    private final TransactionRunner runner;
    private final ConcurrentHashMap<Long, Ref<long[]>> lists = new ConcurrentHashMap<>();
    private final int[] transactionsRun = new int[1024];

    /**
     * A list-append workload over Weft refs holding immutable arrays.
     *
     * @param keysPerWindow keys in use at a time, at least 1 (fewer keys, more conflicts)
     * @param transactionsPerWindow transactions per worker before it moves to fresh keys, at least 1
     * @param maxOpsPerTxn micro-operations per transaction, at most, at least 1
     * @param runner the transaction boundary, normally {@link TransactionRunner#WEFT}
     */
    public ListAppendWorkload(int keysPerWindow, int transactionsPerWindow, int maxOpsPerTxn, TransactionRunner runner) {
        if (keysPerWindow < 1 || transactionsPerWindow < 1 || maxOpsPerTxn < 1) {
            throw new IllegalArgumentException("keysPerWindow, transactionsPerWindow and maxOpsPerTxn must be >= 1");
        }
        this.keysPerWindow = keysPerWindow;
        this.transactionsPerWindow = transactionsPerWindow;
        this.maxOpsPerTxn = maxOpsPerTxn;
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /**
     * 4 keys at a time, fresh keys every 40 transactions per worker, up to 4 micro-operations.
     *
     * @return a new workload, recording through {@link TransactionRunner#WEFT}
     */
    public static ListAppendWorkload weft() {
        return new ListAppendWorkload(4, 40, 4, TransactionRunner.WEFT);
    }

    @Override
    public void transaction(int thread, SplittableRandom random, ThreadRecorder recorder) {
        if (thread >= transactionsRun.length) {
            throw new IllegalArgumentException("at most " + transactionsRun.length + " workers");
        }
        int index = transactionsRun[thread]++; // each worker touches only its own slot
        long window = index / transactionsPerWindow;
        int ops = 1 + random.nextInt(maxOpsPerTxn);
        long[] keys = new long[ops];
        boolean[] appends = new boolean[ops];
        for (int i = 0; i < ops; i++) {
            keys[i] = window * keysPerWindow + random.nextInt(keysPerWindow);
            appends[i] = random.nextBoolean();
        }
        runner.run(recorder, () -> {
            for (int i = 0; i < ops; i++) {
                Ref<long[]> list = lists.computeIfAbsent(keys[i], k -> new Ref<>(EMPTY));
                long[] current = list.atomic().get();
                if (appends[i]) {
                    long element = recorder.uniqueValue(); // fresh in every attempt: unique per key
                    long[] grown = Arrays.copyOf(current, current.length + 1);
                    grown[current.length] = element;
                    list.atomic().set(grown);
                    recorder.append(keys[i], element);
                } else {
                    recorder.readList(keys[i], current);
                }
            }
        });
    }

    @Override
    public String toString() {
        return "list-append(" + keysPerWindow + " keys per window of " + transactionsPerWindow + ", up to "
                + maxOpsPerTxn + " ops)";
    }
}
