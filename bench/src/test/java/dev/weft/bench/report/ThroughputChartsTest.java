package dev.weft.bench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.w3c.dom.Document;

class ThroughputChartsTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void writesOneValidPngAndSvgPerWorkloadAgainstThreads(@TempDir Path dir) throws Exception {
        ForgedJmh jmh = new ForgedJmh();
        for (int threads : new int[] {1, 2, 4}) {
            for (String accounts : List.of("64", "65536")) {
                jmh.add("BankBenchmark.weft", "thrpt", threads, Map.of("accounts", accounts), 10.0 / threads, 1, Double.NaN);
                jmh.add("BankBenchmark.clojure", "thrpt", threads, Map.of("accounts", accounts), 0.4, 0.6, Double.NaN);
                jmh.add("BankBenchmark.lock", "thrpt", threads, Map.of("accounts", accounts), 45, 3, Double.NaN);
            }
        }

        List<ThroughputCharts.Chart> charts = ThroughputCharts.write(jmh.parse(), dir);

        assertEquals(List.of("Bank-accounts=64-vs-threads", "Bank-accounts=65536-vs-threads"),
                charts.stream().map(ThroughputCharts.Chart::fileStem).toList());
        for (ThroughputCharts.Chart chart : charts) {
            assertValidPng(dir.resolve(chart.fileStem() + ".png"));
            String svg = assertValidSvg(dir.resolve(chart.fileStem() + ".svg"));
            assertTrue(svg.contains("Clojure refs") && svg.contains("ReentrantLock") && svg.contains("Weft"),
                    "the legend names every implementation");
        }
    }

    @Test
    void writesAChartAgainstTheUpdateRatioAtEachThreadCount(@TempDir Path dir) throws Exception {
        ForgedJmh jmh = new ForgedJmh();
        for (int threads : new int[] {1, 2}) {
            for (String update : List.of("0", "10", "50")) {
                Map<String, String> params = Map.of("updatePercent", update, "range", "1024");
                jmh.add("IntSetBenchmark.weft", "thrpt", threads, params, 20 - Integer.parseInt(update) / 5.0, 1, Double.NaN);
                jmh.add("IntSetBenchmark.concurrentHashMap", "thrpt", threads, params, 60, 2, Double.NaN);
            }
        }

        List<String> stems = ThroughputCharts.write(jmh.parse(), dir).stream()
                .map(ThroughputCharts.Chart::fileStem).toList();

        assertTrue(stems.containsAll(List.of("IntSet-range=1024-t1-vs-updatePercent",
                "IntSet-range=1024-t2-vs-updatePercent")), stems::toString);
        assertTrue(stems.contains("IntSet-range=1024-updatePercent=50-vs-threads"), stems::toString);
        assertValidPng(dir.resolve("IntSet-range=1024-t2-vs-updatePercent.png"));
        assertValidSvg(dir.resolve("IntSet-range=1024-t2-vs-updatePercent.svg"));
    }

    @Test
    void aWorkloadMeasuredAtOneThreadCountGetsNoChart(@TempDir Path dir) {
        List<JmhResult> results = new ForgedJmh()
                .thrpt("ReadOneBenchmark.weft", 1, 60, 2)
                .thrpt("ReadOneBenchmark.atomicLong", 1, 2000, 100)
                .parse();

        assertTrue(ThroughputCharts.write(results, dir).isEmpty());
    }

    @Test
    void theValidityChecksRejectFilesThatAreNotImages(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("fake.png"), "not a picture");
        Path html = Files.writeString(dir.resolve("fake.svg"), "<html><body>no</body></html>");
        Path truncated = dir.resolve("truncated.png");
        Files.write(truncated, PNG_SIGNATURE);

        assertThrows(AssertionFailedError.class, () -> assertValidPng(text));
        assertThrows(AssertionFailedError.class, () -> assertValidPng(truncated));
        assertThrows(AssertionFailedError.class, () -> assertValidSvg(html));
    }

    /** A PNG signature, then an image ImageIO decodes at the chart's size. */
    static void assertValidPng(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length > PNG_SIGNATURE.length, file + " is too short to be a PNG");
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length), file + " lacks the PNG signature");
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (java.io.IOException e) {
            throw new AssertionFailedError(file + " does not decode: " + e.getMessage(), e);
        }
        assertNotNull(image, file + " does not decode as an image");
        assertEquals(ThroughputCharts.WIDTH, image.getWidth());
        assertEquals(ThroughputCharts.HEIGHT, image.getHeight());
    }

    /** Well-formed XML whose root is an SVG element with the chart's size; returns the text. */
    static String assertValidSvg(Path file) throws Exception {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Document document;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            // JFreeSVG writes the SVG 1.1 DOCTYPE; well-formedness needs no DTD, and there is no network
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            document = factory.newDocumentBuilder().parse(file.toFile());
        } catch (org.xml.sax.SAXException e) {
            throw new AssertionFailedError(file + " is not well-formed XML: " + e.getMessage(), e);
        }
        assertEquals("svg", document.getDocumentElement().getLocalName(), file + " has no svg root");
        assertEquals("http://www.w3.org/2000/svg", document.getDocumentElement().getNamespaceURI());
        assertTrue(document.getDocumentElement().getAttribute("width").startsWith(Integer.toString(ThroughputCharts.WIDTH)));
        return text;
    }
}
