package dev.weft.bench;

import java.util.SplittableRandom;

/**
 * One benchmark thread's next map operation: {@link #op} and {@link #key}, drawn uniformly from a
 * {@link MapKeys} key space, and the {@link #value} a put writes. Every implementation in a map
 * benchmark draws through this (as {@link KeyMix} or {@code MapPutBenchmark.PutMix}), so all pay
 * the same for it; drawing allocates nothing.
 *
 * <p>The value is the next of {@link #VALUES} distinct preallocated {@code Integer} objects, not
 * the key itself: a put of the very object a key already maps to changes nothing, and a map may
 * (Weft's {@code TMap} does) finish it as a read, so puts of the key as its own value would make
 * every put of a present key a lookup.
 */
public abstract class KeyDraw {
    static final int GET = 0;
    static final int PUT = 1;
    static final int REMOVE = 2;

    /** Distinct value objects a thread cycles through (a power of two). */
    static final int VALUES = 1024;

    private final SplittableRandom random = new SplittableRandom();
    private Integer[] keys;
    private Integer[] values;
    private int nextValue;
    private int update;
    private int removeBit;

    /** The operation: {@link #GET}, {@link #PUT} or {@link #REMOVE}. */
    int op;
    /** The key's index, in {@code 0 .. keyRange-1}. */
    int index;
    /** The key (boxed once, in {@link MapKeys}). */
    Integer key;
    /** The value a put writes: another object than the one it replaces, almost always. */
    Integer value;

    /** Draws from {@code mapKeys}; updates are half puts, half removes, or all puts. */
    void init(MapKeys mapKeys, boolean putsOnly) {
        keys = mapKeys.keys;
        values = mapKeys.values;
        update = mapKeys.update;
        removeBit = putsOnly ? 0 : 1;
    }

    /** Draws the next operation and key. */
    void next() {
        int dice = random.nextInt(100);
        op = dice < update ? PUT + (dice & removeBit) : GET;
        index = random.nextInt(keys.length);
        key = keys[index];
        value = values[nextValue++ & (VALUES - 1)];
    }
}
