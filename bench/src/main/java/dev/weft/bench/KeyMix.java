package dev.weft.bench;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The map benchmarks' per-thread draws ({@link KeyDraw}) over {@link MapKeys}: {@code update}
 * percent of the operations change the map, half puts and half removes.
 */
@State(Scope.Thread)
public class KeyMix extends KeyDraw {
    @Setup
    public void setup(MapKeys mapKeys) {
        init(mapKeys, false);
    }
}
