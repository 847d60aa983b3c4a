package dev.weft.bench;

import dev.weft.collections.TQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * One producer and one consumer on an unbounded FIFO queue: {@link TQueue#asQueue()}
 * ({@code weft}, each offer and poll one transaction) against {@link ConcurrentLinkedQueue}. Each
 * {@link Group @Group} is one implementation; the per-method scores ({@code weft:weftOffer},
 * {@code weft:weftPoll}) are elements per µs, the group score their sum.
 *
 * <p><b>Backlog.</b> An unbounded queue whose producer outruns its consumer grows by millions of
 * elements per second, and then the benchmark measures the garbage collector. So the producer
 * stops offering while more than {@link #BACKLOG} elements wait; to keep that check off the hot
 * path, each side publishes its count only every {@link #PUBLISH_EVERY} elements (a lazy write)
 * and the producer reads the consumer's count only then. Both implementations pay the same for
 * it.
 *
 * <p><b>No iteration can hang.</b> Neither side blocks: the consumer polls again while the queue
 * is empty and the producer spins while the backlog is full, each until it succeeds or JMH sets
 * {@link Control#stopMeasurement}; after the measurement they give up, so a thread left alone
 * leaves at once.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class QueueBenchmark {
    /** The most elements waiting in a queue, give or take {@link #PUBLISH_EVERY}. */
    static final long BACKLOG = 1 << 16;
    /** Each side publishes its count every this many elements. */
    static final long PUBLISH_EVERY = 256;
    /** The element offered (a cached box: no allocation per offer). */
    static final Integer ELEMENT = 1;

    /** One side's own count of elements, and the producer's copy of the consumer's published count. */
    @State(Scope.Thread)
    public static class Side {
        long count;
        long polledSeen;
    }

    /** A queue and the two sides' published counts, 128 bytes apart. */
    public abstract static class Channel {
        private static final int OFFERED = 0;
        private static final int POLLED = 16;
        private final AtomicLongArray published = new AtomicLongArray(32);

        abstract Queue<Integer> queue();

        boolean offer(Side producer, Control control) {
            long offered = producer.count;
            if (offered - producer.polledSeen >= BACKLOG) {
                while ((producer.polledSeen = published.get(POLLED)) <= offered - BACKLOG) {
                    if (control.stopMeasurement) {
                        return false;
                    }
                    Thread.onSpinWait();
                }
            }
            queue().offer(ELEMENT);
            if ((producer.count = offered + 1) % PUBLISH_EVERY == 0) {
                published.lazySet(OFFERED, producer.count);
            }
            return true;
        }

        Integer poll(Side consumer, Control control) {
            Integer element;
            while ((element = queue().poll()) == null) {
                if (control.stopMeasurement) {
                    return null;
                }
            }
            if (++consumer.count % PUBLISH_EVERY == 0) {
                published.lazySet(POLLED, consumer.count);
            }
            return element;
        }
    }

    @State(Scope.Group)
    public static class WeftChannel extends Channel {
        final Queue<Integer> queue = new TQueue<Integer>().asQueue();

        @Override
        Queue<Integer> queue() {
            return queue;
        }
    }

    @State(Scope.Group)
    public static class ConcurrentLinkedQueueChannel extends Channel {
        final Queue<Integer> queue = new ConcurrentLinkedQueue<>();

        @Override
        Queue<Integer> queue() {
            return queue;
        }
    }

    @Benchmark
    @Group("weft")
    @GroupThreads(1)
    public boolean weftOffer(WeftChannel channel, Side side, Control control) {
        return channel.offer(side, control);
    }

    @Benchmark
    @Group("weft")
    @GroupThreads(1)
    public Integer weftPoll(WeftChannel channel, Side side, Control control) {
        return channel.poll(side, control);
    }

    @Benchmark
    @Group("concurrentLinkedQueue")
    @GroupThreads(1)
    public boolean concurrentLinkedQueueOffer(ConcurrentLinkedQueueChannel channel, Side side, Control control) {
        return channel.offer(side, control);
    }

    @Benchmark
    @Group("concurrentLinkedQueue")
    @GroupThreads(1)
    public Integer concurrentLinkedQueuePoll(ConcurrentLinkedQueueChannel channel, Side side, Control control) {
        return channel.poll(side, control);
    }
}
