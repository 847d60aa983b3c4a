package dev.weft.stm.spi;

import dev.weft.stm.internal.Transaction;

/**
 * A thread that carries its transaction descriptor in a field, so refs find the running
 * transaction without a {@link ThreadLocal} lookup (Weft's scheduler workers extend it). Behaves
 * exactly like any other thread otherwise.
 */
public abstract class TxnThread extends Thread {
    private final Object descriptor = Transaction.newDescriptor();

    /**
     * Creates the thread and its transaction descriptor, as
     * {@link Thread#Thread(ThreadGroup, Runnable, String)}.
     *
     * @param group the thread group, or null for the creating thread's group
     * @param task the code the thread runs, or null to run {@link #run()}
     * @param name the thread's name
     */
    protected TxnThread(ThreadGroup group, Runnable task, String name) {
        super(group, task, name);
    }

    /**
     * The engine's descriptor for this thread (used only by the engine).
     *
     * @return the descriptor, created with the thread
     */
    public final Object descriptor() {
        return descriptor;
    }
}
