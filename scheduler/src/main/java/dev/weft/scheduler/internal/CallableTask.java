package dev.weft.scheduler.internal;

import java.util.concurrent.Callable;

/**
 * A submitted plain task: runs its callable as ordinary code (it may run transactions of its
 * own) and completes its future with the result or the exception ({@link SubmittedTask}).
 *
 * <p>Thread-safety: as {@link SubmittedTask}.
 */
public final class CallableTask<T> extends SubmittedTask<T> {
    private final Callable<T> body;

    public CallableTask(Callable<T> body, TaskType type) {
        super(type);
        this.body = body;
    }

    @Override
    T call() throws Exception {
        return body.call();
    }
}
