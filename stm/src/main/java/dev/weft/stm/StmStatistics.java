package dev.weft.stm;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of Weft's always-on counters, summed over every thread that ever ran a
 * transaction (threads that have ended included) since start or the last {@link Stm#resetStatistics()}.
 *
 * <p>The counters are per thread and updated without synchronization by their owner, so a
 * snapshot taken while transactions run is not atomic: each count is exact at some instant during
 * the call, and all counts are exact when no transaction runs. Immutable.
 *
 * @param commits          transactions (and attempts) that committed with writes
 * @param readOnlyCommits  transactions that committed without writing
 * @param aborts           rolled-back attempts by cause (every cause present, zero if none)
 * @param escalations      transactions that turned irrevocable after repeated conflicts
 * @param blockedWaits     times a thread parked in {@code retry()}
 */
public record StmStatistics(long commits, long readOnlyCommits, Map<AbortCause, Long> aborts,
                            long escalations, long blockedWaits) {
    /**
     * Copies {@code aborts} into an unmodifiable map with every cause (zero where absent).
     *
     * @param commits          transactions (and attempts) that committed with writes
     * @param readOnlyCommits  transactions that committed without writing
     * @param aborts           rolled-back attempts by cause; missing causes count zero
     * @param escalations      transactions that turned irrevocable after repeated conflicts
     * @param blockedWaits     times a thread parked in {@code retry()}
     * @throws NullPointerException if {@code aborts} is null
     */
    public StmStatistics {
        EnumMap<AbortCause, Long> copy = new EnumMap<>(AbortCause.class);
        for (AbortCause cause : AbortCause.values()) {
            copy.put(cause, aborts.getOrDefault(cause, 0L));
        }
        aborts = Collections.unmodifiableMap(copy);
    }

    /**
     * The count of one abort cause.
     *
     * @param cause the cause to look up
     * @return the rolled-back attempts with that cause
     */
    public long aborts(AbortCause cause) {
        return aborts.get(cause);
    }

    /**
     * The sum of the three conflict causes ({@link AbortCause#READ_CONFLICT},
     * {@link AbortCause#WRITE_CONFLICT}, {@link AbortCause#VALIDATION}).
     *
     * @return rolled-back attempts lost to conflicts (read, write, validation): the re-runs that
     *         contention cost
     */
    public long conflicts() {
        return aborts(AbortCause.READ_CONFLICT) + aborts(AbortCause.WRITE_CONFLICT) + aborts(AbortCause.VALIDATION);
    }

    /**
     * The conflict rate: how often, on average, a committed transaction ran again because of a
     * conflict.
     *
     * @return conflicts per committed transaction (0 when nothing committed)
     */
    public double conflictsPerCommit() {
        long committed = commits + readOnlyCommits;
        return committed == 0 ? 0 : (double) conflicts() / committed;
    }

    /**
     * The difference of two snapshots, for measuring an interval without resetting the counters.
     *
     * @param earlier a snapshot taken before this one
     * @return the counts accumulated between the two snapshots
     */
    public StmStatistics minus(StmStatistics earlier) {
        EnumMap<AbortCause, Long> difference = new EnumMap<>(AbortCause.class);
        for (AbortCause cause : AbortCause.values()) {
            difference.put(cause, aborts(cause) - earlier.aborts(cause));
        }
        return new StmStatistics(commits - earlier.commits, readOnlyCommits - earlier.readOnlyCommits,
                difference, escalations - earlier.escalations, blockedWaits - earlier.blockedWaits);
    }
}
