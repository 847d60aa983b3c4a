package dev.weft.check.internal;

import java.util.Arrays;

/**
 * A map from a pair of longs (key, value) to a non-negative int, by open addressing with linear
 * probing over parallel arrays: no boxing, no per-entry object. The checker indexes every write
 * and every append of a history by (key, value) in one of these.
 *
 * <p>Thread-safety: not thread-safe; used by one checking thread.
 */
public final class PairIndex {
    private static final int EMPTY = -1;

    private long[] firsts;
    private long[] seconds;
    private int[] payloads;
    private int size;
    private int mask;

    public PairIndex(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        allocate(capacity);
    }

    public int size() {
        return size;
    }

    /** The payload stored for {@code (first, second)}, or -1. */
    public int get(long first, long second) {
        int slot = slot(first, second);
        while (true) {
            int payload = payloads[slot];
            if (payload == EMPTY) {
                return -1;
            }
            if (firsts[slot] == first && seconds[slot] == second) {
                return payload;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Stores {@code payload} (non-negative) unless the pair is present; returns the present payload or -1. */
    public int putIfAbsent(long first, long second, int payload) {
        if (2 * (size + 1) > payloads.length) {
            grow();
        }
        int slot = slot(first, second);
        while (true) {
            int present = payloads[slot];
            if (present == EMPTY) {
                firsts[slot] = first;
                seconds[slot] = second;
                payloads[slot] = payload;
                size++;
                return -1;
            }
            if (firsts[slot] == first && seconds[slot] == second) {
                return present;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Replaces the payload of a present pair, or stores it. */
    public void overwrite(long first, long second, int payload) {
        if (putIfAbsent(first, second, payload) < 0) {
            return;
        }
        int slot = slot(first, second);
        while (firsts[slot] != first || seconds[slot] != second) {
            slot = (slot + 1) & mask;
        }
        payloads[slot] = payload;
    }

    /** Calls {@code visitor} for every entry, in no particular order. */
    public void forEach(Visitor visitor) {
        for (int slot = 0; slot < payloads.length; slot++) {
            if (payloads[slot] != EMPTY) {
                visitor.visit(firsts[slot], seconds[slot], payloads[slot]);
            }
        }
    }

    /** Receives the entries of {@link #forEach(Visitor)}. */
    public interface Visitor {
        void visit(long first, long second, int payload);
    }

    private int slot(long first, long second) {
        long h = first * 0x9E3779B97F4A7C15L + second;
        h = (h ^ (h >>> 32)) * 0xD6E8FEB86659FD93L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    private void allocate(int capacity) {
        firsts = new long[capacity];
        seconds = new long[capacity];
        payloads = new int[capacity];
        Arrays.fill(payloads, EMPTY);
        mask = capacity - 1;
        size = 0;
    }

    private void grow() {
        long[] oldFirsts = firsts;
        long[] oldSeconds = seconds;
        int[] oldPayloads = payloads;
        allocate(oldPayloads.length * 2);
        for (int slot = 0; slot < oldPayloads.length; slot++) {
            if (oldPayloads[slot] != EMPTY) {
                putIfAbsent(oldFirsts[slot], oldSeconds[slot], oldPayloads[slot]);
            }
        }
    }
}
