package dev.weft.collections;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import junit.framework.TestCase;
import junit.framework.TestSuite;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs a Guava testlib suite (JUnit 3 style) as JUnit 5 dynamic tests, one per testlib test, so
 * the contract suites need no extra test engine and report every case by name.
 */
final class Testlib {
    private Testlib() {}

    static Stream<DynamicNode> tests(junit.framework.Test suite) {
        return Stream.of(node(suite));
    }

    private static DynamicNode node(junit.framework.Test test) {
        if (test instanceof TestSuite suite) {
            List<DynamicNode> children = new ArrayList<>();
            for (junit.framework.Test child : Collections.list(suite.tests())) {
                children.add(node(child));
            }
            return DynamicContainer.dynamicContainer(String.valueOf(suite.getName()), children);
        }
        if (test instanceof TestCase testCase) {
            return DynamicTest.dynamicTest(testCase.getName(), testCase::runBare);
        }
        throw new IllegalArgumentException("not a testlib test: " + test);
    }
}
