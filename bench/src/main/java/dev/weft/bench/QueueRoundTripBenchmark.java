package dev.weft.bench;

import clojure.lang.LockingTransaction;
import clojure.lang.PersistentQueue;
import clojure.lang.Ref;
import dev.weft.collections.TQueue;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.multiverse.api.StmUtils;
import org.multiverse.api.callables.TxnBooleanCallable;
import org.multiverse.api.callables.TxnCallable;
import org.multiverse.api.collections.TxnQueue;
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
 * <p>Weft: {@link TQueue#asQueue()} outside a transaction (one-cell operations, no transaction).
 * Multiverse: its {@code TxnQueue}, each call in {@code StmUtils.atomic} (callables made once per
 * thread). Clojure: a ref holding a {@code PersistentQueue}, each call a
 * {@code LockingTransaction}. Baseline: {@link ConcurrentLinkedQueue}. ScalaSTM's Java API has no
 * queue.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class QueueRoundTripBenchmark {
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
        final TxnQueue<Integer> queue = StmUtils.newTxnQueue();

        @Setup
        public void setup() {
            StmUtils.atomic(() -> {
                for (int i = 0; i < BACKLOG; i++) {
                    queue.offer(ELEMENT);
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
            TxnQueue<Integer> queue = state.queue;
            offer = tx -> queue.offer(tx, ELEMENT);
            poll = queue::poll;
        }
    }

    @Benchmark
    public Integer multiverse(MultiverseCaller caller) {
        StmUtils.atomic(caller.offer);
        return StmUtils.atomic(caller.poll);
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
    public Object clojure(ClojureCaller caller) throws Exception {
        LockingTransaction.runInTransaction(caller.offer);
        return LockingTransaction.runInTransaction(caller.poll);
    }
}
