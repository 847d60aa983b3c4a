package dev.weft.check;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/** The entry point rejects classes Lincheck cannot run with a message that says what to change. */
class WeftLincheckTest {

    public static class NoOperations {
        public int get() {
            return 0;
        }
    }

    public class InnerStructure {
        @Operation
        public int get() {
            return 0;
        }
    }

    public static class NoDefaultConstructor {
        public NoDefaultConstructor(int size) {}

        @Operation
        public int get() {
            return 0;
        }
    }

    public static class Register {
        private int value;

        @Operation
        public int get() {
            return value;
        }

        @Operation
        public void put(int v) {
            value = v;
        }
    }

    /** A specification whose {@code put} takes a long: Lincheck could not run {@code put(int)} on it. */
    public static class MismatchedSpecification {
        public int get() {
            return 0;
        }

        public void put(long v) {
        }
    }

    @Test
    void specificationWithoutAMatchingOperationIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeftLincheck.check(Register.class, MismatchedSpecification.class));
        assertTrue(e.getMessage().contains("put(int)") && e.getMessage().contains("MismatchedSpecification"),
                e.getMessage());
    }

    @Test
    void structureWithoutOperationsIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeftLincheck.check(NoOperations.class));
        assertTrue(e.getMessage().contains("@org.jetbrains.lincheck.datastructures.Operation"), e.getMessage());
    }

    @Test
    void innerClassIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeftLincheck.check(InnerStructure.class));
        assertTrue(e.getMessage().contains("static nested"), e.getMessage());
    }

    @Test
    void classWithoutNoArgumentConstructorIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeftLincheck.check(NoDefaultConstructor.class));
        assertTrue(e.getMessage().contains("no-argument constructor"), e.getMessage());
    }

    @Test
    void scenarioWithUnknownOperationIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> BlockingScenario.of(BlockingOperationsTest.Mailbox.class).thread(BlockingScenario.call("poll")));
    }
}
