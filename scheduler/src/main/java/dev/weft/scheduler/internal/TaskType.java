package dev.weft.scheduler.internal;

import dev.weft.scheduler.TaskTypeStatistics;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one type of task: every task carries its type, and the worker running it
 * counts the task's commits, aborts, waits and moves here as well as in its own counters.
 *
 * <p>Overview. A type is named by the user (the {@code type} argument of the tagged submit
 * methods) or, for untagged tasks, by the class of the task's body, so each call site of the
 * scheduler gets statistics without any code change. Types live as long as their scheduler (one
 * object per name), so their number is bounded by the names and body classes an application uses.
 * Several workers run tasks of one type at once, so each counter is a {@link LongAdder}: an
 * uncontended add costs about as much as a plain one, and contended adds stripe instead of
 * bouncing one cache line between the cores.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
public final class TaskType {
    final String name;
    final LongAdder completed = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder commits = new LongAdder();
    final LongAdder aborts = new LongAdder();
    final LongAdder abortsOnRead = new LongAdder();
    final LongAdder escalations = new LongAdder();
    final LongAdder placements = new LongAdder();
    final LongAdder steals = new LongAdder();
    final LongAdder retryWaits = new LongAdder();
    final LongAdder backoffNanos = new LongAdder();

    TaskType(String name) {
        this.name = name;
    }

    /** The type's name: the tag given at submission, or the body's class. */
    public String name() {
        return name;
    }

    TaskTypeStatistics snapshot() {
        long onRead = abortsOnRead.sum(); // first: each abort is counted in aborts before abortsOnRead
        long lost = Math.max(aborts.sum(), onRead);
        long failures = failed.sum();
        return new TaskTypeStatistics(name, completed.sum() + failures, failures, commits.sum(), lost, onRead,
                lost - onRead, escalations.sum(), placements.sum(), steals.sum(), retryWaits.sum(),
                backoffNanos.sum());
    }

    /**
     * The name of an untagged task's type: its body's class, with the per-call-site suffix of a
     * lambda class ({@code $$Lambda/0x...}, which differs from run to run) cut to {@code $$Lambda}.
     */
    static String nameOf(Class<?> bodyClass) {
        String name = bodyClass.getName();
        int lambda = name.indexOf("$$Lambda");
        return lambda < 0 ? name : name.substring(0, lambda + "$$Lambda".length());
    }

    @Override
    public String toString() {
        return name;
    }
}
