package dev.weft.scheduler;

import dev.weft.scheduler.internal.BackoffPolicy;
import dev.weft.scheduler.internal.PriorityPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * Decides what a scheduler's worker does after one of its task's transaction attempts lost a
 * conflict: wait a while, retry at once, or escalate the next attempt to irrevocable mode (it then
 * cannot abort; writers of the cells it uses wait for it instead).
 *
 * <p>Whatever the policy answers, the scheduler escalates a task that has lost
 * {@link TxnScheduler.Builder#escalateAfter(int) escalateAfter} attempts, so every task finishes;
 * and before asking the policy it may move the task to the worker that ran its opponent (see
 * {@link TxnScheduler.Builder#placement(boolean)}). A wait ends early when the opponent's task
 * finishes.
 *
 * <p>Thread-safety: one policy instance serves every worker of a scheduler, concurrently; it is
 * called outside any transaction (the lost attempt is already rolled back) and must not block or
 * run transactions. Implementations should keep no shared mutable state.
 */
@FunctionalInterface
public interface ContentionPolicy {
    /** Returned by {@link #onConflict} to run the next attempt irrevocably. */
    long ESCALATE = -1;

    /**
     * Decides how the worker goes on after an attempt of its task lost a conflict; called on that
     * worker, outside the transaction, once per lost attempt.
     *
     * @param conflict the lost attempt (valid during this call only)
     * @return nanoseconds to wait before the next attempt (0: at once; at most
     *     {@link #MAX_WAIT_NANOS} is waited), or {@link #ESCALATE}
     */
    long onConflict(Conflict conflict);

    /**
     * The longest wait after one lost attempt: a longer answer is cut to it (10 ms), so that a
     * policy's mistake delays a task but never wedges its worker. Conflicts last microseconds.
     */
    long MAX_WAIT_NANOS = 10_000_000L;

    /**
     * The default: randomized exponential backoff with full jitter, a wait drawn uniformly from
     * {@code [0, min(256 ns * 2^(attempts-1), 128 us)]}.
     *
     * @return the policy
     */
    static ContentionPolicy exponentialBackoff() {
        return BackoffPolicy.DEFAULT;
    }

    /**
     * Exponential backoff with full jitter between the given bounds.
     *
     * @param first the upper bound of the first wait (positive)
     * @param max the largest upper bound, at least {@code first}
     * @return the policy
     * @throws IllegalArgumentException unless {@code 0 < first <= max}
     * @throws NullPointerException if an argument is null
     */
    static ContentionPolicy exponentialBackoff(Duration first, Duration max) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        long firstNanos = first.toNanos();
        long maxNanos = max.toNanos();
        if (firstNanos <= 0 || maxNanos < firstNanos) {
            throw new IllegalArgumentException("exponentialBackoff needs 0 < first <= max, got first="
                    + first + ", max=" + max);
        }
        return new BackoffPolicy(firstNanos, maxNanos);
    }

    /**
     * Greedy-style priority: the task that started first wins. The younger task of a conflict
     * waits (up to 1 ms, ending when the older task finishes); the older one retries at once and
     * escalates from its second lost attempt, which makes it unabortable. Conflicts with unknown
     * opponents fall back to {@link #exponentialBackoff()}.
     *
     * @return the policy
     */
    static ContentionPolicy olderWins() {
        return PriorityPolicy.OLDER_WINS;
    }

    /**
     * Karma-style priority: the larger task wins, with the same reactions as {@link #olderWins()}.
     * Larger means more refs read and written in lost attempts (plus, for the opponent, an
     * estimate of its running attempt; see {@link Conflict#opponentSize()}); on equal sizes, more
     * time invested in attempts; then the older task.
     *
     * @return the policy
     */
    static ContentionPolicy largerWins() {
        return PriorityPolicy.LARGER_WINS;
    }
}
