package dev.weft.stm.internal;

/**
 * Unwinds a transaction body that called {@code retry()}: the enclosing {@code orElse} runs its
 * next alternative, or the top level waits for a read cell to change and runs the body again.
 *
 * <p>An {@link Error} so that {@code catch (Exception e)} in user code does not swallow it; one
 * preallocated instance without stack trace.
 */
final class RetrySignal extends Error {
    private static final long serialVersionUID = 1L;

    static final RetrySignal INSTANCE = new RetrySignal();

    private RetrySignal() {
        super("Weft retry: internal control flow of Stm.retry(); "
                + "do not catch Throwable or Error inside a transaction body", null, false, false);
    }
}
