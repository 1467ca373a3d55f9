package io.github.segmentld.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.alerts.AlertNotices.ChannelNotice;
import io.github.segmentld.alerts.AlertNotices.Notice;
import io.github.segmentld.config.AlertChannel;
import io.github.segmentld.config.AlertRule;
import org.junit.jupiter.api.Test;

class AlertNoticesTest {

    private static final AlertRule RULE = new AlertRule("staging-rate", AlertRule.Kind.DELIVERY_RATE, "staging",
            "Track Event", 95, 96, Duration.ofMinutes(15), 100, null, Duration.ZERO, Duration.ofHours(4), "critical",
            List.of("am"));
    private static final Instant FIRED = Instant.parse("2026-11-25T10:00:00Z");
    private static final Instant RESOLVED = Instant.parse("2026-11-25T10:20:00Z");

    private final ObjectMapper mapper = new ObjectMapper();
    private final AlertNotices notices = new AlertNotices(mapper, "http://127.0.0.1:8080/delivery");

    @Test
    void theFingerprintIsPrometheusOwn() {
        // the label signature test vectors of prometheus/common's model package
        assertThat(AlertNotices.fingerprint(Map.of())).isEqualTo("cbf29ce484222325");
        assertThat(AlertNotices.fingerprint(Map.of("name", "garland, briggs", "fear", "love is not enough")))
                .isEqualTo("507a62d79ee76c9a");
    }

    @Test
    void aWebhookGetsAlertmanagersVersion4Json() throws Exception {
        ChannelNotice firing = notices.forChannel(new AlertChannel("am", "webhook", "http://127.0.0.1:1/hook"),
                new Notice(RULE, RuleState.Notice.FIRING, FIRED, null, "destination staging delivered 90%"));
        JsonNode body = mapper.readTree(firing.body());
        assertThat(body.get("version").asText()).isEqualTo("4");
        assertThat(body.get("status").asText()).isEqualTo("firing");
        assertThat(body.get("receiver").asText()).isEqualTo("am");
        assertThat(body.get("groupKey").asText()).isEqualTo("{}:{alertname=\"staging-rate\"}");
        assertThat(body.get("groupLabels")).isEqualTo(mapper.readTree("{\"alertname\":\"staging-rate\"}"));
        assertThat(body.get("externalURL").asText()).isEqualTo("http://127.0.0.1:8080/delivery");
        assertThat(body.get("truncatedAlerts").asInt()).isZero();
        JsonNode alert = body.get("alerts").get(0);
        assertThat(body.get("alerts")).hasSize(1);
        assertThat(alert.get("labels")).isEqualTo(mapper.readTree("{\"alertname\":\"staging-rate\","
                + "\"destination\":\"staging\",\"mapping\":\"Track Event\",\"severity\":\"critical\"}"));
        assertThat(body.get("commonLabels")).isEqualTo(alert.get("labels"));
        assertThat(alert.get("annotations").get("summary").asText()).isEqualTo("destination staging delivered 90%");
        assertThat(alert.get("startsAt").asText()).isEqualTo("2026-11-25T10:00:00Z");
        assertThat(alert.get("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(alert.get("fingerprint").asText()).isEqualTo(AlertNotices.fingerprint(Map.of(
                "alertname", "staging-rate", "destination", "staging", "mapping", "Track Event",
                "severity", "critical")));

        JsonNode resolved = mapper.readTree(notices.forChannel(new AlertChannel("am", "webhook", "http://127.0.0.1:1/"),
                new Notice(RULE, RuleState.Notice.RESOLVED, FIRED, RESOLVED, "back")).body());
        assertThat(resolved.get("status").asText()).isEqualTo("resolved");
        assertThat(resolved.get("alerts").get(0).get("endsAt").asText()).isEqualTo("2026-11-25T10:20:00Z");
        assertThat(resolved.get("alerts").get(0).get("fingerprint")).isEqualTo(alert.get("fingerprint"));
    }

    @Test
    void slackGetsAReadableText() throws Exception {
        ChannelNotice firing = notices.forChannel(new AlertChannel("team", "slack", "http://127.0.0.1:1/s"),
                new Notice(RULE, RuleState.Notice.FIRING, FIRED, null, "destination staging delivered 90%"));
        assertThat(mapper.readTree(firing.body())).isEqualTo(mapper.readTree("{\"text\":\"[FIRING] staging-rate"
                + " (critical): destination staging delivered 90%. Since 2026-11-25T10:00:00Z.\"}"));
        assertThat(firing.toString()).doesNotContain("127.0.0.1:1/s");
    }

    @Test
    void topReasonsAreTheMostFrequentFirst() {
        assertThat(AlertNotices.topReasons(Map.of("a", 1L, "b", 5L, "c", 3L, "d", 2L), 3))
                .isEqualTo("b (5); c (3); d (2)");
    }
}
