package dev.weft.check;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps README.md and docs/*.md true as the code changes: every test, type, member, link and
 * command the documents name must exist. Each failure lists {@code file:line: problem}.
 *
 * <p>The rules, and where they are deliberately narrow (so that the few names they check are
 * checked strictly, instead of allow-listing many names that only look like code):
 *
 * <ul>
 *   <li><b>Test references.</b> An inline code span {@code `Class.method`} or
 *       {@code `Class.prefix...`} whose class is a test class (a file {@code Class.java} under some
 *       module's {@code src/test/java}, or any name ending in {@code Test}) must name a test source
 *       that declares a {@code void} method with that name, or starting with that prefix. A module
 *       word just before it ({@code `refs` `CommuteTest.x`}) restricts the search to that module.
 *       A bare {@code `SomethingTest`} must exist as a test class. Inside a table cell of a column
 *       headed "test" or "tests", the references that lean on an earlier class are resolved too:
 *       {@code `.method`} after a list of bare classes ({@code `LongRefTest`, `RefTest`
 *       `.getOutside...`}) must exist in each of them, and a bare {@code `method...`} after a
 *       class ({@code `CompositionTest` (`orElse...`)}, {@code `A.x`, `y`}) must exist in it.
 *       Test sources are read as text: the other modules' test classes are not on this classpath.
 *   <li><b>API references.</b> {@code `Type.member`} (optionally {@code (...)} or a nested type
 *       chain such as {@code `Ref.Atomic.compareAndSet`}): when {@code Type} is declared in a
 *       package a Weft library module exports (read from the module-info files), the class is
 *       loaded by reflection and must be public and have a public method, field or nested class
 *       named {@code member}. When {@code Type} is declared elsewhere in Weft's main sources
 *       (the engine's internal packages, the benchmarks), the member must occur in that source
 *       file (design notes name internals; they must not outlive a rename). A type found nowhere
 *       must be a JDK, Agrona or Lincheck type (found by loading it from a short list of packages)
 *       or on the explicit allow-list {@link #PEER_TYPES} of the peers' and tools' types the docs
 *       compare with. Bare type names ({@code `TMap`}) are checked only when they follow Weft's
 *       own naming ({@code T}+capital, {@code Txn}, {@code Stm}, or ending in {@code Ref},
 *       {@code Exception} or {@code Error}); other bare capitalised names in the docs are mostly
 *       benchmark and workload labels ({@code `MapPut`}, {@code `ReadOne`}) or JDK classes, and
 *       checking them would need a long allow-list. ALL_CAPS names (enum constants, labels) and
 *       fully qualified {@code dev.weft....} names (the JFR event names such as
 *       {@code dev.weft.Abort} share that namespace without being classes) are not checked.
 *   <li><b>Links.</b> Every relative Markdown link outside code points to an existing file, and a
 *       {@code #anchor} to a heading of the target (or the same) document, slugged as GitHub does
 *       (lower case, punctuation removed, spaces to '-', duplicates suffixed -1, -2, ...).
 *   <li><b>Commands.</b> Every {@code ./mvnw} or {@code java} command in the README (in
 *       {@code sh} blocks and inline code) may name only profiles declared in the root pom.xml
 *       ({@code -P}), modules it lists ({@code -pl}), existing test classes ({@code -Dtest=}),
 *       existing {@code dev.weft} main classes, the benchmark jar the bench pom builds, and
 *       subcommands its {@code Main} dispatches on. The docs' own commands are checked the same
 *       way, except docs/performance-history.md, a log of the commands as they were run then.
 * </ul>
 */
class DocsReferencesTest {

    /** Types of the peers, the benchmark harness and JDK internals that the docs compare with or quote. */
    private static final Set<String> PEER_TYPES = Set.of(
            // Multiverse 0.7
            "StmUtils", "GammaTxnLong", "TxnRef", "TxnInteger", "TxnLong", "TxnExecutor",
            "TxnMandatoryException", "TodoException", "TxnQueue", "NaiveTxnHashMap",
            // ScalaSTM 0.11 (Java API)
            "STM",
            // Clojure 1.12
            "PersistentHashMap", "PersistentQueue", "LockingTransaction",
            // JMH, JDK internals and JFR
            "Blackhole", "ThreadLocalMap", "RandomSupport", "Event", "SpinedBuffer");

    /**
     * ScalaSTM's members whose type names collide with Weft's ({@code Ref}, {@code TMap}) or with
     * the kit's {@code Txn}: the docs quote them when comparing.
     */
    private static final Set<String> PEER_MEMBERS = Set.of("Ref.View", "TMap.View", "Txn.beforeCommit");

    private static final List<String> JDK_PACKAGES = List.of(
            "java.lang", "java.util", "java.util.concurrent", "java.util.concurrent.atomic",
            "java.util.concurrent.locks", "java.util.function", "java.util.stream", "java.lang.invoke",
            "java.lang.ref", "java.time", "java.io", "java.nio.file", "jdk.jfr",
            "org.agrona.concurrent", "org.jetbrains.kotlinx.lincheck",
            "org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking",
            "org.jetbrains.kotlinx.lincheck.strategy.stress");

    private static final Set<String> MODULE_WORDS =
            Set.of("stm", "refs", "collections", "scheduler", "lincheck-tests", "bench");

    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern MODULE_THEN_SPAN =
            Pattern.compile("`(stm|refs|collections|scheduler|lincheck-tests|bench)`\\s+`([^`]+)`");
    private static final Pattern QUALIFIED = Pattern.compile(
            "([A-Z][A-Za-z0-9_]*)((?:\\.[A-Za-z_][A-Za-z0-9_]*)+)(\\.\\.\\.)?(?:\\(.*\\))?");
    private static final Pattern BARE_TYPE = Pattern.compile("([A-Z][A-Za-z0-9_]*)(?:<.*>)?");
    private static final Pattern DOT_METHOD = Pattern.compile("\\.([a-z][A-Za-z0-9_]*)(\\.\\.\\.)?");
    private static final Pattern BARE_METHOD = Pattern.compile("([a-z][A-Za-z0-9_]*)(\\.\\.\\.)?");
    /** A JUnit test method: a test annotation, then (other annotations, modifiers) {@code void name(}. */
    private static final Pattern VOID_METHOD = Pattern.compile(
            "@(?:Test|ParameterizedTest|RepeatedTest|TestTemplate)\\b(?:(?!\\bvoid\\b)[^;])*?\\bvoid\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*\\(");
    private static final Pattern TYPE_DECL =
            Pattern.compile("\\b(?:class|interface|enum|record)\\s+([A-Z][A-Za-z0-9_]*)");
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");

    private static Path root;
    private static List<Path> documents;
    /** Test class simple name to its sources (module, text). */
    private static final Map<String, List<Source>> testClasses = new HashMap<>();
    /** Main type simple name to the files declaring it. */
    private static final Map<String, List<Source>> mainTypes = new HashMap<>();
    private static final Set<String> exportedPackages = new HashSet<>();
    private static final Set<String> modules = new LinkedHashSet<>();
    private static int checkedTestMethods;
    private static int checkedLinks;
    private static int checkedCommands;

    private record Source(String module, Path file, String packageName, String text) {}

    private record Line(Path file, int number, String text, boolean inFence, String fenceInfo) {
        String where() {
            return root.relativize(file) + ":" + number;
        }
    }

    @BeforeAll
    static void index() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        Path candidate = here.resolve("..").normalize();
        String override = System.getProperty("weft.docs.root"); // to check the checker on a changed copy
        if (override != null) {
            candidate = Path.of(override).toAbsolutePath().normalize();
        } else if (!Files.isDirectory(candidate.resolve("docs"))) {
            candidate = here; // run from the repository root
        }
        root = candidate;
        Path docs = root.resolve("docs");
        Path readme = root.resolve("README.md");
        assertTrue(Files.isDirectory(docs) && Files.isRegularFile(readme),
                "docs/ and README.md not found next to " + here + " (expected in " + root + ")");
        try (Stream<Path> files = Files.list(docs)) {
            documents = new ArrayList<>(files.filter(p -> p.toString().endsWith(".md")).sorted().toList());
        }
        documents.add(0, readme);
        assertTrue(documents.size() > 1, "no docs/*.md found in " + docs);

        String pom = Files.readString(root.resolve("pom.xml"));
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
        while (module.find()) {
            modules.add(module.group(1).trim());
        }
        for (String name : modules) {
            Path dir = root.resolve(name);
            for (Source source : sources(name, dir.resolve("src/test/java"))) {
                String simple = source.file().getFileName().toString().replace(".java", "");
                testClasses.computeIfAbsent(simple, k -> new ArrayList<>()).add(source);
            }
            for (Source source : sources(name, dir.resolve("src/main/java"))) {
                Matcher decl = TYPE_DECL.matcher(stripComments(source.text()));
                while (decl.find()) {
                    mainTypes.computeIfAbsent(decl.group(1), k -> new ArrayList<>()).add(source);
                }
            }
            Path moduleInfo = dir.resolve("src/main/java/module-info.java");
            if (Files.isRegularFile(moduleInfo)) {
                Matcher exports = Pattern.compile("\\bexports\\s+([\\w.]+)\\s*;")
                        .matcher(stripComments(Files.readString(moduleInfo)));
                while (exports.find()) {
                    exportedPackages.add(exports.group(1));
                }
            }
        }
        assertTrue(!testClasses.isEmpty() && !mainTypes.isEmpty() && !exportedPackages.isEmpty(),
                "no sources found under " + root);
    }

    private static List<Source> sources(String module, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.getFileName().toString().equals("module-info.java"))
                    .sorted()
                    .map(p -> {
                        String text = read(p);
                        Matcher pkg = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;").matcher(text);
                        return new Source(module, p, pkg.find() ? pkg.group(1) : "", text);
                    })
                    .toList();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String stripComments(String text) {
        return text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
    }

    private static List<Line> lines(Path file) {
        List<Line> result = new ArrayList<>();
        boolean inFence = false;
        String info = "";
        String[] raw = read(file).split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String text = raw[i];
            if (text.strip().startsWith("```")) {
                if (!inFence) {
                    info = text.strip().substring(3).strip();
                }
                inFence = !inFence;
                result.add(new Line(file, i + 1, text, true, info));
                continue;
            }
            result.add(new Line(file, i + 1, text, inFence, info));
        }
        return result;
    }

    private static void report(List<String> problems, String what) {
        if (!problems.isEmpty()) {
            fail(problems.size() + " " + what + ":\n  " + String.join("\n  ", problems));
        }
    }

    // ---------------------------------------------------------------- test references

    @Test
    void testReferencesNameExistingTestMethods() {
        List<String> problems = new ArrayList<>();
        for (Path doc : documents) {
            List<Integer> testColumns = List.of();
            for (Line line : lines(doc)) {
                if (line.inFence()) {
                    continue;
                }
                boolean tableRow = line.text().strip().startsWith("|");
                if (!tableRow) {
                    testColumns = List.of();
                    checkTestSpans(line, line.text(), false, problems);
                    continue;
                }
                List<String> cells = cells(line.text());
                if (cells.stream().allMatch(c -> c.strip().matches(":?-+:?|"))) {
                    continue; // the separator row
                }
                if (testColumns.isEmpty() && headerRow(line, doc)) {
                    List<Integer> columns = new ArrayList<>();
                    for (int c = 0; c < cells.size(); c++) {
                        String header = cells.get(c).strip().toLowerCase(Locale.ROOT);
                        if (header.equals("test") || header.equals("tests")) {
                            columns.add(c);
                        }
                    }
                    testColumns = columns.isEmpty() ? List.of(-1) : columns;
                    continue;
                }
                for (int c = 0; c < cells.size(); c++) {
                    checkTestSpans(line, cells.get(c), testColumns.contains(c), problems);
                }
            }
        }
        report(problems, "test references name no existing test (file:line)");
        assertTrue(checkedTestMethods >= 50, "only " + checkedTestMethods
                + " test method references found: has the docs' format changed under this test?");
    }

    /** Whether this table row is followed by a separator row (so it is a header). */
    private static boolean headerRow(Line line, Path doc) {
        List<Line> all = lines(doc);
        if (line.number() >= all.size()) {
            return false;
        }
        String next = all.get(line.number()).text().strip();
        return next.startsWith("|") && next.matches("[|:\\- ]+");
    }

    private static List<String> cells(String row) {
        String inner = row.strip();
        if (inner.startsWith("|")) {
            inner = inner.substring(1);
        }
        if (inner.endsWith("|")) {
            inner = inner.substring(0, inner.length() - 1);
        }
        // split on | outside code spans
        List<String> result = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean code = false;
        for (int i = 0; i < inner.length(); i++) {
            char ch = inner.charAt(i);
            if (ch == '`') {
                code = !code;
            }
            if (ch == '|' && !code && (i == 0 || inner.charAt(i - 1) != '\\')) {
                result.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        result.add(cell.toString());
        return result;
    }

    private static void checkTestSpans(Line line, String text, boolean testColumn, List<String> problems) {
        Map<Integer, String> moduleBefore = new HashMap<>();
        Matcher withModule = MODULE_THEN_SPAN.matcher(text);
        while (withModule.find()) {
            moduleBefore.put(withModule.start(2) - 1, withModule.group(1));
        }
        List<String> current = new ArrayList<>();
        boolean lastWasBareClass = false;
        Matcher span = CODE_SPAN.matcher(text);
        while (span.find()) {
            String code = span.group(1).strip();
            String module = moduleBefore.get(span.start());
            Matcher qualified = QUALIFIED.matcher(code);
            Matcher bare = BARE_TYPE.matcher(code);
            Matcher dot = DOT_METHOD.matcher(code);
            Matcher method = BARE_METHOD.matcher(code);
            if (qualified.matches() && isTestClassName(qualified.group(1))) {
                String cls = qualified.group(1);
                String rest = qualified.group(2).substring(1);
                if (rest.contains(".")) {
                    problems.add(line.where() + ": `" + code + "`: expected TestClass.method");
                    continue;
                }
                checkTestMethod(line, code, cls, module, rest, qualified.group(3) != null, problems);
                current = new ArrayList<>(List.of(cls));
                lastWasBareClass = false;
            } else if (bare.matches() && isTestClassName(bare.group(1))) {
                String cls = bare.group(1);
                if (testSources(cls, module).isEmpty()) {
                    problems.add(line.where() + ": `" + code + "`: no test class " + cls
                            + (module == null ? "" : " in module " + module));
                }
                if (!lastWasBareClass) {
                    current = new ArrayList<>();
                }
                current.add(cls);
                lastWasBareClass = true;
            } else if (testColumn && dot.matches() && !current.isEmpty()) {
                for (String cls : current) {
                    checkTestMethod(line, cls + code, cls, null, dot.group(1), dot.group(2) != null, problems);
                }
                lastWasBareClass = false;
            } else if (testColumn && method.matches() && !current.isEmpty() && !MODULE_WORDS.contains(code)) {
                boolean found = current.stream().anyMatch(cls ->
                        hasTestMethod(testSources(cls, null), method.group(1), method.group(2) != null));
                if (!found) {
                    problems.add(line.where() + ": `" + code + "`: no test method "
                            + (method.group(2) != null ? "starting with " : "named ") + method.group(1)
                            + " in " + String.join(" or ", current));
                }
                lastWasBareClass = false;
            } else {
                lastWasBareClass = false;
            }
        }
    }

    private static boolean isTestClassName(String name) {
        return name.endsWith("Test") || name.endsWith("Tests")
                || (testClasses.containsKey(name) && !mainTypes.containsKey(name));
    }

    private static List<Source> testSources(String cls, String module) {
        return testClasses.getOrDefault(cls, List.of()).stream()
                .filter(s -> module == null || s.module().equals(module))
                .toList();
    }

    private static void checkTestMethod(Line line, String code, String cls, String module, String name,
            boolean prefix, List<String> problems) {
        checkedTestMethods++;
        List<Source> sources = testSources(cls, module);
        if (sources.isEmpty()) {
            problems.add(line.where() + ": `" + code + "`: no test class " + cls
                    + (module == null ? "" : " in module " + module));
        } else if (!hasTestMethod(sources, name, prefix)) {
            problems.add(line.where() + ": `" + code + "`: " + cls + " has no test method "
                    + (prefix ? "starting with " : "named ") + name);
        }
    }

    private static boolean hasTestMethod(List<Source> sources, String name, boolean prefix) {
        for (Source source : sources) {
            Matcher m = VOID_METHOD.matcher(source.text());
            while (m.find()) {
                if (prefix ? m.group(1).startsWith(name) : m.group(1).equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- API references

    @Test
    void apiReferencesNameExistingTypesAndMembers() {
        List<String> problems = new ArrayList<>();
        for (Path doc : documents) {
            for (Line line : lines(doc)) {
                if (line.inFence()) {
                    continue;
                }
                Matcher span = CODE_SPAN.matcher(line.text());
                while (span.find()) {
                    String code = span.group(1).strip();
                    Matcher qualified = QUALIFIED.matcher(code);
                    Matcher bare = BARE_TYPE.matcher(code);
                    if (qualified.matches()) {
                        if (!isTestClassName(qualified.group(1))) {
                            checkQualified(line, code, qualified.group(1),
                                    qualified.group(2).substring(1).split("\\."), problems);
                        }
                    } else if (bare.matches()) {
                        String name = bare.group(1);
                        if (weftStyleName(name) && !isTestClassName(name) && !typeExists(name)) {
                            problems.add(line.where() + ": `" + code + "`: no type " + name
                                    + " in Weft's main sources, the JDK or the allow-list of peers");
                        }
                    }
                }
            }
        }
        report(problems, "API references name no existing type or member (file:line)");
    }

    private static boolean weftStyleName(String name) {
        if (name.equals(name.toUpperCase(Locale.ROOT))) {
            return false; // ALL_CAPS: constants and labels
        }
        return name.matches("T[A-Z].*") || name.startsWith("Txn") || name.startsWith("Stm")
                || name.endsWith("Ref") || name.endsWith("Exception") || name.endsWith("Error");
    }

    private static boolean typeExists(String name) {
        return mainTypes.containsKey(name) || mainTypes.containsKey(name + "Benchmark")
                || PEER_TYPES.contains(name) || jdkClass(name).isPresent();
    }

    private static Optional<Class<?>> jdkClass(String name) {
        for (String pkg : JDK_PACKAGES) {
            try {
                return Optional.of(Class.forName(pkg + "." + name, false, DocsReferencesTest.class.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                // try the next package
            }
        }
        return Optional.empty();
    }

    private static void checkQualified(Line line, String code, String type, String[] members,
            List<String> problems) {
        if (PEER_MEMBERS.contains(type + "." + members[0])) {
            return;
        }
        List<Source> declared = mainTypes.getOrDefault(type, List.of());
        if (declared.isEmpty()) { // JMH labels drop the suffix: IncrementOne.weft is IncrementOneBenchmark.weft
            declared = mainTypes.getOrDefault(type + "Benchmark", List.of());
        }
        List<Source> api = declared.stream()
                .filter(s -> exportedPackages.contains(s.packageName()))
                .toList();
        if (!api.isEmpty()) {
            Optional<String> error = checkByReflection(api, type, members);
            error.ifPresent(e -> problems.add(line.where() + ": `" + code + "`: " + e));
            return;
        }
        Optional<Class<?>> jdk = jdkClass(type);
        if (jdk.isPresent() && member(jdk.get(), members, 0) == null) {
            return; // a JDK type whose name a Weft source reuses (Map.Entry.setValue)
        }
        if (!declared.isEmpty()) { // internal or benchmark type: its source must mention the member
            String last = members[0];
            Pattern word = Pattern.compile("\\b" + Pattern.quote(last) + "\\b");
            boolean mentioned = declared.stream().anyMatch(s -> word.matcher(stripComments(s.text())).find());
            if (!mentioned) {
                problems.add(line.where() + ": `" + code + "`: " + type + " ("
                        + declared.stream().map(s -> root.relativize(s.file()).toString())
                                .collect(Collectors.joining(", "))
                        + ") has no member " + last);
            }
            return;
        }
        if (PEER_TYPES.contains(type) || Character.isLowerCase(type.charAt(0))) {
            return;
        }
        if (jdk.isPresent()) {
            return;
        }
        problems.add(line.where() + ": `" + code + "`: no type " + type
                + " in Weft's main sources, the JDK or the allow-list of peers");
    }

    private static Optional<String> checkByReflection(List<Source> declared, String type, String[] members) {
        String lastError = null;
        for (Source source : declared) {
            String top = source.file().getFileName().toString().replace(".java", "");
            List<String> binaryNames = new ArrayList<>();
            if (top.equals(type)) {
                binaryNames.add(source.packageName() + "." + top);
            } else {
                binaryNames.add(source.packageName() + "." + top + "$" + type);
            }
            for (String binary : binaryNames) {
                Class<?> cls;
                try {
                    cls = Class.forName(binary, false, DocsReferencesTest.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    lastError = "class " + binary + " is in the sources but not on the classpath";
                    continue;
                }
                if (!Modifier.isPublic(cls.getModifiers())) {
                    lastError = binary + " is not public";
                    continue;
                }
                String error = member(cls, members, 0);
                if (error == null) {
                    return Optional.empty();
                }
                lastError = error;
            }
        }
        return Optional.ofNullable(lastError);
    }

    /** Null when members[i..] resolve from cls, else what is missing. */
    private static String member(Class<?> cls, String[] members, int i) {
        if (i == members.length) {
            return null;
        }
        String name = members[i];
        for (Class<?> nested : cls.getClasses()) {
            if (nested.getSimpleName().equals(name)) {
                return member(nested, members, i + 1);
            }
        }
        {
            for (Method method : cls.getMethods()) {
                if (method.getName().equals(name)) {
                    return null;
                }
            }
            for (Field field : cls.getFields()) {
                if (field.getName().equals(name)) {
                    return null;
                }
            }
        }
        return cls.getName().replace('$', '.') + " has no public member " + name;
    }

    // ---------------------------------------------------------------- links

    @Test
    void relativeLinksPointToExistingFilesAndHeadings() {
        List<String> problems = new ArrayList<>();
        Map<Path, Set<String>> anchors = new HashMap<>();
        for (Path doc : documents) {
            for (Line line : lines(doc)) {
                if (line.inFence()) {
                    continue;
                }
                String text = CODE_SPAN.matcher(line.text()).replaceAll("");
                Matcher link = LINK.matcher(text);
                while (link.find()) {
                    String target = link.group(1);
                    if (target.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                        continue; // http:, https:, mailto:
                    }
                    int hash = target.indexOf('#');
                    String path = hash < 0 ? target : target.substring(0, hash);
                    String anchor = hash < 0 ? null : target.substring(hash + 1);
                    checkedLinks++;
                    Path file = path.isEmpty() ? doc : doc.getParent().resolve(path).normalize();
                    if (!Files.exists(file)) {
                        problems.add(line.where() + ": link (" + target + "): no file " + root.relativize(file));
                        continue;
                    }
                    if (anchor != null && file.toString().endsWith(".md")) {
                        Set<String> known = anchors.computeIfAbsent(file, DocsReferencesTest::headingAnchors);
                        if (!known.contains(anchor)) {
                            problems.add(line.where() + ": link (" + target + "): no heading #" + anchor
                                    + " in " + root.relativize(file));
                        }
                    }
                }
            }
        }
        report(problems, "links point nowhere (file:line)");
        assertTrue(checkedLinks >= 20, "only " + checkedLinks + " relative links found");
    }

    private static Set<String> headingAnchors(Path file) {
        Set<String> result = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Line line : lines(file)) {
            if (line.inFence()) {
                continue;
            }
            Matcher heading = HEADING.matcher(line.text());
            if (!heading.matches()) {
                continue;
            }
            String slug = slug(heading.group(2));
            int count = seen.merge(slug, 1, Integer::sum);
            result.add(count == 1 ? slug : slug + "-" + (count - 1));
        }
        return result;
    }

    /** GitHub's heading anchor: rendered text, lower case, punctuation dropped, spaces to '-'. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1") // links: their text
                .replace("`", "")
                .replaceAll("<[^>]+>", "");
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N} _-]", "")
                .replace(' ', '-');
    }

    // ---------------------------------------------------------------- commands

    @Test
    void commandsNameExistingProfilesModulesAndClasses() {
        List<String> problems = new ArrayList<>();
        String pom = read(root.resolve("pom.xml"));
        Set<String> profiles = new HashSet<>();
        Matcher profile = Pattern.compile("(?s)<profile>.*?<id>([^<]+)</id>").matcher(pom);
        while (profile.find()) {
            profiles.add(profile.group(1).trim());
        }
        String benchPom = read(root.resolve("bench/pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(benchPom);
        String jar = "bench/target/" + (finalName.find() ? finalName.group(1) : "?") + ".jar";
        Set<String> subcommands = new HashSet<>();
        Matcher sub = Pattern.compile("args\\[0]\\.equals\\(\"([^\"]+)\"\\)")
                .matcher(read(root.resolve("bench/src/main/java/dev/weft/bench/Main.java")));
        while (sub.find()) {
            subcommands.add(sub.group(1));
        }
        assertTrue(!profiles.isEmpty() && !subcommands.isEmpty(), "no profiles or bench subcommands found");

        for (Path doc : documents) {
            if (doc.getFileName().toString().equals("performance-history.md")) {
                continue;
            }
            List<Line> all = lines(doc);
            for (int i = 0; i < all.size(); i++) {
                Line line = all.get(i);
                List<String> commands = new ArrayList<>();
                if (line.inFence() && line.fenceInfo().matches("sh|bash|shell|console")
                        && !line.text().strip().startsWith("```")) {
                    StringBuilder command = new StringBuilder(line.text().replaceAll("\\s#.*$", ""));
                    while (command.toString().stripTrailing().endsWith("\\") && i + 1 < all.size()) {
                        command.setLength(command.toString().stripTrailing().length() - 1);
                        command.append(' ').append(all.get(++i).text().replaceAll("\\s#.*$", ""));
                    }
                    commands.addAll(List.of(command.toString().split("&&|;|\\|")));
                } else if (!line.inFence()) {
                    Matcher span = CODE_SPAN.matcher(line.text());
                    while (span.find()) {
                        commands.addAll(List.of(span.group(1).split("&&|;|\\|")));
                    }
                }
                for (String command : commands) {
                    if (command.strip().startsWith("./mvnw") || command.strip().startsWith("java ")) {
                        checkedCommands++;
                    }
                    checkCommand(line, command.strip(), profiles, jar, subcommands, problems);
                }
            }
        }
        report(problems, "commands name what does not exist (file:line)");
        assertTrue(checkedCommands >= 5, "only " + checkedCommands + " commands found");
    }

    private static void checkCommand(Line line, String command, Set<String> profiles, String jar,
            Set<String> subcommands, List<String> problems) {
        List<String> words = List.of(command.split("\\s+"));
        if (words.isEmpty() || !(words.get(0).equals("./mvnw") || words.get(0).equals("mvn")
                || words.get(0).equals("java"))) {
            return;
        }
        for (int w = 0; w < words.size(); w++) {
            String word = words.get(w);
            if (word.startsWith("-P") && word.length() > 2 && words.get(0).endsWith("mvnw")) {
                for (String p : word.substring(2).split(",")) {
                    String id = p.replaceFirst("^[!-]", "");
                    if (!profiles.contains(id)) {
                        problems.add(line.where() + ": " + command + ": no profile " + id + " in pom.xml");
                    }
                }
            } else if ((word.equals("-pl") || word.equals("--projects")) && w + 1 < words.size()) {
                for (String m : words.get(w + 1).split(",")) {
                    String name = m.replaceFirst("^[!-]", "").replaceFirst("^:", "");
                    if (!modules.contains(name) && !modules.contains(name.replaceFirst("^weft-", ""))) {
                        problems.add(line.where() + ": " + command + ": no module " + name + " in pom.xml");
                    }
                }
            } else if (word.startsWith("-Dtest=")) {
                for (String t : word.substring(7).split(",")) {
                    String cls = t.replaceFirst("#.*", "");
                    if (cls.matches("[A-Za-z_][A-Za-z0-9_]*") && !testClasses.containsKey(cls)) {
                        problems.add(line.where() + ": " + command + ": no test class " + cls);
                    }
                }
            } else if (word.equals("-jar") && w + 1 < words.size()) {
                String target = words.get(w + 1);
                if (target.startsWith("bench/") && !target.equals(jar)) {
                    problems.add(line.where() + ": " + command + ": the bench module builds " + jar
                            + ", not " + target);
                }
                if (w + 2 < words.size()) {
                    String subcommand = words.get(w + 2);
                    if (!subcommand.startsWith("-") && !subcommand.startsWith("<") && !subcommands.contains(subcommand)) {
                        problems.add(line.where() + ": " + command + ": " + jar + " has no subcommand "
                                + subcommand + " (Main dispatches on " + new TreeMap<>(
                                subcommands.stream().collect(Collectors.toMap(s -> s, s -> ""))).keySet() + ")");
                    }
                }
            } else if (word.matches("dev\\.weft\\.[a-z.]+\\.[A-Z][A-Za-z0-9_]*")) {
                String simple = word.substring(word.lastIndexOf('.') + 1);
                String pkg = word.substring(0, word.lastIndexOf('.'));
                boolean exists = mainTypes.getOrDefault(simple, List.of()).stream()
                        .anyMatch(s -> s.packageName().equals(pkg));
                if (!exists) {
                    problems.add(line.where() + ": " + command + ": no main class " + word);
                }
            }
        }
    }
}
