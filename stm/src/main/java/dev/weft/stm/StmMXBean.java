package dev.weft.stm;

import java.util.Map;

/**
 * Weft's statistics over JMX, registered by {@link Stm#registerMBean()} as
 * {@code dev.weft:type=Stm}; every attribute reads a fresh {@link Stm#statistics()} snapshot.
 */
public interface StmMXBean {
    /** @return transactions committed with writes */
    long getCommits();

    /** @return transactions committed without writing */
    long getReadOnlyCommits();

    /** @return attempts re-run because of conflicts */
    long getConflicts();

    /** @return rolled-back attempts by {@link AbortCause} name */
    Map<String, Long> getAborts();

    /** @return transactions that turned irrevocable */
    long getEscalations();

    /** @return times a thread parked in {@code retry()} */
    long getBlockedWaits();
}
