package dev.weft.stm.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Weft's JDK Flight Recorder events (category "Weft"). Disabled events cost one check of a flag
 * that JFR maintains per event class; event objects are created only while a recording enables
 * them.
 */
final class WeftEvents {
    private WeftEvents() {}

    /**
     * False only with {@code -Ddev.weft.stm.diagnostics=false}: then the JIT drops every event and
     * profiler check, which is how {@code DiagnosticsOverheadBenchmark} measures what the checks
     * cost when no recording runs.
     */
    static final boolean AVAILABLE = !"false".equals(System.getProperty("dev.weft.stm.diagnostics"));

    private static final CommitEvent COMMIT_PROBE = new CommitEvent();
    private static final AbortEvent ABORT_PROBE = new AbortEvent();
    private static final EscalationEvent ESCALATION_PROBE = new EscalationEvent();
    private static final RetryWaitEvent WAIT_PROBE = new RetryWaitEvent();

    static boolean commitEnabled() {
        return AVAILABLE && COMMIT_PROBE.isEnabled();
    }

    static boolean abortEnabled() {
        return AVAILABLE && ABORT_PROBE.isEnabled();
    }

    static boolean escalationEnabled() {
        return AVAILABLE && ESCALATION_PROBE.isEnabled();
    }

    static boolean waitEnabled() {
        return AVAILABLE && WAIT_PROBE.isEnabled();
    }

    @Name("dev.weft.Commit")
    @Label("Transaction Commit")
    @Category("Weft")
    @Description("A transaction committed; the duration covers all its attempts")
    @StackTrace(false)
    @Enabled(false) // one per transaction: opt in with -XX:StartFlightRecording:...,dev.weft.Commit#enabled=true
    static final class CommitEvent extends Event {
        @Label("Attempts") @Description("Attempts including the committing one")
        int attempts;
        @Label("Reads") @Description("Refs read by the committing attempt (0 for a registered snapshot)")
        int reads;
        @Label("Writes") @Description("Refs written by the committing attempt")
        int writes;
        @Label("Mode") @Description("optimistic, snapshot or irrevocable")
        String mode;
    }

    @Name("dev.weft.Abort")
    @Label("Transaction Abort")
    @Category("Weft")
    @Description("An attempt was rolled back")
    static final class AbortEvent extends Event {
        @Label("Cause")
        String cause;
        @Label("Attempt") @Description("The number of the attempt that was rolled back, from 1")
        int attempt;
        @Label("Ref") @Description("The ref that caused the conflict, where known")
        String ref;
        @Label("Opponent") @Description("Owner id of the transaction that held the ref, where known (-1 otherwise)")
        long opponent;
    }

    @Name("dev.weft.Escalation")
    @Label("Irrevocable Escalation")
    @Category("Weft")
    @Description("A transaction that kept losing conflicts runs its next attempt irrevocably")
    static final class EscalationEvent extends Event {
        @Label("Attempts") @Description("Attempts lost before escalating")
        int attempts;
    }

    @Name("dev.weft.RetryWait")
    @Label("Retry Wait")
    @Category("Weft")
    @Description("A thread blocked in retry(); the duration is the time parked")
    @StackTrace(false)
    static final class RetryWaitEvent extends Event {
        @Label("Refs") @Description("Refs whose change would wake it")
        int refs;
        @Label("Outcome") @Description("woken, changed-before-park, timed-out or interrupted")
        String outcome;
        @Label("Waited") @Timespan(Timespan.NANOSECONDS)
        long waited;
    }
}
