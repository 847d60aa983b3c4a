package dev.weft.scheduler.internal;

import dev.weft.stm.Stm;
import dev.weft.stm.spi.Barrier;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

/**
 * A submitted transaction: the worker runs the body as one {@code Stm.atomic} and completes the
 * future with its result. The task is relocatable: its transaction is the outermost frame of the
 * body, so the contention manager may abandon it (nothing is published) and the task re-runs on
 * the worker that ran the opponent.
 *
 * <p>Thread-safety: the future may be used from any thread; cancelling it before the task runs
 * makes the worker skip the task; {@code cancel(true)} while it runs interrupts it
 * ({@link TaskFuture}: a wait in {@code retry()} ends), and an attempt that finds its future
 * cancelled when its body returns rolls back.
 */
public final class AtomicTask<T> extends Task implements Awaitable, Supplier<T> {
    private final Supplier<T> body;
    public final TaskFuture<T> future = new TaskFuture<>();

    public AtomicTask(Supplier<T> body, TaskType type) {
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
            result = Stm.atomic(this);
        } catch (Relocation relocation) {
            future.end();
            return RELOCATED;
        } catch (Throwable failure) {
            future.end();
            future.completeExceptionally(failure);
            return FAILED;
        }
        future.end();
        future.complete(result); // the commit itself was counted by the worker's onCommit hook
        return future.isCompletedExceptionally() ? FAILED : COMPLETED; // cancelled during its commit: failed, as its future
    }

    /**
     * The transaction body: the user's body, then a look at the future, so that a task cancelled
     * while its attempt ran rolls back instead of committing (a cancel that comes after this
     * look, during the commit, is too late: the task commits).
     */
    @Override
    public T get() {
        ownAttempt = Barrier.runningTransaction();
        T result = body.get();
        if (future.isCancelled()) {
            throw new CancellationException("the task was cancelled while its transaction ran: it rolled back");
        }
        return result;
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
