package dev.weft.stm.internal;

import java.util.Arrays;

/**
 * The hooks registered by one attempt of a transaction, in registration order; owned by one
 * transaction and emptied when the attempt ends. A nested scope that rolls back truncates the
 * list back to its size at the scope's start.
 */
final class Hooks {
    static final byte BEFORE_COMMIT = 0;
    static final byte AFTER_COMMIT = 1;
    static final byte AFTER_ROLLBACK = 2;

    private Runnable[] hooks = new Runnable[4];
    private byte[] kinds = new byte[4];
    int size;

    void add(byte kind, Runnable hook) {
        int i = size;
        if (i == hooks.length) {
            hooks = Arrays.copyOf(hooks, i * 2);
            kinds = Arrays.copyOf(kinds, i * 2);
        }
        hooks[i] = hook;
        kinds[i] = kind;
        size = i + 1;
    }

    Runnable hook(int i) {
        return hooks[i];
    }

    byte kind(int i) {
        return kinds[i];
    }

    /** Whether any hook of {@code kind} is registered at index {@code from} or later. */
    boolean any(byte kind, int from) {
        for (int i = from; i < size; i++) {
            if (kinds[i] == kind) {
                return true;
            }
        }
        return false;
    }

    /** The hooks of {@code kind} from index {@code from} on, copied (they may start transactions). */
    Runnable[] copy(byte kind, int from) {
        int count = 0;
        for (int i = from; i < size; i++) {
            if (kinds[i] == kind) {
                count++;
            }
        }
        Runnable[] selected = new Runnable[count];
        for (int i = from, j = 0; i < size; i++) {
            if (kinds[i] == kind) {
                selected[j++] = hooks[i];
            }
        }
        return selected;
    }

    void truncate(int newSize) {
        if (newSize < size) {
            Arrays.fill(hooks, newSize, size, null);
            size = newSize;
        }
    }

    void clear() {
        truncate(0);
    }
}
