/**
 * Typed transactional references: {@link dev.weft.refs.Ref} for objects, and the unboxed
 * {@link dev.weft.refs.LongRef}, {@link dev.weft.refs.IntRef}, {@link dev.weft.refs.DoubleRef}
 * and {@link dev.weft.refs.BooleanRef}.
 *
 * <p>A ref is one transactional memory location. Reads and writes of refs inside
 * {@link dev.weft.stm.Stm#atomic(Runnable)} are atomic and isolated together: a transaction sees
 * one consistent committed state of all the refs it reads, and its writes become visible all at
 * once when it commits.
 *
 * <p>Every ref offers two ways in:
 * <ul>
 *   <li><b>In-transaction methods</b> ({@code get}, {@code set}, {@code update}, {@code add},
 *       ...) on the ref itself act in the calling thread's running transaction and throw
 *       {@link java.lang.IllegalStateException} when none is running, so a forgotten
 *       {@code atomic} is an error rather than a silent race.</li>
 *   <li><b>The {@code atomic()} view</b> ({@code ref.atomic().incrementAndGet()}, ...) has the
 *       methods of the matching {@code java.util.concurrent.atomic} class. Outside a transaction
 *       each call is a linearizable transaction of its own on that one ref, run without a
 *       transaction descriptor; inside a transaction it joins the running one.</li>
 * </ul>
 *
 * <p>Functions passed to {@code update}-style methods must be free of side effects: a transaction
 * may run more than once, and a view's update loop may call its function more than once.
 *
 * <p>Null policy: a {@link dev.weft.refs.Ref} may hold {@code null} (its default value), and its
 * view compares objects by identity. The primitive refs hold primitives and never {@code null};
 * their defaults are zero and {@code false}. Every {@code toString()} shows the latest committed
 * value and never takes part in a transaction.
 *
 * <p>All refs are safe for use by any number of threads, platform or virtual.
 */
package dev.weft.refs;
