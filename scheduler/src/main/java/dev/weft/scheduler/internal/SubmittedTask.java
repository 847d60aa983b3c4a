package dev.weft.scheduler.internal;

import java.util.concurrent.CancellationException;

/**
 * A task submitted with a future ({@code submit}, {@code submitAtomic}, untimed
 * {@code invokeAll}): runs {@link #call()} once and completes the future with its result or
 * exception. The future's {@code cancel(true)} interrupts the task while it runs, never another
 * ({@link TaskFuture}); a task whose future is done before it starts is skipped, and one whose
 * future was cancelled while it ran counts as failed, like its future.
 *
 * <p>Thread-safety: the future may be used from any thread; the rest is the running worker's.
 *
 * @param <T> the result type
 */
abstract class SubmittedTask<T> extends Task implements Awaitable {
    public final TaskFuture<T> future = new TaskFuture<>();

    SubmittedTask(TaskType type) {
        super(true, type);
    }

    /** The task's work: its result, or the exception it throws. */
    abstract T call() throws Exception;

    @Override
    final int run(Worker worker) {
        if (future.start()) {
            future.end();
            return future.isCompletedExceptionally() ? FAILED : COMPLETED;
        }
        T result;
        try {
            result = call();
        } catch (Relocation relocation) {
            future.end(); // abandoned, nothing published: it runs again on the winner's worker
            return RELOCATED;
        } catch (Throwable failure) {
            future.end();
            future.completeExceptionally(failure);
            return FAILED;
        }
        future.end();
        future.complete(result);
        return future.isCompletedExceptionally() ? FAILED : COMPLETED; // cancelled while it ran: failed, as its future
    }

    @Override
    final void cancel() {
        future.completeExceptionally(
                new CancellationException("the scheduler was shut down with shutdownNow() before this task ran"));
    }

    @Override
    final void suspendInterrupts() {
        future.suspended();
    }

    @Override
    final void resumeInterrupts() {
        future.resumed();
    }

    @Override
    public final boolean isDone() {
        return future.isDone();
    }
}
