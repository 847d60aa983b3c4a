package dev.weft.collections.internal;

import dev.weft.stm.Stm;

/**
 * The checks that a collection call runs in the transaction it needs: at the top of every
 * in-transaction method (a forgotten {@code atomic} is an error that says what to do, never a
 * silent race), and in iterators made inside a transaction (never read in another one).
 */
public final class TransactionRequired {
    private TransactionRequired() {}

    /**
     * Throws unless a transaction runs on this thread.
     *
     * @param type the collection type, e.g. {@code "TMap"}
     * @param method the method called, e.g. {@code "put"}
     * @param view the one-operation alternative, e.g. {@code "asMap()"}
     */
    public static void check(String type, String method, String view) {
        if (!Stm.inTransaction()) {
            throw new IllegalStateException("No transaction is running on thread '"
                    + Thread.currentThread().getName() + "': " + type + "." + method
                    + "(...) must run inside Stm.atomic(() -> ...). For a single operation outside a "
                    + "transaction use the " + view + " view, e.g. " + lower(type) + "." + view + "."
                    + method + "(...): each call is then its own transaction. A transaction belongs to "
                    + "the thread that started it; threads started inside it do not join it.");
        }
    }

    private static String lower(String type) {
        return Character.toLowerCase(type.charAt(1)) + type.substring(2);
    }
}
