package dev.weft.collections;

import com.google.common.collect.testing.ListTestSuiteBuilder;
import com.google.common.collect.testing.QueueTestSuiteBuilder;
import com.google.common.collect.testing.TestStringListGenerator;
import com.google.common.collect.testing.TestStringQueueGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.ListFeature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The views of {@link TQueue}, {@link TPriorityQueue} and {@link TArray} pass Guava's contract
 * suites for {@code Queue} and (fixed-size) {@code List}; each call is its own transaction.
 */
class QueueAndArrayContractTest {
    @TestFactory
    Stream<DynamicNode> queueViewIsAFifoQueue() {
        return Testlib.tests(QueueTestSuiteBuilder.using(new TestStringQueueGenerator() {
                    @Override
                    protected Queue<String> create(String[] elements) {
                        Queue<String> queue = new TQueue<String>().asQueue();
                        Collections.addAll(queue, elements);
                        return queue;
                    }
                })
                .named("TQueue.asQueue")
                .withFeatures(CollectionFeature.GENERAL_PURPOSE, CollectionFeature.KNOWN_ORDER, CollectionSize.ANY)
                .createTestSuite());
    }

    @TestFactory
    Stream<DynamicNode> priorityQueueViewIsAQueueInPriorityOrder() {
        return Testlib.tests(QueueTestSuiteBuilder.using(new TestStringQueueGenerator() {
                    @Override
                    protected Queue<String> create(String[] elements) {
                        Queue<String> queue = new TPriorityQueue<String>().asQueue();
                        Collections.addAll(queue, elements);
                        return queue;
                    }

                    @Override
                    public List<String> order(List<String> insertionOrder) {
                        List<String> sorted = new ArrayList<>(insertionOrder);
                        Collections.sort(sorted);
                        return sorted;
                    }
                })
                .named("TPriorityQueue.asQueue")
                .withFeatures(CollectionFeature.GENERAL_PURPOSE, CollectionSize.ANY)
                .createTestSuite());
    }

    @TestFactory
    Stream<DynamicNode> arrayViewIsAFixedSizeList() {
        return Testlib.tests(ListTestSuiteBuilder.using(new TestStringListGenerator() {
                    @Override
                    protected List<String> create(String[] elements) {
                        return TArray.of(elements).asList();
                    }
                })
                .named("TArray.asList")
                .withFeatures(ListFeature.SUPPORTS_SET, CollectionFeature.ALLOWS_NULL_VALUES, CollectionSize.ANY)
                .createTestSuite());
    }
}
