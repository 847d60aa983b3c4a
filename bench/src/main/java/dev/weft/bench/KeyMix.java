package dev.weft.bench;

import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One benchmark thread's next map operation: {@link #op} and {@link #key}, drawn uniformly from
 * {@link MapKeys}. Every implementation in a map benchmark draws through this, so all pay the same
 * for it; drawing allocates nothing.
 */
@State(Scope.Thread)
public class KeyMix {
    static final int GET = 0;
    static final int PUT = 1;
    static final int REMOVE = 2;

    private final SplittableRandom random = new SplittableRandom();
    private Integer[] keys;
    private int update;

    /** The operation: {@link #GET}, {@link #PUT} or {@link #REMOVE}. */
    int op;
    /** The key's index, in {@code 0 .. keyRange-1}. */
    int index;
    /** The key (boxed once, in {@link MapKeys}). */
    Integer key;

    @Setup
    public void setup(MapKeys mapKeys) {
        keys = mapKeys.keys;
        update = mapKeys.update;
    }

    /** Draws the next operation and key. */
    void next() {
        int dice = random.nextInt(100);
        op = dice < update ? PUT + (dice & 1) : GET;
        index = random.nextInt(keys.length);
        key = keys[index];
    }
}
