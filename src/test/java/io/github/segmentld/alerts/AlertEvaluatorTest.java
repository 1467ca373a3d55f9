package io.github.segmentld.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.LogCapture;
import io.github.segmentld.MutableClock;
import io.github.segmentld.alerts.AlertNotices.ChannelNotice;
import io.github.segmentld.config.AlertChannel;
import io.github.segmentld.config.AlertRule;
import io.github.segmentld.observe.DeliveryRates;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.store.ParkedBatches.Depth;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The rules judged from delivery counts on a clock the test moves. */
class AlertEvaluatorTest {

    private static final AlertChannel HOOK = new AlertChannel("hook", "webhook", "http://127.0.0.1:9/secret-path");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:30Z"));
    private final DeliveryRates rates = new DeliveryRates(clock);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PipelineMetrics metrics = new PipelineMetrics(registry, rates);
    private final Map<String, Depth> queues = new HashMap<>();
    private final ObjectMapper mapper = new ObjectMapper();

    private AlertEvaluator evaluator(AlertRule... rules) {
        return new AlertEvaluator(List.of(rules), List.of(HOOK), List.of("staging"), rates,
                destination -> queues.getOrDefault(destination, Depth.EMPTY),
                new AlertChannels(List.of(HOOK), metrics, clock), "http://127.0.0.1:8080/delivery", metrics, mapper,
                clock);
    }

    private static AlertRule rate(long minOutcomes, Duration pendingFor) {
        return new AlertRule("staging-rate", AlertRule.Kind.DELIVERY_RATE, "staging", null, 95, 96,
                Duration.ofMinutes(15), minOutcomes, null, pendingFor, Duration.ofHours(4), "warning", List.of("hook"));
    }

    private void outcomes(int delivered, int failed) {
        if (delivered > 0) {
            metrics.delivered("staging", Map.of("Track Event", delivered));
        }
        if (failed > 0) {
            metrics.failed("staging", Map.of("Track Event", failed), "LaunchDarkly answered 503");
        }
    }

    @Test
    void aRateBelowItsThresholdFiresAfterItsForAndResolvesAboveTheMargin() throws Exception {
        AlertEvaluator evaluator = evaluator(rate(100, Duration.ofMinutes(1)));
        outcomes(90, 10);
        try (LogCapture log = new LogCapture(AlertEvaluator.class)) {
            assertThat(evaluator.evaluate()).isEmpty();
            assertThat(evaluator.states()).containsEntry("staging-rate", "pending");
            clock.advance(Duration.ofMinutes(1));
            List<ChannelNotice> firing = evaluator.evaluate();
            assertThat(firing).hasSize(1);
            JsonNode alert = mapper.readTree(firing.get(0).body()).get("alerts").get(0);
            assertThat(alert.get("status").asText()).isEqualTo("firing");
            assertThat(alert.get("annotations").get("summary").asText()).isEqualTo("destination staging delivered"
                    + " 90% of 100 events over the last 15m (threshold 95%); top errors: LaunchDarkly answered 503 (10)");
            assertThat(log.lines()).anyMatch(line -> line.contains("ALERT [FIRING] staging-rate"))
                    .noneMatch(line -> line.contains("secret-path"));
        }
        assertThat(registry.get("alert.state").tag("rule", "staging-rate").gauge().value()).isEqualTo(2);
        assertThat(registry.get("delivery.success.ratio").tags("destination", "staging", "window", "15m").gauge()
                .value()).isEqualTo(0.9);

        // 95.5%: no longer below the threshold, but below the 96% it resolves at
        outcomes(91, 0);
        assertThat(evaluator.evaluate()).isEmpty();
        assertThat(evaluator.states()).containsEntry("staging-rate", "firing");
        // 241 of 251: 96.0%
        outcomes(60, 0);
        List<ChannelNotice> resolved = evaluator.evaluate();
        assertThat(resolved).hasSize(1);
        assertThat(mapper.readTree(resolved.get(0).body()).get("status").asText()).isEqualTo("resolved");
        assertThat(evaluator.states()).containsEntry("staging-rate", "resolved");
        assertThat(registry.get("alert.state").tag("rule", "staging-rate").gauge().value()).isZero();
    }

    @Test
    void tooFewOutcomesAreNotJudged() {
        AlertEvaluator evaluator = evaluator(rate(100, Duration.ZERO));
        outcomes(1, 5);
        assertThat(evaluator.evaluate()).isEmpty();
        assertThat(evaluator.states()).containsEntry("staging-rate", "ok");
        assertThat(evaluator.status().get("rules").get(0).get("summary").asText())
                .isEqualTo("destination staging had 6 delivery outcomes over the last 15m, fewer than the 100 its rate"
                        + " is judged on");
    }

    @Test
    void outcomesOlderThanTheWindowAreForgotten() {
        AlertEvaluator evaluator = evaluator(rate(10, Duration.ZERO));
        outcomes(0, 20);
        clock.advance(Duration.ofMinutes(15));
        outcomes(20, 0);
        assertThat(evaluator.evaluate()).isEmpty();
        assertThat(evaluator.status().get("rules").get(0).get("ratePercent").asDouble()).isEqualTo(100);
        assertThat(rates.totals("staging", null, Duration.ofMinutes(16)).failed()).isEqualTo(20);
    }

    @Test
    void aMappingRuleCountsItsMappingOnly() {
        AlertRule rule = new AlertRule("alias-rate", AlertRule.Kind.DELIVERY_RATE, "staging", "Alias User", 95, 96,
                Duration.ofMinutes(15), 1, null, Duration.ZERO, Duration.ofHours(4), "warning", List.of());
        AlertEvaluator evaluator = evaluator(rule);
        outcomes(0, 50);
        metrics.delivered("staging", Map.of("Alias User", 3));
        evaluator.evaluate();
        assertThat(evaluator.states()).containsEntry("alias-rate", "ok");
        metrics.failed("staging", Map.of("Alias User", 1), "LaunchDarkly answered 400");
        assertThat(evaluator.evaluate()).as("no channel: the log only").isEmpty();
        assertThat(evaluator.states()).containsEntry("alias-rate", "firing");
    }

    @Test
    void theOldestEventOfARetryQueueFiresPastItsAge() {
        AlertRule rule = new AlertRule("queue-age", AlertRule.Kind.RETRY_QUEUE_AGE, "staging", null, 0, 0, null, 0,
                Duration.ofMinutes(30), Duration.ZERO, Duration.ofHours(4), "critical", List.of("hook"));
        AlertEvaluator evaluator = evaluator(rule);
        queues.put("staging", new Depth(3, 120, 4096, clock.millis()));
        clock.advance(Duration.ofMinutes(30));
        assertThat(evaluator.evaluate()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(evaluator.evaluate()).hasSize(1);
        assertThat(evaluator.status().get("rules").get(0).get("summary").asText()).isEqualTo("the oldest batch in the"
                + " retry queue of destination staging has waited 30m1s (limit 30m); 3 batches, 120 events wait");
        queues.remove("staging");
        assertThat(evaluator.evaluate()).hasSize(1);
        assertThat(evaluator.states()).containsEntry("queue-age", "resolved");
    }

    @Test
    void nothingDeliveredWhileEventsArriveFiresOnceTheWholeWindowWasWatched() {
        AlertRule rule = new AlertRule("stalled", AlertRule.Kind.NO_DELIVERY, "staging", null, 0, 0,
                Duration.ofMinutes(10), 0, null, Duration.ZERO, Duration.ofHours(4), "critical", List.of("hook"));
        AlertEvaluator evaluator = evaluator(rule);
        metrics.matched("staging", "Track Event", 5);
        assertThat(evaluator.evaluate()).as("not watched for 10 minutes yet").isEmpty();
        clock.advance(Duration.ofMinutes(10));
        metrics.matched("staging", "Track Event", 5);
        assertThat(evaluator.evaluate()).hasSize(1);
        assertThat(evaluator.states()).containsEntry("stalled", "firing");
        outcomes(1, 0);
        evaluator.evaluate();
        assertThat(evaluator.states()).containsEntry("stalled", "resolved");
    }

    @Test
    void aReloadKeepsTheStateOfARuleThatStaysAndStartsAChangedOneAfresh() {
        AlertRule firing = rate(10, Duration.ZERO);
        AlertEvaluator evaluator = evaluator(firing);
        outcomes(5, 5);
        assertThat(evaluator.evaluate()).hasSize(1);
        assertThat(evaluator.states()).containsEntry("staging-rate", "firing");

        AlertRule added = new AlertRule("staging-queue", AlertRule.Kind.RETRY_QUEUE_AGE, "staging", null, 0, 0, null,
                0, Duration.ofHours(1), Duration.ZERO, Duration.ofHours(4), "warning", List.of());
        evaluator.replace(List.of(firing, added), List.of(HOOK), List.of("staging"));
        assertThat(evaluator.states()).containsExactly(Map.entry("staging-rate", "firing"),
                Map.entry("staging-queue", "ok"));
        // still firing: nothing to tell again
        assertThat(evaluator.evaluate()).isEmpty();

        AlertRule changed = new AlertRule("staging-rate", AlertRule.Kind.DELIVERY_RATE, "staging", null, 40, 41,
                Duration.ofMinutes(15), 10, null, Duration.ZERO, Duration.ofHours(4), "warning", List.of("hook"));
        evaluator.replace(List.of(changed), List.of(HOOK), List.of("staging"));
        assertThat(evaluator.states()).containsExactly(Map.entry("staging-rate", "ok"));
        assertThat(registry.get("alert.state").tag("rule", "staging-queue").gauge().value()).isNaN();
    }
}
