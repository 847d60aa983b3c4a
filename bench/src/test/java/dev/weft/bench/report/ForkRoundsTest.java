package dev.weft.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.util.ListStatistics;

/**
 * The rounds of a preset run combined into the JSON one JMH run of all their forks would have
 * written. Every expected statistic is computed by JMH's own {@link ListStatistics}, so these
 * tests check the formulas against JMH itself.
 */
class ForkRoundsTest {
    /** One fork per round, as a preset run measures them: a fast phase, then a slow one. */
    private static final double[][] FAST = {{20.0, 19.0, 21.5, 20.5, 19.5}};
    private static final double[][] SLOW = {{10.0, 11.0, 12.0, 10.5, 9.0}};
    private static final Map<String, String> KEYS = Map.of("keyRange", "1024");

    private static JsonArray round(ForgedJmh forged) {
        return JsonParser.parseString(forged.json()).getAsJsonArray();
    }

    /** Rounds of one pass each. */
    private static JsonArray combine(JsonArray... rounds) {
        return ForkRounds.combine(List.of(rounds));
    }

    private static ForgedJmh mapPut(String method, double[][] forks) {
        return new ForgedJmh().measured("MapPutBenchmark." + method, 4, KEYS, forks, Map.of());
    }

    private static JsonArray rawData(double[][]... rounds) {
        JsonArray rawData = new JsonArray();
        for (double[][] round : rounds) {
            for (double[] fork : round) {
                JsonArray iterations = new JsonArray();
                for (double iteration : fork) {
                    iterations.add(iteration);
                }
                rawData.add(iterations);
            }
        }
        return rawData;
    }

    private static ListStatistics jmhStatistics(double[][]... rounds) {
        ListStatistics statistics = new ListStatistics();
        for (double[][] round : rounds) {
            for (double[] fork : round) {
                for (double iteration : fork) {
                    statistics.addValue(iteration);
                }
            }
        }
        return statistics;
    }

    /** Checks score, error, confidence interval and percentiles against JMH's statistics of the same iterations. */
    private static void assertJmhStatistics(ListStatistics jmh, JsonObject metric) {
        assertEquals(jmh.getMean(), metric.get("score").getAsDouble(), 1e-12, "score: the mean of all iterations");
        assertEquals(jmh.getMeanErrorAt(0.999), metric.get("scoreError").getAsDouble(), 1e-9,
                "scoreError: JMH's half-width of the 99.9 % interval over all iterations");
        double[] interval = jmh.getConfidenceIntervalAt(0.999);
        JsonArray confidence = metric.getAsJsonArray("scoreConfidence");
        assertEquals(interval[0], confidence.get(0).getAsDouble(), 1e-9);
        assertEquals(interval[1], confidence.get(1).getAsDouble(), 1e-9);
        JsonObject percentiles = metric.getAsJsonObject("scorePercentiles");
        for (double level : new double[] {0.0, 50.0, 90.0, 100.0}) {
            assertEquals(jmh.getPercentile(level), percentiles.get(String.valueOf(level)).getAsDouble(), 1e-12,
                    "percentile " + level);
        }
    }

    private static JsonObject only(JsonArray combined) {
        assertEquals(1, combined.size(), "one entry: " + combined);
        return combined.get(0).getAsJsonObject();
    }

    @Test
    void theRoundsForksBecomeOneEntryWithTheirRawDataInRoundOrder() {
        JsonArray second = round(mapPut("weft", SLOW));
        second.get(0).getAsJsonObject().addProperty("jdkVersion", "17.0.16");

        JsonObject entry = only(combine(round(mapPut("weft", FAST)), second));

        assertEquals(2, entry.get("forks").getAsInt(), "one fork per round");
        assertEquals(rawData(FAST, SLOW), entry.getAsJsonObject("primaryMetric").get("rawData"));
        assertEquals("17.0.15", entry.get("jdkVersion").getAsString(), "the rest comes from the first round");
        assertEquals(5, entry.get("measurementIterations").getAsInt(), "still per fork");
        JmhResult read = JmhJson.parse(new StringReader("[" + entry + "]")).get(0);
        assertEquals(2, read.forkMeans().size(), "the report sees each round's fork");
        assertEquals(20.1, read.forkMeans().get(0), 1e-9);
        assertEquals(10.5, read.forkMeans().get(1), 1e-9);
        assertEquals(2, read.settings().forks());
    }

    @Test
    void theScoreIsTheMeanOfAllIterationsAndTheErrorIsJmhsOwn() {
        JsonObject primary = only(combine(round(mapPut("weft", FAST)), round(mapPut("weft", SLOW))))
                .getAsJsonObject("primaryMetric");

        assertJmhStatistics(jmhStatistics(FAST, SLOW), primary);
        assertEquals("ops/us", primary.get("scoreUnit").getAsString());
    }

    @Test
    void groupMethodsSecondaryMetricsAreCombinedTheSameWay() {
        double[][] offerFast = {{11.0, 10.0, 11.5, 10.5, 10.0}};
        double[][] offerSlow = {{5.0, 6.0, 5.5, 4.5, 5.0}};
        double[][] pollFast = {{9.0, 9.0, 10.0, 10.0, 9.5}};
        double[][] pollSlow = {{5.0, 5.0, 6.5, 6.0, 4.0}};
        Map<String, double[][]> fast = new LinkedHashMap<>();
        fast.put("weftOffer", offerFast);
        fast.put("weftPoll", pollFast);
        fast.put("countWithoutRawData", FAST);
        Map<String, double[][]> slow = new LinkedHashMap<>();
        slow.put("weftOffer", offerSlow);
        slow.put("weftPoll", pollSlow);
        slow.put("countWithoutRawData", SLOW);
        JsonArray first = round(new ForgedJmh().measured("QueueBenchmark.weft", 2, Map.of(), FAST, fast));
        JsonArray second = round(new ForgedJmh().measured("QueueBenchmark.weft", 2, Map.of(), SLOW, slow));
        for (JsonArray round : List.of(first, second)) {
            JsonObject metric = round.get(0).getAsJsonObject().getAsJsonObject("secondaryMetrics")
                    .getAsJsonObject("countWithoutRawData");
            metric.remove("rawData");
            metric.addProperty("score", round == first ? 3.0 : 4.0);
        }

        JsonObject secondary = only(combine(first, second)).getAsJsonObject("secondaryMetrics");

        assertEquals(List.of("weftOffer", "weftPoll", "countWithoutRawData"), List.copyOf(secondary.keySet()));
        assertEquals(rawData(offerFast, offerSlow), secondary.getAsJsonObject("weftOffer").get("rawData"));
        assertJmhStatistics(jmhStatistics(offerFast, offerSlow), secondary.getAsJsonObject("weftOffer"));
        assertEquals(rawData(pollFast, pollSlow), secondary.getAsJsonObject("weftPoll").get("rawData"));
        assertJmhStatistics(jmhStatistics(pollFast, pollSlow), secondary.getAsJsonObject("weftPoll"));
        JsonObject withoutRawData = secondary.getAsJsonObject("countWithoutRawData");
        assertEquals(4.0, withoutRawData.get("score").getAsDouble(), "the last round's");
        assertFalse(withoutRawData.has("rawData"));
    }

    @Test
    void aBenchmarkMissingFromARoundKeepsWhatTheOtherRoundsMeasured() {
        double[][] third = {{15.0, 14.0, 16.0, 15.5, 14.5}};
        JsonArray first = round(mapPut("weft", FAST).measured("MapPutBenchmark.scalaStm", 4, KEYS, FAST, Map.of()));
        JsonArray second = round(mapPut("weft", SLOW) // scalaStm failed in this round
                .measured("MapPutBenchmark.lock", 4, KEYS, SLOW, Map.of())); // lock failed in the others
        JsonArray last = round(mapPut("weft", third).measured("MapPutBenchmark.scalaStm", 4, KEYS, third, Map.of()));

        JsonArray combined = combine(first, second, last);

        assertEquals(3, combined.size(), combined.toString());
        JsonObject weft = combined.get(0).getAsJsonObject();
        JsonObject scalaStm = combined.get(1).getAsJsonObject();
        assertTrue(weft.get("benchmark").getAsString().endsWith(".weft"));
        assertEquals(3, weft.get("forks").getAsInt());
        assertTrue(scalaStm.get("benchmark").getAsString().endsWith(".scalaStm"));
        assertEquals(2, scalaStm.get("forks").getAsInt());
        assertEquals(rawData(FAST, third), scalaStm.getAsJsonObject("primaryMetric").get("rawData"));
        assertJmhStatistics(jmhStatistics(FAST, third), scalaStm.getAsJsonObject("primaryMetric"));
        assertEquals(second.get(1), combined.get(2), "measured in one round only: as that round wrote it");
    }

    @Test
    void differentThreadsParamsAndModesAreNeverCombined() {
        double[][] twoThreads = {{30.0, 31.0, 29.0, 30.5, 30.0}};
        double[][] largeRange = {{3.0, 3.5, 2.5, 3.0, 3.0}};
        JsonArray[] rounds = new JsonArray[2];
        for (int r = 0; r < 2; r++) {
            rounds[r] = round(new ForgedJmh()
                    .measured("MapPutBenchmark.weft", 1, KEYS, FAST, Map.of())
                    .measured("MapPutBenchmark.weft", 2, KEYS, twoThreads, Map.of())
                    .measured("MapPutBenchmark.weft", 1, Map.of("keyRange", "65536"), largeRange, Map.of())
                    .measured("MapPutBenchmark.weft", 1, KEYS, SLOW, Map.of()));
            rounds[r].get(3).getAsJsonObject().addProperty("mode", "avgt");
        }

        JsonArray combined = combine(rounds);

        assertEquals(4, combined.size(), "one entry per thread count, parameter set and mode");
        List<double[][]> expected = List.of(FAST, twoThreads, largeRange, SLOW);
        for (int i = 0; i < 4; i++) {
            JsonObject entry = combined.get(i).getAsJsonObject();
            assertEquals(2, entry.get("forks").getAsInt());
            assertEquals(rawData(expected.get(i), expected.get(i)), entry.getAsJsonObject("primaryMetric").get("rawData"),
                    "entry " + i + " holds its own case's forks only");
        }
    }

    @Test
    void anAllocationProfiledEntryIsNeverCombinedWithATimedOne() {
        JsonArray timed = round(new ForgedJmh().measured("ReadOneBenchmark.weft", 1, Map.of(), FAST, Map.of()));
        JsonArray profiled = round(new ForgedJmh().add("ReadOneBenchmark.weft", "thrpt", 1, Map.of(), 41, 9, 128));

        JsonArray combined = combine(timed, profiled);

        assertEquals(List.<JsonElement>of(timed.get(0), profiled.get(0)), combined.asList());
    }

    /**
     * JMH raises a group's thread count to the group size: the 1-thread and the 2-thread pass
     * both measure QueueBenchmark.weft at 2 threads. Each pass's entry combines with the same
     * pass's in the other round, never with the other pass's, and the later pass still counts
     * (as it did before rounds, through JmhJson.merge).
     */
    @Test
    void entriesOfDifferentPassesThatMeasuredTheSameConfigurationAreCombined() {
        double[][] fromOneThreadPass = {{7.0, 7.5, 6.5, 7.0, 7.0}};
        double[][] fromTwoThreadPass = {{9.0, 9.5, 8.5, 9.0, 9.0}};
        JsonArray first = round(new ForgedJmh().measured("QueueBenchmark.weft", 2, Map.of(), fromOneThreadPass, Map.of()));
        JsonArray second = round(new ForgedJmh().measured("QueueBenchmark.weft", 2, Map.of(), fromTwoThreadPass, Map.of()));
        JsonArray missing = new JsonArray(); // the benchmark failed in round 2's 1-thread pass

        JsonArray combined = ForkRounds.combine(PresetRun.inPassOrder(List.of(List.of(first, second), List.of(missing, second.deepCopy()))));

        assertEquals(1, combined.size(), combined.toString());
        JsonObject entry = combined.get(0).getAsJsonObject();
        assertEquals(3, entry.get("forks").getAsInt());
        assertEquals(rawData(fromOneThreadPass, fromTwoThreadPass, fromTwoThreadPass),
                entry.getAsJsonObject("primaryMetric").get("rawData"), "pass order, then round order");
        assertJmhStatistics(jmhStatistics(fromOneThreadPass, fromTwoThreadPass, fromTwoThreadPass),
                entry.getAsJsonObject("primaryMetric"));
        List<JmhResult> read = JmhJson.merge(JmhJson.parse(new StringReader(combined.toString())));
        assertEquals(1, read.size());
        assertEquals((7.0 + 9.0 + 9.0) / 3, read.get(0).score().value(), 1e-9, "the mean of all three forks");
    }

    @Test
    void twoIterationsInAllGiveNoErrorAsInJmh() {
        double[][] one = {{5.0}};
        double[][] other = {{7.0}};
        JsonObject primary = only(combine(round(mapPut("weft", one)), round(mapPut("weft", other))))
                .getAsJsonObject("primaryMetric");

        assertTrue(Double.isNaN(jmhStatistics(one, other).getMeanErrorAt(0.999)), "JMH's own rule: n <= 2 has no error");
        assertEquals(6.0, primary.get("score").getAsDouble(), 1e-12);
        assertEquals("NaN", primary.get("scoreError").getAsString(), "written as JMH writes it");
        Score read = JmhJson.parse(new StringReader("[" + only(combine(round(mapPut("weft", one)), round(mapPut("weft", other)))) + "]")).get(0).score();
        assertEquals(6.0, read.value(), 1e-12);
        assertTrue(Double.isNaN(read.error()));
    }
}
