package dev.weft.stm.internal;

import dev.weft.stm.IoInTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * Finds file and socket I/O done inside transactions, for {@code Stm.watchIo}.
 *
 * <p>Overview. The JDK already reports its file and socket reads and writes as JFR events; a
 * streaming recording enables them with a zero threshold and stack traces, and this class keeps the
 * events whose stack passes through a frame where the engine runs user code that may run again:
 * {@link Transaction}'s {@code invoke} (a body, an {@code orElse} alternative, a nested scope),
 * {@code runBeforeCommitHooks} and {@code applyCommutes}. After-commit and after-rollback hooks run
 * from other frames, so I/O there, where it belongs, is not reported; nor is a class loader reading
 * a class file the body needs (idempotent, and not the body's doing). Nothing is added to the
 * transaction path: the decision is taken from the recorded stack, later, on the stream's thread.
 */
public final class IoDetector implements AutoCloseable {
    private static final String TRANSACTION = Transaction.class.getName();
    private static final List<String> EVENTS = List.of("jdk.FileRead", "jdk.FileWrite", "jdk.SocketRead",
            "jdk.SocketWrite");

    private final RecordingStream stream;

    private IoDetector(RecordingStream stream) {
        this.stream = stream;
    }

    /**
     * Starts a streaming recording that passes I/O inside transactions to {@code hook}.
     *
     * @throws IllegalStateException if JFR is not available
     */
    public static IoDetector start(Consumer<? super IoInTransaction> hook) {
        RecordingStream stream;
        try {
            stream = new RecordingStream();
        } catch (RuntimeException | Error e) { // IllegalStateException, SecurityException, or no JFR
            throw new IllegalStateException("Stm.watchIo needs JDK Flight Recorder, which this JVM does not offer: "
                    + e, e);
        }
        for (String event : EVENTS) {
            stream.enable(event).withThreshold(Duration.ZERO).withStackTrace();
        }
        stream.onEvent(event -> {
            IoInTransaction report = reportOf(event);
            if (report != null) {
                try {
                    hook.accept(report);
                } catch (RuntimeException e) {
                    System.err.println("Stm.watchIo hook failed on " + report + ": " + e);
                    e.printStackTrace();
                }
            }
        });
        stream.startAsync();
        return new IoDetector(stream);
    }

    /** The report for an I/O event whose stack passes through a transaction, else null. */
    static IoInTransaction reportOf(RecordedEvent event) {
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null) {
            return null;
        }
        List<RecordedFrame> frames = stack.getFrames();
        String site = null;
        List<StackTraceElement> elements = new ArrayList<>(frames.size());
        boolean inside = false;
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            String method = frame.getMethod().getName();
            elements.add(new StackTraceElement(type, method, null, frame.getLineNumber()));
            if (isClassLoading(type)) {
                return null; // loading a class the body uses: idempotent, not the body's side effect
            }
            if (type.equals(TRANSACTION)) {
                if (method.equals("invoke") || method.equals("runBeforeCommitHooks") || method.equals("applyCommutes")) {
                    inside = true;
                    break;
                }
                if (method.equals("runAfterCommitHooks") || method.equals("endAttemptHooks")) {
                    return null; // after-commit and after-rollback hooks are where I/O belongs
                }
            }
            if (site == null && !isJdkOrWeft(type)) {
                site = type + "." + method + (frame.getLineNumber() > 0 ? ":" + frame.getLineNumber() : "");
            }
        }
        if (!inside) {
            return null;
        }
        String name = event.getEventType().getName();
        String operation = switch (name) {
            case "jdk.FileRead" -> "file read";
            case "jdk.FileWrite" -> "file write";
            case "jdk.SocketRead" -> "socket read";
            default -> "socket write";
        };
        String target;
        if (name.startsWith("jdk.File")) {
            target = event.hasField("path") && event.getString("path") != null ? event.getString("path") : "";
        } else {
            String host = event.hasField("host") ? event.getString("host") : null;
            if (host == null || host.isEmpty()) {
                host = event.hasField("address") ? event.getString("address") : "";
            }
            target = host + (event.hasField("port") ? ":" + event.getInt("port") : "");
        }
        String field = name.endsWith("Read") ? "bytesRead" : "bytesWritten";
        long bytes = event.hasField(field) ? event.getLong(field) : -1;
        RecordedThread thread = event.getThread();
        String threadName = thread == null ? "?" : thread.getJavaName() != null ? thread.getJavaName() : "?";
        return new IoInTransaction(operation, target, bytes, threadName, site == null ? "?" : site, elements);
    }

    private static boolean isClassLoading(String type) {
        return type.equals("java.lang.ClassLoader") || type.equals("java.net.URLClassLoader")
                || type.equals("java.security.SecureClassLoader") || type.startsWith("jdk.internal.loader.");
    }

    private static boolean isJdkOrWeft(String type) {
        return type.startsWith("java.") || type.startsWith("javax.") || type.startsWith("jdk.")
                || type.startsWith("sun.") || type.startsWith("com.sun.")
                || type.startsWith("dev.weft.stm.internal.") || type.startsWith("dev.weft.stm.spi.")
                || type.equals("dev.weft.stm.Stm") || type.startsWith("dev.weft.refs.internal.")
                || type.startsWith("dev.weft.collections.internal.");
    }

    @Override
    public void close() {
        stream.close();
    }
}
