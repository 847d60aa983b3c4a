package dev.weft.scheduler.internal;

/**
 * Thrown by a worker's contention manager to abandon a task's transaction (the engine publishes
 * nothing of it) so that the task can run again on the worker that ran the transaction it lost
 * to. Caught by the task, never seen by user code: the task's own {@code Stm.atomic} call is the
 * outermost frame of the body. One preallocated instance without a stack trace.
 */
final class Relocation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final Relocation INSTANCE = new Relocation();

    private Relocation() {
        super("Weft scheduler relocation: internal control flow of a scheduled atomic task", null, false, false);
    }
}
