/**
 * Weft's scheduler: a multicore executor for transactional tasks, with work stealing, pluggable
 * contention policies, conflict-aware placement and adaptive throttling. See
 * {@link dev.weft.scheduler.TxnScheduler}.
 */
@SuppressWarnings("requires-transitive-automatic")
module dev.weft.scheduler {
    requires dev.weft.stm;
    // Flight Recorder events for placement, throttling and compensation (SchedulerEvents).
    requires jdk.jfr;
    // Agrona's idle strategies appear in TxnScheduler.Builder#idleStrategy.
    requires transitive org.agrona;
    exports dev.weft.scheduler;
}
