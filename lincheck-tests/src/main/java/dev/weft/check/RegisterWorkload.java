package dev.weft.check;

import dev.weft.refs.LongRef;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Elle's read-write register workload over Weft {@link LongRef}s: a transaction does 1 to
 * {@code maxOpsPerTxn} micro-operations on a few keys, each a read, a read followed by a write of
 * a unique value (read-modify-write), or, with probability {@code blindWriteShare}, a write
 * without a read. Read-modify-writes let the checker order each key's versions; blind writes
 * are allowed but give it less to infer from.
 *
 * <p>Thread-safety: thread-safe; each register is a {@code LongRef} touched only through its
 * {@code atomic()} view inside the {@link TransactionRunner}'s transaction.
 */
public final class RegisterWorkload implements Workload {
    private final int keys;
    private final int maxOpsPerTxn;
    private final double blindWriteShare;
    private final TransactionRunner runner;
    private final ConcurrentHashMap<Long, LongRef> registers = new ConcurrentHashMap<>();

    /**
     * A register workload over Weft {@code LongRef}s.
     *
     * @param keys number of registers, at least 1
     * @param maxOpsPerTxn micro-operations per transaction, at most, at least 1
     * @param blindWriteShare fraction of micro-operations that write without reading, 0 to 1
     * @param runner the transaction boundary, normally {@link TransactionRunner#WEFT}
     */
    public RegisterWorkload(int keys, int maxOpsPerTxn, double blindWriteShare, TransactionRunner runner) {
        if (keys < 1 || maxOpsPerTxn < 1 || !(blindWriteShare >= 0 && blindWriteShare <= 1)) { // NaN fails too
            throw new IllegalArgumentException("keys and maxOpsPerTxn must be >= 1, blindWriteShare within 0..1");
        }
        this.keys = keys;
        this.maxOpsPerTxn = maxOpsPerTxn;
        this.blindWriteShare = blindWriteShare;
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    /**
     * 6 registers, up to 4 micro-operations, one write in twenty blind.
     *
     * @return a new workload, recording through {@link TransactionRunner#WEFT}
     */
    public static RegisterWorkload weft() {
        return new RegisterWorkload(6, 4, 0.05, TransactionRunner.WEFT);
    }

    @Override
    public void transaction(int thread, SplittableRandom random, ThreadRecorder recorder) {
        int ops = 1 + random.nextInt(maxOpsPerTxn);
        long[] keyOf = new long[ops];
        int[] kind = new int[ops]; // 0 read, 1 read then write, 2 blind write
        for (int i = 0; i < ops; i++) {
            keyOf[i] = random.nextInt(keys);
            double choice = random.nextDouble();
            kind[i] = choice < blindWriteShare ? 2 : choice < 0.5 + blindWriteShare / 2 ? 1 : 0;
        }
        runner.run(recorder, () -> {
            for (int i = 0; i < ops; i++) {
                LongRef register = registers.computeIfAbsent(keyOf[i], k -> new LongRef());
                if (kind[i] != 2) {
                    recorder.read(keyOf[i], register.atomic().get());
                }
                if (kind[i] != 0) {
                    long value = recorder.uniqueValue(); // fresh in every attempt: unique per key
                    register.atomic().set(value);
                    recorder.write(keyOf[i], value);
                }
            }
        });
    }

    @Override
    public String toString() {
        return "rw-register(" + keys + " keys, up to " + maxOpsPerTxn + " ops, blind writes " + blindWriteShare + ")";
    }
}
