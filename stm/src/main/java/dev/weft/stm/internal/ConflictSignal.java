package dev.weft.stm.internal;

/**
 * Unwinds a transaction body that lost a conflict so the engine can run it again.
 *
 * <p>An {@link Error} so that {@code catch (Exception e)} in user code does not swallow it; one
 * preallocated instance without stack trace, so throwing it costs no allocation.
 */
final class ConflictSignal extends Error {
    private static final long serialVersionUID = 1L;

    static final ConflictSignal INSTANCE = new ConflictSignal();

    private ConflictSignal() {
        super("Weft transaction conflict: internal control flow of Stm.atomic; "
                + "do not catch Throwable or Error inside a transaction body", null, false, false);
    }
}
