package dev.weft.collections;

import dev.weft.collections.internal.StripedCount;
import dev.weft.collections.internal.TransactionRequired;
import dev.weft.stm.Stm;
import java.util.function.LongSupplier;

/**
 * A transactional counter striped over several cells, for counts that many threads change and
 * few read (hits, sizes, statistics).
 *
 * <p><b>Transactional semantics.</b> The methods of this class act in the calling thread's running
 * transaction and throw {@link IllegalStateException} when none is running. {@link #atomic()}
 * offers one-operation access: {@code add} outside a transaction is a one-cell transaction on the
 * calling thread's stripe (no descriptor, nothing allocated), {@code get} is one transaction that
 * sums all stripes (a consistent total); inside a transaction both join it.
 *
 * <p><b>Conflicts.</b> {@link #add} writes only the stripe of the calling thread (stripes are
 * chosen by thread id; there are four per core, at least 4 and at most 64), so adders on
 * different threads do not conflict with each other. {@link #get} reads every stripe and conflicts
 * with every concurrent adder: read the total rarely, or outside the transactions that add.
 *
 * <p><b>Complexity:</b> add O(1); get O(stripes). <b>Thread-safety:</b> safe for use by any number
 * of threads.
 */
public final class TCounter {
    private final StripedCount count = new StripedCount();
    private final LongSupplier sum = count::sum;
    private final Atomic view = new Atomic();

    /** Creates a counter at zero. */
    public TCounter() {}

    /**
     * Adds {@code delta}, in the running transaction.
     *
     * @implNote Cost model. Commutes {@code delta} onto the calling thread's stripe: nothing is
     * read and nothing allocated, and repeated adds in one transaction share one write-log entry;
     * at commit the stripe is locked and updated like any written ref. Adders on different stripes
     * never conflict.
     *
     * @param delta the amount to add (may be negative)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void add(long delta) {
        TransactionRequired.check("TCounter", "add", "atomic()");
        count.add(delta);
    }

    /**
     * Adds one, in the running transaction; costs what {@link #add(long)} does.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void increment() {
        add(1);
    }

    /**
     * The total, in the running transaction (reads every stripe).
     *
     * @implNote Cost model. O(stripes): reads every stripe (four per core, 4 to 64), so any add
     * that commits meanwhile invalidates this transaction.
     *
     * @return the total, in the running transaction (reads every stripe)
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public long get() {
        TransactionRequired.check("TCounter", "get", "atomic()");
        return count.sum();
    }

    /**
     * Sets the total to zero, in the running transaction.
     *
     * @implNote Cost model. Writes every stripe, O(stripes), without reading them; it conflicts
     * with every concurrent add and read.
     *
     * @throws IllegalStateException if no transaction is running on this thread
     */
    public void reset() {
        TransactionRequired.check("TCounter", "reset", "atomic()");
        count.reset();
    }

    /**
     * One-operation access: each method of the view is a linearizable transaction of its own
     * outside a transaction, and joins the running transaction inside one.
     *
     * @return the view (the same object on every call)
     */
    public Atomic atomic() {
        return view;
    }

    /** Shows the total, read in a transaction of its own (or in the running one). */
    @Override
    public String toString() {
        return "TCounter[" + view.get() + "]";
    }

    /**
     * One-operation access to a {@link TCounter}: each method is its own linearizable transaction,
     * or joins the running one. Thread-safe.
     *
     * @implNote Cost model, outside a transaction: {@code add} and {@code increment} are a
     * single-cell update of the calling thread's stripe (one CAS, a volatile read of the clock and
     * a release store; no descriptor, no allocation). {@code get} is one read-only transaction over
     * every stripe, O(stripes), that takes no lock.
     */
    public final class Atomic {
        private Atomic() {}

        /**
         * Adds {@code delta}: a one-cell transaction, allocation-free.
         *
         * @param delta the amount to add (may be negative)
         */
        public void add(long delta) {
            count.addAnywhere(delta);
        }

        /** Adds one: a one-cell transaction, allocation-free. */
        public void increment() {
            count.addAnywhere(1);
        }

        /**
         * The total, as one transaction over every stripe.
         *
         * @return the total, as one transaction over every stripe
         */
        public long get() {
            return Stm.atomicLong(sum);
        }

        /** Sets the total to zero: one transaction that writes every stripe, O(stripes). */
        public void reset() {
            Stm.atomic(count::reset);
        }
    }
}
