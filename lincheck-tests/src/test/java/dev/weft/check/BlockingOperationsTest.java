package dev.weft.check;

import static dev.weft.check.BlockingScenario.call;
import static dev.weft.stm.Stm.atomicLong;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.refs.LongRef;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * How far Lincheck 3.7 checks blocking operations written in Java: a one-slot mailbox whose
 * {@code put} and {@code take} wait (spinning over transactions, as a Weft structure must until
 * the engine has {@code retry}).
 *
 * <ul>
 *   <li>Generated scenarios call {@code take} with nothing to take; Lincheck then reports the
 *       run as hung, {@code @Operation(blocking = true)} notwithstanding: the documented limit.</li>
 *   <li>Hand-written scenarios with as many puts as takes complete in every interleaving and are
 *       checked in both modes; a take that reads and clears the slot in two transactions is
 *       caught there.</li>
 * </ul>
 */
class BlockingOperationsTest {
    private static final long EMPTY = Long.MIN_VALUE;

    /** A one-slot mailbox over a Weft ref; the slot holds value + 1, 0 when empty. */
    public static class Mailbox {
        final LongRef slot = new LongRef();

        @Operation(blocking = true)
        public boolean put(long value) {
            while (atomicLong(() -> {
                if (slot.get() != 0) {
                    return 0;
                }
                slot.set(value + 1);
                return 1;
            }) == 0) {
                Thread.onSpinWait();
            }
            return true;
        }

        @Operation(blocking = true)
        public long take() {
            while (true) {
                long taken = atomicLong(() -> {
                    long held = slot.get();
                    if (held != 0) {
                        slot.set(0);
                    }
                    return held;
                });
                if (taken != 0) {
                    return taken - 1;
                }
                Thread.onSpinWait();
            }
        }
    }

    /** A take that reads the slot in one transaction and empties it in another: two takes can get one value. */
    public static class SplitTakeMailbox {
        final LongRef slot = new LongRef();

        @Operation(blocking = true)
        public boolean put(long value) {
            while (atomicLong(() -> {
                if (slot.get() != 0) {
                    return 0;
                }
                slot.set(value + 1);
                return 1;
            }) == 0) {
                Thread.onSpinWait();
            }
            return true;
        }

        @Operation(blocking = true)
        public long take() {
            while (true) {
                long held = slot.atomic().get();
                if (held != 0) {
                    slot.atomic().set(0);
                    return held - 1;
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * The sequential mailbox: where the real one would wait, it returns a result the real one
     * never returns, so Lincheck rejects every order in which an operation would have to wait.
     */
    public static class MailboxSpec {
        private long slot;

        public boolean put(long value) {
            if (slot != 0) {
                return false;
            }
            slot = value + 1;
            return true;
        }

        public long take() {
            if (slot == 0) {
                return EMPTY;
            }
            long value = slot - 1;
            slot = 0;
            return value;
        }
    }

    private static List<ExecutionScenario> handOffs(Class<?> mailbox) {
        return List.of(
                BlockingScenario.of(mailbox).thread(call("take")).thread(call("put", 5L)).build(),
                // the slot is full before the race starts: two takes meet it at once
                BlockingScenario.of(mailbox).before(call("put", 5L))
                        .thread(call("take")).thread(call("take")).thread(call("put", 6L)).build());
    }

    @Test
    void generatedScenariosReportAWaitingTakeAsHung() {
        LincheckAssertionError error = assertThrows(LincheckAssertionError.class,
                () -> WeftLincheck.modelChecking().sequentialSpecification(MailboxSpec.class).check(Mailbox.class));
        assertTrue(error.getMessage().contains("The execution has hung"), error.getMessage());
    }

    @Test
    void handOffScenariosAreLinearizable() {
        WeftLincheck.checkScenarios(Mailbox.class, MailboxSpec.class, handOffs(Mailbox.class));
    }

    @Test
    void takeSplitIntoTwoTransactionsIsCaughtInAHandOffScenario() {
        ExpectedViolation.assertCaught(() -> WeftLincheck.checkScenarios(SplitTakeMailbox.class, MailboxSpec.class,
                handOffs(SplitTakeMailbox.class)));
    }
}
