package dev.weft.check;

import dev.weft.refs.Ref;
import java.util.Objects;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * The one-operation view {@code Ref.atomic()} is linearizable for object values, including
 * {@code null}. Values are small {@link Integer}s from the {@code Integer.valueOf} cache, so the
 * identity comparison of {@code compareAndSet} and the {@code equals} comparison of the
 * specification agree.
 */
class RefAtomicViewTest {

    /** One {@code Ref<Integer>}, initially {@code null}, driven through its one-operation view. */
    @Param(name = "value", gen = IntGen.class, conf = "0:2")
    public static class AtomicView {
        private final Ref<Integer> ref = new Ref<>();

        @Operation
        public Integer get() {
            return ref.atomic().get();
        }

        @Operation
        public void set(@Param(name = "value") int value) {
            ref.atomic().set(value); // boxed through the cache: Integer.valueOf(0..2)
        }

        @Operation
        public Integer getAndSet(@Param(name = "value") int value) {
            return ref.atomic().getAndSet(value);
        }

        @Operation
        public boolean compareAndSet(@Param(name = "value") int expected, @Param(name = "value") int update) {
            return ref.atomic().compareAndSet(expected, update);
        }

        @Operation
        public boolean setIfNull(@Param(name = "value") int value) {
            return ref.atomic().compareAndSet(null, value);
        }
    }

    /**
     * A compare-and-set made of a one-operation read and a one-operation write: two of them can
     * both see the expected value and both succeed. Only the operations that race are offered,
     * on values 0..1, so the generated scenarios meet the race often.
     */
    @Param(name = "value", gen = IntGen.class, conf = "0:1")
    public static class ReadThenSetView {
        private final Ref<Integer> ref = new Ref<>();

        @Operation
        public Integer get() {
            return ref.atomic().get();
        }

        @Operation
        public boolean compareAndSet(@Param(name = "value") int expected, @Param(name = "value") int update) {
            if (ref.atomic().get() != Integer.valueOf(expected)) {
                return false;
            }
            ref.atomic().set(update);
            return true;
        }

        @Operation
        public boolean setIfNull(@Param(name = "value") int value) {
            if (ref.atomic().get() != null) {
                return false;
            }
            ref.atomic().set(value);
            return true;
        }
    }

    /** The sequential specification: a plain {@code Integer} field. */
    public static class PlainReference {
        private Integer value;

        public Integer get() {
            return value;
        }

        public void set(int value) {
            this.value = value;
        }

        public Integer getAndSet(int value) {
            Integer previous = this.value;
            this.value = value;
            return previous;
        }

        public boolean compareAndSet(int expected, int update) {
            if (!Objects.equals(value, expected)) {
                return false;
            }
            value = update;
            return true;
        }

        public boolean setIfNull(int value) {
            if (this.value != null) {
                return false;
            }
            this.value = value;
            return true;
        }
    }

    @Test
    void atomicViewIsLinearizableUnderModelChecking() {
        WeftLincheck.modelChecking().sequentialSpecification(PlainReference.class).check(AtomicView.class);
    }

    @Test
    void atomicViewIsLinearizableUnderStress() {
        WeftLincheck.stress().sequentialSpecification(PlainReference.class).check(AtomicView.class);
    }

    @Test
    void readThenSetCompareAndSetIsCaught() {
        ExpectedViolation.assertCaught(() -> WeftLincheck.modelChecking().minimizeFailedScenario(false)
                .sequentialSpecification(PlainReference.class).check(ReadThenSetView.class));
    }
}
