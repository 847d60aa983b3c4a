package dev.weft.check;

import static dev.weft.check.BlockingScenario.call;
import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicLong;
import static dev.weft.stm.Stm.retry;

import dev.weft.refs.LongRef;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * A one-slot channel and a bounded buffer built only from refs and {@code retry()}, checked for
 * linearizability in stress and model-checking mode. Lincheck 3.7 reports a Java operation that
 * waits with nothing to wake it as hung (see {@link BlockingOperationsTest}), so the scenarios are
 * written by hand such that every wait is eventually satisfied; the model checker still explores
 * the interleavings of the waits, wake-ups and commits inside them.
 */
class RetryStructuresTest {
    private static final long EMPTY = Long.MIN_VALUE;

    /** put waits while the slot is full, take while it is empty; the slot holds value + 1. */
    public static class RetryChannel {
        final LongRef slot = new LongRef();

        @Operation(blocking = true)
        public boolean put(long value) {
            atomic(() -> {
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
                long held = slot.get();
                if (held == 0) {
                    retry();
                }
                slot.set(0);
                return held - 1;
            });
        }
    }

    /** A FIFO buffer of capacity 2 over refs: a ring of two slots, a head index and a size. */
    public static class RetryBuffer {
        final LongRef[] items = {new LongRef(), new LongRef()};
        final LongRef head = new LongRef();
        final LongRef size = new LongRef();

        @Operation(blocking = true)
        public boolean put(long value) {
            atomic(() -> {
                long n = size.get();
                if (n == items.length) {
                    retry();
                }
                items[(int) ((head.get() + n) % items.length)].set(value);
                size.set(n + 1);
            });
            return true;
        }

        @Operation(blocking = true)
        public long take() {
            return atomicLong(() -> {
                long n = size.get();
                if (n == 0) {
                    retry();
                }
                long h = head.get();
                head.set((h + 1) % items.length);
                size.set(n - 1);
                return items[(int) h].get();
            });
        }
    }

    /** Broken twin: put waits for room in one transaction and inserts in another. */
    public static class SplitPutBuffer extends RetryBuffer {
        @Override
        @Operation(blocking = true)
        public boolean put(long value) {
            long n = atomicLong(() -> {
                long current = size.get();
                if (current == items.length) {
                    retry();
                }
                return current;
            });
            atomic(() -> {
                items[(int) ((head.get() + n) % items.length)].set(value);
                size.set(n + 1); // may overwrite a concurrent put's size: an item is lost
            });
            return true;
        }
    }

    /** Sequential specification: a FIFO of the given capacity; waiting orders are not linearizable. */
    public static class BufferSpec {
        private final java.util.ArrayDeque<Long> items = new java.util.ArrayDeque<>();
        private final int capacity;

        BufferSpec(int capacity) {
            this.capacity = capacity;
        }

        public boolean put(long value) {
            if (items.size() == capacity) {
                return false; // the real one waits: never returns false
            }
            items.add(value);
            return true;
        }

        public long take() {
            Long value = items.poll();
            return value == null ? EMPTY : value;
        }
    }

    public static class ChannelSpec extends BufferSpec {
        public ChannelSpec() {
            super(1);
        }
    }

    public static class TwoSlotSpec extends BufferSpec {
        public TwoSlotSpec() {
            super(2);
        }
    }

    private static List<ExecutionScenario> channelScenarios() {
        return List.of(
                BlockingScenario.of(RetryChannel.class).thread(call("take")).thread(call("put", 5L)).build(),
                BlockingScenario.of(RetryChannel.class).before(call("put", 1L))
                        .thread(call("put", 2L)).thread(call("take"), call("take")).build(),
                // each thread puts before it takes, so some order always lets every wait end
                BlockingScenario.of(RetryChannel.class)
                        .thread(call("put", 3L), call("take")).thread(call("put", 4L), call("take")).build());
    }

    private static List<ExecutionScenario> bufferScenarios(Class<?> buffer) {
        return List.of(
                BlockingScenario.of(buffer).before(call("put", 1L))
                        .thread(call("put", 2L)).thread(call("put", 3L)).thread(call("take"), call("take")).build(),
                BlockingScenario.of(buffer)
                        .thread(call("take"), call("take")).thread(call("put", 7L)).thread(call("put", 8L)).build());
    }

    @Test
    void retryChannelIsLinearizable() {
        WeftLincheck.checkScenarios(RetryChannel.class, ChannelSpec.class, channelScenarios());
    }

    @Test
    void retryBufferIsLinearizable() {
        WeftLincheck.checkScenarios(RetryBuffer.class, TwoSlotSpec.class, bufferScenarios(RetryBuffer.class));
    }

    @Test
    void bufferWhosePutChecksRoomInASeparateTransactionIsCaught() {
        ExpectedViolation.assertCaught(() -> WeftLincheck.checkScenarios(SplitPutBuffer.class, TwoSlotSpec.class,
                bufferScenarios(SplitPutBuffer.class)));
    }
}
