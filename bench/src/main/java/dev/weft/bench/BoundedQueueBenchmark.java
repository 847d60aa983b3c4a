package dev.weft.bench;

import dev.weft.collections.TBoundedQueue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
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
 * One producer and one consumer on a bounded blocking queue of {@value #CAPACITY} elements:
 * {@link TBoundedQueue#asBlockingQueue()} ({@code weft}: waits are {@code retryFor}) against
 * {@link ArrayBlockingQueue}. The producer waits while the queue is full, the consumer while it is
 * empty; per-method scores are elements per µs, the group score their sum.
 *
 * <p><b>No iteration can hang</b>, for the reason given in {@link RetryPingPongBenchmark}'s class
 * comment: every wait is a timed {@code offer}/{@code poll} of at most {@link #WAIT_NANOS}; a wait
 * that times out is tried again unless JMH has set {@link Control#stopMeasurement}, so a thread
 * left alone after the measurement leaves within about 1 ms.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class BoundedQueueBenchmark {
    static final int CAPACITY = 1024;
    static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The element offered (a cached box: no allocation per offer). */
    static final Integer ELEMENT = 1;

    @State(Scope.Group)
    public static class WeftChannel {
        final BlockingQueue<Integer> queue = new TBoundedQueue<Integer>(CAPACITY).asBlockingQueue();
    }

    @State(Scope.Group)
    public static class ArrayBlockingQueueChannel {
        final BlockingQueue<Integer> queue = new ArrayBlockingQueue<>(CAPACITY);
    }

    @Benchmark
    @Group("weft")
    @GroupThreads(1)
    public boolean weftPut(WeftChannel channel, Control control) throws InterruptedException {
        return offer(channel.queue, control);
    }

    @Benchmark
    @Group("weft")
    @GroupThreads(1)
    public Integer weftTake(WeftChannel channel, Control control) throws InterruptedException {
        return poll(channel.queue, control);
    }

    @Benchmark
    @Group("arrayBlockingQueue")
    @GroupThreads(1)
    public boolean arrayBlockingQueuePut(ArrayBlockingQueueChannel channel, Control control)
            throws InterruptedException {
        return offer(channel.queue, control);
    }

    @Benchmark
    @Group("arrayBlockingQueue")
    @GroupThreads(1)
    public Integer arrayBlockingQueueTake(ArrayBlockingQueueChannel channel, Control control)
            throws InterruptedException {
        return poll(channel.queue, control);
    }

    private static boolean offer(BlockingQueue<Integer> queue, Control control) throws InterruptedException {
        while (!queue.offer(ELEMENT, WAIT_NANOS, TimeUnit.NANOSECONDS)) {
            if (control.stopMeasurement) {
                return false;
            }
        }
        return true;
    }

    private static Integer poll(BlockingQueue<Integer> queue, Control control) throws InterruptedException {
        Integer element;
        while ((element = queue.poll(WAIT_NANOS, TimeUnit.NANOSECONDS)) == null) {
            if (control.stopMeasurement) {
                break;
            }
        }
        return element;
    }
}
