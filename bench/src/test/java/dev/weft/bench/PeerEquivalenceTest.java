package dev.weft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.lang.IPersistentMap;
import clojure.lang.LockingTransaction;
import clojure.lang.PersistentQueue;
import dev.weft.bench.bank.BankRun;
import dev.weft.bench.bank.BankSettings;
import dev.weft.bench.bank.BankWorkload;
import dev.weft.bench.bank.GlobalLockBank;
import dev.weft.refs.LongRef;
import dev.weft.stm.Stm;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multiverse.api.StmUtils;
import org.multiverse.api.callables.TxnCallable;
import org.multiverse.api.collections.TxnDeque;
import org.multiverse.api.references.TxnLong;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.Control;
import org.opentest4j.AssertionFailedError;

/**
 * The benchmarks' peers do the same work: every implementation of a benchmark, driven outside JMH
 * on one thread through the very {@code @Benchmark} methods and the same seeded draws, returns
 * what an independent model of the operation returns, call by call, and ends in the model's state
 * (map contents, queue contents and sizes, account balances, counter values), which differs from
 * the start, so an implementation whose operation did nothing, or something else, fails.
 *
 * <p>The draws' random generators ({@link KeyDraw}, {@link AccountPicker}, the bank's clerk) are
 * unseeded in the benchmarks; here each is replaced by a {@code SplittableRandom(SEED)} through
 * reflection before the first call, so every implementation and the model see one sequence. A
 * failure message names the benchmark, the implementation, the operation's index and the seed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerEquivalenceTest {
    private static final int SCALE = Integer.getInteger("weft.test.scale", 1);
    private static final long SEED = Long.getLong("weft.test.seed", 0x5EEDL);
    /** Operations per implementation in the map and bank mixes. */
    private static final int MIX_OPERATIONS = 3_000 * SCALE;
    /** Calls per implementation in the counter, read and queue benchmarks. */
    private static final int CALLS = 2_000 * SCALE;
    /** A JMH control that says the measurement is over, so every wait gives up after one bounded try. */
    private static final Control STOPPED = new Control();
    /** A JMH control inside the measurement: a wait that times out is tried again. */
    private static final Control RUNNING = new Control();

    static {
        STOPPED.stopMeasurement = true;
    }

    // ================================================================== helpers

    /** One call of one implementation's benchmark method; its result normalised for comparison. */
    @FunctionalInterface
    private interface Call {
        Object run() throws Exception;
    }

    /** An implementation of a map benchmark: its benchmark call, its draw, and its contents at the end. */
    private record MapPeer(String name, KeyDraw draw, Call call, Callable<Map<Integer, Integer>> contents) {
    }

    /** Replaces the unseeded generator the benchmarks' draws hold in a private final field. */
    private static void seed(Object owner, Class<?> declaring, long seed) {
        try {
            Field random = declaring.getDeclaredField("random");
            random.setAccessible(true);
            random.set(owner, new SplittableRandom(seed));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot seed " + declaring.getSimpleName() + "'s draws", e);
        }
    }

    private static Object privateField(Object owner, String name) {
        try {
            Field field = owner.getClass().getDeclaredField(name);
            field.setAccessible(true);
            return field.get(owner);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read " + owner.getClass().getSimpleName() + "." + name, e);
        }
    }

    private static MapKeys mapKeys(int update) {
        MapKeys keys = new MapKeys();
        keys.keyRange = 1024; // the benchmark's small size; 2^20 keys are too slow to fill five times here
        keys.update = update;
        keys.setup();
        return keys;
    }

    private static KeyMix seededMix(MapKeys keys) {
        KeyMix mix = new KeyMix();
        seed(mix, KeyDraw.class, SEED);
        mix.setup(keys);
        return mix;
    }

    private static MapPutBenchmark.PutMix seededPutMix(MapPutBenchmark.PutKeys keys) {
        MapPutBenchmark.PutMix mix = new MapPutBenchmark.PutMix();
        seed(mix, KeyDraw.class, SEED);
        mix.setup(keys);
        return mix;
    }

    private static TreeMap<Integer, Integer> initialContents(MapKeys keys) {
        TreeMap<Integer, Integer> contents = new TreeMap<>();
        for (int i = 0; i < keys.keyRange; i++) {
            if (keys.initiallyPresent[i]) {
                contents.put(keys.keys[i], keys.keys[i]);
            }
        }
        return contents;
    }

    /** ScalaSTM's {@code TMap.View} answers {@code Option}s where a {@code java.util.Map} answers a value or null. */
    private static Object unwrapOption(Object result) {
        if (result instanceof scala.Option<?> option) {
            return option.isEmpty() ? null : option.get();
        }
        return result;
    }

    private static Map<Integer, Integer> scalaContents(scala.concurrent.stm.TMap.View<Integer, Integer> map, MapKeys keys) {
        Map<Integer, Integer> contents = new HashMap<>();
        for (Integer key : keys.keys) {
            Object value = unwrapOption(map.get(key));
            if (value != null) {
                contents.put(key, (Integer) value);
            }
        }
        return contents;
    }

    @SuppressWarnings("unchecked")
    private static Map<Integer, Integer> clojureContents(clojure.lang.Ref ref) {
        return new LinkedHashMap<>((Map<Integer, Integer>) ref.deref()); // keeps a sorted map's order
    }

    /** What the model map answers to the draw (a get, or a floor/ceiling in the navigation benchmark), applying it. */
    private static Integer applyToModel(NavigableMap<Integer, Integer> model, KeyDraw draw, boolean navigation) {
        return switch (draw.op) {
            case KeyDraw.GET -> navigation
                    ? ((draw.index & 1) == 0 ? model.floorKey(draw.key) : model.ceilingKey(draw.key))
                    : model.get(draw.key);
            case KeyDraw.PUT -> model.put(draw.key, draw.value);
            default -> model.remove(draw.key);
        };
    }

    /**
     * Drives every peer through {@link #MIX_OPERATIONS} calls and checks each call's draw and
     * result against the model, then each peer's contents (and, for sorted maps, their order).
     */
    private static void driveMapMix(String benchmark, List<MapPeer> peers, KeyDraw replica,
                                    TreeMap<Integer, Integer> model, boolean navigation, boolean sorted)
            throws Exception {
        TreeMap<Integer, Integer> initial = new TreeMap<>(model);
        int changes = 0;
        int updates = 0;
        for (int i = 0; i < MIX_OPERATIONS; i++) {
            replica.next();
            Integer previous = model.get(replica.key);
            Integer expected = applyToModel(model, replica, navigation);
            if (replica.op != KeyDraw.GET) {
                updates++;
                if (!Objects.equals(previous, model.get(replica.key))) {
                    changes++;
                }
            }
            for (MapPeer peer : peers) {
                Object actual = unwrapOption(peer.call.run());
                String where = benchmark + "/" + peer.name + ", operation " + i + " (op " + replica.op + ", key "
                        + replica.key + ", seed " + SEED + ")";
                assertEquals(replica.op, peer.draw.op, where + ": drew another operation than the model");
                assertEquals(replica.key, peer.draw.key, where + ": drew another key than the model");
                assertEquals(replica.value, peer.draw.value, where + ": drew another value than the model");
                assertEquals(expected, actual, where + ": returned another result than the model");
            }
        }
        assertTrue(updates > 0 && changes > 0, benchmark + ": the mix changed nothing, so this test proves nothing");
        assertNotEquals(initial, model, benchmark + ": the model ended where it started");
        for (MapPeer peer : peers) {
            Map<Integer, Integer> contents = peer.contents.call();
            assertEquals(model, contents, benchmark + "/" + peer.name + ": contents after the mix (seed " + SEED + ")");
            if (sorted) {
                assertEquals(new ArrayList<>(model.keySet()), new ArrayList<>(contents.keySet()),
                        benchmark + "/" + peer.name + ": key order");
            }
        }
    }

    /**
     * The checkers' twin: a map peer whose updates only look the key up (they answer the previous
     * value, as a put or remove would, but change nothing), and a counter that never counts, fail
     * the checks every real peer passes above.
     */
    @Test
    void aPeerThatAnswersRightButChangesNothingFailsTheChecks() {
        MapKeys keys = mapKeys(50);
        Map<Integer, Integer> contents = new HashMap<>(initialContents(keys));
        KeyMix mix = seededMix(keys);
        MapPeer lazy = new MapPeer("does nothing", mix, () -> {
            mix.next();
            return contents.get(mix.key);
        }, () -> contents);
        assertThrows(AssertionFailedError.class,
                () -> driveMapMix("twin", List.of(lazy), seededMix(keys), initialContents(keys), false, false));
        assertThrows(AssertionFailedError.class,
                () -> driveCounters("twin", List.of(new CounterPeer("never counts", () -> null, () -> 0, false))));
    }

    // ================================================================== bank and transfer

    /**
     * BankBenchmark: every bank, driven by the benchmark's own clerk with one seeded generator,
     * makes the same transfers and audits as a model of the clerk over a {@code long[]}: each
     * operation returns the same (the destination account, or the audited total), and every
     * account ends with the model's balance (read through the bank's private accounts), which is
     * not where it started.
     */
    @Test
    void everyBankMovesTheSameMoneyBetweenTheSameAccounts() {
        int accounts = 64;
        List<Supplier<BankBenchmark.Bank>> banks = List.of(BankBenchmark.WeftState::new,
                BankBenchmark.MultiverseState::new, BankBenchmark.ScalaStmState::new, BankBenchmark.ClojureState::new,
                BankBenchmark.LockState::new);
        long[] model = new long[accounts];
        Arrays.fill(model, BankSettings.INITIAL_BALANCE);
        long[] initial = model.clone();
        long[] expectedResults = new long[MIX_OPERATIONS];
        // The clerk's draws (BankBenchmark.Clerk#operate), replayed on the model.
        SplittableRandom random = new SplittableRandom(SEED);
        int untilAudit = 1 + random.nextInt(accounts);
        int audits = 0;
        int refused = 0;
        for (int i = 0; i < MIX_OPERATIONS; i++) {
            if (--untilAudit == 0) {
                untilAudit = accounts;
                expectedResults[i] = accounts * BankSettings.INITIAL_BALANCE;
                audits++;
                continue;
            }
            int from = random.nextInt(accounts);
            int to = random.nextInt(accounts - 1);
            if (to >= from) {
                to++;
            }
            long amount = 1 + random.nextInt(BankRun.MAX_AMOUNT);
            if (model[from] >= amount) {
                model[from] -= amount;
                model[to] += amount;
            } else {
                refused++;
            }
            expectedResults[i] = to;
        }
        assertTrue(audits > 0, "the mix had no audit");
        assertFalse(Arrays.equals(initial, model), "the model's transfers moved nothing");
        for (Supplier<BankBenchmark.Bank> implementation : banks) {
            BankBenchmark.Bank bank = implementation.get();
            bank.accounts = accounts;
            bank.open();
            BankBenchmark.Clerk clerk = new BankBenchmark.Clerk();
            seed(clerk, BankBenchmark.Clerk.class, SEED);
            String name = bank.workload.name();
            for (int i = 0; i < MIX_OPERATIONS; i++) {
                assertEquals(expectedResults[i], clerk.operate(bank), name + ", operation " + i + " (seed " + SEED + ")");
            }
            assertEquals(Arrays.toString(model), Arrays.toString(balances(bank.workload)),
                    name + ": balances after the mix (" + refused + " transfers refused for want of money, seed " + SEED + ")");
            bank.close();
        }
    }

    /** Every account's balance, read from the workload's private accounts in its own way. */
    private static long[] balances(BankWorkload workload) {
        if (workload instanceof GlobalLockBank) {
            return ((long[]) privateField(workload, "balances")).clone();
        }
        Object[] accounts = (Object[]) privateField(workload, "accounts");
        long[] balances = new long[accounts.length];
        for (int i = 0; i < accounts.length; i++) {
            Object account = accounts[i];
            if (account instanceof LongRef ref) {
                balances[i] = ref.atomic().get();
            } else if (account instanceof TxnLong ref) {
                balances[i] = ref.atomicGet();
            } else if (account instanceof scala.concurrent.stm.Ref.View<?> ref) {
                balances[i] = (Long) ref.get();
            } else if (account instanceof clojure.lang.Ref ref) {
                balances[i] = (Long) ref.deref();
            } else {
                throw new AssertionError("unknown account type " + account.getClass());
            }
        }
        return balances;
    }

    /**
     * TransferBenchmark: each of its six methods, with its own picker seeded alike, moves 1 from
     * the same account to the same other account per call (the first call already: the drawn
     * source holds 999 and the destination 1001), and all end with the model's balances.
     */
    @Test
    void everyTransferMovesOneFromTheDrawnSourceToTheDrawnDestination() throws Exception {
        TransferBenchmark benchmark = new TransferBenchmark();
        AccountPicker replica = picker();
        long[] model = new long[AccountPicker.ACCOUNTS];
        Arrays.fill(model, 1000);
        int[][] draws = new int[MIX_OPERATIONS][];
        for (int i = 0; i < MIX_OPERATIONS; i++) {
            replica.next();
            assertNotEquals(replica.from, replica.to);
            model[replica.from]--;
            model[replica.to]++;
            draws[i] = new int[] {replica.from, replica.to};
        }

        record Peer(String name, AccountPicker picker, Call call, Supplier<long[]> balances) {
        }
        List<Peer> peers = new ArrayList<>();
        {
            TransferBenchmark.WeftBank bank = new TransferBenchmark.WeftBank();
            TransferBenchmark.WeftTeller teller = new TransferBenchmark.WeftTeller();
            teller.setup(bank, picker());
            peers.add(new Peer("weft", teller.picker, () -> {
                benchmark.weft(teller);
                return null;
            }, () -> weftBalances(bank.accounts)));
        }
        {
            TransferBenchmark.WeftBank bank = new TransferBenchmark.WeftBank();
            AccountPicker picker = picker();
            peers.add(new Peer("weftInlineLambda", picker, () -> {
                benchmark.weftInlineLambda(bank, picker);
                return null;
            }, () -> weftBalances(bank.accounts)));
        }
        {
            TransferBenchmark.MultiverseBank bank = new TransferBenchmark.MultiverseBank();
            TransferBenchmark.MultiverseTeller teller = new TransferBenchmark.MultiverseTeller();
            teller.setup(bank, picker());
            peers.add(new Peer("multiverse", teller.picker, () -> {
                benchmark.multiverse(teller);
                return null;
            }, () -> Arrays.stream(bank.accounts).mapToLong(TxnLong::atomicGet).toArray()));
        }
        {
            TransferBenchmark.ScalaStmBank bank = new TransferBenchmark.ScalaStmBank();
            TransferBenchmark.ScalaStmTeller teller = new TransferBenchmark.ScalaStmTeller();
            teller.setup(bank, picker());
            peers.add(new Peer("scalaStm", teller.picker, () -> {
                benchmark.scalaStm(teller);
                return null;
            }, () -> Arrays.stream(bank.accounts).mapToLong(account -> account.get()).toArray()));
        }
        {
            TransferBenchmark.ClojureBank bank = new TransferBenchmark.ClojureBank();
            TransferBenchmark.ClojureTeller teller = new TransferBenchmark.ClojureTeller();
            teller.setup(bank, picker());
            peers.add(new Peer("clojure", teller.picker, () -> benchmark.clojure(teller),
                    () -> Arrays.stream(bank.accounts).mapToLong(account -> (Long) account.deref()).toArray()));
        }
        {
            TransferBenchmark.LockBank bank = new TransferBenchmark.LockBank();
            AccountPicker picker = picker();
            peers.add(new Peer("lock", picker, () -> {
                benchmark.lock(bank, picker);
                return null;
            }, () -> bank.balances.clone()));
        }

        for (Peer peer : peers) {
            for (int i = 0; i < MIX_OPERATIONS; i++) {
                peer.call.run();
                assertEquals(draws[i][0], peer.picker.from, peer.name + ", transfer " + i + ": source");
                assertEquals(draws[i][1], peer.picker.to, peer.name + ", transfer " + i + ": destination");
                if (i == 0) {
                    long[] after = peer.balances.get();
                    assertEquals(999, after[draws[0][0]], peer.name + ": the first transfer's source");
                    assertEquals(1001, after[draws[0][1]], peer.name + ": the first transfer's destination");
                    assertEquals(1000L * AccountPicker.ACCOUNTS, Arrays.stream(after).sum(), peer.name);
                }
            }
            assertEquals(Arrays.toString(model), Arrays.toString(peer.balances.get()),
                    peer.name + ": balances after " + MIX_OPERATIONS + " transfers (seed " + SEED + ")");
        }
    }

    private static AccountPicker picker() {
        AccountPicker picker = new AccountPicker();
        seed(picker, AccountPicker.class, SEED);
        return picker;
    }

    private static long[] weftBalances(LongRef[] accounts) {
        return Arrays.stream(accounts).mapToLong(account -> account.atomic().get()).toArray();
    }

    // ================================================================== maps

    /**
     * MapBenchmark at 50 % updates: Weft's {@code TMap} view, ScalaSTM's {@code TMap.View}, the
     * Clojure ref and the two baselines return the model's value for every get, put and remove
     * and end with the model's contents. ScalaSTM's view answers {@code Some(v)}/{@code None}
     * where the others answer {@code v}/null (its Java API's {@code TMap.View} is a Scala map):
     * the same answer, unwrapped here; the {@code Some} it allocates per hit is its own cost, as
     * the benchmark's Javadoc allows.
     */
    @Test
    void everyHashMapAnswersAndEndsLikeTheModel() throws Exception {
        MapBenchmark benchmark = new MapBenchmark();
        MapKeys keys = mapKeys(50);
        List<MapPeer> peers = new ArrayList<>();
        {
            MapBenchmark.WeftMap state = new MapBenchmark.WeftMap();
            state.setup(keys);
            KeyMix mix = seededMix(keys);
            peers.add(new MapPeer("weft", mix, () -> benchmark.weft(state, mix), () -> new HashMap<>(state.map)));
        }
        {
            MapBenchmark.ScalaStmMap state = new MapBenchmark.ScalaStmMap();
            state.setup(keys);
            KeyMix mix = seededMix(keys);
            peers.add(new MapPeer("scalaStm", mix, () -> benchmark.scalaStm(state, mix),
                    () -> scalaContents(state.map, keys)));
        }
        {
            MapBenchmark.ClojureMap state = new MapBenchmark.ClojureMap();
            state.setup(keys);
            MapBenchmark.ClojureCaller caller = new MapBenchmark.ClojureCaller();
            KeyMix mix = seededMix(keys);
            caller.setup(state, mix);
            peers.add(new MapPeer("clojure", mix, () -> benchmark.clojure(caller), () -> clojureContents(state.map)));
        }
        {
            MapBenchmark.ConcurrentHashMapState state = new MapBenchmark.ConcurrentHashMapState();
            state.setup(keys);
            KeyMix mix = seededMix(keys);
            peers.add(new MapPeer("concurrentHashMap", mix, () -> benchmark.concurrentHashMap(state, mix),
                    () -> new HashMap<>(state.map)));
        }
        {
            MapBenchmark.SynchronizedHashMapState state = new MapBenchmark.SynchronizedHashMapState();
            state.setup(keys);
            KeyMix mix = seededMix(keys);
            peers.add(new MapPeer("synchronizedHashMap", mix, () -> benchmark.synchronizedHashMap(state, mix),
                    () -> new HashMap<>(state.map)));
        }
        driveMapMix("Map", peers, seededMix(keys), initialContents(keys), false, false);
    }

    /**
     * MapPutBenchmark at 50 % puts: the five peers, Multiverse's {@code TxnMap} included, return
     * the model's value for every get and put and end with the model's contents; every update is a
     * put (the mix draws no remove).
     */
    @Test
    void everyMapOfThePutMixAnswersAndEndsLikeTheModel() throws Exception {
        MapPutBenchmark benchmark = new MapPutBenchmark();
        MapPutBenchmark.PutKeys keys = new MapPutBenchmark.PutKeys();
        keys.update = 50;
        keys.setup();
        List<MapPeer> peers = new ArrayList<>();
        {
            MapPutBenchmark.WeftMap state = new MapPutBenchmark.WeftMap();
            state.setup(keys);
            MapPutBenchmark.PutMix mix = seededPutMix(keys);
            peers.add(new MapPeer("weft", mix, () -> benchmark.weft(state, mix), () -> new HashMap<>(state.map)));
        }
        {
            MapPutBenchmark.ScalaStmMap state = new MapPutBenchmark.ScalaStmMap();
            state.setup(keys);
            MapPutBenchmark.PutMix mix = seededPutMix(keys);
            peers.add(new MapPeer("scalaStm", mix, () -> benchmark.scalaStm(state, mix),
                    () -> scalaContents(state.map, keys.keys)));
        }
        {
            MapPutBenchmark.MultiverseMap state = new MapPutBenchmark.MultiverseMap();
            state.setup(keys);
            MapPutBenchmark.MultiverseCaller caller = new MapPutBenchmark.MultiverseCaller();
            MapPutBenchmark.PutMix mix = seededPutMix(keys);
            caller.setup(state, mix);
            peers.add(new MapPeer("multiverse", mix, () -> benchmark.multiverse(caller), () -> {
                Map<Integer, Integer> contents = new HashMap<>();
                for (Integer key : keys.keys.keys) {
                    Integer value = StmUtils.atomic((TxnCallable<Integer>) tx -> state.map.get(tx, key));
                    if (value != null) {
                        contents.put(key, value);
                    }
                }
                return contents;
            }));
        }
        {
            MapPutBenchmark.ClojureMap state = new MapPutBenchmark.ClojureMap();
            state.setup(keys);
            MapPutBenchmark.ClojureCaller caller = new MapPutBenchmark.ClojureCaller();
            MapPutBenchmark.PutMix mix = seededPutMix(keys);
            caller.setup(state, mix);
            peers.add(new MapPeer("clojure", mix, () -> benchmark.clojure(caller), () -> clojureContents(state.map)));
        }
        {
            MapPutBenchmark.ConcurrentHashMapState state = new MapPutBenchmark.ConcurrentHashMapState();
            state.setup(keys);
            MapPutBenchmark.PutMix mix = seededPutMix(keys);
            peers.add(new MapPeer("concurrentHashMap", mix, () -> benchmark.concurrentHashMap(state, mix),
                    () -> new HashMap<>(state.map)));
        }
        MapPutBenchmark.PutMix replica = seededPutMix(keys);
        driveMapMix("MapPut", peers, new KeyDraw() {
            @Override
            void next() {
                replica.next();
                op = replica.op;
                index = replica.index;
                key = replica.key;
                value = replica.value;
                assertNotEquals(KeyDraw.REMOVE, op, "the put mix drew a remove");
            }
        }, initialContents(keys.keys), false, false);
    }

    /** The sorted-map peers of SortedMapBenchmark, SortedMapNavigationBenchmark and SortedMapScanBenchmark, on one key space. */
    private static final class SortedPeers {
        final SortedMapBenchmark.WeftSortedMap weft = new SortedMapBenchmark.WeftSortedMap();
        final KeyMix weftMix;
        final SortedMapBenchmark.ClojureSortedMap clojure = new SortedMapBenchmark.ClojureSortedMap();
        final SortedMapBenchmark.ClojureCaller clojureCaller = new SortedMapBenchmark.ClojureCaller();
        final SortedMapBenchmark.SkipListState skipList = new SortedMapBenchmark.SkipListState();
        final KeyMix skipListMix;
        final SortedMapBenchmark.LockedTreeMap treeMap = new SortedMapBenchmark.LockedTreeMap();
        final KeyMix treeMapMix;

        SortedPeers(MapKeys keys) {
            weft.setup(keys);
            weftMix = seededMix(keys);
            clojure.setup(keys);
            clojureCaller.setup(clojure, seededMix(keys));
            skipList.setup(keys);
            skipListMix = seededMix(keys);
            treeMap.setup(keys);
            treeMapMix = seededMix(keys);
        }

        List<Callable<Map<Integer, Integer>>> contents() {
            return List.of(() -> new LinkedHashMap<>(weft.map), () -> clojureContents(clojure.map),
                    () -> new LinkedHashMap<>(skipList.map), () -> new LinkedHashMap<>(treeMap.map));
        }
    }

    /** SortedMapBenchmark at 50 % updates: the four sorted maps answer like a {@code TreeMap} and end with its contents, in order. */
    @Test
    void everySortedMapAnswersAndEndsLikeTheModel() throws Exception {
        SortedMapBenchmark benchmark = new SortedMapBenchmark();
        MapKeys keys = mapKeys(50);
        SortedPeers s = new SortedPeers(keys);
        List<Callable<Map<Integer, Integer>>> contents = s.contents();
        List<MapPeer> peers = List.of(
                new MapPeer("weft", s.weftMix, () -> benchmark.weft(s.weft, s.weftMix), contents.get(0)),
                new MapPeer("clojure", s.clojureCaller.mix, () -> benchmark.clojure(s.clojureCaller), contents.get(1)),
                new MapPeer("concurrentSkipListMap", s.skipListMix,
                        () -> benchmark.concurrentSkipListMap(s.skipList, s.skipListMix), contents.get(2)),
                new MapPeer("lockedTreeMap", s.treeMapMix, () -> benchmark.lockedTreeMap(s.treeMap, s.treeMapMix),
                        contents.get(3)));
        driveMapMix("SortedMap", peers, seededMix(keys), initialContents(keys), false, true);
    }

    /**
     * SortedMapNavigationBenchmark at 10 % and 50 % updates: every lookup is the model's
     * {@code floorKey} (even index) or {@code ceilingKey} (odd index), Clojure's {@code seqFrom}
     * included, also at the ends of the key range where the answer is null; and the updates end
     * in the model's contents.
     */
    @Test
    void everySortedMapNavigatesLikeTheModel() throws Exception {
        SortedMapNavigationBenchmark benchmark = new SortedMapNavigationBenchmark();
        for (int update : new int[] {10, 50}) {
            MapKeys keys = mapKeys(update);
            SortedPeers s = new SortedPeers(keys);
            List<Callable<Map<Integer, Integer>>> contents = s.contents();
            List<MapPeer> peers = List.of(
                    new MapPeer("weft", s.weftMix, () -> benchmark.weft(s.weft, s.weftMix), contents.get(0)),
                    new MapPeer("clojure", s.clojureCaller.mix, () -> benchmark.clojure(s.clojureCaller),
                            contents.get(1)),
                    new MapPeer("concurrentSkipListMap", s.skipListMix,
                            () -> benchmark.concurrentSkipListMap(s.skipList, s.skipListMix), contents.get(2)),
                    new MapPeer("lockedTreeMap", s.treeMapMix,
                            () -> benchmark.lockedTreeMap(s.treeMap, s.treeMapMix), contents.get(3)));
            driveMapMix("SortedMapNavigation at " + update + " %", peers, seededMix(keys), initialContents(keys),
                    true, true);
        }
    }

    /** The floor and ceiling answers where they are null: below the smallest and above the largest key. */
    @Test
    void everySortedMapNavigatesPastTheEndsToNull() throws Exception {
        SortedMapNavigationBenchmark benchmark = new SortedMapNavigationBenchmark();
        MapKeys keys = mapKeys(0);
        SortedPeers s = new SortedPeers(keys);
        // Keep only keys 100..900, in every peer, so floors of keys below 100 and ceilings above 900 are null.
        TreeMap<Integer, Integer> model = new TreeMap<>();
        for (int i = 0; i < keys.keyRange; i++) {
            Integer key = keys.keys[i];
            boolean keep = i >= 100 && i <= 900 && keys.initiallyPresent[i];
            if (keep) {
                model.put(key, key);
            } else {
                s.weft.map.remove(key);
                s.skipList.map.remove(key);
                s.treeMap.map.remove(key);
                clojure.lang.Ref ref = s.clojure.map;
                LockingTransaction.runInTransaction(() -> ref.set(((IPersistentMap) ref.deref()).without(key)));
            }
        }
        List<Callable<Map<Integer, Integer>>> contents = s.contents();
        List<MapPeer> peers = List.of(
                new MapPeer("weft", s.weftMix, () -> benchmark.weft(s.weft, s.weftMix), contents.get(0)),
                new MapPeer("clojure", s.clojureCaller.mix, () -> benchmark.clojure(s.clojureCaller), contents.get(1)),
                new MapPeer("concurrentSkipListMap", s.skipListMix,
                        () -> benchmark.concurrentSkipListMap(s.skipList, s.skipListMix), contents.get(2)),
                new MapPeer("lockedTreeMap", s.treeMapMix, () -> benchmark.lockedTreeMap(s.treeMap, s.treeMapMix),
                        contents.get(3)));
        KeyMix replica = seededMix(keys);
        int nulls = 0;
        for (int i = 0; i < MIX_OPERATIONS; i++) {
            replica.next();
            Integer expected = applyToModel(model, replica, true);
            if (expected == null) {
                nulls++;
            }
            for (MapPeer peer : peers) {
                assertEquals(expected, peer.call.run(), "SortedMapNavigation/" + peer.name + ", operation " + i
                        + " (key " + replica.key + ", " + ((replica.index & 1) == 0 ? "floor" : "ceiling") + ")");
            }
        }
        assertTrue(nulls > 0, "no lookup fell past an end");
        for (MapPeer peer : peers) {
            assertEquals(model, peer.contents.call(), peer.name + ": a read-only mix changed the map");
        }
    }

    /** SortedMapScanBenchmark's per-thread scan bounds, seeded with the caller's draw. */
    private static SortedMapScanBenchmark.Scan scan(MapKeys keys) {
        SortedMapScanBenchmark.Scan scan = new SortedMapScanBenchmark.Scan();
        scan.setup(keys);
        return scan;
    }

    private static Blackhole blackhole() {
        return new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    }

    private static long modelSum(NavigableMap<Integer, Integer> model, Integer from, Integer to) {
        long sum = 0;
        for (Integer value : model.subMap(from, true, to, false).values()) {
            sum += value;
        }
        return sum;
    }

    /**
     * SortedMapScanBenchmark at 50 % updates: every peer draws the model's scan bounds
     * ({@code [key, min(key + 64, last key))}), makes the model's updates and ends with its
     * contents; the scan sums go into a {@link Blackhole}, which cannot be read back, so the sum
     * is checked where the benchmark's code can be called on its own: Weft's scan body
     * ({@code Scan.weftScan}, in a transaction) and the static {@code sum} the two baselines
     * use. Clojure's inline scan is checked by {@link #everySortedMapScanVisitsExactlyTheDrawnRange}.
     */
    @Test
    void everySortedMapScanPeerUpdatesLikeTheModelAndWeftsScanSumsTheRange() throws Exception {
        SortedMapScanBenchmark benchmark = new SortedMapScanBenchmark();
        MapKeys keys = mapKeys(50);
        SortedPeers s = new SortedPeers(keys);
        Blackhole sink = blackhole();
        SortedMapScanBenchmark.Scan weftScan = scan(keys);
        SortedMapScanBenchmark.Scan clojureScan = scan(keys);
        SortedMapScanBenchmark.Scan skipListScan = scan(keys);
        SortedMapScanBenchmark.Scan treeMapScan = scan(keys);
        TreeMap<Integer, Integer> model = initialContents(keys);
        TreeMap<Integer, Integer> initial = new TreeMap<>(model);
        KeyMix replica = seededMix(keys);
        int scans = 0;
        int nonEmptyScans = 0;
        for (int i = 0; i < MIX_OPERATIONS; i++) {
            replica.next();
            Integer to = keys.keyAtMost(replica.index + SortedMapScanBenchmark.WIDTH);
            long expectedSum = modelSum(model, replica.key, to);
            applyToModel(model, replica, false);
            String where = "SortedMapScan, operation " + i + " (op " + replica.op + ", key " + replica.key + ", seed "
                    + SEED + ")";

            benchmark.weft(s.weft, s.weftMix, weftScan, sink);
            benchmark.clojure(s.clojureCaller, clojureScan, sink);
            benchmark.concurrentSkipListMap(s.skipList, s.skipListMix, skipListScan, sink);
            benchmark.lockedTreeMap(s.treeMap, s.treeMapMix, treeMapScan, sink);
            for (SortedMapScanBenchmark.Scan scan : List.of(weftScan, clojureScan, skipListScan, treeMapScan)) {
                assertEquals(replica.key, scan.from, where + ": scan start");
                assertEquals(to, scan.to, where + ": scan end");
            }
            for (KeyMix mix : List.of(s.weftMix, s.clojureCaller.mix, s.skipListMix, s.treeMapMix)) {
                assertEquals(replica.op, mix.op, where + ": operation drawn");
            }
            if (replica.op == KeyDraw.GET) {
                scans++;
                if (expectedSum != 0) {
                    nonEmptyScans++;
                }
                assertEquals(s.weft.map, weftScan.weftMap, where + ": the Weft scan's map");
                assertEquals(expectedSum, Stm.atomicLong(weftScan.weftScan), where + ": Weft's scan body");
                assertEquals(expectedSum, SortedMapScanBenchmark.sum(s.skipList.map, skipListScan.from, skipListScan.to),
                        where + ": the baselines' sum");
            }
        }
        assertTrue(scans > 0 && nonEmptyScans > 0, "no scan summed anything");
        assertNotEquals(initial, model, "the updates changed nothing");
        List<String> names = List.of("weft", "clojure", "concurrentSkipListMap", "lockedTreeMap");
        List<Callable<Map<Integer, Integer>>> contents = s.contents();
        for (int p = 0; p < names.size(); p++) {
            Map<Integer, Integer> actual = contents.get(p).call();
            assertEquals(model, actual, "SortedMapScan/" + names.get(p) + ": contents after the mix");
            assertEquals(new ArrayList<>(model.keySet()), new ArrayList<>(actual.keySet()), names.get(p) + ": key order");
        }
    }

    /**
     * SortedMapScanBenchmark, read-only: a scan reads exactly the entries in its bounds. Each
     * peer's map gets one poisoned entry (a {@code String} value, which the scan's unboxing of
     * the value rejects with a {@code ClassCastException}); every scan through the benchmark
     * method must throw exactly when the poisoned key lies in {@code [from, to)}, as in the model:
     * so each peer visits every entry of the range (the last included) and nothing outside it
     * (the last key of the key space is never scanned, because {@code to} is clamped to it,
     * exclusive). A scan that skipped its entries, or read another range, fails here.
     */
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everySortedMapScanVisitsExactlyTheDrawnRange() throws Exception {
        SortedMapScanBenchmark benchmark = new SortedMapScanBenchmark();
        MapKeys keys = mapKeys(0);
        Blackhole sink = blackhole();
        for (int poison : new int[] {0, 300, keys.keyRange - 1}) {
            SortedPeers s = new SortedPeers(keys);
            Integer poisoned = keys.keys[poison];
            ((Map) s.weft.map).put(poisoned, "poison");
            ((Map) s.skipList.map).put(poisoned, "poison");
            ((Map) s.treeMap.map).put(poisoned, "poison");
            clojure.lang.Ref ref = s.clojure.map;
            LockingTransaction.runInTransaction(() -> ref.set(((IPersistentMap) ref.deref()).assoc(poisoned, "poison")));
            SortedMapScanBenchmark.Scan weftScan = scan(keys);
            SortedMapScanBenchmark.Scan clojureScan = scan(keys);
            SortedMapScanBenchmark.Scan skipListScan = scan(keys);
            SortedMapScanBenchmark.Scan treeMapScan = scan(keys);
            List<String> names = List.of("weft", "clojure", "concurrentSkipListMap", "lockedTreeMap");
            List<Call> calls = List.of(() -> {
                benchmark.weft(s.weft, s.weftMix, weftScan, sink);
                return null;
            }, () -> {
                benchmark.clojure(s.clojureCaller, clojureScan, sink);
                return null;
            }, () -> {
                benchmark.concurrentSkipListMap(s.skipList, s.skipListMix, skipListScan, sink);
                return null;
            }, () -> {
                benchmark.lockedTreeMap(s.treeMap, s.treeMapMix, treeMapScan, sink);
                return null;
            });
            KeyMix replica = seededMix(keys);
            int hits = 0;
            for (int i = 0; i < MIX_OPERATIONS; i++) {
                replica.next();
                int from = replica.index;
                int to = Math.min(replica.index + SortedMapScanBenchmark.WIDTH, keys.keyRange - 1);
                boolean expectHit = from <= poison && poison < to;
                if (expectHit) {
                    hits++;
                }
                for (int p = 0; p < calls.size(); p++) {
                    boolean threw;
                    try {
                        calls.get(p).run();
                        threw = false;
                    } catch (ClassCastException e) {
                        threw = true;
                    }
                    assertEquals(expectHit, threw, "SortedMapScan/" + names.get(p) + ", scan " + i + " of ["
                            + from + ", " + to + ") with key " + poison + " poisoned: "
                            + (expectHit ? "did not read the poisoned entry" : "read outside its range"));
                }
            }
            if (poison == 300) {
                assertTrue(hits > 0, "no scan covered the poisoned key");
            }
        }
    }

    // ================================================================== queues

    /**
     * QueueBenchmark on one thread, with the measurement over so that an empty poll and a full
     * backlog give up at once: the same seeded sequence of offers and polls returns the same on
     * both queues (a poll of an empty queue null, else the element), and both end holding the
     * model's number of elements; then both refuse an offer beyond the backlog of
     * {@value QueueBenchmark#BACKLOG} until the consumer has published its polls.
     */
    @Test
    void bothUnboundedQueuesOfferAndPollLikeTheModel() {
        QueueBenchmark benchmark = new QueueBenchmark();
        record Peer(String name, QueueBenchmark.Channel channel, QueueBenchmark.Side producer,
                    QueueBenchmark.Side consumer) {
        }
        List<Peer> peers = List.of(
                new Peer("weft", new QueueBenchmark.WeftChannel(), new QueueBenchmark.Side(), new QueueBenchmark.Side()),
                new Peer("concurrentLinkedQueue", new QueueBenchmark.ConcurrentLinkedQueueChannel(),
                        new QueueBenchmark.Side(), new QueueBenchmark.Side()));
        SplittableRandom random = new SplittableRandom(SEED);
        long size = 0;
        int emptyPolls = 0;
        for (int i = 0; i < CALLS; i++) {
            boolean offer = random.nextInt(100) < 55;
            Object expected = offer ? Boolean.TRUE : size > 0 ? QueueBenchmark.ELEMENT : null;
            if (offer) {
                size++;
            } else if (size > 0) {
                size--;
            } else {
                emptyPolls++;
            }
            for (Peer peer : peers) {
                Object actual = offer
                        ? (Object) (peer.name.equals("weft") ? benchmark.weftOffer((QueueBenchmark.WeftChannel) peer.channel, peer.producer, STOPPED)
                                : benchmark.concurrentLinkedQueueOffer((QueueBenchmark.ConcurrentLinkedQueueChannel) peer.channel, peer.producer, STOPPED))
                        : peer.name.equals("weft") ? benchmark.weftPoll((QueueBenchmark.WeftChannel) peer.channel, peer.consumer, STOPPED)
                                : benchmark.concurrentLinkedQueuePoll((QueueBenchmark.ConcurrentLinkedQueueChannel) peer.channel, peer.consumer, STOPPED);
                assertEquals(expected, actual, "Queue/" + peer.name + ", call " + i + (offer ? " (offer)" : " (poll)"));
            }
        }
        assertTrue(size > 0 && emptyPolls > 0, "the sequence never emptied the queue or ended empty");
        for (Peer peer : peers) {
            assertEquals(size, peer.channel.queue().size(), peer.name + ": elements left");
            assertEquals(peer.producer.count - peer.consumer.count, size, peer.name + ": the sides' counts");
        }

        // The backlog: with nothing polled, exactly BACKLOG offers in all pass and the next one gives up.
        for (Peer peer : List.of(
                new Peer("weft", new QueueBenchmark.WeftChannel(), new QueueBenchmark.Side(), new QueueBenchmark.Side()),
                new Peer("concurrentLinkedQueue", new QueueBenchmark.ConcurrentLinkedQueueChannel(),
                        new QueueBenchmark.Side(), new QueueBenchmark.Side()))) {
            for (long i = 0; i < QueueBenchmark.BACKLOG; i++) {
                assertTrue(peer.channel.offer(peer.producer, STOPPED), peer.name + ": offer " + i + " inside the backlog");
            }
            assertFalse(peer.channel.offer(peer.producer, STOPPED), peer.name + ": an offer beyond the backlog");
            assertEquals(QueueBenchmark.BACKLOG, peer.channel.queue().size(), peer.name);
            for (long i = 0; i < QueueBenchmark.PUBLISH_EVERY; i++) {
                assertEquals(QueueBenchmark.ELEMENT, peer.channel.poll(peer.consumer, STOPPED), peer.name);
            }
            for (long i = 0; i < QueueBenchmark.PUBLISH_EVERY; i++) {
                assertTrue(peer.channel.offer(peer.producer, STOPPED), peer.name + ": after the consumer published");
            }
            assertFalse(peer.channel.offer(peer.producer, STOPPED), peer.name + ": the backlog is full again");
        }
    }

    /** One implementation of a round-trip benchmark: its round trip and a way to fill and read its queue. */
    private record RoundTripPeer(String name, Call roundTrip, Runnable setup, java.util.function.Consumer<Integer> offer,
                                 Callable<List<Object>> contents) {
    }

    private static List<RoundTripPeer> unboundedRoundTripPeers() throws Exception {
        QueueRoundTripBenchmark benchmark = new QueueRoundTripBenchmark();
        List<RoundTripPeer> peers = new ArrayList<>();
        {
            QueueRoundTripBenchmark.WeftQueue state = new QueueRoundTripBenchmark.WeftQueue();
            peers.add(new RoundTripPeer("weft", () -> benchmark.weft(state), state::setup, state.queue::offer,
                    () -> new ArrayList<>(state.queue)));
        }
        {
            QueueRoundTripBenchmark.WeftTransactionalQueue state = new QueueRoundTripBenchmark.WeftTransactionalQueue();
            QueueRoundTripBenchmark.WeftCaller caller = new QueueRoundTripBenchmark.WeftCaller();
            caller.setup(state);
            java.util.Queue<Integer> view = state.queue.asQueue();
            peers.add(new RoundTripPeer("weftInTransaction", () -> benchmark.weftInTransaction(caller), state::setup,
                    view::offer, () -> new ArrayList<>(view)));
        }
        {
            QueueRoundTripBenchmark.ConcurrentLinkedQueueState state = new QueueRoundTripBenchmark.ConcurrentLinkedQueueState();
            peers.add(new RoundTripPeer("concurrentLinkedQueue", () -> benchmark.concurrentLinkedQueue(state), state::setup,
                    state.queue::offer, () -> new ArrayList<>(state.queue)));
        }
        {
            QueueRoundTripBenchmark.MultiverseQueue state = new QueueRoundTripBenchmark.MultiverseQueue();
            QueueRoundTripBenchmark.MultiverseCaller caller = new QueueRoundTripBenchmark.MultiverseCaller();
            caller.setup(state);
            TxnDeque<Integer> queue = state.queue;
            peers.add(new RoundTripPeer("multiverse", () -> benchmark.multiverseInTransaction(caller), state::setup,
                    element -> StmUtils.atomic(() -> {
                        queue.offerLast(element);
                    }),
                    // drains: Multiverse's queue has no iterator that works outside a transaction
                    () -> StmUtils.atomic((TxnCallable<List<Object>>) tx -> {
                        List<Object> elements = new ArrayList<>();
                        for (Integer e; (e = queue.pollFirst(tx)) != null; ) {
                            elements.add(e);
                        }
                        return elements;
                    })));
        }
        {
            QueueRoundTripBenchmark.ClojureQueue state = new QueueRoundTripBenchmark.ClojureQueue();
            QueueRoundTripBenchmark.ClojureCaller caller = new QueueRoundTripBenchmark.ClojureCaller();
            caller.setup(state);
            clojure.lang.Ref queue = state.queue;
            peers.add(new RoundTripPeer("clojure", () -> benchmark.clojureInTransaction(caller), () -> {
                try {
                    state.setup();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, element -> {
                try {
                    LockingTransaction.runInTransaction(() -> queue.set(((PersistentQueue) queue.deref()).cons(element)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, () -> new ArrayList<>((Collection<?>) queue.deref())));
        }
        return peers;
    }

    private static List<RoundTripPeer> boundedRoundTripPeers() {
        BoundedQueueRoundTripBenchmark benchmark = new BoundedQueueRoundTripBenchmark();
        BoundedQueueRoundTripBenchmark.WeftQueue weft = new BoundedQueueRoundTripBenchmark.WeftQueue();
        BoundedQueueRoundTripBenchmark.ArrayBlockingQueueState array = new BoundedQueueRoundTripBenchmark.ArrayBlockingQueueState();
        return List.of(
                new RoundTripPeer("weft", () -> benchmark.weft(weft), weft::setup, weft.queue::offer,
                        () -> new ArrayList<>(weft.queue)),
                new RoundTripPeer("arrayBlockingQueue", () -> benchmark.arrayBlockingQueue(array), array::setup,
                        array.queue::offer, () -> new ArrayList<>(array.queue)));
    }

    /**
     * QueueRoundTripBenchmark and BoundedQueueRoundTripBenchmark as set up for the benchmark: the
     * queue holds {@value QueueRoundTripBenchmark#BACKLOG} elements, every round trip returns
     * the element, and the queue holds the backlog still afterwards.
     */
    @Test
    void everyRoundTripKeepsTheBacklogAndReturnsTheElement() throws Exception {
        List<RoundTripPeer> peers = new ArrayList<>(unboundedRoundTripPeers());
        for (RoundTripPeer peer : boundedRoundTripPeers()) {
            peers.add(new RoundTripPeer("bounded " + peer.name, peer.roundTrip, peer.setup, peer.offer, peer.contents));
        }
        for (RoundTripPeer peer : peers) {
            peer.setup.run();
            for (int i = 0; i < CALLS; i++) {
                assertEquals(QueueRoundTripBenchmark.ELEMENT, peer.roundTrip.run(), peer.name + ", round trip " + i);
            }
            List<Object> left = peer.contents.call();
            assertEquals(QueueRoundTripBenchmark.BACKLOG, left.size(), peer.name + ": elements left");
            assertTrue(left.stream().allMatch(QueueRoundTripBenchmark.ELEMENT::equals), peer.name + ": " + left);
        }
    }

    /**
     * The round trips work at opposite ends, as QueueRoundTripBenchmark's Javadoc says ("offers
     * and polls work at opposite ends of a non-empty queue"): with the queue prefilled with
     * distinct elements instead of copies of the one element, the round trips return the
     * prefilled elements in order, then the offered element (which a round trip that polled the
     * end it offered at, or that did not poll, would not), and the queue ends holding the backlog
     * of offered elements. (Regression, session 18: Multiverse's round trip ran on its
     * {@code newTxnQueue()}, which polls the end it offers at, a stack.)
     */
    @Test
    void everyRoundTripOffersAtTheTailAndPollsTheHead() throws Exception {
        List<RoundTripPeer> peers = new ArrayList<>(unboundedRoundTripPeers());
        for (RoundTripPeer peer : boundedRoundTripPeers()) {
            peers.add(new RoundTripPeer("bounded " + peer.name, peer.roundTrip, peer.setup, peer.offer, peer.contents));
        }
        for (RoundTripPeer peer : peers) {
            assertRoundTripsPollTheHead(peer);
        }
    }

    private static void assertRoundTripsPollTheHead(RoundTripPeer peer) throws Exception {
        int backlog = QueueRoundTripBenchmark.BACKLOG;
        for (int i = 0; i < backlog; i++) {
            peer.offer.accept(-1 - i); // distinct from the benchmark's element (1) and each other
        }
        for (int i = 0; i < backlog + 10; i++) {
            Object expected = i < backlog ? Integer.valueOf(-1 - i) : QueueRoundTripBenchmark.ELEMENT;
            assertEquals(expected, peer.roundTrip.run(), peer.name + ", round trip " + i);
        }
        List<Object> left = peer.contents.call();
        assertEquals(backlog, left.size(), peer.name + ": elements left");
        assertTrue(left.stream().allMatch(QueueRoundTripBenchmark.ELEMENT::equals), peer.name + ": " + left);
    }

    /**
     * BoundedQueueBenchmark on one thread, the measurement over (so a wait gives up after one
     * 1 ms try): the same seeded sequence of puts and takes returns the same on both queues
     * (a take of an empty queue null, a put into a full one false), and both end with the
     * model's size; the queues fill to exactly {@value BoundedQueueBenchmark#CAPACITY}.
     */
    @Test
    void bothBoundedQueuesPutAndTakeLikeTheModel() throws Exception {
        BoundedQueueBenchmark benchmark = new BoundedQueueBenchmark();
        BoundedQueueBenchmark.WeftChannel weft = new BoundedQueueBenchmark.WeftChannel();
        BoundedQueueBenchmark.ArrayBlockingQueueChannel array = new BoundedQueueBenchmark.ArrayBlockingQueueChannel();
        List<String> names = List.of("weft", "arrayBlockingQueue");
        List<Call> puts = List.of(() -> benchmark.weftPut(weft, STOPPED), () -> benchmark.arrayBlockingQueuePut(array, STOPPED));
        List<Call> takes = List.of(() -> benchmark.weftTake(weft, STOPPED), () -> benchmark.arrayBlockingQueueTake(array, STOPPED));
        List<BlockingQueue<Integer>> queues = List.of(weft.queue, array.queue);
        SplittableRandom random = new SplittableRandom(SEED);
        int size = 0;
        int emptyTakes = 0;
        for (int i = 0; i < CALLS; i++) {
            boolean put = random.nextInt(100) < 60;
            Object expected;
            if (put) {
                expected = size < BoundedQueueBenchmark.CAPACITY;
                size = Math.min(size + 1, BoundedQueueBenchmark.CAPACITY);
            } else {
                expected = size > 0 ? BoundedQueueBenchmark.ELEMENT : null;
                if (size == 0) {
                    emptyTakes++;
                }
                size = Math.max(size - 1, 0);
            }
            for (int p = 0; p < names.size(); p++) {
                assertEquals(expected, (put ? puts : takes).get(p).run(),
                        "BoundedQueue/" + names.get(p) + ", call " + i + (put ? " (put)" : " (take)"));
            }
        }
        assertTrue(size > 0 && emptyTakes > 0, "the sequence never emptied the queue or ended empty");
        for (int p = 0; p < names.size(); p++) {
            assertEquals(size, queues.get(p).size(), names.get(p) + ": size");
            while (queues.get(p).size() < BoundedQueueBenchmark.CAPACITY) {
                assertEquals(Boolean.TRUE, puts.get(p).run(), names.get(p) + ": a put below the capacity");
            }
            assertEquals(Boolean.FALSE, puts.get(p).run(), names.get(p) + ": a put into the full queue");
            assertEquals(0, queues.get(p).remainingCapacity(), names.get(p));
            for (int i = 0; i < BoundedQueueBenchmark.CAPACITY; i++) {
                assertEquals(BoundedQueueBenchmark.ELEMENT, takes.get(p).run(), names.get(p) + ": take " + i);
            }
            assertNull(takes.get(p).run(), names.get(p) + ": a take from the empty queue");
        }
    }

    // ================================================================== retry ping-pong

    /** One RetryPingPongBenchmark group: its put and take methods under a control, and its channel's item count. */
    private record PingPongPeer(String name, java.util.function.Function<Control, Object> put,
                                java.util.function.Function<Control, Object> take, Object nothingTaken,
                                LongSupplier itemsInChannel) {
    }

    private static List<PingPongPeer> pingPongPeers() {
        RetryPingPongBenchmark benchmark = new RetryPingPongBenchmark();
        RetryPingPongBenchmark.WeftChannel weft = new RetryPingPongBenchmark.WeftChannel();
        RetryPingPongBenchmark.ScalaStmChannel scala = new RetryPingPongBenchmark.ScalaStmChannel();
        RetryPingPongBenchmark.MultiverseChannel multiverse = new RetryPingPongBenchmark.MultiverseChannel();
        RetryPingPongBenchmark.SynchronousQueueChannel synchronous = new RetryPingPongBenchmark.SynchronousQueueChannel();
        RetryPingPongBenchmark.ArrayBlockingQueueChannel array = new RetryPingPongBenchmark.ArrayBlockingQueueChannel();
        return List.of(
                new PingPongPeer("weft", c -> benchmark.weftPut(weft, c), c -> benchmark.weftTake(weft, c),
                        RetryPingPongBenchmark.EMPTY, () -> weft.slot.atomic().get()),
                new PingPongPeer("scalaStm", c -> benchmark.scalaStmPut(scala, c), c -> benchmark.scalaStmTake(scala, c),
                        RetryPingPongBenchmark.EMPTY, () -> scala.slot.get()),
                new PingPongPeer("multiverse", c -> benchmark.multiversePut(multiverse, c),
                        c -> benchmark.multiverseTake(multiverse, c), RetryPingPongBenchmark.EMPTY,
                        () -> multiverse.slot.atomicGet()),
                new PingPongPeer("synchronousQueue", c -> interruptible(() -> benchmark.synchronousQueuePut(synchronous, c)),
                        c -> interruptible(() -> benchmark.synchronousQueueTake(synchronous, c)), null,
                        () -> synchronous.queue.size()),
                new PingPongPeer("arrayBlockingQueue", c -> interruptible(() -> benchmark.arrayBlockingQueuePut(array, c)),
                        c -> interruptible(() -> benchmark.arrayBlockingQueueTake(array, c)), null,
                        () -> array.queue.size()));
    }

    private static Object interruptible(Call call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * RetryPingPongBenchmark on one thread, the measurement over: a put into the empty slot hands
     * the item over and a take receives it; a put into a full slot and a take from an empty one
     * each give up after one bounded wait, with nothing handed over (false; the empty value).
     * The synchronous queue, which holds nothing, can only give up on one thread.
     */
    @Test
    void everyPingPongChannelHoldsOneItemAndGivesUpWhenItCannotHandOver() {
        for (PingPongPeer peer : pingPongPeers()) {
            boolean synchronous = peer.name.equals("synchronousQueue");
            for (int i = 0; i < 20; i++) {
                if (!synchronous) {
                    assertEquals(Boolean.TRUE, peer.put.apply(STOPPED), peer.name + ": a put into the empty slot");
                    assertEquals(1, peer.itemsInChannel.getAsLong(), peer.name + ": the slot after a put");
                }
                if (i % 10 == 0) {
                    assertEquals(Boolean.FALSE, peer.put.apply(STOPPED), peer.name + ": a put into the full slot");
                }
                if (!synchronous) {
                    assertEquals(RetryPingPongBenchmark.ITEM, ((Number) peer.take.apply(STOPPED)).longValue(),
                            peer.name + ": a take from the full slot");
                }
                assertEquals(synchronous ? 0 : RetryPingPongBenchmark.EMPTY, peer.itemsInChannel.getAsLong(),
                        peer.name + ": the slot after a take");
                if (i % 10 == 0) {
                    assertEquals(peer.nothingTaken, peer.take.apply(STOPPED), peer.name + ": a take from the empty slot");
                }
            }
        }
    }

    /**
     * RetryPingPongBenchmark as run, a producer and a consumer thread per group, inside the
     * measurement (a timed-out wait is tried again): every put hands over one item and every take
     * receives one, {@code CALLS} of each, and the channel ends empty.
     */
    @Test
    void everyPingPongGroupHandsOverEveryItemBetweenTwoThreads() throws Exception {
        int handoffs = CALLS / 2;
        for (PingPongPeer peer : pingPongPeers()) {
            CyclicBarrier start = new CyclicBarrier(2);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long[] received = new long[1];
            Thread consumer = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < handoffs; i++) {
                        Object item = peer.take.apply(RUNNING);
                        if (item == null || ((Number) item).longValue() != RetryPingPongBenchmark.ITEM) {
                            throw new AssertionError("take " + i + " received " + item);
                        }
                        received[0]++;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "ping-pong consumer");
            consumer.start();
            start.await();
            for (int i = 0; i < handoffs; i++) {
                assertEquals(Boolean.TRUE, peer.put.apply(RUNNING), peer.name + ": put " + i);
            }
            consumer.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(consumer.isAlive(), peer.name + ": the consumer did not receive every item");
            assertNull(failure.get(), () -> peer.name + ": " + failure.get());
            assertEquals(handoffs, received[0], peer.name + ": items received");
            assertEquals(0, peer.itemsInChannel.getAsLong(), peer.name + ": the channel at the end");
        }
    }

    // ================================================================== counters

    /** A counter benchmark method and a way to read the counter it changes. */
    private record CounterPeer(String name, Call call, LongSupplier value, boolean returnsNewValue) {
    }

    private static void driveCounters(String benchmark, List<CounterPeer> peers) throws Exception {
        for (CounterPeer peer : peers) {
            assertEquals(0, peer.value.getAsLong(), benchmark + "/" + peer.name + ": the start");
            for (int i = 1; i <= CALLS; i++) {
                Object result = peer.call.run();
                if (peer.returnsNewValue) {
                    assertEquals(i, ((Number) result).longValue(), benchmark + "/" + peer.name + ", call " + i);
                }
                if (i == 1 || i == CALLS) {
                    assertEquals(i, peer.value.getAsLong(), benchmark + "/" + peer.name + ": the counter after call " + i);
                }
            }
        }
    }

    /** IncrementOneBenchmark: each of its seven methods adds exactly one per call (those that return it, the new value). */
    @Test
    void everyIncrementOneAddsOnePerCall() throws Exception {
        IncrementOneBenchmark b = new IncrementOneBenchmark();
        IncrementOneBenchmark.WeftState weft = new IncrementOneBenchmark.WeftState();
        IncrementOneBenchmark.WeftState weftInline = new IncrementOneBenchmark.WeftState();
        IncrementOneBenchmark.MultiverseState multiverse = new IncrementOneBenchmark.MultiverseState();
        IncrementOneBenchmark.ScalaStmState scala = new IncrementOneBenchmark.ScalaStmState();
        IncrementOneBenchmark.ClojureState clojure = new IncrementOneBenchmark.ClojureState();
        IncrementOneBenchmark.AtomicLongState atomic = new IncrementOneBenchmark.AtomicLongState();
        IncrementOneBenchmark.LockState lock = new IncrementOneBenchmark.LockState();
        driveCounters("IncrementOne", List.of(
                new CounterPeer("weft", () -> {
                    b.weft(weft);
                    return null;
                }, () -> weft.ref.atomic().get(), false),
                new CounterPeer("weftInlineLambda", () -> {
                    b.weftInlineLambda(weftInline);
                    return null;
                }, () -> weftInline.ref.atomic().get(), false),
                new CounterPeer("multiverse", () -> {
                    b.multiverse(multiverse);
                    return null;
                }, multiverse.ref::atomicGet, false),
                new CounterPeer("scalaStm", () -> {
                    b.scalaStm(scala);
                    return null;
                }, scala.ref::get, false),
                new CounterPeer("clojure", () -> b.clojure(clojure), () -> (Long) clojure.ref.deref(), true),
                new CounterPeer("atomicLong", () -> b.atomicLong(atomic), atomic.value::get, true),
                new CounterPeer("lock", () -> b.lock(lock), () -> lock.value, true)));
    }

    /**
     * CommuteHotSpotBenchmark: each of its eleven methods adds exactly one per call to its counter,
     * whether by commute (Weft, TCounter, Clojure, Multiverse), read-modify-write, a one-operation
     * call or a {@code java.util.concurrent} counter.
     */
    @Test
    void everyCommuteHotSpotAddsOnePerCall() throws Exception {
        CommuteHotSpotBenchmark b = new CommuteHotSpotBenchmark();
        CommuteHotSpotBenchmark.WeftState commute = new CommuteHotSpotBenchmark.WeftState();
        CommuteHotSpotBenchmark.WeftState readModifyWrite = new CommuteHotSpotBenchmark.WeftState();
        CommuteHotSpotBenchmark.WeftState oneOp = new CommuteHotSpotBenchmark.WeftState();
        CommuteHotSpotBenchmark.CounterState counter = new CommuteHotSpotBenchmark.CounterState();
        CommuteHotSpotBenchmark.CounterState counterInTransaction = new CommuteHotSpotBenchmark.CounterState();
        CommuteHotSpotBenchmark.ClojureState clojure = new CommuteHotSpotBenchmark.ClojureState();
        CommuteHotSpotBenchmark.MultiverseState multiverse = new CommuteHotSpotBenchmark.MultiverseState();
        CommuteHotSpotBenchmark.MultiverseState multiverseOneOp = new CommuteHotSpotBenchmark.MultiverseState();
        CommuteHotSpotBenchmark.ScalaStmState scalaStmOneOp = new CommuteHotSpotBenchmark.ScalaStmState();
        CommuteHotSpotBenchmark.LongAdderState adder = new CommuteHotSpotBenchmark.LongAdderState();
        CommuteHotSpotBenchmark.AtomicLongState atomic = new CommuteHotSpotBenchmark.AtomicLongState();
        driveCounters("CommuteHotSpot", List.of(
                new CounterPeer("weftCommute", () -> {
                    b.weftCommute(commute);
                    return null;
                }, commute.view::get, false),
                new CounterPeer("weftReadModifyWrite", () -> {
                    b.weftReadModifyWrite(readModifyWrite);
                    return null;
                }, readModifyWrite.view::get, false),
                new CounterPeer("weftOneOp", () -> b.weftOneOp(oneOp), oneOp.view::get, true),
                new CounterPeer("weftCounter", () -> {
                    b.weftCounter(counter);
                    return null;
                }, counter.view::get, false),
                new CounterPeer("weftCounterInTransaction", () -> {
                    b.weftCounterInTransaction(counterInTransaction);
                    return null;
                }, counterInTransaction.view::get, false),
                new CounterPeer("clojureCommute", () -> b.clojureCommute(clojure), () -> (Long) clojure.counter.deref(), true),
                new CounterPeer("multiverseCommute", () -> {
                    b.multiverseCommute(multiverse);
                    return null;
                }, multiverse.counter::atomicGet, false),
                new CounterPeer("multiverseOneOp", () -> b.multiverseOneOp(multiverseOneOp),
                        multiverseOneOp.counter::atomicGet, true),
                new CounterPeer("scalaStmOneOp", () -> {
                    b.scalaStmOneOp(scalaStmOneOp);
                    return null;
                }, scalaStmOneOp.counter::get, false),
                new CounterPeer("longAdder", () -> {
                    b.longAdder(adder);
                    return null;
                }, adder.counter::sum, false),
                new CounterPeer("atomicLong", () -> b.atomicLong(atomic), atomic.counter::get, true)));
    }

    /** SingleOpIncrementBenchmark: each of its six methods adds exactly one per call. */
    @Test
    void everySingleOpIncrementAddsOnePerCall() throws Exception {
        SingleOpIncrementBenchmark b = new SingleOpIncrementBenchmark();
        SingleOpIncrementBenchmark.WeftState weft = new SingleOpIncrementBenchmark.WeftState();
        SingleOpIncrementBenchmark.MultiverseState multiverse = new SingleOpIncrementBenchmark.MultiverseState();
        SingleOpIncrementBenchmark.ScalaStmState scala = new SingleOpIncrementBenchmark.ScalaStmState();
        SingleOpIncrementBenchmark.ClojureState clojure = new SingleOpIncrementBenchmark.ClojureState();
        SingleOpIncrementBenchmark.AtomicLongState atomic = new SingleOpIncrementBenchmark.AtomicLongState();
        SingleOpIncrementBenchmark.LockState lock = new SingleOpIncrementBenchmark.LockState();
        driveCounters("SingleOpIncrement", List.of(
                new CounterPeer("weft", () -> b.weft(weft), () -> weft.ref.atomic().get(), true),
                new CounterPeer("multiverse", () -> b.multiverse(multiverse), multiverse.ref::atomicGet, true),
                new CounterPeer("scalaStm", () -> {
                    b.scalaStm(scala);
                    return null;
                }, scala.ref::get, false),
                new CounterPeer("clojure", () -> b.clojure(clojure), () -> (Long) clojure.ref.deref(), true),
                new CounterPeer("atomicLong", () -> b.atomicLong(atomic), atomic.value::get, true),
                new CounterPeer("lock", () -> b.lock(lock), () -> lock.value, true)));
    }

    // ================================================================== reads

    /** A read benchmark method and a way to write the state it reads. */
    private record ReadPeer(String name, LongSupplier read, java.util.function.LongConsumer write) {
    }

    /**
     * ReadOneBenchmark: each of its six methods returns the ref's value, 1 at the start, and after
     * every write of a seeded random value (each through its own API) the value written: so each
     * reads the ref, not a constant or a stale copy.
     */
    @Test
    void everyReadOneReturnsTheRefsCurrentValue() {
        ReadOneBenchmark b = new ReadOneBenchmark();
        ReadOneBenchmark.WeftState weft = new ReadOneBenchmark.WeftState();
        ReadOneBenchmark.MultiverseState multiverse = new ReadOneBenchmark.MultiverseState();
        ReadOneBenchmark.ScalaStmState scala = new ReadOneBenchmark.ScalaStmState();
        ReadOneBenchmark.ClojureState clojure = new ReadOneBenchmark.ClojureState();
        ReadOneBenchmark.AtomicLongState atomic = new ReadOneBenchmark.AtomicLongState();
        ReadOneBenchmark.LockState lock = new ReadOneBenchmark.LockState();
        driveReads("ReadOne", 1, List.of(
                new ReadPeer("weft", () -> b.weft(weft), v -> weft.ref.atomic().set(v)),
                new ReadPeer("multiverse", () -> b.multiverse(multiverse), multiverse.ref::atomicSet),
                new ReadPeer("scalaStm", () -> b.scalaStm(scala), v -> scala.ref.set(v)),
                new ReadPeer("clojure", () -> uncheckedLong(() -> b.clojure(clojure)), v -> clojureSet(clojure.ref, v)),
                new ReadPeer("atomicLong", () -> b.atomicLong(atomic), atomic.value::set),
                new ReadPeer("lock", () -> b.lock(lock), v -> lock.value = v)));
    }

    /**
     * ReadTwoBenchmark: each of its five methods returns the sum of both refs, 3 at the start,
     * and after every write of seeded random values to both (each through its own API) their sum.
     */
    @Test
    void everyReadTwoReturnsTheSumOfBothRefs() {
        ReadTwoBenchmark b = new ReadTwoBenchmark();
        ReadTwoBenchmark.WeftState weft = new ReadTwoBenchmark.WeftState();
        ReadTwoBenchmark.MultiverseState multiverse = new ReadTwoBenchmark.MultiverseState();
        ReadTwoBenchmark.ScalaStmState scala = new ReadTwoBenchmark.ScalaStmState();
        ReadTwoBenchmark.ClojureState clojure = new ReadTwoBenchmark.ClojureState();
        ReadTwoBenchmark.LockState lock = new ReadTwoBenchmark.LockState();
        // Each write sets a to v and b to 3v, so the sum 4v tells a read of a only, or of b only, or a stale one apart.
        driveReads("ReadTwo", 3, List.of(
                new ReadPeer("weft", () -> b.weft(weft), v -> Stm.atomic(() -> {
                    weft.a.set(v);
                    weft.b.set(3 * v);
                })),
                new ReadPeer("multiverse", () -> b.multiverse(multiverse), v -> {
                    multiverse.a.atomicSet(v);
                    multiverse.b.atomicSet(3 * v);
                }),
                new ReadPeer("scalaStm", () -> b.scalaStm(scala), v -> {
                    scala.a.set(v);
                    scala.b.set(3 * v);
                }),
                new ReadPeer("clojure", () -> uncheckedLong(() -> b.clojure(clojure)), v -> {
                    clojureSet(clojure.a, v);
                    clojureSet(clojure.b, 3 * v);
                }),
                new ReadPeer("lock", () -> b.lock(lock), v -> {
                    lock.a = v;
                    lock.b = 3 * v;
                })), 4);
    }

    private static void driveReads(String benchmark, long initial, List<ReadPeer> peers) {
        driveReads(benchmark, initial, peers, 1);
    }

    private static void driveReads(String benchmark, long initial, List<ReadPeer> peers, long sumPerWrite) {
        for (ReadPeer peer : peers) {
            SplittableRandom random = new SplittableRandom(SEED);
            assertEquals(initial, peer.read.getAsLong(), benchmark + "/" + peer.name + ": the start");
            for (int i = 0; i < CALLS; i++) {
                long v = random.nextLong(1_000_000_000L);
                peer.write.accept(v);
                assertEquals(sumPerWrite * v, peer.read.getAsLong(), benchmark + "/" + peer.name + ": after write " + i);
                assertEquals(sumPerWrite * v, peer.read.getAsLong(), benchmark + "/" + peer.name + ": read again");
            }
        }
    }

    private static long uncheckedLong(Callable<Long> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void clojureSet(clojure.lang.Ref ref, long value) {
        try {
            LockingTransaction.runInTransaction(() -> ref.set(value));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
