package dev.weft.check;

import static dev.weft.stm.Stm.atomic;
import static dev.weft.stm.Stm.atomicBoolean;

import dev.weft.collections.TSet;
import dev.weft.collections.TSortedSet;
import java.util.HashSet;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * {@link TSet}'s {@code Set} view is linearizable against a {@link HashSet}, and
 * {@link TSortedSet}'s {@code NavigableSet} view against a {@link TreeSet}, each with an
 * in-transaction operation composed of two calls.
 */
class SetsLincheckTest {

    @Param(name = "element", gen = IntGen.class, conf = "1:3")
    public static class SetView {
        final TSet<Integer> set = new TSet<>();
        final Set<Integer> view = set.asSet();

        @Operation
        public boolean add(@Param(name = "element") int element) {
            return view.add(element);
        }

        @Operation
        public boolean remove(@Param(name = "element") int element) {
            return view.remove(element);
        }

        @Operation
        public boolean contains(@Param(name = "element") int element) {
            return view.contains(element);
        }

        @Operation
        public int size() {
            return view.size();
        }

        /** Removes {@code element} and adds its successor, in one transaction: true if it moved. */
        @Operation
        public boolean replaceBySuccessor(@Param(name = "element") int element) {
            return atomicBoolean(() -> {
                if (!set.remove(element)) {
                    return false;
                }
                set.add(element + 1);
                return true;
            });
        }
    }

    /** Broken twin: {@code add} asks {@code contains} in one transaction and adds in another. */
    @Param(name = "element", gen = IntGen.class, conf = "1:2")
    public static class CheckThenAddSet {
        final Set<Integer> view = new TSet<Integer>().asSet();

        @Operation
        public boolean add(@Param(name = "element") int element) {
            if (view.contains(element)) {
                return false;
            }
            view.add(element); // another add may have added it since: both report true
            return true;
        }

        @Operation
        public boolean remove(@Param(name = "element") int element) {
            return view.remove(element);
        }
    }

    /** The sequential specification of {@link SetView}: a {@link HashSet}. */
    public static class SetSpec {
        private final Set<Integer> set = new HashSet<>();

        public boolean add(int element) {
            return set.add(element);
        }

        public boolean remove(int element) {
            return set.remove(element);
        }

        public boolean contains(int element) {
            return set.contains(element);
        }

        public int size() {
            return set.size();
        }

        public boolean replaceBySuccessor(int element) {
            if (!set.remove(element)) {
                return false;
            }
            set.add(element + 1);
            return true;
        }
    }

    @Param(name = "element", gen = IntGen.class, conf = "1:4")
    public static class SortedSetView {
        final TSortedSet<Integer> set = new TSortedSet<>();
        final NavigableSet<Integer> view = set.asSet();

        @Operation
        public boolean add(@Param(name = "element") int element) {
            return view.add(element);
        }

        @Operation
        public boolean remove(@Param(name = "element") int element) {
            return view.remove(element);
        }

        @Operation
        public boolean contains(@Param(name = "element") int element) {
            return view.contains(element);
        }

        @Operation
        public Integer ceiling(@Param(name = "element") int element) {
            return view.ceiling(element);
        }

        @Operation
        public Integer floor(@Param(name = "element") int element) {
            return view.floor(element);
        }

        @Operation
        public Integer higher(@Param(name = "element") int element) {
            return view.higher(element);
        }

        @Operation
        public Integer pollFirst() {
            return view.pollFirst();
        }

        @Operation
        public Integer pollLast() {
            return view.pollLast();
        }

        /** The in-transaction method: null when empty (the view's first() throws). */
        @Operation
        public Integer first() {
            return atomic(() -> set.first());
        }

        /** The elements in [element, element + 1], counted in one transaction. */
        @Operation
        public int rangeSize(@Param(name = "element") int element) {
            return view.subSet(element, true, element + 1, true).size();
        }

        @Operation
        public int size() {
            return view.size();
        }
    }

    /** Broken twin: {@code pollFirst} reads the first element in one transaction and removes it in another. */
    @Param(name = "element", gen = IntGen.class, conf = "1:4")
    public static class SplitPollSortedSet {
        final TSortedSet<Integer> set = new TSortedSet<>();
        final NavigableSet<Integer> view = set.asSet();

        @Operation
        public boolean add(@Param(name = "element") int element) {
            return view.add(element);
        }

        @Operation
        public Integer pollFirst() {
            Integer first = atomic(() -> set.first());
            if (first != null) {
                view.remove(first); // another pollFirst may have taken it since: both return it
            }
            return first;
        }
    }

    /** The sequential specification of {@link SortedSetView}: a {@link TreeSet}. */
    public static class SortedSetSpec {
        private final TreeSet<Integer> set = new TreeSet<>();

        public boolean add(int element) {
            return set.add(element);
        }

        public boolean remove(int element) {
            return set.remove(element);
        }

        public boolean contains(int element) {
            return set.contains(element);
        }

        public Integer ceiling(int element) {
            return set.ceiling(element);
        }

        public Integer floor(int element) {
            return set.floor(element);
        }

        public Integer higher(int element) {
            return set.higher(element);
        }

        public Integer pollFirst() {
            return set.pollFirst();
        }

        public Integer pollLast() {
            return set.pollLast();
        }

        public Integer first() {
            return set.isEmpty() ? null : set.first();
        }

        public int rangeSize(int element) {
            return set.subSet(element, true, element + 1, true).size();
        }

        public int size() {
            return set.size();
        }
    }

    @Test
    void setViewIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(SetSpec.class).check(SetView.class);
    }

    @Test
    void setViewIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(SetSpec.class).check(SetView.class);
    }

    @Test
    void navigableSetViewIsLinearizableUnderModelChecking() {
        CollectionLincheck.modelChecking().sequentialSpecification(SortedSetSpec.class).check(SortedSetView.class);
    }

    @Test
    void navigableSetViewIsLinearizableUnderStress() {
        CollectionLincheck.stress().sequentialSpecification(SortedSetSpec.class).check(SortedSetView.class);
    }

    @Test
    void addOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> CollectionLincheck.twin(SetSpec.class).check(CheckThenAddSet.class));
    }

    @Test
    void pollFirstOfTwoTransactionsIsCaught() {
        ExpectedViolation.assertCaught(() -> CollectionLincheck.twin(SortedSetSpec.class).check(SplitPollSortedSet.class));
    }
}
