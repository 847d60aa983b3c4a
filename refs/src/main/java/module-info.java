/**
 * Weft's typed transactional references: {@link dev.weft.refs.Ref}, {@link dev.weft.refs.LongRef},
 * {@link dev.weft.refs.IntRef}, {@link dev.weft.refs.DoubleRef} and {@link dev.weft.refs.BooleanRef}.
 */
module dev.weft.refs {
    requires transitive dev.weft.stm;
    exports dev.weft.refs;
}
