/**
 * Weft's verification kit: Lincheck options sized for checking transactional structures, a
 * history recorder with a serializability and opacity checker, and randomized transactional
 * workloads.
 *
 * <p>Lincheck 3.7 has no module descriptor and no {@code Automatic-Module-Name}, so it is the
 * automatic module {@code lincheck}, named after its jar file. It is required transitively because
 * the kit's methods return Lincheck's option types.
 */
@SuppressWarnings("requires-transitive-automatic")
module dev.weft.check {
    requires transitive dev.weft.refs;
    requires dev.weft.collections; // for Weft's own Lincheck tests of the collections (test sources share this module)
    requires transitive lincheck;
    // read by the tests only (SchedulerSubmitLincheckTest), which are patched into this module
    requires static dev.weft.scheduler;
    exports dev.weft.check;
}
