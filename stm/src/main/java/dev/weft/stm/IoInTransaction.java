package dev.weft.stm;

import java.util.List;
import java.util.Objects;

/**
 * File or socket I/O that ran inside a transaction, as reported by {@link Stm#watchIo}. A
 * transaction body (or a before-commit hook, or a commute function) may run more than once, so
 * I/O done there may be repeated or done for an attempt that never commits; it belongs in
 * {@link Stm#afterCommit} (see {@code docs/faq.md}).
 *
 * <p>Thread-safety: immutable.
 *
 * @param operation  {@code "file read"}, {@code "file write"}, {@code "socket read"} or
 *                   {@code "socket write"}
 * @param target     the file's path, or the socket's {@code host:port}; empty when the JDK did
 *                   not say
 * @param bytes      bytes read or written by this one operation ({@code -1} when unknown)
 * @param thread     the name of the thread that did it
 * @param site       the first frame of the stack outside the JDK and Weft: the code that did the
 *                   I/O, such as {@code com.example.Audit.log(Audit.java:31)}
 * @param stackTrace the stack from the I/O call down to the transaction (as far as JFR recorded
 *                   it, 64 frames by default)
 */
public record IoInTransaction(String operation, String target, long bytes, String thread, String site,
                              List<StackTraceElement> stackTrace) {
    /**
     * Creates a report with an unmodifiable copy of the stack.
     *
     * @param operation  what kind of I/O
     * @param target     the file or socket
     * @param bytes      how many bytes, or {@code -1}
     * @param thread     the thread's name
     * @param site       the frame that did the I/O
     * @param stackTrace the stack, innermost first
     * @throws NullPointerException if an argument or a frame is null
     */
    public IoInTransaction {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(thread, "thread");
        Objects.requireNonNull(site, "site");
        stackTrace = List.copyOf(stackTrace);
    }

    /** @return one line: what, where, from which site and thread */
    @Override
    public String toString() {
        return operation + " of " + (bytes < 0 ? "?" : bytes) + " bytes on " + (target.isEmpty() ? "?" : target)
                + " inside a transaction, at " + site + " on thread " + thread;
    }
}
