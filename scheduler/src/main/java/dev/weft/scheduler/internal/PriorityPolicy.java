package dev.weft.scheduler.internal;

import dev.weft.scheduler.Conflict;
import dev.weft.scheduler.ContentionPolicy;

/**
 * Greedy (older wins) and Karma (larger wins: more refs accessed by the attempts an abort threw
 * away, then more time in attempts, then older) in the form the engine's hook allows. The hook
 * runs on the loser after its attempt is rolled back; it cannot abort the opponent. So a task that
 * has priority over its opponent retries at once and, from its second lost attempt, escalates:
 * an irrevocable attempt cannot abort, and writers of the cells it reserved wait for it, which is
 * what "the winner goes first" means here. A task without priority waits up to
 * {@link #YIELD_NANOS}, a wait the scheduler ends as soon as the opponent's task finishes.
 *
 * <p>Thread-safety: immutable.
 */
public final class PriorityPolicy implements ContentionPolicy {
    public static final PriorityPolicy OLDER_WINS = new PriorityPolicy(false);
    public static final PriorityPolicy LARGER_WINS = new PriorityPolicy(true);

    /** The longest a lower-priority task waits for its opponent before its next attempt. */
    static final long YIELD_NANOS = 1_000_000;
    /** Lost attempts after which a higher-priority task escalates. */
    static final int ESCALATE_WINNER_AFTER = 2;

    private final boolean bySize;

    private PriorityPolicy(boolean bySize) {
        this.bySize = bySize;
    }

    @Override
    public long onConflict(Conflict conflict) {
        if (!conflict.opponentKnown()) {
            return BackoffPolicy.DEFAULT.delay(conflict.attempts());
        }
        if (hasPriority(conflict)) {
            return conflict.attempts() >= ESCALATE_WINNER_AFTER ? ESCALATE : 0;
        }
        return YIELD_NANOS;
    }

    private boolean hasPriority(Conflict conflict) {
        if (bySize) {
            long mine = conflict.taskSize();
            long theirs = conflict.opponentSize();
            if (mine != theirs) {
                return mine > theirs;
            }
            long myWork = conflict.taskWorkNanos();
            long theirWork = conflict.opponentWorkNanos();
            if (myWork != theirWork) {
                return myWork > theirWork;
            }
        }
        return conflict.taskStartNanos() - conflict.opponentStartNanos() < 0;
    }

    @Override
    public String toString() {
        return bySize ? "largerWins" : "olderWins";
    }
}
