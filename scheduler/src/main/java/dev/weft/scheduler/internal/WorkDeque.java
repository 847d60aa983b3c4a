package dev.weft.scheduler.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A worker's work-stealing deque: the owner pushes and pops at the bottom (LIFO, for the locality
 * of fork/join), thieves steal from the top (FIFO, the oldest and usually largest piece of work).
 *
 * <p>Thread-safety: {@link #push}, {@link #pop} and {@link #popIf} only on the owning worker;
 * {@link #steal} and {@link #sizeEstimate} from any thread.
 */
public final class WorkDeque {
    /*
     * Overview. The Chase-Lev deque (Chase & Lev, SPAA 2005) with the orderings of Lê, Pop, Cohen
     * and Zappa Nardelli (PPoPP 2013), expressed with VarHandles.
     *
     * Indexes grow forever; a slot is index & (length - 1). Elements live in [top, bottom).
     *   push (owner):  write the slot, then setRelease(bottom = b + 1): a thief that reads the new
     *                  bottom (volatile) also sees the slot.
     *   pop (owner):   setVolatile(bottom = b - 1), then getVolatile(top). If top < b - 1 the
     *                  element is the owner's without a CAS: a thief could take index b - 1 only
     *                  after reading top == b - 1 and then the old bottom, but the owner's volatile
     *                  store of bottom precedes its read of top in the synchronization order, so a
     *                  thief that read the old bottom read top before the owner did, and the owner
     *                  would have seen top == b - 1. If top == b - 1 (one element left) owner and
     *                  thieves race with a CAS on top.
     *   steal (thief): getVolatile(top), getVolatile(bottom), read the slot, CAS top -> top + 1.
     *                  The slot is read before the CAS, so the owner must not overwrite it while a
     *                  thief may still claim it: push grows the array while b - top reaches
     *                  length - 1, with a top it read earlier (never larger than the real one).
     *
     * Growing copies [top, bottom) into a twice larger array and publishes it with a release store;
     * a thief that still reads the old array finds the same element there (the old array is never
     * cleared). The owner clears the slots it pops; a stolen slot keeps its reference until the
     * owner reuses the slot, so at most one array's worth of finished tasks stays reachable.
     */

    private static final int INITIAL_CAPACITY = 64;

    // Written by thieves and by the owner's last-element race (CAS); read by all (volatile).
    private volatile long top;
    // Written by the owner only (release on push, volatile on pop); read by thieves (volatile).
    private volatile long bottom;
    // Written by the owner only (release on growth); read by thieves (acquire).
    private volatile Task[] array = new Task[INITIAL_CAPACITY];

    /** Owner: adds {@code task} at the bottom. */
    public void push(Task task) {
        long b = (long) BOTTOM.getOpaque(this); // only the owner writes bottom
        long t = (long) TOP.getAcquire(this);
        Task[] a = (Task[]) ARRAY.getOpaque(this);
        if (b - t >= a.length - 1) {
            a = grow(a, t, b);
        }
        SLOT.setOpaque(a, (int) b & (a.length - 1), task);
        BOTTOM.setRelease(this, b + 1);
    }

    private Task[] grow(Task[] old, long t, long b) {
        Task[] bigger = new Task[old.length << 1];
        for (long i = t; i < b; i++) {
            bigger[(int) i & (bigger.length - 1)] = old[(int) i & (old.length - 1)];
        }
        ARRAY.setRelease(this, bigger);
        return bigger;
    }

    /** Owner: removes and returns the newest task, or null when empty (or lost to a thief). */
    public Task pop() {
        long b = (long) BOTTOM.getOpaque(this) - 1;
        Task[] a = (Task[]) ARRAY.getOpaque(this);
        BOTTOM.setVolatile(this, b);
        long t = (long) TOP.getVolatile(this);
        if (t > b) {
            BOTTOM.setOpaque(this, b + 1); // was empty
            return null;
        }
        int slot = (int) b & (a.length - 1);
        Task task = (Task) SLOT.getOpaque(a, slot);
        if (t == b) { // the last element: race the thieves for it
            boolean won = TOP.compareAndSet(this, t, t + 1);
            BOTTOM.setRelease(this, b + 1);
            if (!won) {
                return null;
            }
        }
        SLOT.setOpaque(a, slot, null);
        return task;
    }

    /** Owner: pops {@code expected} if it is the newest task; false if it is not there (stolen). */
    public boolean popIf(Task expected) {
        long b = (long) BOTTOM.getOpaque(this) - 1;
        Task[] a = (Task[]) ARRAY.getOpaque(this);
        if (b < (long) TOP.getVolatile(this) || SLOT.getOpaque(a, (int) b & (a.length - 1)) != expected) {
            return false;
        }
        return pop() == expected;
    }

    /** Any thread: removes and returns the oldest task, or null when empty or when another thread won it. */
    public Task steal() {
        long t = (long) TOP.getVolatile(this);
        long b = (long) BOTTOM.getVolatile(this);
        if (t >= b) {
            return null;
        }
        Task[] a = (Task[]) ARRAY.getAcquire(this);
        Task task = (Task) SLOT.getAcquire(a, (int) t & (a.length - 1));
        if (task == null || !TOP.compareAndSet(this, t, t + 1)) {
            return null;
        }
        return task;
    }

    /** Any thread: the number of queued tasks, exact only while nobody pushes, pops or steals. */
    public int sizeEstimate() {
        long size = (long) BOTTOM.getVolatile(this) - (long) TOP.getVolatile(this);
        return (int) Math.max(0, Math.min(size, Integer.MAX_VALUE));
    }

    private static final VarHandle TOP;
    private static final VarHandle BOTTOM;
    private static final VarHandle ARRAY;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Task[].class);

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TOP = lookup.findVarHandle(WorkDeque.class, "top", long.class);
            BOTTOM = lookup.findVarHandle(WorkDeque.class, "bottom", long.class);
            ARRAY = lookup.findVarHandle(WorkDeque.class, "array", Task[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
