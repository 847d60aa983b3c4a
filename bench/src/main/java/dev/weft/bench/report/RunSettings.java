package dev.weft.bench.report;

import java.util.List;

/**
 * How JMH ran a benchmark, as recorded in its JSON: the versions and the iteration settings the
 * report states next to the numbers.
 *
 * <p>Thread-safety: immutable.
 *
 * @param jmhVersion the JMH version
 * @param jdkVersion the JDK version of the forked JVM, e.g. {@code 17.0.15}
 * @param vmName the VM name, e.g. {@code OpenJDK 64-Bit Server VM}
 * @param forks forked JVMs per benchmark
 * @param warmupIterations warm-up iterations per fork
 * @param warmupTime the length of one warm-up iteration, as JMH prints it ({@code 1 s})
 * @param measurementIterations measured iterations per fork
 * @param measurementTime the length of one measured iteration
 * @param jvmArgs the forked JVM's extra arguments
 */
public record RunSettings(String jmhVersion, String jdkVersion, String vmName, int forks,
                          int warmupIterations, String warmupTime, int measurementIterations,
                          String measurementTime, List<String> jvmArgs) {

    /** Copies {@code jvmArgs}. */
    public RunSettings {
        jvmArgs = List.copyOf(jvmArgs);
    }

    /** @return the settings in one line, e.g. {@code 3 forks × (5 × 1 s warm-up + 5 × 1 s measured)} */
    public String describeIterations() {
        return String.format("%d fork%s × (%d × %s warm-up + %d × %s measured)", forks, forks == 1 ? "" : "s",
                warmupIterations, warmupTime, measurementIterations, measurementTime);
    }
}
