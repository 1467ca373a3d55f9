package io.github.segmentld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The application's console in a JVM of its own, as an ops stack reads it: with LOG_FORMAT=json, one ECS JSON object per
 * line, the route, exchange, input, destination and payload ID as fields of the lines about a batch; text otherwise.
 * Neither format shows a secret. The scenario is forced: one destination takes the file's batch, the other refuses its
 * batch (a dead letter), and the dead-letter folder cannot be written, so the input fails with an exception.
 */
class JsonLogsTest {

    private static final String CLIENT_SIDE_ID = "prod-cside-5ecret-0001";
    private static final String STAGING_CLIENT_SIDE_ID = "stag-cside-5ecret-0002";
    private static final String WRITE_KEY = "wk-5ecret-0003";
    private static final String OPERATOR_TOKEN = "op-5ecret-0004";
    private static final String WEBHOOK_SECRET = "wh-5ecret-0005";
    private static final List<String> SECRETS = List.of(CLIENT_SIDE_ID, STAGING_CLIENT_SIDE_ID, WRITE_KEY,
            OPERATOR_TOKEN, WEBHOOK_SECRET, "5ecret");
    private static final String FILE = "users.ndjson";

    private final CountingStandIn launchDarkly = new CountingStandIn();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process process : processes) {
            ChildApplication.kill(process);
        }
        launchDarkly.close();
    }

    @Test
    void withLogFormatJsonEachLineIsAnEcsObjectAndTheLinesAboutABatchNameItsRouteExchangeInputDestinationAndPayloadId() {
        Path log = runScenario("json", Map.of("LOG_FORMAT", "json"));

        List<JsonNode> lines = TestInbox.lines(log).stream().map(JsonLogsTest::parse).toList();
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.path("@timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(line.path("log.level").asText()).isIn("DEBUG", "INFO", "WARN", "ERROR");
            assertThat(line.path("log.logger").asText()).isNotEmpty();
            assertThat(line.has("message")).isTrue();
            assertThat(line.path("process.thread.name").asText()).isNotEmpty();
            assertThat(line.path("ecs.version").asText()).isEqualTo("1.2.0");
            assertThat(line.path("service.name").asText()).isEqualTo("segment-launchdarkly");
            // the project's fields only while an exchange runs: nothing carried over by a pooled thread
            if (!line.has("camel.exchangeId")) {
                assertThat(line.has(ExchangeLogFields.INPUT) || line.has(ExchangeLogFields.DESTINATION)
                        || line.has(ExchangeLogFields.PAYLOAD_ID)).as(line.toString()).isFalse();
            }
        });

        String delivered = single(launchDarkly.acceptedPayloadIds(CLIENT_SIDE_ID));
        JsonNode delivery = only(lines, "Delivered batch ");
        assertThat(delivery.path("log.level").asText()).isEqualTo("INFO");
        assertThat(delivery.path("log.logger").asText()).isEqualTo("io.github.segmentld.launchdarkly.DeliveryOutcomes");
        assertThat(delivery.path("camel.routeId").asText()).isEqualTo("post");
        assertThat(delivery.path("camel.exchangeId").asText()).isNotEmpty();
        assertThat(delivery.path(ExchangeLogFields.INPUT).asText()).isEqualTo(FILE);
        assertThat(delivery.path(ExchangeLogFields.DESTINATION).asText()).isEqualTo("production");
        assertThat(delivery.path(ExchangeLogFields.PAYLOAD_ID).asText()).isEqualTo(delivered);
        assertThat(delivery.path("message").asText())
                .isEqualTo("Delivered batch " + delivered + " (2 events) to production (client-side ID …0001)");

        JsonNode deadLetter = lines.stream().filter(line -> line.path("message").asText().startsWith("DEAD-LETTERED"))
                .findFirst().orElseThrow();
        assertThat(deadLetter.path(ExchangeLogFields.INPUT).asText()).isEqualTo(FILE);
        assertThat(deadLetter.path(ExchangeLogFields.DESTINATION).asText()).isEqualTo("staging");
        assertThat(deadLetter.path("message").asText())
                .startsWith("DEAD-LETTERED batch " + deadLetter.path(ExchangeLogFields.PAYLOAD_ID).asText() + " ");
        assertThat(deadLetter.path(ExchangeLogFields.PAYLOAD_ID).asText()).isNotEqualTo(delivered);

        // the file's own route: its input, and no batch of the exchanges it split into
        JsonNode reading = only(lines, "Reading " + FILE);
        assertThat(reading.path("camel.routeId").asText()).isEqualTo("ingest-file");
        assertThat(reading.path(ExchangeLogFields.INPUT).asText()).isEqualTo(FILE);
        assertThat(reading.has(ExchangeLogFields.PAYLOAD_ID)).isFalse();

        JsonNode failure = lines.stream().filter(line -> line.path("message").asText().startsWith("Cannot finish " + FILE))
                .findFirst().orElseThrow();
        assertThat(failure.path("log.level").asText()).isEqualTo("ERROR");
        assertThat(failure.path(ExchangeLogFields.INPUT).asText()).isEqualTo(FILE);
        assertThat(failure.path("error.type").asText()).isNotEmpty();
        assertThat(failure.path("error.stack_trace").asText()).startsWith(failure.path("error.type").asText())
                .contains("\n\tat ");

        assertNoSecretIn(log);
    }

    @Test
    void withoutLogFormatTheLinesAreTextAndShowNoSecretEither() {
        Path log = runScenario("text", Map.of());

        List<String> lines = TestInbox.lines(log);
        assertThat(lines).noneMatch(line -> line.startsWith("{"));
        assertThat(lines).anyMatch(line -> line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.+] DeliveryOutcomes - "
                + "Delivered batch [0-9a-f-]{36} \\(2 events\\) to production \\(client-side ID …0001\\)"));
        assertNoSecretIn(log);
    }

    /** Runs the scenario until the input failed, and returns the application's console output. */
    private Path runScenario(String name, Map<String, String> logEnvironment) {
        TestInbox inbox = TestInbox.create("logs-" + name);
        launchDarkly.answer(STAGING_CLIENT_SIDE_ID, 400);
        Properties settings = inbox.properties(launchDarkly.baseUrl());
        settings.remove("launchdarkly.client-side-id");
        settings.setProperty("launchdarkly.mappings-file", inbox.mappingsFile("""
                destinations:
                  - name: production
                    client-side-id: "{{launchdarkly.client-side-id}}"
                    events-base-url: %s
                  - name: staging
                    client-side-id: %s
                    events-base-url: %s
                """.formatted(launchDarkly.baseUrl(), STAGING_CLIENT_SIDE_ID, launchDarkly.baseUrl())).toString());
        settings.setProperty("launchdarkly.settings-check.enabled", "false");
        settings.setProperty("http.enabled", "true");
        settings.setProperty("camel.server.enabled", "true");
        settings.setProperty("camel.server.port", Integer.toString(Loopback.freePort()));
        // a file where the dead-letter folder's parent should be: the dead letter cannot be written
        settings.setProperty("store.dead-letter-dir", write(inbox.work().resolve("blocked"), "").resolve("dead-letter")
                .toString());
        Map<String, String> environment = new java.util.HashMap<>(logEnvironment);
        environment.put("LD_CLIENT_SIDE_ID", CLIENT_SIDE_ID);
        environment.put("SEGMENT_WRITE_KEYS", "web=" + WRITE_KEY);
        environment.put("OPERATOR_TOKEN", OPERATOR_TOKEN);
        environment.put("SEGMENT_WEBHOOK_SECRET", WEBHOOK_SECRET);
        String logName = name + ".log";
        processes.add(ChildApplication.start(inbox, settings, logName, environment));

        inbox.drop(FILE, TestInbox.trackLines(1, 2));
        Path log = inbox.work().resolve(logName);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("Cannot finish " + FILE));
        return log;
    }

    private static void assertNoSecretIn(Path log) {
        String text = readString(log);
        assertThat(SECRETS).allSatisfy(secret -> assertThat(text).doesNotContain(secret));
    }

    private static JsonNode only(List<JsonNode> lines, String messageStart) {
        List<JsonNode> found = lines.stream().filter(line -> line.path("message").asText().startsWith(messageStart))
                .toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static <T> T single(java.util.Set<T> values) {
        assertThat(values).hasSize(1);
        return values.iterator().next();
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode node = Json.MAPPER.readTree(line);
            assertThat(node.isObject()).as(line).isTrue();
            return node;
        } catch (IOException e) {
            throw new AssertionError("Not a JSON line: " + line, e);
        }
    }

    private static Path write(Path file, String content) {
        try {
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
