package dev.weft.check;

import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * Builds a hand-written Lincheck scenario from Java, for operations that block: Lincheck's
 * generated scenarios may call a blocking operation with nothing to wake it (reported as
 * {@code <hung>}), so blocking operations are checked on scenarios whose every interleaving
 * completes, with {@link WeftLincheck#checkScenarios}.
 *
 * <pre>{@code
 * ExecutionScenario handOff = BlockingScenario.of(Mailbox.class)
 *         .thread(call("take"), call("take"))     // blocks until something is put
 *         .thread(call("put", 5L))
 *         .thread(call("put", 6L))
 *         .build();
 * WeftLincheck.checkScenarios(Mailbox.class, MailboxSpec.class, List.of(handOff));
 * }</pre>
 *
 * <p>Thread-safety: a mutable builder, confined to the calling thread.
 */
public final class BlockingScenario {

    /**
     * One call of an {@code @Operation} method.
     *
     * @param operation the method name
     * @param arguments its arguments, boxed, in order
     */
    public record Call(String operation, List<Object> arguments) {
        /**
         * Copies the arguments; rejects a null name.
         *
         * @param operation the method name
         * @param arguments its arguments, boxed, in order; copied
         * @throws NullPointerException if {@code operation} or {@code arguments} is null
         */
        public Call {
            Objects.requireNonNull(operation, "operation");
            arguments = List.copyOf(arguments);
        }
    }

    private final Class<?> structure;
    private final List<Actor> initial = new ArrayList<>();
    private final List<List<Actor>> parallel = new ArrayList<>();
    private final List<Actor> post = new ArrayList<>();

    private BlockingScenario(Class<?> structure) {
        this.structure = structure;
    }

    /**
     * Starts a scenario for {@code structure}.
     *
     * @param structure the class under test, with {@code @Operation} methods
     * @return a builder with no calls yet
     * @throws IllegalArgumentException if the class has no {@code @Operation} method or cannot be
     *     instantiated by Lincheck
     */
    public static BlockingScenario of(Class<?> structure) {
        WeftLincheck.requireOperations(structure);
        return new BlockingScenario(structure);
    }

    /**
     * A call of operation {@code name} with {@code arguments} (boxed; {@code 5L} for a
     * {@code long}).
     *
     * @param name the name of an {@code @Operation} method
     * @param arguments its arguments, in order
     * @return the call, to pass to {@link #before}, {@link #thread} or {@link #after}
     */
    public static Call call(String name, Object... arguments) {
        return new Call(name, List.of(arguments));
    }

    /**
     * Calls run one after another before the parallel part.
     *
     * @param calls the calls, in order
     * @return this builder
     * @throws IllegalArgumentException if a call names no {@code @Operation} method of the structure
     */
    public BlockingScenario before(Call... calls) {
        initial.addAll(actors(calls));
        return this;
    }

    /**
     * One thread of the parallel part, running {@code calls} in order.
     *
     * @param calls the thread's calls, in order, at least one
     * @return this builder
     * @throws IllegalArgumentException if {@code calls} is empty, or names no {@code @Operation}
     *     method of the structure
     */
    public BlockingScenario thread(Call... calls) {
        if (calls.length == 0) {
            throw new IllegalArgumentException("a thread needs at least one call");
        }
        parallel.add(actors(calls));
        return this;
    }

    /**
     * Calls run one after another after the parallel part.
     *
     * @param calls the calls, in order
     * @return this builder
     * @throws IllegalArgumentException if a call names no {@code @Operation} method of the structure
     */
    public BlockingScenario after(Call... calls) {
        post.addAll(actors(calls));
        return this;
    }

    /**
     * The scenario built so far, for {@link WeftLincheck#checkScenarios}.
     *
     * @return a Lincheck scenario with the calls added so far
     * @throws IllegalStateException if no thread was added
     */
    public ExecutionScenario build() {
        if (parallel.isEmpty()) {
            throw new IllegalStateException("add at least one thread(...) before build()");
        }
        return new ExecutionScenario(List.copyOf(initial), List.copyOf(parallel), List.copyOf(post), null);
    }

    private List<Actor> actors(Call... calls) {
        List<Actor> actors = new ArrayList<>();
        for (Call call : calls) {
            actors.add(new Actor(method(call), call.arguments()));
        }
        return actors;
    }

    /**
     * The {@code @Operation} method the call names: by name, number of parameters and the
     * arguments' types (so overloads are told apart); more than one match is ambiguous.
     */
    private Method method(Call call) {
        Method found = null;
        for (Method method : structure.getMethods()) {
            if (method.getName().equals(call.operation()) && method.getParameterCount() == call.arguments().size()
                    && method.isAnnotationPresent(Operation.class) && accepts(method, call.arguments())) {
                if (found != null) {
                    throw new IllegalArgumentException(structure.getName() + " has several @Operation methods "
                            + call.operation() + " that accept " + call.arguments() + ": " + found + " and " + method);
                }
                found = method;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException(structure.getName() + " has no @Operation method " + call.operation()
                    + " with " + call.arguments().size() + " parameters accepting " + call.arguments());
        }
        return found;
    }

    /** Whether {@code method} can be invoked with {@code arguments} (primitives by their boxes). */
    private static boolean accepts(Method method, List<?> arguments) {
        Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            Object argument = arguments.get(i);
            Class<?> type = types[i];
            if (argument == null ? type.isPrimitive() : !box(type).isInstance(argument)) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> box(Class<?> type) {
        return MethodType.methodType(type).wrap().returnType(); // int -> Integer, ...
    }
}
