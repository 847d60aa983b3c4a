package dev.weft.scheduler.internal;

import dev.weft.stm.Stm;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A submitted transaction: the worker runs the body as one {@code Stm.atomic} and completes the
 * future with its result. The task is relocatable: its transaction is the outermost frame of the
 * body, so the contention manager may abandon it (nothing is published) and the task re-runs on
 * the worker that ran the opponent.
 *
 * <p>Thread-safety: the future may be used from any thread; cancelling it before the task runs
 * makes the worker skip the task.
 */
public final class AtomicTask<T> extends Task implements Awaitable {
    private final Supplier<T> body;
    public final CompletableFuture<T> future = new CompletableFuture<>();

    public AtomicTask(Supplier<T> body, TaskType type) {
        super(true, type);
        this.body = body;
    }

    @Override
    int run(Worker worker) {
        if (future.isDone()) {
            return future.isCompletedExceptionally() ? FAILED : COMPLETED;
        }
        T result;
        try {
            result = Stm.atomic(body);
        } catch (Relocation relocation) {
            return RELOCATED;
        } catch (Throwable failure) {
            future.completeExceptionally(failure);
            return FAILED;
        }
        future.complete(result); // the commit itself was counted by the worker's onCommit hook
        return COMPLETED;
    }

    @Override
    boolean relocatable() {
        return true;
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
