package dev.weft.check;

import dev.weft.refs.LongRef;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * The one-operation view {@code LongRef.atomic()} is linearizable: every method, called outside a
 * transaction, behaves as if it ran alone at one instant between its call and its return, exactly
 * like the same method on a plain {@code long} guarded by a lock.
 */
class LongRefAtomicViewTest {

    /** One {@link LongRef}, driven only through its one-operation view. */
    @Param(name = "value", gen = IntGen.class, conf = "0:3")
    public static class AtomicView {
        private final LongRef ref = new LongRef();

        @Operation
        public long get() {
            return ref.atomic().get();
        }

        @Operation
        public void set(@Param(name = "value") int value) {
            ref.atomic().set(value);
        }

        @Operation
        public long incrementAndGet() {
            return ref.atomic().incrementAndGet();
        }

        @Operation
        public long getAndAdd(@Param(name = "value") int delta) {
            return ref.atomic().getAndAdd(delta);
        }

        @Operation
        public boolean compareAndSet(@Param(name = "value") int expected, @Param(name = "value") int update) {
            return ref.atomic().compareAndSet(expected, update);
        }

        @Operation
        public long getAndSet(@Param(name = "value") int value) {
            return ref.atomic().getAndSet(value);
        }

        @Operation
        public long updateAndGet() {
            return ref.atomic().updateAndGet(v -> 2 * v + 1); // order-sensitive: exposes lost or reordered updates
        }
    }

    /** The sequential specification: a plain {@code long}. */
    public static class PlainLong {
        private long value;

        public long get() {
            return value;
        }

        public void set(int value) {
            this.value = value;
        }

        public long incrementAndGet() {
            return ++value;
        }

        public long getAndAdd(int delta) {
            long previous = value;
            value += delta;
            return previous;
        }

        public boolean compareAndSet(int expected, int update) {
            if (value != expected) {
                return false;
            }
            value = update;
            return true;
        }

        public long getAndSet(int value) {
            long previous = this.value;
            this.value = value;
            return previous;
        }

        public long updateAndGet() {
            value = 2 * value + 1;
            return value;
        }
    }

    /**
     * A counter whose increment reads and writes in two separate one-operation transactions: two
     * concurrent increments can both read the same value, so one increment is lost.
     */
    public static class ReadThenWriteCounter {
        private final LongRef ref = new LongRef();

        @Operation
        public long get() {
            return ref.atomic().get();
        }

        @Operation
        public long incrementAndGet() {
            long updated = ref.atomic().get() + 1;
            ref.atomic().set(updated);
            return updated;
        }
    }

    /** The specification of {@link ReadThenWriteCounter}: a plain counter. */
    public static class PlainCounter {
        private long value;

        public long get() {
            return value;
        }

        public long incrementAndGet() {
            return ++value;
        }
    }

    @Test
    void atomicViewIsLinearizableUnderModelChecking() {
        WeftLincheck.modelChecking().sequentialSpecification(PlainLong.class).check(AtomicView.class);
    }

    @Test
    void atomicViewIsLinearizableUnderStress() {
        WeftLincheck.stress().sequentialSpecification(PlainLong.class).check(AtomicView.class);
    }

    @Test
    void readThenWriteIncrementIsCaught() {
        ExpectedViolation.assertCaught(() -> WeftLincheck.modelChecking().minimizeFailedScenario(false)
                .sequentialSpecification(PlainCounter.class).check(ReadThenWriteCounter.class));
    }
}
