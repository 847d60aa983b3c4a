package dev.weft.scheduler.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The scheduler's JDK Flight Recorder events (category "Weft", "Scheduler"): one per scheduling
 * decision, never one per transaction. Escalations have no event here: the scheduler escalates by
 * answering the engine's contention callback, and the engine then emits its own
 * {@code dev.weft.Escalation} on the worker's thread.
 *
 * <p>Overview. Each decision site asks {@code xxxEnabled()} once and builds and commits the event
 * only when it answers true. The answer is a flag that JFR maintains per event class, read
 * through a static probe instance (no allocation), and-ed with {@link #AVAILABLE}, a constant the
 * JIT folds: with {@code -Ddev.weft.scheduler.diagnostics=false} every check and event is
 * compiled away. The events carry no stack trace: the decision's thread (a worker, the
 * supervisor, a submitter) says nothing about the task, whose type is a field where it matters.
 *
 * <p>Thread-safety: the probes are only read; events are created and committed by one thread.
 */
final class SchedulerEvents {
    private SchedulerEvents() {}

    /**
     * False only with {@code -Ddev.weft.scheduler.diagnostics=false}: then the JIT drops every
     * check of the scheduler's events, as {@code dev.weft.stm.diagnostics=false} does for the
     * engine's.
     */
    static final boolean AVAILABLE = !"false".equals(System.getProperty("dev.weft.scheduler.diagnostics"));

    /** Values of {@link CompensationEvent#action}. */
    static final String STARTED = "started";
    static final String RETIRED = "retired";

    private static final PlacementEvent PLACEMENT_PROBE = new PlacementEvent();
    private static final ThrottleEvent THROTTLE_PROBE = new ThrottleEvent();
    private static final CompensationEvent COMPENSATION_PROBE = new CompensationEvent();

    static boolean placementEnabled() {
        return AVAILABLE && PLACEMENT_PROBE.isEnabled();
    }

    static boolean throttleEnabled() {
        return AVAILABLE && THROTTLE_PROBE.isEnabled();
    }

    static boolean compensationEnabled() {
        return AVAILABLE && COMPENSATION_PROBE.isEnabled();
    }

    /** Call only after {@link #placementEnabled()} answered true. */
    static void placement(String scheduler, int fromWorker, int toWorker, String taskType, int attempts) {
        PlacementEvent event = new PlacementEvent();
        event.scheduler = scheduler;
        event.fromWorker = fromWorker;
        event.toWorker = toWorker;
        event.taskType = taskType;
        event.attempts = attempts;
        event.commit();
    }

    /** Call only after {@link #throttleEnabled()} answered true. */
    static void throttle(String scheduler, int oldLimit, int newLimit, double abortShare) {
        ThrottleEvent event = new ThrottleEvent();
        event.scheduler = scheduler;
        event.oldLimit = oldLimit;
        event.newLimit = newLimit;
        event.abortShare = abortShare;
        event.commit();
    }

    /** Call only after {@link #compensationEnabled()} answered true. */
    static void compensation(String scheduler, String action, int worker, int blocked, int blockedInRetry,
                             int spares) {
        CompensationEvent event = new CompensationEvent();
        event.scheduler = scheduler;
        event.action = action;
        event.worker = worker;
        event.blocked = blocked;
        event.blockedInRetry = blockedInRetry;
        event.spares = spares;
        event.commit();
    }

    @Name("dev.weft.scheduler.Placement")
    @Label("Task Placement")
    @Category({"Weft", "Scheduler"})
    @Description("A transactional task lost a conflict to a task on another worker and was moved to "
            + "that worker, to run after the winner")
    @StackTrace(false)
    static final class PlacementEvent extends Event {
        @Label("Scheduler") @Description("The thread name prefix of the scheduler's workers")
        String scheduler;
        @Label("From Worker") @Description("Index of the worker whose attempt lost")
        int fromWorker;
        @Label("To Worker") @Description("Index of the worker that ran the winner, where the task goes")
        int toWorker;
        @Label("Task Type") @Description("The tag given at submission, or the body's class")
        String taskType;
        @Label("Attempts") @Description("Attempts the task has lost so far, over all its runs, including this one")
        int attempts;
    }

    @Name("dev.weft.scheduler.Throttle")
    @Label("Throttle Change")
    @Category({"Weft", "Scheduler"})
    @Description("The adaptive throttle changed the number of workers allowed to take tasks")
    @StackTrace(false)
    static final class ThrottleEvent extends Event {
        @Label("Scheduler") @Description("The thread name prefix of the scheduler's workers")
        String scheduler;
        @Label("Old Limit")
        int oldLimit;
        @Label("New Limit")
        int newLimit;
        @Label("Abort Share") @Description("Aborted attempts / all attempts in the window that moved the "
                + "limit (or in a failed probe's windows), from 0 to 1; -1 when the limit rose because no "
                + "samples arrived")
        double abortShare;
    }

    @Name("dev.weft.scheduler.Compensation")
    @Label("Compensation Thread")
    @Category({"Weft", "Scheduler"})
    @Description("A spare worker was started because blocked workers left queued work behind, or "
            + "retired after an idle period")
    @StackTrace(false)
    static final class CompensationEvent extends Event {
        @Label("Scheduler") @Description("The thread name prefix of the scheduler's workers")
        String scheduler;
        @Label("Action") @Description("started or retired")
        String action;
        @Label("Worker") @Description("Index of the spare worker")
        int worker;
        @Label("Blocked") @Description("Workers blocked in a task (in retry() or observed elsewhere)")
        int blocked;
        @Label("Blocked In Retry") @Description("Of those, workers the engine reported parked in retry()")
        int blockedInRetry;
        @Label("Spares") @Description("Spare workers alive after this action")
        int spares;
    }
}
