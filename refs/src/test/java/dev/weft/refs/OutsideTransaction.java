package dev.weft.refs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.stm.Stm;
import org.junit.jupiter.api.function.Executable;

/** Checks that an in-transaction method rejects a call made outside any transaction. */
final class OutsideTransaction {
    private OutsideTransaction() {}

    /**
     * Asserts that {@code call}, made with no transaction running, throws an
     * {@link IllegalStateException} whose message names the ref type and points to {@code atomic}.
     */
    static void assertRejectedWithAdvice(String refType, Executable call) {
        assertFalse(Stm.inTransaction(), "test bug: a transaction is running");
        IllegalStateException e = assertThrows(IllegalStateException.class, call);
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains("Stm.atomic("), () -> "no advice to use Stm.atomic: " + message);
        assertTrue(message.contains("atomic()"), () -> "no advice to use the atomic() view: " + message);
        assertTrue(message.contains(refType), () -> "message does not name " + refType + ": " + message);
    }
}
