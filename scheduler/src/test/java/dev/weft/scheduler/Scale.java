package dev.weft.scheduler;

/** Test sizes: small in the default suite, {@code weft.test.scale} times larger under -Pstress. */
final class Scale {
    static final int FACTOR = Math.max(1, Integer.getInteger("weft.test.scale", 1));

    private Scale() {}

    static int of(int base) {
        return base * FACTOR;
    }
}
