package dev.weft.bench;

import clojure.lang.LockingTransaction;
import clojure.lang.PersistentQueue;
import clojure.lang.Ref;
import dev.weft.collections.TQueue;
import dev.weft.stm.Stm;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.multiverse.api.StmUtils;
import org.multiverse.api.TxnExecutor;
import org.multiverse.api.callables.TxnBooleanCallable;
import org.multiverse.api.callables.TxnCallable;
import org.multiverse.api.collections.TxnDeque;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One queue call pair per operation: each thread offers an element and polls one, on a queue that
 * holds {@value #BACKLOG} elements throughout, so offers and polls work at opposite ends of a
 * non-empty queue. The score is round trips per µs (two single-operation calls each). Unlike
 * {@link QueueBenchmark}'s producer and consumer on separate threads it is stable on one thread,
 * where it measures what one call costs; at two threads both ends are contended.
 *
 * <p>{@code weft}: {@link TQueue#asQueue()} outside a transaction (one-cell operations, no
 * transaction), the call a user makes and the one compared with {@link ConcurrentLinkedQueue}.
 * The peers have no call outside a transaction, so they are compared with
 * {@code weftInTransaction}, each call its own {@code Stm.atomic} (bodies made once):
 * {@code multiverseInTransaction}, Multiverse's {@code TxnDeque} used at opposite ends, each call
 * on a per-site executor ({@link MultiverseSite}; callables made once per thread), and
 * {@code clojureInTransaction}, a
 * ref holding a {@code PersistentQueue}, each call a {@code LockingTransaction}. ScalaSTM's Java
 * API has no queue. (Until session 18 the peers' methods were named {@code multiverse} and
 * {@code clojure}, and the report set them against {@code weft}.)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class QueueRoundTripBenchmark {
    /** A Multiverse call site's executor (see {@link MultiverseSite}). */
    private static final TxnExecutor MULTIVERSE_OFFER = MultiverseSite.executor();
    /** A Multiverse call site's executor (see {@link MultiverseSite}). */
    private static final TxnExecutor MULTIVERSE_POLL = MultiverseSite.executor();

    /** Elements in every queue before and between round trips. */
    static final int BACKLOG = 1_000;
    /** The element offered (a cached box: no allocation per offer). */
    static final Integer ELEMENT = 1;

    /** A {@code java.util.Queue} holding {@value #BACKLOG} elements before the first round trip. */
    public abstract static class PrefilledQueue {
        final Queue<Integer> queue;

        PrefilledQueue(Queue<Integer> queue) {
            this.queue = queue;
        }

        @Setup
        public void setup() {
            for (int i = 0; i < BACKLOG; i++) {
                queue.offer(ELEMENT);
            }
        }
    }

    @State(Scope.Benchmark)
    public static class WeftQueue extends PrefilledQueue {
        public WeftQueue() {
            super(new TQueue<Integer>().asQueue());
        }
    }

    @Benchmark
    public Integer weft(WeftQueue state) {
        state.queue.offer(ELEMENT);
        return state.queue.poll();
    }

    /** One thread's Weft transaction bodies, made once so that no lambda is allocated per call. */
    @State(Scope.Thread)
    public static class WeftCaller {
        BooleanSupplier offer;
        Supplier<Integer> poll;

        @Setup
        public void setup(WeftTransactionalQueue state) {
            TQueue<Integer> queue = state.queue;
            offer = () -> queue.offer(ELEMENT);
            poll = queue::poll;
        }
    }

    /** The same queue for {@code weftInTransaction}: a {@link TQueue} used inside transactions. */
    @State(Scope.Benchmark)
    public static class WeftTransactionalQueue {
        final TQueue<Integer> queue = new TQueue<>();

        @Setup
        public void setup() {
            Queue<Integer> view = queue.asQueue();
            for (int i = 0; i < BACKLOG; i++) {
                view.offer(ELEMENT);
            }
        }
    }

    @Benchmark
    public Integer weftInTransaction(WeftCaller caller) {
        Stm.atomicBoolean(caller.offer);
        return Stm.atomic(caller.poll);
    }

    @State(Scope.Benchmark)
    public static class ConcurrentLinkedQueueState extends PrefilledQueue {
        public ConcurrentLinkedQueueState() {
            super(new ConcurrentLinkedQueue<>());
        }
    }

    @Benchmark
    public Integer concurrentLinkedQueue(ConcurrentLinkedQueueState state) {
        state.queue.offer(ELEMENT);
        return state.queue.poll();
    }

    @State(Scope.Benchmark)
    public static class MultiverseQueue {
        /*
         * A deque used at opposite ends: Multiverse 0.7's newTxnQueue() is the same linked list
         * with offer at the tail and poll at the tail too (a stack; PeerEquivalenceTest), which
         * this benchmark measured until session 18.
         */
        final TxnDeque<Integer> queue = StmUtils.newTxnDeque();

        @Setup
        public void setup() {
            StmUtils.atomic(() -> {
                for (int i = 0; i < BACKLOG; i++) {
                    queue.offerLast(ELEMENT);
                }
            });
        }
    }

    /** One thread's Multiverse calls, made once so that no lambda is allocated per call. */
    @State(Scope.Thread)
    public static class MultiverseCaller {
        TxnBooleanCallable offer;
        TxnCallable<Integer> poll;

        @Setup
        public void setup(MultiverseQueue state) {
            TxnDeque<Integer> queue = state.queue;
            offer = tx -> queue.offerLast(tx, ELEMENT);
            poll = queue::pollFirst;
        }
    }

    @Benchmark
    public Integer multiverseInTransaction(MultiverseCaller caller) {
        MULTIVERSE_OFFER.execute(caller.offer);
        return MULTIVERSE_POLL.execute(caller.poll);
    }

    @State(Scope.Benchmark)
    public static class ClojureQueue {
        final Ref queue = new Ref(PersistentQueue.EMPTY);

        @Setup
        public void setup() throws Exception {
            LockingTransaction.runInTransaction(() -> {
                PersistentQueue q = (PersistentQueue) queue.deref();
                for (int i = 0; i < BACKLOG; i++) {
                    q = q.cons(ELEMENT);
                }
                return queue.set(q);
            });
        }
    }

    /** One thread's Clojure transaction bodies, made once. */
    @State(Scope.Thread)
    public static class ClojureCaller {
        Callable<Object> offer;
        Callable<Object> poll;

        @Setup
        public void setup(ClojureQueue state) {
            Ref queue = state.queue;
            offer = () -> queue.set(((PersistentQueue) queue.deref()).cons(ELEMENT));
            poll = () -> {
                PersistentQueue q = (PersistentQueue) queue.deref();
                Object head = q.peek();
                if (head != null) {
                    queue.set(q.pop());
                }
                return head;
            };
        }
    }

    @Benchmark
    public Object clojureInTransaction(ClojureCaller caller) throws Exception {
        LockingTransaction.runInTransaction(caller.offer);
        return LockingTransaction.runInTransaction(caller.poll);
    }
}
