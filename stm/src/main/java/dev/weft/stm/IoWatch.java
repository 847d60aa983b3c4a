package dev.weft.stm;

import dev.weft.stm.internal.IoDetector;

/**
 * A running {@link Stm#watchIo I/O watch}: reports file and socket I/O done inside transactions to a
 * hook until {@link #close() closed}.
 *
 * <p>Thread-safety: {@link #close()} may be called from any thread, more than once.
 */
public final class IoWatch implements AutoCloseable {
    private final IoDetector detector;

    IoWatch(IoDetector detector) {
        this.detector = detector;
    }

    /**
     * Stops the watch: the hook is called for no I/O done after this returns (reports of I/O
     * done before may still arrive while the recording drains; at most one more flush).
     */
    @Override
    public void close() {
        detector.close();
    }
}
