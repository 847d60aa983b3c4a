package dev.weft.bench;

import dev.weft.bench.QueueRoundTripBenchmark.PrefilledQueue;
import dev.weft.collections.TBoundedQueue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link QueueRoundTripBenchmark} on bounded queues: each thread offers an element and polls one,
 * on a queue of capacity {@value #CAPACITY} that holds {@link QueueRoundTripBenchmark#BACKLOG}
 * elements throughout, so it is never full or empty and no call waits. The score is round trips
 * per µs; on one thread it measures what a bounded offer and poll cost (the counting included),
 * where {@link BoundedQueueBenchmark}'s producer and consumer measure the hand-over between cores.
 *
 * <p>Weft: {@link TBoundedQueue#asBlockingQueue()} outside a transaction (one guarded commit per
 * call). Baseline: {@link ArrayBlockingQueue} (one lock for both ends). The STM peers' Java APIs
 * have no bounded queue but Multiverse's {@code TxnQueue}, whose unbounded round trip
 * {@link QueueRoundTripBenchmark} already measures at a few percent of Weft's.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class BoundedQueueRoundTripBenchmark {
    /** Room for twice the backlog, so an offer never finds the queue full. */
    static final int CAPACITY = 2 * QueueRoundTripBenchmark.BACKLOG;

    @State(Scope.Benchmark)
    public static class WeftQueue extends PrefilledQueue {
        public WeftQueue() {
            super(new TBoundedQueue<Integer>(CAPACITY).asBlockingQueue());
        }
    }

    @Benchmark
    public Integer weft(WeftQueue state) {
        state.queue.offer(QueueRoundTripBenchmark.ELEMENT);
        return state.queue.poll();
    }

    @State(Scope.Benchmark)
    public static class ArrayBlockingQueueState extends PrefilledQueue {
        public ArrayBlockingQueueState() {
            super(new ArrayBlockingQueue<>(CAPACITY));
        }
    }

    @Benchmark
    public Integer arrayBlockingQueue(ArrayBlockingQueueState state) {
        state.queue.offer(QueueRoundTripBenchmark.ELEMENT);
        return state.queue.poll();
    }
}
