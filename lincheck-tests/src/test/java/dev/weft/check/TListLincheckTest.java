package dev.weft.check;

import static dev.weft.stm.Stm.atomic;

import dev.weft.collections.TList;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * {@link TList}'s {@code List} view is linearizable against an {@link ArrayList}: appends,
 * insertions and removals at an index, reads and writes by index (which decide "out of bounds"
 * from the slot, without the size), and an in-transaction increment composed of a get and a set.
 * An index out of bounds is a result here (null or false), not an exception, as in the
 * specification.
 */
class TListLincheckTest {

    @Param(name = "index", gen = IntGen.class, conf = "0:2")
    @Param(name = "value", gen = IntGen.class, conf = "1:3")
    public static class ListView {
        final TList<Integer> list = new TList<>();
        final List<Integer> view = list.asList();

        @Operation
        public Integer get(@Param(name = "index") int index) {
            try {
                return view.get(index);
            } catch (IndexOutOfBoundsException e) {
                return null;
            }
        }

        @Operation
        public Integer set(@Param(name = "index") int index, @Param(name = "value") int value) {
            try {
                return view.set(index, value);
            } catch (IndexOutOfBoundsException e) {
                return null;
            }
        }

        @Operation
        public boolean add(@Param(name = "value") int value) {
            return view.add(value);
        }

        @Operation
        public boolean insert(@Param(name = "index") int index, @Param(name = "value") int value) {
            try {
                view.add(index, value);
                return true;
            } catch (IndexOutOfBoundsException e) {
                return false;
            }
        }

        @Operation
        public Integer removeAt(@Param(name = "index") int index) {
            try {
                return view.remove(index);
            } catch (IndexOutOfBoundsException e) {
                return null;
            }
        }

        @Operation
        public int size() {
            return view.size();
        }

        @Operation
        public int indexOf(@Param(name = "value") int value) {
            return view.indexOf(value);
        }

        /** Adds one to the element at {@code index} in one transaction; null if out of bounds. */
        @Operation
        public Integer incrementAndGet(@Param(name = "index") int index) {
            return atomic(() -> {
                if (index >= list.size()) {
                    return null;
                }
                int incremented = list.get(index) + 1;
                list.set(index, incremented);
                return incremented;
            });
        }
    }

    /**
     * Broken twin: {@code incrementAndGet} reads in one transaction and writes in another. It
     * starts with two zeros (as {@link TwoZerosSpec}), so that every increment finds its element.
     */
    @Param(name = "index", gen = IntGen.class, conf = "0:1")
    public static class SplitIncrementList {
        final List<Integer> view = new TList<Integer>().asList();

        public SplitIncrementList() {
            view.add(0);
            view.add(0);
        }

        @Operation
        public Integer incrementAndGet(@Param(name = "index") int index) {
            try {
                int incremented = view.get(index) + 1;
                view.set(index, incremented); // another increment may have written since the read
                return incremented;
            } catch (IndexOutOfBoundsException e) {
                return null;
            }
        }
    }

    /** The sequential specification of {@link ListView} and the twin: an {@link ArrayList}. */
    public static class ListSpec {
        private final List<Integer> list = new ArrayList<>();

        public Integer get(int index) {
            return index < list.size() ? list.get(index) : null;
        }

        public Integer set(int index, int value) {
            return index < list.size() ? list.set(index, value) : null;
        }

        public boolean add(int value) {
            return list.add(value);
        }

        public boolean insert(int index, int value) {
            if (index > list.size()) {
                return false;
            }
            list.add(index, value);
            return true;
        }

        public Integer removeAt(int index) {
            return index < list.size() ? list.remove(index) : null;
        }

        public int size() {
            return list.size();
        }

        public int indexOf(int value) {
            return list.indexOf(value);
        }

        public Integer incrementAndGet(int index) {
            if (index >= list.size()) {
                return null;
            }
            int incremented = list.get(index) + 1;
            list.set(index, incremented);
            return incremented;
        }
    }

    /** {@link ListSpec} starting with two zeros: the specification of {@link SplitIncrementList}. */
    public static class TwoZerosSpec extends ListSpec {
        public TwoZerosSpec() {
            add(0);
            add(0);
        }
    }

    @Test
    void listViewIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(ListSpec.class).check(ListView.class);
    }

    @Test
    void listViewIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(ListSpec.class).check(ListView.class);
    }

    @Test
    void incrementOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> CollectionLincheck.twin(TwoZerosSpec.class).check(SplitIncrementList.class));
    }
}
