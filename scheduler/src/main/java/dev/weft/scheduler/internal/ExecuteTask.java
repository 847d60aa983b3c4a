package dev.weft.scheduler.internal;

/**
 * A task from {@code execute(Runnable)}: no future, so an exception goes to the worker's
 * uncaught-exception handler (the worker itself carries on).
 *
 * <p>Thread-safety: runs on one worker.
 */
public final class ExecuteTask extends Task {
    private final Runnable body;

    public ExecuteTask(Runnable body, TaskType type) {
        super(true, type);
        this.body = body;
    }

    @Override
    int run(Worker worker) {
        try {
            body.run();
            return COMPLETED;
        } catch (Throwable failure) {
            Thread.UncaughtExceptionHandler handler = worker.getUncaughtExceptionHandler();
            try {
                handler.uncaughtException(worker, failure);
            } catch (Throwable ignored) {
                // a failing handler must not kill the worker
            }
            return FAILED;
        }
    }

    @Override
    void cancel() {
        // the runnable is dropped, as shutdownNow promises; if it is a future (a FutureTask the
        // caller made and gave to execute), complete it as cancelled, or whoever waits on it
        // would wait for ever
        if (body instanceof java.util.concurrent.Future<?> future) {
            future.cancel(false);
        }
    }

    @Override
    public String toString() {
        return body.toString();
    }
}
