package dev.weft.check;

import static dev.weft.check.BlockingScenario.call;
import static dev.weft.stm.Stm.atomicLong;
import static dev.weft.stm.Stm.retry;

import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * A transaction that waits in {@code retry()} gives back, through its {@code afterRollback} hook,
 * what its attempt took outside Weft before it waits (session 18; the hook used to run only after
 * the wait). A one-slot mailbox whose take and put are transactions that each take an outside
 * resource (an {@link AtomicBoolean}, as a permit or a file lock would be) for their attempt and
 * wait in {@code retry()} for the slot: the other side can only get past the resource once the
 * waiting one's hook has given it back, so a hook run after the wait hangs every hand-off. Model checking explores the hook's release and the put
 * between the take's read of the slot and its wait, which is where the engine sets the attempt's
 * reads aside for the hook and validates them afterwards.
 */
class RollbackHookWaitTest {
    private static final long EMPTY = Long.MIN_VALUE;

    /** The mailbox; the slot holds value + 1, 0 when empty. */
    public static class ResourceMailbox {
        final LongRef slot = new LongRef();
        final AtomicBoolean resource = new AtomicBoolean();

        private void acquire() {
            while (!resource.compareAndSet(false, true)) {
                Thread.onSpinWait();
            }
        }

        /** Takes the outside resource for the running attempt; every way the attempt ends gives it back. */
        private void acquireForAttempt() {
            acquire(); // taken again by every attempt ...
            Stm.afterRollback(() -> resource.set(false)); // ... and given back by each rolled-back one
            Stm.afterCommit(() -> resource.set(false));
        }

        @Operation(blocking = true)
        public boolean put(long value) {
            Stm.atomic(() -> {
                acquireForAttempt();
                if (slot.get() != 0) {
                    retry();
                }
                slot.set(value + 1);
            });
            return true;
        }

        @Operation(blocking = true)
        public long take() {
            return atomicLong(() -> {
                acquireForAttempt();
                long held = slot.get();
                if (held == 0) {
                    retry();
                }
                slot.set(0);
                return held - 1;
            });
        }
    }

    /** The sequential mailbox: a take of an empty slot returns a value the real one never returns. */
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

    @Test
    void aWaitingTakeGivesTheResourceBackBeforeItWaits() {
        List<ExecutionScenario> scenarios = List.of(
                BlockingScenario.of(ResourceMailbox.class).thread(call("take")).thread(call("put", 5L)).build(),
                BlockingScenario.of(ResourceMailbox.class)
                        .thread(call("take"), call("take")).thread(call("put", 5L), call("put", 6L)).build());
        WeftLincheck.checkScenarios(ResourceMailbox.class, MailboxSpec.class, scenarios);
    }
}
