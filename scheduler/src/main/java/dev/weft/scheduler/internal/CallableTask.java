package dev.weft.scheduler.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * A submitted plain task: runs its callable as ordinary code (it may run transactions of its
 * own) and completes its future with the result or the exception.
 *
 * <p>Thread-safety: the future may be used from any thread; cancelling it before the task runs
 * makes the worker skip the task.
 */
public final class CallableTask<T> extends Task implements Awaitable {
    private final Callable<T> body;
    public final CompletableFuture<T> future = new CompletableFuture<>();

    public CallableTask(Callable<T> body, TaskType type) {
        super(true, type);
        this.body = body;
    }

    @Override
    int run(Worker worker) {
        if (future.isDone()) {
            return future.isCompletedExceptionally() ? FAILED : COMPLETED;
        }
        try {
            future.complete(body.call());
            return COMPLETED;
        } catch (Throwable failure) {
            future.completeExceptionally(failure);
            return FAILED;
        }
    }

    @Override
    void cancel() {
        future.completeExceptionally(new CancellationException("the scheduler was shut down with shutdownNow() before this task ran"));
    }

    @Override
    public boolean isDone() {
        return future.isDone();
    }
}
