package dev.weft.collections;

import static dev.weft.stm.Stm.atomic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.AssertionFailedError;

/**
 * {@link TList} agrees with {@link ArrayList} step by step over many chunks, rejects nulls without
 * writing, and keeps accesses to different indexes (and appends) apart; the conflict check has a
 * broken twin it must catch.
 */
class TListTest {
    // ------------------------------------------------------------------ agrees with ArrayList

    @Test
    void agreesWithArrayListWhileGrowingAndShrinkingOverSeveralChunks() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Integer> list = new TList<Integer>().asList();
        List<Integer> model = new ArrayList<>();
        for (int step = 0; step < Scale.of(6_000); step++) {
            String where = "step " + step + " (seed " + seed + ")";
            boolean grow = (step / 1_000) % 2 == 0 ? random.nextInt(10) < 7 : random.nextInt(10) < 3;
            int e = random.nextInt(100);
            int n = model.size();
            switch (random.nextInt(grow ? 3 : 6)) {
                case 0 -> assertEquals(model.add(e), list.add(e), where);
                case 1 -> {
                    int i = random.nextInt(n + 1);
                    model.add(i, e);
                    list.add(i, e);
                }
                case 2 -> {
                    if (n > 0) {
                        int i = random.nextInt(n);
                        assertEquals(model.set(i, e), list.set(i, e), where);
                    }
                }
                case 3 -> {
                    if (n > 0) {
                        int i = random.nextInt(n);
                        assertEquals(model.remove(i), list.remove(i), where);
                    }
                }
                case 4 -> {
                    switch (random.nextInt(8)) {
                        case 0 -> assertEquals(model.remove((Integer) e), list.remove((Integer) e), where);
                        case 1 -> assertEquals(model.removeIf(x -> x % 7 == e % 7), list.removeIf(x -> x % 7 == e % 7), where);
                        case 2 -> {
                            int from = random.nextInt(n + 1);
                            int to = from + random.nextInt(n - from + 1);
                            model.subList(from, to).clear();
                            list.subList(from, to).clear();
                        }
                        case 3 -> {
                            int i = random.nextInt(n + 1);
                            List<Integer> more = List.of(e, e + 1, e + 2);
                            assertEquals(model.addAll(i, more), list.addAll(i, more), where);
                        }
                        case 4 -> {
                            model.sort(Comparator.reverseOrder());
                            list.sort(Comparator.reverseOrder());
                        }
                        case 5 -> {
                            ListIterator<Integer> mine = list.listIterator();
                            ListIterator<Integer> theirs = model.listIterator();
                            while (theirs.hasNext()) {
                                int x = theirs.next();
                                assertEquals(x, mine.next(), where);
                                if (x % 5 == 0) {
                                    theirs.remove();
                                    mine.remove();
                                } else if (x % 5 == 1) {
                                    theirs.set(x + 1);
                                    mine.set(x + 1);
                                } else if (x % 11 == 2) {
                                    theirs.add(e);
                                    mine.add(e);
                                }
                            }
                        }
                        case 6 -> assertEquals(model.indexOf(e) + "/" + model.lastIndexOf(e),
                                list.indexOf(e) + "/" + list.lastIndexOf(e), where);
                        default -> {
                            if (random.nextInt(10) == 0) {
                                model.clear();
                                list.clear();
                            }
                        }
                    }
                }
                default -> {
                    assertEquals(model.size(), list.size(), where);
                    assertEquals(model.isEmpty(), list.isEmpty(), where);
                    if (n > 0) {
                        int i = random.nextInt(n);
                        assertEquals(model.get(i), list.get(i), where);
                    }
                    assertThrows(IndexOutOfBoundsException.class, () -> list.get(n), where);
                }
            }
        }
        assertEquals(model, list);
        assertEquals(model.hashCode(), list.hashCode());
        assertEquals(model.toString(), list.toString());
        assertEquals(model, list.stream().collect(Collectors.toList()));
    }

    @Test
    void indexesPastTheEndAreOutOfBoundsAlsoInAChunkThatExists() {
        TList<String> list = new TList<>();
        List<String> view = list.asList();
        for (int i = 0; i < 40; i++) {
            view.add("e" + i);
        }
        view.subList(20, 40).clear(); // chunk 1 (16..47) stays allocated, half empty
        assertEquals(20, view.size());
        assertEquals("e19", view.get(19));
        for (int index : new int[] {-1, 20, 30, 47, 48, 1_000_000, Integer.MAX_VALUE}) {
            assertThrows(IndexOutOfBoundsException.class, () -> view.get(index), "get " + index);
            assertThrows(IndexOutOfBoundsException.class, () -> view.set(index, "x"), "set " + index);
            assertThrows(IndexOutOfBoundsException.class, () -> view.remove(index), "remove " + index);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> view.add(21, "x"));
        view.add(20, "x");
        assertEquals("x", view.get(20));
        view.clear();
        assertTrue(view.isEmpty());
        assertThrows(IndexOutOfBoundsException.class, () -> view.get(0));
        view.add("again");
        assertEquals(List.of("again"), view);
        assertEquals("TList[again]", list.toString());
    }

    @Test
    void aListIteratorWritesThroughOnlyWhileTheListStillHoldsWhatItSaw() {
        List<String> view = new TList<String>().asList();
        view.addAll(List.of("a", "b", "c"));
        Iterator<String> it = view.iterator();
        it.next();
        it.remove();
        assertEquals(List.of("b", "c"), view);
        ListIterator<String> stale = view.listIterator();
        stale.next();
        view.set(0, "B"); // another change at the iterator's index
        assertThrows(ConcurrentModificationException.class, () -> stale.set("x"));
        assertThrows(ConcurrentModificationException.class, stale::remove);
        assertEquals(List.of("B", "c"), view, "a refused write changed the list");
    }

    // ------------------------------------------------------------------ nulls and misuse

    @Test
    void nullElementsAreRejectedAtTheCallAndNothingIsWritten() {
        TList<String> list = new TList<>();
        List<String> view = list.asList();
        view.add("x");
        List<Executable> writes = List.of(
                () -> view.add(null), () -> view.add(0, null), () -> view.set(0, null),
                () -> view.addAll(Arrays.asList("y", null)), () -> view.addAll(0, Arrays.asList("y", null)),
                () -> view.replaceAll(s -> null), () -> view.listIterator().add(null),
                () -> atomic(() -> list.add(null)), () -> atomic(() -> list.set(0, null)),
                () -> atomic(() -> list.add(1, null)));
        for (Executable write : writes) {
            assertThrows(NullPointerException.class, write);
        }
        assertEquals(List.of("x"), view, "a rejected null wrote something");
        LongRef written = new LongRef();
        assertThrows(NullPointerException.class, () -> atomic(() -> {
            written.set(1);
            list.add("y");
            list.add(null);
        }));
        assertEquals(0, written.atomic().get());
        assertEquals(List.of("x"), view);
        assertFalse(view.contains(null));
        assertEquals(-1, view.indexOf(null));
        assertThrows(IllegalStateException.class, () -> list.add("outside"));
    }

    // ------------------------------------------------------------------ conflicts

    /** One access to a list, by a correct list or a broken one. */
    record Access(String name, Consumer<TList<Integer>> first, Consumer<TList<Integer>> second) {}

    static final List<Access> INDEPENDENT = List.of(
            new Access("get(0) / add", l -> l.get(0), l -> l.add(9)),
            new Access("set(1) / add", l -> l.set(1, 9), l -> l.add(9)),
            new Access("set(0) / set(1)", l -> l.set(0, 9), l -> l.set(1, 9)),
            new Access("get(15) / add starting chunk 1", l -> l.get(15), l -> l.add(9)),
            new Access("isEmpty / add", TList::isEmpty, l -> l.add(9)),
            new Access("add / set(2)", l -> l.add(9), l -> l.set(2, 9)));

    /** Each pair on a list of 16 elements (the next append starts a new chunk) must commit once. */
    static void assertIndependentAccessesDoNotConflict(List<Access> accesses) throws InterruptedException {
        for (Access access : accesses) {
            TList<Integer> list = new TList<>();
            for (int i = 0; i < 16; i++) {
                list.asList().add(i);
            }
            int attempts = TDequeTest.attemptsWhileAnotherCommits(() -> access.first().accept(list),
                    () -> access.second().accept(list));
            assertEquals(1, attempts, access.name() + " conflicted");
        }
    }

    @Test
    void accessesToDifferentIndexesAndAppendsDoNotConflict() throws InterruptedException {
        assertIndependentAccessesDoNotConflict(INDEPENDENT);
        TList<Integer> list = new TList<>();
        list.asList().add(0);
        assertEquals(2, TDequeTest.attemptsWhileAnotherCommits(() -> list.add(1), () -> list.add(2)),
                "two appends must conflict on the size");
        assertEquals(2, TDequeTest.attemptsWhileAnotherCommits(() -> list.get(0), () -> list.set(0, 5)),
                "a read and a write of one index must conflict");
    }

    @Test
    void brokenTwinBoundsCheckedAgainstTheSizeIsCaught() {
        // Broken: a get that checks the index against size(), so every append invalidates it.
        List<Access> sizeChecked = List.of(new Access("size-checked get(0) / add", l -> {
            if (l.size() <= 0) {
                throw new IndexOutOfBoundsException(0);
            }
            l.get(0);
        }, l -> l.add(9)));
        assertThrows(AssertionFailedError.class, () -> assertIndependentAccessesDoNotConflict(sizeChecked));
    }

    @Test
    void aBulkChangeIsOneTransaction() {
        TList<Integer> list = new TList<>();
        list.asList().addAll(List.of(1, 2, 3, 4));
        assertThrows(DeliberateFailure.class, () -> list.asList().replaceAll(x -> {
            if (x == 3) {
                throw new DeliberateFailure();
            }
            return x * 10;
        }));
        assertEquals(List.of(1, 2, 3, 4), list.asList(), "a failed replaceAll changed some elements");
        assertEquals(List.of(1, 2, 3, 4), Stm.atomic(() -> List.copyOf(list.asList())));
    }

    /**
     * Regression (session 19): a list iterator's remove() in a nested scope that rolled back put
     * the element back in the list but not in the iterator's copy, which then skipped it (and a
     * later write-through through the shifted index threw). Now every use after such a rollback
     * throws ConcurrentModificationException; a nested scope that committed, and a rollback of a
     * scope the iterator never used, leave it working.
     */
    @Test
    void aListIteratorRefusesOnceAScopeItChangedTheListInRolledBack() {
        TList<Integer> list = new TList<>();
        list.asList().addAll(List.of(1, 2, 3, 4));
        List<Integer> seen = atomic(() -> {
            ListIterator<Integer> it = list.asList().listIterator();
            assertEquals(1, it.next());
            assertThrows(DeliberateFailure.class, () -> atomic(() -> {
                it.remove();
                throw new DeliberateFailure();
            }));
            assertEquals(List.of(1, 2, 3, 4), List.copyOf(list.asList()), "the nested scope's remove was not rolled back");
            assertThrows(ConcurrentModificationException.class, it::next);
            assertThrows(ConcurrentModificationException.class, () -> it.add(9));
            // a new iterator is fine; one whose nested write-through committed goes on
            ListIterator<Integer> fresh = list.asList().listIterator();
            assertEquals(1, fresh.next());
            atomic(fresh::remove);
            assertThrows(DeliberateFailure.class, () -> atomic(() -> { // a scope it did not use
                list.asList().add(7);
                throw new DeliberateFailure();
            }));
            List<Integer> rest = new ArrayList<>();
            fresh.forEachRemaining(rest::add);
            return rest;
        });
        assertEquals(List.of(2, 3, 4), seen);
        assertEquals(List.of(2, 3, 4), list.asList());

        // made outside, changed inside a transaction whose body then throws: the change is rolled back
        ListIterator<Integer> outside = list.asList().listIterator();
        assertEquals(2, outside.next());
        assertThrows(DeliberateFailure.class, () -> atomic(() -> {
            outside.set(20);
            throw new DeliberateFailure();
        }));
        assertEquals(List.of(2, 3, 4), list.asList());
        assertThrows(ConcurrentModificationException.class, outside::next);

        // made inside a nested scope that rolled back: its copy held that scope's writes
        atomic(() -> {
            AtomicReference<ListIterator<Integer>> made = new AtomicReference<>();
            assertThrows(DeliberateFailure.class, () -> atomic(() -> {
                list.asList().add(0, 99);
                made.set(list.asList().listIterator());
                throw new DeliberateFailure();
            }));
            assertThrows(ConcurrentModificationException.class, made.get()::next, "the iterator handed out 99, which was rolled back");
        });
        // and outside transactions the iterator is the snapshot it always was
        ListIterator<Integer> plain = list.asList().listIterator();
        plain.next();
        plain.remove();
        assertEquals(3, plain.next());
        assertEquals(List.of(3, 4), list.asList());
    }
}
