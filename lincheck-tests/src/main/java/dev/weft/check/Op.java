package dev.weft.check;

import java.util.List;
import java.util.Objects;

/**
 * One micro-operation of a recorded transaction attempt, in the vocabulary of Elle's workloads:
 * registers that are read and written ({@link Read}, {@link Write}), and lists that only grow by
 * appends and are read whole ({@link Append}, {@link ReadList}).
 *
 * <p>Keys are {@code long}s chosen by the workload. Register values and appended elements must be
 * unique per key (use {@link ThreadRecorder#uniqueValue()}), and {@value History#INITIAL_VALUE}
 * is reserved: a register that was never written reads as {@value History#INITIAL_VALUE}, a list
 * that was never appended to reads as empty. Uniqueness is what lets the checker tell which
 * transaction wrote the value a read returned.
 *
 * <p>Thread-safety: immutable records.
 */
public sealed interface Op permits Op.Read, Op.Write, Op.Append, Op.ReadList {

    /**
     * The key this operation touches.
     *
     * @return the register or list key
     */
    long key();

    /**
     * A register read that returned {@code value}.
     *
     * @param key the register
     * @param value the value read; {@value History#INITIAL_VALUE} for a register never written
     */
    record Read(long key, long value) implements Op {
        @Override
        public String toString() {
            return "r(" + key + ")=" + value;
        }
    }

    /**
     * A register write of {@code value}, unique for this key in the whole history.
     *
     * @param key the register
     * @param value the value written, never {@value History#INITIAL_VALUE}
     */
    record Write(long key, long value) implements Op {
        @Override
        public String toString() {
            return "w(" + key + ")=" + value;
        }
    }

    /**
     * An append of {@code element} to the list at {@code key}; the element is unique for this key.
     *
     * @param key the list
     * @param element the appended element
     */
    record Append(long key, long element) implements Op {
        @Override
        public String toString() {
            return "append(" + key + ", " + element + ")";
        }
    }

    /**
     * A read of the whole list at {@code key}.
     *
     * @param key the list
     * @param elements the elements read, oldest first
     */
    record ReadList(long key, List<Long> elements) implements Op {
        /**
         * Copies {@code elements}.
         *
         * @param key the list
         * @param elements the elements read, oldest first; copied
         * @throws NullPointerException if {@code elements} or one of them is null
         */
        public ReadList {
            elements = List.copyOf(Objects.requireNonNull(elements, "elements"));
        }

        @Override
        public String toString() {
            return "r(" + key + ")=" + elements;
        }
    }
}
