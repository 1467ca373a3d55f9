package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.LogCapture;
import io.github.segmentld.TestInbox;
import io.github.segmentld.launchdarkly.DestinationsHealthCheck;
import io.github.segmentld.launchdarkly.SettingsCheck;
import io.github.segmentld.preview.MappingPreview;
import org.apache.camel.health.HealthCheck;
import org.apache.logging.log4j.Level;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Instances of type metric-import through the whole application, against a server on 127.0.0.1 that keeps each request
 * as it came over the wire: "backfill" (the Track Event preset, a good token) and "refused" (a mapping of its own, a
 * token LaunchDarkly answers 401). One application for the class: each test drops a file of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricImportContractTest extends ContractTestSupport {

    private static final String TOKEN = "api-7c1e0d2a-5b9f-4e31-9a6d-0f2b8c4d1e7a";
    private static final String REFUSED_TOKEN = "api-0b3f9e1c-revoked-4d2a-8c7b-6e5f4a3b2c1d";
    private static final String BACKFILL_PATH = "/v2/event-data-import/shop/production";
    private static final String REFUSED_PATH = "/v2/event-data-import/shop/staging";
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    // Static: the application is configured while the test instance is made, before its fields are set.
    private static final RecordingHttpServer IMPORT_API = new RecordingHttpServer();
    // Everything the application and Camel log, from before the start on, kept from the console.
    private static final LogCapture APPLICATION_LOG = new LogCapture("io.github.segmentld", Level.INFO);
    private static final LogCapture CAMEL_LOG = new LogCapture("org.apache.camel", Level.INFO);

    @Override
    protected void adjust(Properties properties) {
        // the tokens come from placeholders, as the environment would give them
        properties.setProperty("test.import-token", TOKEN);
        properties.setProperty("test.refused-token", REFUSED_TOKEN);
        properties.setProperty("launchdarkly.mappings-file", inbox.mappingsFile("""
                destinations:
                  - name: backfill
                    type: metric-import
                    project-key: shop
                    environment-key: production
                    access-token: "{{test.import-token}}"
                    events-base-url: %s
                  - name: refused
                    type: metric-import
                    project-key: shop
                    environment-key: staging
                    access-token: "{{test.refused-token}}"
                    events-base-url: %s
                    presets: false
                    mappings:
                      - name: Refused orders
                        trigger: type = "track" and event = "Refused Order"
                        action: Track Event
                """.formatted(IMPORT_API.baseUrl(), IMPORT_API.baseUrl())).toString());
    }

    @BeforeEach
    void forgetEarlierRequests() {
        IMPORT_API.forgetRequests();
        IMPORT_API.answer(REFUSED_PATH, 401,
                "{\"code\":\"unauthorized\",\"message\":\"Your access token lacks the importEventData action\"}");
    }

    @AfterAll
    void stopTheServerAndTheCaptures() {
        IMPORT_API.close();
        APPLICATION_LOG.close();
        CAMEL_LOG.close();
    }

    @Test
    void aTrackCallIsPostedToTheImportPathOfItsEnvironmentWithTheTokenAndGzippedJson() {
        inbox.drop("orders.ndjson", """
                {"type":"track","userId":"user-1","anonymousId":"anon-1","event":"Order Completed","properties":{"revenue":49.9,"order_id":"A-1"},"timestamp":"2022-03-30T17:24:58Z"}
                {"type":"identify","userId":"user-1","anonymousId":"anon-1","traits":{"plan":"pro"}}
                {"type":"page","userId":"user-1","name":"Home"}
                """);
        inbox.awaitDone("orders.ndjson");

        assertThat(IMPORT_API.requests(BACKFILL_PATH)).singleElement().satisfies(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.header("Authorization")).isEqualTo(TOKEN);
            assertThat(request.header("X-LaunchDarkly-Event-Schema")).isEqualTo("4");
            assertThat(request.header("X-LaunchDarkly-Payload-ID")).matches(UUID);
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            assertThat(request.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(request.header("Content-Length")).isEqualTo(Integer.toString(request.body().length));
            assertThat(request.header("User-Agent"))
                    .isEqualTo("MetricImport-SegmentLaunchDarklyCamel-int/" + System.getProperty("project.version"));
            assertThat(Json.gunzipped(request.body())).isEqualTo(parse("""
                    [{'kind':'custom','key':'Order Completed','contextKeys':{'unauthenticatedUser':'anon-1','user':'user-1'},
                      'metricValue':49.9,'data':{'revenue':49.9,'order_id':'A-1'},'creationDate':1648661098000}]"""));
        });
        assertThat(IMPORT_API.requests(REFUSED_PATH)).isEmpty();
        assertThat(metric("segment.events.filtered", "reason", "no_matching_mapping", "type", "identify")).isEqualTo(1);
        assertThat(metric("segment.events.filtered", "reason", "no_matching_mapping", "type", "page")).isEqualTo(1);
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();

        JsonNode check = Json.parse(context.getRegistry().lookupByNameAndType("settingsCheck", SettingsCheck.class)
                .report()).get(0);
        assertThat(check.path("destination").asText()).isEqualTo("backfill");
        assertThat(check.path("accessToken").asText()).isEqualTo("…1e7a");
        assertThat(check.path("outcome").asText()).isEqualTo("not_checked");
        assertTheTokensAreNowhere();
    }

    @Test
    void aRefusedTokenDeadLettersTheBatchAtOnceAndSaysSoInTheLogAndTheHealth() throws IOException {
        inbox.drop("refused.ndjson", """
                {"type":"track","userId":"user-2","event":"Refused Order","timestamp":"2022-03-30T17:30:00Z"}
                """);
        inbox.awaitDone("refused.ndjson");

        assertThat(IMPORT_API.requests(REFUSED_PATH)).as("a 401 is not retried").hasSize(1);
        List<Path> deadLetters = TestInbox.list(inbox.deadLetters());
        assertThat(deadLetters).hasSize(1);
        JsonNode deadLetter = Json.MAPPER.readTree(deadLetters.get(0).toFile()).path("deadLetter");
        String reason = "LaunchDarkly answered 401: the access token …2c1d of destination 'refused' is wrong, or its"
                + " role does not allow the importEventData action (the metric import API takes a personal or service"
                + " access token whose role allows it on the destination's environment)";
        assertThat(deadLetter.path("destination").asText()).isEqualTo("refused");
        assertThat(deadLetter.path("status").asInt()).isEqualTo(401);
        assertThat(deadLetter.path("reason").asText()).isEqualTo(reason);
        assertThat(deadLetter.path("attempts").asInt()).isEqualTo(1);
        assertThat(metric("launchdarkly.batches.retried", "destination", "refused")).isZero();
        assertThat(APPLICATION_LOG.lines()).anySatisfy(line -> assertThat(line)
                .startsWith("ERROR DEAD-LETTERED batch ")
                .contains(" (1 events) for refused (metric import, access token …2c1d): " + reason));

        HealthCheck.Result health = context.getRegistry()
                .lookupByNameAndType("destinationsHealthCheck", DestinationsHealthCheck.class).call();
        assertThat(health.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(health.getMessage()).get(InstanceOfAssertFactories.STRING)
                .startsWith("degraded: refused (circuit CLOSED, 0 batches in its retry queue; since ")
                .endsWith(", " + reason + ")");
        assertThat(health.getDetails()).containsEntry("refused.status", "degraded")
                .containsEntry("backfill.status", "ok").containsEntry("backfill.credential", "ok");
        assertThat((String) health.getDetails().get("refused.credential")).startsWith("refused since ");
        assertTheTokensAreNowhere();
    }

    /**
     * Neither token is in what the application logged (its start included), in the preview of an event, or in any file
     * of its work folder: state database, delivery log, dead letters, rejections.
     */
    private void assertTheTokensAreNowhere() {
        List<String> logged = Stream.concat(APPLICATION_LOG.lines().stream(), CAMEL_LOG.lines().stream()).toList();
        assertThat(logged).anySatisfy(line -> assertThat(line).isEqualTo("INFO Destination backfill (metric import,"
                + " access token …1e7a): events go to " + IMPORT_API.baseUrl() + BACKFILL_PATH + ". Mappings: Track Event"));
        assertThat(logged).noneSatisfy(line -> assertThat(line).containsAnyOf(TOKEN, REFUSED_TOKEN));
        String preview = context.getRegistry().lookupByNameAndType("mappingPreview", MappingPreview.class)
                .previewJson("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Refused Order\"}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(preview).contains(BACKFILL_PATH, REFUSED_PATH).doesNotContain(TOKEN, REFUSED_TOKEN);
        try (Stream<Path> files = Files.walk(inbox.work())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(content).as(file.toString()).doesNotContain(TOKEN, REFUSED_TOKEN);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
