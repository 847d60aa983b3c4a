package dev.weft.guide;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the documents' Java examples and the tests that run them identical.
 *
 * <p>In a document, a Java example is a fenced {@code ```java} block on the line right after a
 * {@code <!-- snippet: name -->} comment. In a test source, the region of the same name is the
 * lines between {@code // snippet: name} and the next {@code // end}. They match when they are
 * equal line by line after trimming each line, collapsing runs of whitespace and dropping blank
 * lines; {@code import} lines of a block are instead looked up among the imports of the region's
 * file (a method body cannot hold them).
 */
final class DocSnippets {
    private static final Pattern TAG = Pattern.compile("^\\s*<!--\\s*snippet:\\s*([\\w.-]+)\\s*-->\\s*$");
    private static final Pattern REGION_START = Pattern.compile("^\\s*//\\s*snippet:\\s*([\\w.-]+)\\s*$");
    private static final Pattern REGION_END = Pattern.compile("^\\s*//\\s*end\\s*$");

    /** A tagged Java block of a document; {@code line} is the 1-based line of its opening fence. */
    record Block(String document, String name, int line, List<String> lines) {}

    /** A region of a test source, with the imports of its file. */
    record Region(String file, String name, int line, List<String> lines, Set<String> imports) {}

    private DocSnippets() {}

    /**
     * The tagged Java blocks of {@code markdown}; an untagged {@code ```java} block, a tag not
     * followed by one, or an unclosed fence is added to {@code problems}.
     */
    static List<Block> blocks(String document, String markdown, List<String> problems) {
        List<Block> blocks = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher tag = TAG.matcher(lines[i]);
            boolean javaFence = lines[i].strip().equals("```java");
            if (tag.matches()) {
                if (i + 1 >= lines.length || !lines[i + 1].strip().equals("```java")) {
                    problems.add(document + ":" + (i + 1) + ": snippet tag '" + tag.group(1)
                            + "' is not followed by a ```java block on the next line");
                }
                continue;
            }
            if (!lines[i].strip().startsWith("```") || lines[i].strip().equals("```")) {
                continue;
            }
            int close = i + 1;
            while (close < lines.length && !lines[close].strip().equals("```")) {
                close++;
            }
            if (close == lines.length) {
                problems.add(document + ":" + (i + 1) + ": code fence is never closed");
                return blocks;
            }
            if (javaFence) {
                Matcher previous = i > 0 ? TAG.matcher(lines[i - 1]) : null;
                if (previous == null || !previous.matches()) {
                    problems.add(document + ":" + (i + 1) + ": ```java block without a <!-- snippet: name --> "
                            + "tag on the line before it: every Java example must be a tested snippet");
                } else {
                    blocks.add(new Block(document, previous.group(1), i + 1,
                            List.of(lines).subList(i + 1, close)));
                }
            }
            i = close;
        }
        return blocks;
    }

    /** The regions of one test source; a start without an end, or a nested start, goes to {@code problems}. */
    static List<Region> regions(String file, String source, List<String> problems) {
        List<Region> regions = new ArrayList<>();
        String[] lines = source.split("\n", -1);
        Set<String> imports = new LinkedHashSet<>();
        for (String line : lines) {
            if (line.startsWith("import ")) {
                imports.add(normalize(line));
            }
        }
        for (int i = 0; i < lines.length; i++) {
            Matcher start = REGION_START.matcher(lines[i]);
            if (!start.matches()) {
                continue;
            }
            int end = i + 1;
            while (end < lines.length && !REGION_END.matcher(lines[end]).matches()) {
                if (REGION_START.matcher(lines[end]).matches()) {
                    problems.add(file + ":" + (end + 1) + ": snippet region starts inside region '"
                            + start.group(1) + "'");
                }
                end++;
            }
            if (end == lines.length) {
                problems.add(file + ":" + (i + 1) + ": snippet region '" + start.group(1) + "' has no // end");
                return regions;
            }
            regions.add(new Region(file, start.group(1), i + 1, List.of(lines).subList(i + 1, end), imports));
            i = end;
        }
        return regions;
    }

    /**
     * Compares every block with its region: a block without a region, a region shown by no block
     * (when {@code requireEveryRegionShown}), two regions of one name, and every difference are
     * returned as problems, each naming the document line and the source line.
     */
    static List<String> compare(List<Block> blocks, List<Region> regions, boolean requireEveryRegionShown) {
        List<String> problems = new ArrayList<>();
        Map<String, Region> byName = new LinkedHashMap<>();
        for (Region region : regions) {
            Region other = byName.putIfAbsent(region.name(), region);
            if (other != null) {
                problems.add("snippet region '" + region.name() + "' is defined twice: " + other.file() + ":"
                        + other.line() + " and " + region.file() + ":" + region.line());
            }
        }
        Set<String> shown = new LinkedHashSet<>();
        for (Block block : blocks) {
            String where = block.document() + ":" + block.line();
            Region region = byName.get(block.name());
            if (region == null) {
                problems.add(where + ": snippet '" + block.name() + "' has no region '// snippet: "
                        + block.name() + "' ... '// end' in any test source");
                continue;
            }
            shown.add(block.name());
            List<String> code = new ArrayList<>();
            for (String line : block.lines()) {
                String normalized = normalize(line);
                if (normalized.startsWith("import ")) {
                    if (!region.imports().contains(normalized)) {
                        problems.add(where + ": snippet '" + block.name() + "' shows '" + normalized
                                + "', which " + region.file() + " does not import");
                    }
                } else if (!normalized.isEmpty()) {
                    code.add(normalized);
                }
            }
            List<String> tested = new ArrayList<>();
            for (String line : region.lines()) {
                String normalized = normalize(line);
                if (!normalized.isEmpty()) {
                    tested.add(normalized);
                }
            }
            if (!code.equals(tested)) {
                problems.add(where + ": snippet '" + block.name() + "' differs from " + region.file() + ":"
                        + region.line() + firstDifference(code, tested));
            }
        }
        if (requireEveryRegionShown) {
            for (Region region : byName.values()) {
                if (!shown.contains(region.name())) {
                    problems.add(region.file() + ":" + region.line() + ": snippet region '" + region.name()
                            + "' is shown in no document");
                }
            }
        }
        return problems;
    }

    private static String firstDifference(List<String> shown, List<String> tested) {
        int n = Math.min(shown.size(), tested.size());
        for (int i = 0; i < n; i++) {
            if (!shown.get(i).equals(tested.get(i))) {
                return "\n    document: " + shown.get(i) + "\n    test:     " + tested.get(i);
            }
        }
        return shown.size() > n
                ? "\n    the document has more: " + shown.get(n)
                : "\n    the test has more: " + tested.get(n);
    }

    static String normalize(String line) {
        return line.strip().replaceAll("\\s+", " ");
    }

    /** The repository root: the nearest directory up from the working directory with mvnw and docs/. */
    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("docs"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no directory with mvnw and docs/ above " + Path.of("").toAbsolutePath());
    }

    /** Every {@code .java} file under a {@code src/test/java} directory of the repository. */
    static List<Path> testSources(Path root) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                    return name.equals("target") || name.startsWith(".") && !dir.equals(root)
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String path = root.relativize(file).toString().replace('\\', '/');
                    if (path.endsWith(".java") && path.contains("/src/test/java/")) {
                        files.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(null);
        return files;
    }
}
