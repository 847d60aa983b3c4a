package dev.weft.scheduler.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

/**
 * A submitted plain task: runs its callable as ordinary code (it may run transactions of its
 * own) and completes its future with the result or the exception.
 *
 * <p>Thread-safety: the future may be used from any thread; cancelling it before the task runs
 * makes the worker skip the task, and {@code cancel(true)} while it runs interrupts it
 * ({@link TaskFuture}).
 */
public final class CallableTask<T> extends Task implements Awaitable {
    private final Callable<T> body;
    public final TaskFuture<T> future = new TaskFuture<>();

    public CallableTask(Callable<T> body, TaskType type) {
        super(true, type);
        this.body = body;
    }

    @Override
    int run(Worker worker) {
        if (future.start()) {
            future.end();
            return future.isCompletedExceptionally() ? FAILED : COMPLETED;
        }
        T result;
        try {
            result = body.call();
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
    void cancel() {
        future.completeExceptionally(new CancellationException("the scheduler was shut down with shutdownNow() before this task ran"));
    }

    @Override
    void suspendInterrupts() {
        future.suspended();
    }

    @Override
    void resumeInterrupts() {
        future.resumed();
    }

    @Override
    public boolean isDone() {
        return future.isDone();
    }
}
