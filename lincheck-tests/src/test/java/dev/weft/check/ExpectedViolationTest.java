package dev.weft.check;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The twins' assertion accepts only reports of wrong results: the rarely taken non-determinism
 * branch is exercised here with reports shaped like Lincheck 3.7's.
 */
class ExpectedViolationTest {
    private static final String INVALID_FIRST_RUN = """
            Non-determinism found. Probably caused by non-deterministic code (WeakHashMap, Object.hashCode, etc).
            == Reporting the first execution without execution trace ==
            = Invalid execution results =
            | readAll(): 1/1/2 | moveBToC(2): true |
            == Reporting the second execution ==
            = Invalid execution results =
            """;
    private static final String ACTIVE_LOCK_FIRST_RUN = """
            Non-determinism found. Probably caused by non-deterministic code (WeakHashMap, Object.hashCode, etc).
            == Reporting the first execution without execution trace ==
            = The algorithm should be non-blocking, but an active lock is detected =
            == Reporting the second execution ==
            = Invalid execution results =
            """;

    @Test
    void checkThatPassesIsRejected() {
        assertThrows(AssertionError.class, () -> ExpectedViolation.assertCaught(() -> { }));
    }

    @Test
    void nonDeterminismAfterInvalidResultsIsAccepted() {
        assertDoesNotThrow(() -> ExpectedViolation.assertCaught(() -> {
            throw new IllegalStateException(INVALID_FIRST_RUN);
        }));
    }

    @Test
    void nonDeterminismAfterAnotherFailureIsRejected() {
        assertThrows(AssertionError.class, () -> ExpectedViolation.assertCaught(() -> {
            throw new IllegalStateException(ACTIVE_LOCK_FIRST_RUN);
        }));
    }

    @Test
    void exceptionFromTheStructureIsRejected() {
        assertThrows(AssertionError.class, () -> ExpectedViolation.assertCaught(() -> {
            throw new IllegalStateException("No transaction is running on thread 'Lincheck-0'");
        }));
    }
}
