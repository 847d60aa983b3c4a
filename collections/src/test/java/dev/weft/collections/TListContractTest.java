package dev.weft.collections;

import com.google.common.collect.testing.ListTestSuiteBuilder;
import com.google.common.collect.testing.TestStringListGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.ListFeature;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link TList#asList()} passes Guava's {@code List} contract suite as a general-purpose list
 * (set, add and remove, also at an index, through the list, its iterators and its sub-lists),
 * with each call its own transaction.
 */
class TListContractTest {
    @TestFactory
    Stream<DynamicNode> listViewIsAGeneralPurposeList() {
        return Testlib.tests(ListTestSuiteBuilder.using(new TestStringListGenerator() {
                    @Override
                    protected List<String> create(String[] elements) {
                        List<String> list = new TList<String>().asList();
                        Collections.addAll(list, elements);
                        return list;
                    }
                })
                .named("TList.asList")
                .withFeatures(ListFeature.GENERAL_PURPOSE, CollectionFeature.ALLOWS_NULL_QUERIES, CollectionSize.ANY)
                .createTestSuite());
    }
}
