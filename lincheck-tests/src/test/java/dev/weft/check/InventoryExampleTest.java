package dev.weft.check;

import static dev.weft.stm.Stm.atomic;

import dev.weft.refs.Ref;
import java.util.HashMap;
import java.util.Map;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * The example of docs/testing.md, verbatim: a user's map-like structure built on Weft refs,
 * checked with the kit in a few lines, and its twin with a {@code putIfAbsent} that is two
 * transactions, which the kit must reject.
 */
class InventoryExampleTest {

    /** A small map from item ids 0..2 to stock counts: one Weft ref per slot. */
    @Param(name = "item", gen = IntGen.class, conf = "0:2")
    @Param(name = "count", gen = IntGen.class, conf = "1:3")
    public static class Inventory {
        private final Ref<Integer>[] stock = newSlots(3);

        @Operation
        public Integer get(@Param(name = "item") int item) {
            return stock[item].atomic().get();
        }

        @Operation
        public Integer putIfAbsent(@Param(name = "item") int item, @Param(name = "count") int count) {
            return atomic(() -> {                      // one transaction: check and insert together
                Integer present = stock[item].get();
                if (present == null) {
                    stock[item].set(count);
                }
                return present;
            });
        }

        @Operation
        public boolean move(@Param(name = "item") int from, @Param(name = "item") int to) {
            return atomic(() -> {                      // a transaction over two refs
                Integer moved = stock[from].get();
                if (from == to || moved == null || stock[to].get() != null) {
                    return false;
                }
                stock[from].set(null);
                stock[to].set(moved);
                return true;
            });
        }
    }

    /** The sequential specification: a HashMap. */
    public static class InventorySpec {
        private final Map<Integer, Integer> stock = new HashMap<>();

        public Integer get(int item) {
            return stock.get(item);
        }

        public Integer putIfAbsent(int item, int count) {
            return stock.putIfAbsent(item, count);
        }

        public boolean move(int from, int to) {
            if (from == to || !stock.containsKey(from) || stock.containsKey(to)) {
                return false;
            }
            stock.put(to, stock.remove(from));
            return true;
        }
    }

    @Test
    void inventoryIsLinearizable() {
        WeftLincheck.check(Inventory.class, InventorySpec.class);
    }

    /** The same inventory with putIfAbsent as a read and a write in two transactions. */
    @Param(name = "item", gen = IntGen.class, conf = "0:2")
    @Param(name = "count", gen = IntGen.class, conf = "1:3")
    public static class CheckThenPutInventory {
        private final Ref<Integer>[] stock = newSlots(3);

        @Operation
        public Integer get(@Param(name = "item") int item) {
            return stock[item].atomic().get();
        }

        @Operation
        public Integer putIfAbsent(@Param(name = "item") int item, @Param(name = "count") int count) {
            Integer present = stock[item].atomic().get();
            if (present == null) {
                stock[item].atomic().set(count);   // another putIfAbsent may have inserted since the read
            }
            return present;
        }
    }

    @Test
    void putIfAbsentOfTwoTransactionsIsCaught() {
        // the presets of check(...), without minimizing the failing scenario (slow, and not needed here)
        ExpectedViolation.assertCaught(() -> WeftLincheck.modelChecking().minimizeFailedScenario(false)
                .sequentialSpecification(InventorySpec.class).check(CheckThenPutInventory.class));
    }

    @SuppressWarnings("unchecked")
    static Ref<Integer>[] newSlots(int count) {
        Ref<Integer>[] slots = new Ref[count];
        for (int i = 0; i < count; i++) {
            slots[i] = new Ref<>();
        }
        return slots;
    }
}
