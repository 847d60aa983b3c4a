package dev.weft.scheduler.internal;

/** Something a worker can help along until it is done (a fork, a future, a parallel loop). */
public interface Awaitable {
    /** Whether it has finished; a volatile read. */
    boolean isDone();
}
