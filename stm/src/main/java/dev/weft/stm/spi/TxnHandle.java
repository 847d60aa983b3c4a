package dev.weft.stm.spi;

/**
 * The calling thread's running transaction, as {@link Barrier#running()} hands it out, so that a
 * run of barrier calls (a collection walking a path of cells) looks the transaction up once
 * instead of once per call.
 *
 * <p>Thread-safety: none. A handle is valid only on the thread that obtained it and only until
 * that thread's transaction ends; keep it in a local variable of the method that asked for it,
 * never in a field. Passing it to the barrier methods behaves exactly as the handle-free method of
 * the same name called on that thread at that moment.
 */
public interface TxnHandle {}
