package dev.weft.collections;

import com.google.common.collect.testing.NavigableMapTestSuiteBuilder;
import com.google.common.collect.testing.NavigableSetTestSuiteBuilder;
import com.google.common.collect.testing.SetTestSuiteBuilder;
import com.google.common.collect.testing.TestStringSetGenerator;
import com.google.common.collect.testing.TestStringSortedMapGenerator;
import com.google.common.collect.testing.TestStringSortedSetGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.MapFeature;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SortedSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The views of {@link TSortedMap}, {@link TSet} and {@link TSortedSet} pass Guava's contract suites
 * for {@code NavigableMap} (with its sub-map and descending views), {@code Set} and
 * {@code NavigableSet}; each call is its own transaction.
 */
class SortedAndSetContractTest {
    @TestFactory
    Stream<DynamicNode> sortedMapViewIsANavigableMap() {
        return Testlib.tests(NavigableMapTestSuiteBuilder.using(new TestStringSortedMapGenerator() {
                    @Override
                    protected NavigableMap<String, String> create(Map.Entry<String, String>[] entries) {
                        NavigableMap<String, String> map = new TSortedMap<String, String>().asMap();
                        for (Map.Entry<String, String> e : entries) {
                            map.put(e.getKey(), e.getValue());
                        }
                        return map;
                    }
                })
                .named("TSortedMap.asMap")
                .withFeatures(MapFeature.GENERAL_PURPOSE, CollectionFeature.SUPPORTS_ITERATOR_REMOVE,
                        CollectionFeature.KNOWN_ORDER, CollectionSize.ANY)
                .createTestSuite());
    }

    @TestFactory
    Stream<DynamicNode> setViewIsASet() {
        return Testlib.tests(SetTestSuiteBuilder.using(new TestStringSetGenerator() {
                    @Override
                    protected Set<String> create(String[] elements) {
                        Set<String> set = new TSet<String>().asSet();
                        Collections.addAll(set, elements);
                        return set;
                    }
                })
                .named("TSet.asSet")
                .withFeatures(CollectionFeature.GENERAL_PURPOSE, CollectionSize.ANY)
                .createTestSuite());
    }

    @TestFactory
    Stream<DynamicNode> sortedSetViewIsANavigableSet() {
        return Testlib.tests(NavigableSetTestSuiteBuilder.using(new TestStringSortedSetGenerator() {
                    @Override
                    protected SortedSet<String> create(String[] elements) {
                        SortedSet<String> set = new TSortedSet<String>().asSet();
                        Collections.addAll(set, elements);
                        return set;
                    }
                })
                .named("TSortedSet.asSet")
                .withFeatures(CollectionFeature.GENERAL_PURPOSE, CollectionFeature.KNOWN_ORDER, CollectionSize.ANY)
                .createTestSuite());
    }
}
