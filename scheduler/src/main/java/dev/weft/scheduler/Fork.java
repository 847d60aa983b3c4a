package dev.weft.scheduler;

/**
 * A task spawned by {@link TxnScheduler#fork}: a handle to join its result.
 *
 * <p>Thread-safety: may be joined from any thread, any number of times. Joining on a worker of the
 * scheduler does not block the worker: it runs the forked task itself if nobody has started it,
 * and otherwise runs other queued tasks until the result is there (Cilk-style helping). Joining
 * inside a transaction is refused, since helping would run other tasks inside it.
 *
 * @param <T> the result type
 */
public interface Fork<T> {
    /**
     * Waits for the forked task and returns its result.
     *
     * @return the result of the forked body
     * @throws RuntimeException or {@link Error}: the exception the body threw, rethrown as is
     * @throws IllegalStateException when called inside a transaction
     * @throws java.util.concurrent.CancellationException if the scheduler was shut down with
     *         {@link TxnScheduler#shutdownNow()} before the task ran
     */
    T join();

    /**
     * Whether the task has finished (normally or not).
     *
     * @return true once {@link #join()} would return or throw without waiting
     */
    boolean isDone();
}
