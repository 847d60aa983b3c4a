package dev.weft.scheduler.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * The future of a submitted task: a {@link CompletableFuture} whose {@code cancel(true)}
 * interrupts the task if it is running, as {@code FutureTask}'s does, and never a task that runs
 * on the same worker before or after it.
 *
 * <p>Overview. {@link #runner} says who may be interrupted: null before the task starts and
 * after it ends, its worker thread while its body runs, {@link #SUSPENDED} while the worker runs
 * another task nested in a join of this one, and {@link #INTERRUPTING} / {@link #INTERRUPTED}
 * once a cancel has claimed it. A cancel that wins {@code CompletableFuture.cancel} claims the
 * runner by CAS from the thread to INTERRUPTING, interrupts it and publishes INTERRUPTED; from
 * SUSPENDED it CASes to PENDING, and the worker interrupts itself when it comes back to the task
 * ({@link #resumed}). The worker ends the task by a CAS from its thread to null; if a cancel
 * claimed the runner first, it waits for INTERRUPTED (a few instructions of the canceller), so
 * the interrupt has landed before the worker clears it and takes its next task. The worker
 * checks {@code isDone()} after publishing itself as the runner, and a cancel reads the runner
 * after completing the future (both volatile), so a cancel either stops the task before it
 * starts or sees its runner.
 *
 * <p>Thread-safety: {@code cancel} from any thread; the other methods by the running worker.
 *
 * @param <T> the result type
 */
public final class TaskFuture<T> extends CompletableFuture<T> {
    private static final Object SUSPENDED = new Object();
    private static final Object PENDING = new Object();
    private static final Object INTERRUPTING = new Object();
    private static final Object INTERRUPTED = new Object();

    // Written by the running worker (its thread, SUSPENDED, null) and by a cancel (by CAS);
    // read by both (volatile).
    private volatile Object runner;

    /**
     * Cancels the future; if it was not done and {@code mayInterruptIfRunning}, interrupts the
     * task's worker while the task runs (at once, or when a task nested in its join returns).
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && mayInterruptIfRunning) {
            for (;;) {
                Object current = runner;
                if (current instanceof Thread thread) {
                    if (RUNNER.compareAndSet(this, current, INTERRUPTING)) {
                        try {
                            thread.interrupt();
                        } finally {
                            runner = INTERRUPTED;
                        }
                        break;
                    }
                } else if (current == SUSPENDED) {
                    if (RUNNER.compareAndSet(this, SUSPENDED, PENDING)) {
                        break;
                    }
                } else {
                    break; // not started, or ended: nothing to interrupt
                }
            }
        }
        return cancelled;
    }

    /** The worker starts the task's body on this thread; true if it must skip it (already done). */
    boolean start() {
        runner = Thread.currentThread();
        return isDone();
    }

    /** The worker runs another task nested in a join of this one: interrupts wait for it to return. */
    void suspended() {
        if (!RUNNER.compareAndSet(this, Thread.currentThread(), SUSPENDED)) {
            while (runner == INTERRUPTING) { // a cancel claimed it: let its interrupt land first,
                Thread.onSpinWait();         // so the worker saves it for this task, not the nested one
            }
        }
    }

    /** The nested task returned: interrupts reach this thread again, and a pending one lands now. */
    void resumed() {
        Thread self = Thread.currentThread();
        if (!RUNNER.compareAndSet(this, SUSPENDED, self) && RUNNER.compareAndSet(this, PENDING, INTERRUPTED)) {
            self.interrupt();
        }
    }

    /**
     * The task's body returned or threw: no later cancel interrupts this thread. Waits for a
     * cancel that has claimed the runner to finish its interrupt (the worker clears it next).
     */
    void end() {
        Object current = runner;
        if (current instanceof Thread && RUNNER.compareAndSet(this, current, null)) {
            return;
        }
        while (runner == INTERRUPTING) { // a cancel claimed the runner: let its interrupt land
            Thread.onSpinWait();
        }
    }

    private static final VarHandle RUNNER;

    static {
        try {
            RUNNER = MethodHandles.lookup().findVarHandle(TaskFuture.class, "runner", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
