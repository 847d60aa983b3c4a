package dev.weft.check;

/**
 * How a {@link Workload} makes one transaction out of a body: the workloads touch refs only
 * through their {@code atomic()} views, which join a running transaction, so the runner decides
 * the transaction boundary.
 *
 * <p>{@link #WEFT} runs the body as one Weft transaction ({@link ThreadRecorder#atomic(Runnable)}).
 * A deliberately broken runner, for a checker's twin test, can run the body with no transaction
 * at all, so each ref access commits on its own:
 *
 * <pre>{@code
 * TransactionRunner noTransaction = (recorder, body) -> {
 *     recorder.begin();
 *     body.run();
 *     recorder.commit();
 * };
 * }</pre>
 *
 * <p>Thread-safety: implementations are called concurrently from every worker thread, each with
 * its own recorder; {@link #WEFT} is stateless.
 */
@FunctionalInterface
public interface TransactionRunner {
    /** One Weft transaction per body: every attempt recorded, the committed one as committed. */
    TransactionRunner WEFT = ThreadRecorder::atomic;

    /**
     * Runs {@code body} as one transaction, recording each attempt on {@code recorder} (the body
     * records its reads and writes; the runner opens and ends attempts).
     *
     * @param recorder the calling thread's recorder
     * @param body the transaction body; may run more than once
     */
    void run(ThreadRecorder recorder, Runnable body);
}
