package dev.weft.bench.sched;

import dev.weft.collections.TMap;
import dev.weft.collections.TSortedMap;
import dev.weft.stm.Stm;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * STAMP's Vacation (Minh et al., IISWC 2008) in Java on Weft's collections: a travel agency's
 * database of cars, flights and rooms ({@link TMap}s from id to an immutable {@link Item}) and
 * customers (a {@link TSortedMap} from id to an immutable {@link Customer} with the list of their
 * reservations). Each task is one client transaction, as in STAMP:
 * <ul>
 *   <li>reserve ({@code userPercent}): query {@code queries} random items in the first
 *       {@code queryPercent} of the ids of random tables, take the most expensive free one of
 *       each table, and book those for a random customer (created if absent);</li>
 *   <li>cancel (half of the rest): delete a random customer, releasing every reservation;</li>
 *   <li>update (the other half): add capacity to, or remove, {@code queries} random items.</li>
 * </ul>
 * STAMP's vacation-high is {@code -n4 -q60 -u90}, vacation-low {@code -n2 -q90 -u98}, over many
 * more relations than threads; here the contention is set mostly by {@code relations}.
 */
final class VacationWorkload implements TxnWorkload {
    static final int CAR = 0;
    static final int FLIGHT = 1;
    static final int ROOM = 2;

    /** A bookable item: immutable, replaced in its table on every change. */
    record Item(int id, int free, int total, int price) {}

    /** One booking of a customer. */
    record Booking(int table, int id, int price) {}

    /** A customer and their bookings: immutable, replaced on every change. */
    record Customer(int id, List<Booking> bookings) {}

    private final int relations;
    private final int queries;
    private final int queryPercent;
    private final int userPercent;
    private List<TMap<Integer, Item>> tables;
    private TSortedMap<Integer, Customer> customers;

    VacationWorkload(int relations, int queries, int queryPercent, int userPercent) {
        this.relations = relations;
        this.queries = queries;
        this.queryPercent = queryPercent;
        this.userPercent = userPercent;
    }

    @Override
    public String name() {
        return "vacation(r=" + relations + ",n=" + queries + ",q=" + queryPercent + ",u=" + userPercent + ")";
    }

    @Override
    public void setUp() {
        tables = List.of(new TMap<>(), new TMap<>(), new TMap<>());
        customers = new TSortedMap<>();
        SplittableRandom random = new SplittableRandom(-1);
        Stm.atomic(() -> {
            for (TMap<Integer, Item> table : tables) {
                for (int id = 0; id < relations; id++) {
                    int capacity = 100;
                    table.put(id, new Item(id, capacity, capacity, 50 + random.nextInt(50) * 10));
                }
            }
        });
    }

    @Override
    public Runnable weftBody(long i, LongAdder attempts) {
        long seed = i;
        return () -> {
            attempts.increment();
            SplittableRandom random = new SplittableRandom(seed);
            int action = random.nextInt(100);
            int range = Math.max(1, relations * queryPercent / 100);
            if (action < userPercent) {
                reserve(random, range);
            } else if (action < userPercent + (100 - userPercent) / 2) {
                cancel(random.nextInt(range));
            } else {
                update(random, range);
            }
        };
    }

    private void reserve(SplittableRandom random, int range) {
        int[] bestId = {-1, -1, -1};
        int[] bestPrice = {-1, -1, -1};
        for (int q = 0; q < queries; q++) {
            int table = random.nextInt(3);
            int id = random.nextInt(range);
            Item item = tables.get(table).get(id);
            if (item != null && item.free() > 0 && item.price() > bestPrice[table]) {
                bestPrice[table] = item.price();
                bestId[table] = id;
            }
        }
        int customerId = random.nextInt(range);
        Customer customer = customers.get(customerId);
        List<Booking> bookings = customer == null ? new ArrayList<>() : new ArrayList<>(customer.bookings());
        boolean booked = false;
        for (int table = 0; table < 3; table++) {
            if (bestId[table] < 0) {
                continue;
            }
            TMap<Integer, Item> items = tables.get(table);
            Item item = items.get(bestId[table]);
            items.put(item.id(), new Item(item.id(), item.free() - 1, item.total(), item.price()));
            bookings.add(new Booking(table, item.id(), item.price()));
            booked = true;
        }
        if (booked || customer == null) {
            customers.put(customerId, new Customer(customerId, List.copyOf(bookings)));
        }
    }

    private void cancel(int customerId) {
        Customer customer = customers.remove(customerId);
        if (customer == null) {
            return;
        }
        for (Booking booking : customer.bookings()) {
            TMap<Integer, Item> items = tables.get(booking.table());
            Item item = items.get(booking.id());
            if (item != null) {
                items.put(item.id(), new Item(item.id(), item.free() + 1, item.total(), item.price()));
            }
        }
    }

    private void update(SplittableRandom random, int range) {
        for (int q = 0; q < queries; q++) {
            TMap<Integer, Item> items = tables.get(random.nextInt(3));
            int id = random.nextInt(range);
            Item item = items.get(id);
            if (random.nextBoolean()) {
                int price = 50 + random.nextInt(50) * 10;
                items.put(id, item == null ? new Item(id, 100, 100, price)
                        : new Item(id, item.free() + 100, item.total() + 100, price));
            } else if (item != null && item.free() == item.total()) {
                items.remove(id); // only items nobody holds a booking on, so bookings stay valid
            }
        }
    }

    /**
     * STAMP's consistency check: every item's free count equals its total less the bookings
     * customers hold on it, and no free count is negative.
     */
    @Override
    public void check(long tasks, String implementation) {
        Stm.atomic(() -> {
            int[][] held = new int[3][relations];
            customers.asMap().forEach((id, customer) -> {
                for (Booking booking : customer.bookings()) {
                    held[booking.table()][booking.id()]++;
                }
            });
            for (int table = 0; table < 3; table++) {
                int t = table;
                tables.get(table).forEach((id, item) -> {
                    if (item.free() < 0 || item.free() + held[t][id] != item.total()) {
                        throw new IllegalStateException(name() + ": item " + t + "/" + id + " " + item
                                + " with " + held[t][id] + " bookings");
                    }
                });
                for (int id = 0; id < relations; id++) {
                    if (held[table][id] > 0 && tables.get(table).get(id) == null) {
                        throw new IllegalStateException(name() + ": bookings on removed item " + table + "/" + id);
                    }
                }
            }
        });
    }
}
