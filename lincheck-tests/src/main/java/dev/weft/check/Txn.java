package dev.weft.check;

import java.util.List;
import java.util.Objects;

/**
 * One recorded transaction attempt.
 *
 * <p>Thread-safety: an immutable record.
 *
 * @param id the attempt's index in its {@link History}, from 0
 * @param thread the index of the {@link ThreadRecorder} that recorded it (in creation order)
 * @param sequence the attempt's position among its thread's attempts, from 0
 * @param outcome whether it committed
 * @param ops its micro-operations in program order
 */
public record Txn(int id, int thread, int sequence, Outcome outcome, List<Op> ops) {
    /**
     * Copies {@code ops}; rejects nulls.
     *
     * @param id the attempt's index in its {@link History}, from 0
     * @param thread the index of the {@link ThreadRecorder} that recorded it (in creation order)
     * @param sequence the attempt's position among its thread's attempts, from 0
     * @param outcome whether it committed
     * @param ops its micro-operations in program order
     */
    public Txn {
        Objects.requireNonNull(outcome, "outcome");
        ops = List.copyOf(Objects.requireNonNull(ops, "ops"));
    }

    /**
     * A short label such as {@code T12 (thread 1 #4, committed)}.
     *
     * @return the label
     */
    public String label() {
        return "T" + id + " (thread " + thread + " #" + sequence + ", " + outcome.name().toLowerCase() + ")";
    }

    @Override
    public String toString() {
        return label() + " " + ops;
    }
}
