package dev.weft.stm.spi;

import dev.weft.stm.internal.Transaction;

/**
 * A thread that carries its transaction descriptor in a field, so refs find the running
 * transaction without a {@link ThreadLocal} lookup (Weft's scheduler workers extend it). Behaves
 * exactly like any other thread otherwise.
 */
public abstract class TxnThread extends Thread {
    private final Object descriptor = Transaction.newDescriptor();

    protected TxnThread(ThreadGroup group, Runnable task, String name) {
        super(group, task, name);
    }

    /** The engine's descriptor for this thread (used only by the engine). */
    public final Object descriptor() {
        return descriptor;
    }
}
