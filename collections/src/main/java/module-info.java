/**
 * Weft's transactional collections: {@link dev.weft.collections.TMap},
 * {@link dev.weft.collections.TSortedMap}, sets, queues, deques, lists, arrays and counters, each
 * usable inside {@code Stm.atomic(...)} and, through a view, as a thread-safe {@code java.util}
 * collection.
 */
module dev.weft.collections {
    requires transitive dev.weft.refs;
    requires transitive dev.weft.stm;
    exports dev.weft.collections;
}
