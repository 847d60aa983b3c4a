package dev.weft.scheduler.internal;

import dev.weft.stm.Stm;
import dev.weft.stm.spi.Barrier;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

/**
 * A submitted transaction: the worker runs the body as one {@code Stm.atomic} and completes the
 * future with its result ({@link SubmittedTask}). The task is relocatable: its transaction is the
 * outermost frame of the body, so the contention manager may abandon an attempt of it (nothing is
 * published) and the task re-runs on the worker that ran the opponent.
 *
 * <p>Thread-safety: as {@link SubmittedTask}; {@code cancel(true)} while it runs ends a wait in
 * {@code retry()}, and an attempt that finds its future cancelled when its body returns rolls
 * back.
 */
public final class AtomicTask<T> extends SubmittedTask<T> implements Supplier<T> {
    private final Supplier<T> body;

    public AtomicTask(Supplier<T> body, TaskType type) {
        super(type);
        this.body = body;
    }

    @Override
    T call() {
        return Stm.atomic(this); // the commit itself is counted by the worker's onCommit hook
    }

    /**
     * The transaction body: notes the attempt as the task's own (only it may be relocated), runs
     * the user's body, then looks at the future, so that a task cancelled while its attempt ran
     * rolls back instead of committing (a cancel that comes after this look, during the commit,
     * is too late: the task commits).
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
}
