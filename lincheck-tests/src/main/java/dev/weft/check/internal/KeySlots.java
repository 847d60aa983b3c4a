package dev.weft.check.internal;

import java.util.Arrays;

/**
 * Numbers the distinct keys one transaction touches 0, 1, 2, ... so the checker can keep
 * per-key state of the transaction being scanned in small arrays. {@link #clear()} is O(1): a
 * generation stamp invalidates every entry.
 *
 * <p>Thread-safety: not thread-safe; used by one checking thread.
 */
final class KeySlots {
    private long[] keys = new long[64];
    private int[] slots = new int[64];
    private int[] stamps = new int[64];
    private int stamp = 1;
    private int size;

    void clear() {
        size = 0;
        if (++stamp == Integer.MAX_VALUE) {
            Arrays.fill(stamps, 0);
            stamp = 1;
        }
    }

    int size() {
        return size;
    }

    /** The slot of {@code key}, or -1 - (a new slot) if the key was not yet numbered (it is now). */
    int slotOf(long key) {
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = hash(key) & mask;
        while (stamps[i] == stamp) {
            if (keys[i] == key) {
                return slots[i];
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        slots[i] = size;
        stamps[i] = stamp;
        return -1 - size++;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldSlots = slots;
        int[] oldStamps = stamps;
        int capacity = keys.length * 2;
        keys = new long[capacity];
        slots = new int[capacity];
        stamps = new int[capacity];
        int mask = capacity - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldStamps[j] == stamp) {
                int i = hash(oldKeys[j]) & mask;
                while (stamps[i] == stamp) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                slots[i] = oldSlots[j];
                stamps[i] = stamp;
            }
        }
    }
}
