/**
 * Weft's transaction engine.
 *
 * <p>Users see {@link dev.weft.stm.Stm} and the exceptions of {@code dev.weft.stm}; the cell and
 * barrier SPI in {@code dev.weft.stm.spi} is exported only to Weft's own ref and collection
 * modules, and the engine in {@code dev.weft.stm.internal} is not exported at all.
 */
module dev.weft.stm {
    requires jdk.jfr;
    requires java.management;
    exports dev.weft.stm;
    exports dev.weft.stm.spi to dev.weft.refs, dev.weft.collections, dev.weft.scheduler;
}
