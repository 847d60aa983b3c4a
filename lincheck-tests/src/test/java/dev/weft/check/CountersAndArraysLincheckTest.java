package dev.weft.check;

import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicLong;

import dev.weft.collections.TArray;
import dev.weft.collections.TCounter;
import dev.weft.collections.TLongArray;
import java.util.Arrays;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * {@link TCounter} is linearizable against a {@code long} (its stripes summed in one transaction
 * are one total), {@link TLongArray}'s one-operation view against a {@code long[]} and
 * {@link TArray}'s {@code List} view against an {@code Integer[]}, each with a transaction over
 * two of their cells.
 */
class CountersAndArraysLincheckTest {
    static final int LENGTH = 2;

    @Param(name = "delta", gen = IntGen.class, conf = "1:3")
    public static class Counter {
        final TCounter counter = new TCounter();

        @Operation
        public void add(@Param(name = "delta") int delta) {
            counter.atomic().add(delta);
        }

        @Operation
        public void increment() {
            counter.atomic().increment();
        }

        @Operation
        public long get() {
            return counter.atomic().get();
        }

        /** Add, then read the total, in one transaction. */
        @Operation
        public long addAndGet(@Param(name = "delta") int delta) {
            return atomicLong(() -> {
                counter.add(delta);
                return counter.get();
            });
        }
    }

    /** Broken twin: {@code addAndGet} adds in one transaction and reads the total in another. */
    @Param(name = "delta", gen = IntGen.class, conf = "1:3")
    public static class SplitAddAndGetCounter {
        final TCounter counter = new TCounter();

        @Operation
        public long addAndGet(@Param(name = "delta") int delta) {
            counter.atomic().add(delta);
            return counter.atomic().get(); // may include another thread's later add
        }
    }

    /** The sequential counter. */
    public static class CounterSpec {
        private long total;

        public void add(int delta) {
            total += delta;
        }

        public void increment() {
            total++;
        }

        public long get() {
            return total;
        }

        public long addAndGet(int delta) {
            total += delta;
            return total;
        }
    }

    @Param(name = "index", gen = IntGen.class, conf = "0:1")
    @Param(name = "value", gen = IntGen.class, conf = "0:2")
    public static class LongArray {
        final TLongArray array = new TLongArray(LENGTH);
        final TLongArray.Atomic view = array.atomic();

        @Operation
        public long get(@Param(name = "index") int index) {
            return view.get(index);
        }

        @Operation
        public void set(@Param(name = "index") int index, @Param(name = "value") int value) {
            view.set(index, value);
        }

        @Operation
        public long getAndSet(@Param(name = "index") int index, @Param(name = "value") int value) {
            return view.getAndSet(index, value);
        }

        @Operation
        public boolean compareAndSet(@Param(name = "index") int index, @Param(name = "value") int expected,
                @Param(name = "value") int update) {
            return view.compareAndSet(index, expected, update);
        }

        @Operation
        public long getAndAdd(@Param(name = "index") int index, @Param(name = "value") int delta) {
            return view.getAndAdd(index, delta);
        }

        @Operation
        public long incrementAndGet(@Param(name = "index") int index) {
            return view.incrementAndGet(index);
        }

        @Operation
        public long sum() {
            return view.sum();
        }

        /** Moves slot 0's value into slot 1 (adding), in one transaction; returns what moved. */
        @Operation
        public long drainFirstIntoSecond() {
            return atomicLong(() -> {
                long moved = array.get(0);
                array.set(0, 0);
                array.addAndGet(1, moved);
                return moved;
            });
        }
    }

    /** Broken twin: {@code compareAndSet} reads in one transaction and writes in another. */
    @Param(name = "index", gen = IntGen.class, conf = "0:1")
    @Param(name = "value", gen = IntGen.class, conf = "0:1")
    public static class SplitCompareAndSetArray {
        final TLongArray.Atomic view = new TLongArray(LENGTH).atomic();

        @Operation
        public long get(@Param(name = "index") int index) {
            return view.get(index);
        }

        @Operation
        public boolean compareAndSet(@Param(name = "index") int index, @Param(name = "value") int expected,
                @Param(name = "value") int update) {
            if (view.get(index) != expected) {
                return false;
            }
            view.set(index, update); // another compareAndSet may have written since the read
            return true;
        }

        @Operation
        public long incrementAndGet(@Param(name = "index") int index) {
            return view.incrementAndGet(index);
        }
    }

    /** The sequential {@code long[]}. */
    public static class LongArraySpec {
        private final long[] slots = new long[LENGTH];

        public long get(int index) {
            return slots[index];
        }

        public void set(int index, int value) {
            slots[index] = value;
        }

        public long getAndSet(int index, int value) {
            long old = slots[index];
            slots[index] = value;
            return old;
        }

        public boolean compareAndSet(int index, int expected, int update) {
            if (slots[index] != expected) {
                return false;
            }
            slots[index] = update;
            return true;
        }

        public long getAndAdd(int index, int delta) {
            long old = slots[index];
            slots[index] += delta;
            return old;
        }

        public long incrementAndGet(int index) {
            return ++slots[index];
        }

        public long sum() {
            return Arrays.stream(slots).sum();
        }

        public long drainFirstIntoSecond() {
            long moved = slots[0];
            slots[0] = 0;
            slots[1] += moved;
            return moved;
        }
    }

    @Param(name = "index", gen = IntGen.class, conf = "0:1")
    @Param(name = "value", gen = IntGen.class, conf = "1:3")
    public static class ObjectArray {
        final TArray<Integer> array = new TArray<>(LENGTH);
        final List<Integer> view = array.asList();

        @Operation
        public Integer get(@Param(name = "index") int index) {
            return view.get(index);
        }

        @Operation
        public Integer set(@Param(name = "index") int index, @Param(name = "value") int value) {
            return view.set(index, value);
        }

        @Operation
        public boolean contains(@Param(name = "value") int value) {
            return view.contains(value);
        }

        /** Swaps the two slots in one transaction. */
        @Operation
        public void swap() {
            atomic(() -> {
                Integer first = array.get(0);
                array.set(0, array.get(1));
                array.set(1, first);
            });
        }

        /** Both slots read in one transaction. */
        @Operation
        public String snapshot() {
            return atomic(() -> array.get(0) + "," + array.get(1));
        }
    }

    /** The sequential {@code Integer[]}. */
    public static class ObjectArraySpec {
        private final Integer[] slots = new Integer[LENGTH];

        public Integer get(int index) {
            return slots[index];
        }

        public Integer set(int index, int value) {
            Integer old = slots[index];
            slots[index] = value;
            return old;
        }

        public boolean contains(int value) {
            return Arrays.asList(slots).contains(value);
        }

        public void swap() {
            Integer first = slots[0];
            slots[0] = slots[1];
            slots[1] = first;
        }

        public String snapshot() {
            return slots[0] + "," + slots[1];
        }
    }

    @Test
    void counterIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(CounterSpec.class).check(Counter.class);
    }

    @Test
    void counterIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(CounterSpec.class).check(Counter.class);
    }

    @Test
    void addAndGetOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> CollectionLincheck.twin(CounterSpec.class).check(SplitAddAndGetCounter.class));
    }

    @Test
    void longArrayIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(LongArraySpec.class).check(LongArray.class);
    }

    @Test
    void longArrayIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(LongArraySpec.class).check(LongArray.class);
    }

    @Test
    void compareAndSetOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(
                () -> CollectionLincheck.twin(LongArraySpec.class).check(SplitCompareAndSetArray.class));
    }

    @Test
    void objectArrayIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(ObjectArraySpec.class).check(ObjectArray.class);
    }

    @Test
    void objectArrayIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(ObjectArraySpec.class).check(ObjectArray.class);
    }
}
