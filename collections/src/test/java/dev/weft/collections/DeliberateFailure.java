package dev.weft.collections;

/** Thrown by a test's transaction body to make it roll back. */
final class DeliberateFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DeliberateFailure() {
        super("deliberate failure to roll the transaction back", null, false, false);
    }
}
