package dev.weft.bench.sched;

import dev.weft.collections.TLongArray;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * The update step of STAMP's k-means in Java on Weft: each task takes one point, finds its nearest
 * center (outside the transaction, against the current centers, as STAMP does) and adds the point
 * to that cluster's accumulators in one transaction: the cluster's count and its coordinate sums,
 * cells of a {@link TLongArray} (coordinates are fixed-point longs). Few clusters: high
 * contention (STAMP's kmeans-high has 15); many: low (kmeans-low has 40).
 */
final class KMeansWorkload implements TxnWorkload {
    private static final int DIMENSIONS = 8;
    private static final int POINTS = 1 << 14;

    private final int clusters;
    private final long[][] points = new long[POINTS][DIMENSIONS];
    private final long[][] centers;
    /** Per cluster: [count, sum of dimension 0, ..., sum of dimension D-1]. */
    private TLongArray accumulators;

    KMeansWorkload(int clusters) {
        this.clusters = clusters;
        this.centers = new long[clusters][DIMENSIONS];
        SplittableRandom random = new SplittableRandom(7);
        for (long[] point : points) {
            for (int d = 0; d < DIMENSIONS; d++) {
                point[d] = random.nextLong(1_000_000);
            }
        }
        for (int c = 0; c < clusters; c++) {
            centers[c] = points[random.nextInt(POINTS)].clone();
        }
    }

    @Override
    public String name() {
        return "kmeans(clusters=" + clusters + ")";
    }

    @Override
    public void setUp() {
        accumulators = new TLongArray(clusters * (DIMENSIONS + 1));
    }

    private int nearest(long[] point) {
        int best = 0;
        double bestDistance = Double.MAX_VALUE;
        for (int c = 0; c < clusters; c++) {
            double distance = 0;
            for (int d = 0; d < DIMENSIONS; d++) {
                double delta = point[d] - centers[c][d];
                distance += delta * delta;
            }
            if (distance < bestDistance) {
                bestDistance = distance;
                best = c;
            }
        }
        return best;
    }

    @Override
    public Runnable weftBody(long i, LongAdder attempts) {
        long[] point = points[(int) (i & (POINTS - 1))];
        int base = nearest(point) * (DIMENSIONS + 1);
        TLongArray sums = accumulators;
        return () -> {
            attempts.increment();
            sums.set(base, sums.get(base) + 1);
            for (int d = 0; d < DIMENSIONS; d++) {
                sums.set(base + 1 + d, sums.get(base + 1 + d) + point[d]);
            }
        };
    }

    /** Every point added once: the counts sum to the tasks and dimension 0's sums to its total. */
    @Override
    public void check(long tasks, String implementation) {
        long count = 0;
        long sum = 0;
        for (int c = 0; c < clusters; c++) {
            count += accumulators.atomic().get(c * (DIMENSIONS + 1));
            sum += accumulators.atomic().get(c * (DIMENSIONS + 1) + 1);
        }
        long expected = 0;
        for (long i = 0; i < tasks; i++) {
            expected += points[(int) (i & (POINTS - 1))][0];
        }
        if (count != tasks || sum != expected) {
            throw new IllegalStateException(name() + ": " + count + " points added for " + tasks + " tasks");
        }
    }
}
