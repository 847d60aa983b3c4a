package dev.weft.stm;

import java.util.Map;

/**
 * Weft's statistics over JMX, registered by {@link Stm#registerMBean()} as
 * {@code dev.weft:type=Stm}; every attribute reads a fresh {@link Stm#statistics()} snapshot.
 */
public interface StmMXBean {
    /**
     * The JMX attribute {@code Commits}: {@link StmStatistics#commits()}.
     *
     * @return transactions committed with writes
     */
    long getCommits();

    /**
     * The JMX attribute {@code ReadOnlyCommits}: {@link StmStatistics#readOnlyCommits()}.
     *
     * @return transactions committed without writing
     */
    long getReadOnlyCommits();

    /**
     * The JMX attribute {@code Conflicts}: {@link StmStatistics#conflicts()}.
     *
     * @return attempts re-run because of conflicts
     */
    long getConflicts();

    /**
     * The JMX attribute {@code Aborts}: {@link StmStatistics#aborts()}, keyed by cause name so
     * that generic JMX clients can show it.
     *
     * @return rolled-back attempts by {@link AbortCause} name
     */
    Map<String, Long> getAborts();

    /**
     * The JMX attribute {@code Escalations}: {@link StmStatistics#escalations()}.
     *
     * @return transactions that turned irrevocable
     */
    long getEscalations();

    /**
     * The JMX attribute {@code BlockedWaits}: {@link StmStatistics#blockedWaits()}.
     *
     * @return times a thread parked in {@code retry()}
     */
    long getBlockedWaits();
}
