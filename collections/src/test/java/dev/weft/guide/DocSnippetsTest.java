package dev.weft.guide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's, the guide's and the FAQ's Java examples are the code that {@link GuideExamplesTest}
 * (and, for the verification kit, {@code GuideKitExamplesTest} in lincheck-tests) compiles and runs:
 * a changed example or a changed test fails here until the other is changed too.
 */
class DocSnippetsTest {
    /** The documents checked; in each, every ```java block must be a tagged snippet. */
    private static final List<String> DOCUMENTS = List.of("README.md", "docs/guide.md", "docs/faq.md");

    @Test
    void everyJavaExampleInTheReadmeGuideAndFaqIsTheTestedCode() throws IOException {
        Path root = DocSnippets.repositoryRoot();
        List<String> problems = new ArrayList<>();
        List<DocSnippets.Block> blocks = new ArrayList<>();
        for (String document : DOCUMENTS) {
            blocks.addAll(DocSnippets.blocks(document, Files.readString(root.resolve(document)), problems));
        }
        List<DocSnippets.Region> regions = new ArrayList<>();
        for (Path source : DocSnippets.testSources(root)) {
            regions.addAll(DocSnippets.regions(root.relativize(source).toString(), Files.readString(source), problems));
        }
        problems.addAll(DocSnippets.compare(blocks, regions, true));
        if (!problems.isEmpty()) {
            fail(problems.size() + " example(s) out of step with their tests:\n" + String.join("\n", problems));
        }
        assertTrue(blocks.size() >= 20, "expected the guide's examples, found " + blocks.size());
        assertTrue(blocks.stream().anyMatch(b -> b.document().equals("README.md")), "the README's example");
    }

    // ------------------------------------------------------------------ twins: the check must catch drift

    private static final String SOURCE = String.join("\n",
            "import static dev.weft.stm.Stm.atomic;",
            "class Example {",
            "    void run() {",
            "        // snippet: demo",
            "        LongRef a = new LongRef(1);",
            "        atomic(() -> a.add(1));   // adds one",
            "        // end",
            "    }",
            "}");

    private static List<String> check(String markdown) {
        List<String> problems = new ArrayList<>();
        List<DocSnippets.Block> blocks = DocSnippets.blocks("doc.md", markdown, problems);
        List<DocSnippets.Region> regions = DocSnippets.regions("Example.java", SOURCE, problems);
        problems.addAll(DocSnippets.compare(blocks, regions, true));
        return problems;
    }

    @Test
    void aBlockEqualUpToWhitespaceAndShowingImportsOfTheFileMatches() {
        assertEquals(List.of(), check(String.join("\n",
                "Text.",
                "<!-- snippet: demo -->",
                "```java",
                "import static dev.weft.stm.Stm.atomic;",
                "",
                "LongRef a = new LongRef(1);",
                "atomic(() -> a.add(1));      // adds one",
                "```")));
    }

    @Test
    void aChangedLineIsReportedWithBothVersions() {
        List<String> problems = check(String.join("\n",
                "<!-- snippet: demo -->",
                "```java",
                "LongRef a = new LongRef(2);",
                "atomic(() -> a.add(1));   // adds one",
                "```"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("doc.md:2") && problems.get(0).contains("new LongRef(2)")
                && problems.get(0).contains("new LongRef(1)"), problems.get(0));
    }

    @Test
    void aMissingOrExtraLineIsReported() {
        assertEquals(1, check(String.join("\n",
                "<!-- snippet: demo -->",
                "```java",
                "LongRef a = new LongRef(1);",
                "```")).size());
        assertEquals(1, check(String.join("\n",
                "<!-- snippet: demo -->",
                "```java",
                "LongRef a = new LongRef(1);",
                "atomic(() -> a.add(1));   // adds one",
                "a.atomic().get();",
                "```")).size());
    }

    @Test
    void anImportTheTestDoesNotHaveIsReported() {
        List<String> problems = check(String.join("\n",
                "<!-- snippet: demo -->",
                "```java",
                "import dev.weft.refs.LongRef;",
                "LongRef a = new LongRef(1);",
                "atomic(() -> a.add(1));   // adds one",
                "```"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("does not import"), problems.get(0));
    }

    @Test
    void anUntaggedJavaBlockAndATagWithoutARegionAreReported() {
        List<String> problems = check(String.join("\n",
                "```java",
                "untested();",
                "```",
                "<!-- snippet: elsewhere -->",
                "```java",
                "x();",
                "```",
                "```sh",
                "./mvnw verify",
                "```"));
        // the untagged block, the tag without a region, and the region shown by no block
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("without a <!-- snippet"), problems.get(0));
        assertTrue(problems.get(1).contains("no region"), problems.get(1));
        assertTrue(problems.get(2).contains("shown in no document"), problems.get(2));
    }

    @Test
    void aRegionWithoutAnEndIsReported() {
        List<String> problems = new ArrayList<>();
        DocSnippets.regions("Broken.java", String.join("\n", "// snippet: open", "code();"), problems);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("has no // end"), problems.get(0));
    }
}
