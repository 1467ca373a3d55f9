package io.github.segmentld.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.segmentld.TestInbox;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.config.AlertRulesFile.AlertRules;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AlertRulesFileTest {

    private static final Map<String, String> ENVIRONMENT = Map.of("env:SLACK_WEBHOOK_URL",
            "https://hooks.slack.example/services/T0/B0/secret-token");

    private static final List<DestinationInstance> INSTANCES = List.of(
            instance("default"), instance("staging"));

    private static DestinationInstance instance(String name) {
        return new DestinationInstance(name, true, EventsEndpoint.standIn(name, "http://127.0.0.1:8080"),
                Actions.presets(name));
    }

    /** Resolves {{key}} and {{key:default}} from a fixed map, as Camel's properties component does. */
    private static String placeholders(String text) {
        String resolved = text;
        for (Map.Entry<String, String> entry : ENVIRONMENT.entrySet()) {
            resolved = resolved.replace("{{" + entry.getKey() + "}}", entry.getValue());
        }
        resolved = resolved.replaceAll("\\{\\{env:[A-Z_]+:([^}]*)}}", "$1");
        if (resolved.contains("{{")) {
            throw new IllegalArgumentException("Property with key [" + resolved + "] not found");
        }
        return resolved;
    }

    private final AlertRulesFile reader = new AlertRulesFile(AlertRulesFileTest::placeholders);

    private static Path write(String yaml) {
        try {
            Path file = TestInbox.create("alerts").work().resolve("alerts.yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theExampleFileIsValid() {
        AlertRules rules = reader.read(Path.of("alerts.example.yaml"), INSTANCES);
        assertThat(rules.rules()).extracting(AlertRule::name).containsExactly("default-delivery-rate",
                "default-track-event-rate", "default-retry-queue-age", "default-stalled");
        assertThat(rules.channels()).extracting(AlertChannel::name).containsExactlyInAnyOrder("on-call", "team-slack");
    }

    @Test
    void readsRulesWithTheirDefaults() {
        AlertRules rules = reader.read(write("""
                channels:
                  - name: team-slack
                    type: slack
                    url: "{{env:SLACK_WEBHOOK_URL}}"
                rules:
                  - name: staging-rate
                    kind: delivery-rate
                    destination: staging
                    mapping: Track Event
                    threshold-percent: 95
                    channels: [team-slack]
                  - name: staging-queue
                    kind: retry-queue-age
                    destination: staging
                    max-age: 1h30m
                    for: 90s
                    repeat-interval: 1d
                    severity: critical
                """), INSTANCES);
        assertThat(rules.channels()).containsExactly(new AlertChannel("team-slack", "slack",
                "https://hooks.slack.example/services/T0/B0/secret-token"));
        assertThat(rules.rules()).containsExactly(
                new AlertRule("staging-rate", AlertRule.Kind.DELIVERY_RATE, "staging", "Track Event", 95, 96,
                        Duration.ofMinutes(15), 20, null, Duration.ZERO, Duration.ofHours(4), "warning",
                        List.of("team-slack")),
                new AlertRule("staging-queue", AlertRule.Kind.RETRY_QUEUE_AGE, "staging", null, 0, 0, null, 0,
                        Duration.ofMinutes(90), Duration.ofSeconds(90), Duration.ofDays(1), "critical", List.of()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "threshold-percent: 105 | rule 'r': threshold-percent must be a number from 0 to 100, not '105'",
        "threshold-percent: 95; window: 1m | rule 'r': window must be from 5m to 24h, not 1m",
        "threshold-percent: 95; window: 25h | rule 'r': window must be from 5m to 24h, not 25h",
        "threshold-percent: 95; for: soon | rule 'r': for must be a duration such as 90s, 15m, 1h30m or 1d, not 'soon'",
        "threshold-percent: 95; resolve-above-percent: 90 | rule 'r': resolve-above-percent (90.0) must not be below threshold-percent (95.0)",
        "threshold-percent: 95; min-outcomes: 0 | rule 'r': min-outcomes must be a whole number from 1, not '0'",
        "threshold-percent: 95; max-age: 5m | rule 'r': max-age applies to retry-queue-age rules only",
        "threshold-percent: 95; channels: [pager] | rule 'r': no channel is named 'pager' (known: team-slack)",
        "threshold-percent: 95; mapping: Nope | rule 'r': destination 'staging' has no mapping named 'Nope'",
        "threshold-percent: 95; treshold: 3 | rule 'r': unknown setting 'treshold'",
        "window: 15m | rule 'r': threshold-percent must be a number from 0 to 100, not ''",
    })
    void aMistakeInARuleNamesTheFileAndTheRule(String settings, String message) {
        Path file = write("""
                channels:
                  - name: team-slack
                    type: slack
                    url: https://hooks.slack.example/x
                rules:
                  - name: r
                    kind: delivery-rate
                    destination: staging
                    %s
                """.formatted(settings.replace("; ", "\n    ")));
        assertThatThrownBy(() -> reader.read(file, INSTANCES)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Alert rules file " + file + ", " + message);
    }

    @Test
    void aRuleOnAnUnknownDestinationOrOfAnUnknownKindIsRefused() {
        Path unknown = write("rules:\n  - name: r\n    kind: delivery-rate\n    destination: prod\n"
                + "    threshold-percent: 95\n");
        assertThatThrownBy(() -> reader.read(unknown, INSTANCES)).hasMessage("Alert rules file " + unknown
                + ", rule 'r': destination 'prod' is not an enabled destination instance (known: default, staging)");
        Path kind = write("rules:\n  - name: r\n    kind: latency\n    destination: staging\n");
        assertThatThrownBy(() -> reader.read(kind, INSTANCES)).hasMessage("Alert rules file " + kind
                + ", rule 'r': kind must be delivery-rate, retry-queue-age or no-delivery, not 'latency'");
        Path twice = write("rules:\n  - {name: r, kind: no-delivery, destination: staging}\n"
                + "  - {name: r, kind: no-delivery, destination: default}\n");
        assertThatThrownBy(() -> reader.read(twice, INSTANCES)).hasMessage("Alert rules file " + twice
                + ": two rules are named 'r'");
    }

    @Test
    void aChannelWithoutAUsableUrlIsRefusedWithoutShowingIt() {
        Path empty = write("channels:\n  - {name: slack, type: slack, url: \"{{env:UNSET_URL:}}\"}\n");
        assertThatThrownBy(() -> reader.read(empty, INSTANCES)).hasMessage("Alert rules file " + empty
                + ", channel 'slack': url is empty (an environment variable it names may be unset)");
        Path notHttp = write("channels:\n  - {name: slack, type: slack, url: \"ftp://host/secret-token\"}\n");
        assertThatThrownBy(() -> reader.read(notHttp, INSTANCES)).hasMessage("Alert rules file " + notHttp
                + ", channel 'slack': url is not an http or https URL with a host");
        Path type = write("channels:\n  - {name: mail, type: email, url: \"https://host/\"}\n");
        assertThatThrownBy(() -> reader.read(type, INSTANCES)).hasMessage("Alert rules file " + type
                + ", channel 'mail': type must be webhook or slack, not 'email'");
    }

    @Test
    void aMissingFileSaysWhereItWasLookedFor() {
        assertThatThrownBy(() -> reader.read(Path.of("no-such-alerts.yaml"), INSTANCES))
                .hasMessageStartingWith("Alert rules file no-such-alerts.yaml not found: no file at ")
                .hasMessageEndingWith("check alerts.file");
    }
}
