package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.Json;
import io.github.segmentld.LogCapture;
import io.github.segmentld.MappingsHealthCheck;
import io.github.segmentld.MappingsReload;
import io.github.segmentld.alerts.AlertEvaluator;
import io.github.segmentld.launchdarkly.DestinationsHealthCheck;
import io.github.segmentld.launchdarkly.RetryQueue;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Mappings and alert rules changed while the application runs, reloaded with POST /launchdarkly/mappings/reload: what
 * LaunchDarkly receives before and after, a chunk held mid-delivery across a reload, a refused file, and the version in
 * force as GET /launchdarkly/mappings answers it.
 */
class MappingsReloadContractTest extends ContractTestSupport {

    private static final RecordingHttpServer LAUNCHDARKLY_RECORDER = new RecordingHttpServer();
    private static final String PRODUCTION = "/events/bulk/prod-id";
    private static final String STAGING = "/events/bulk/staging-id";
    private static final String ORDER = """
            {"type":"track","userId":"u-1","event":"Order Completed","timestamp":"2022-03-30T17:30:00Z"}
            """;
    /** Another input: an input read before is not read again. */
    private static final String NEXT_ORDER = ORDER.replace("u-1", "u-2");
    private static final String PRODUCTION_V1 = instance("production", "prod-id", "order-v1", "");
    private static final String STAGING_V1 = instance("staging", "staging-id", "staging-v1",
            "consent-categories: [Analytics]");
    /** Version 1: production and staging, each with a mapping of its own. */
    private static final String VERSION_1 = "destinations:\n" + PRODUCTION_V1 + STAGING_V1;
    private static final String ALERTS = """
            rules:
              - name: production-rate
                kind: delivery-rate
                destination: production
                threshold-percent: 95
            """;

    private final HttpClient client = HttpClient.newHttpClient();
    // Set while the superclass constructor configures the context, so no field initialiser may reset them.
    private int port;
    private Path mappings;
    private Path alerts;

    private static String instance(String name, String clientSideId, String eventName, String setting) {
        return trackInstance(name, clientSideId, eventName, setting, LAUNCHDARKLY_RECORDER.baseUrl());
    }

    @AfterAll
    static void stopRecorder() {
        LAUNCHDARKLY_RECORDER.close();
    }

    @Override
    protected String eventsBaseUrl() {
        LAUNCHDARKLY_RECORDER.reset();
        return LAUNCHDARKLY_RECORDER.baseUrl();
    }

    @Override
    protected void adjust(Properties properties) {
        port = serveHttp(properties);
        properties.setProperty("launchdarkly.delivery.gzip", "false");
        properties.setProperty("launchdarkly.mappings-reload-interval-ms", "0");
        mappings = inbox.mappingsFile(VERSION_1);
        alerts = write("alerts.yaml", ALERTS);
        properties.setProperty("launchdarkly.mappings-file", mappings.toString());
        properties.setProperty("alerts.file", alerts.toString());
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(inbox.work().resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the mappings file anew, as an editor or a ConfigMap update does. */
    private void change(String yaml) {
        write("mappings.yaml", yaml);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (method.equals("POST")) {
            request.header("Content-Type", "application/json");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<JsonNode> bodies(String path) {
        return LAUNCHDARKLY_RECORDER.requests(path).stream()
                .map(request -> Json.parse(new String(request.body(), StandardCharsets.UTF_8))).toList();
    }

    private static JsonNode order(String key) {
        return order(key, "u-1");
    }

    private static JsonNode order(String key, String user) {
        return parse("[{'kind':'custom','key':'" + key + "','contextKeys':{'user':'" + user + "'},'data':{},"
                + "'creationDate':1648661400000}]");
    }

    /** An answer of the application, which may hold single quotes. */
    private static JsonNode json(String body) throws IOException {
        return Json.MAPPER.readTree(body);
    }

    static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> health(String bean, Class<? extends HealthCheck> type) {
        return context.getRegistry().lookupByNameAndType(bean, type).call().getDetails();
    }

    @Test
    void aChangedMappingAppliesToTheNextInputAndAnAddedDestinationGetsItsQueueAndHealth() throws Exception {
        inbox.drop("a.ndjson", ORDER);
        inbox.awaitDone("a.ndjson");
        assertThat(bodies(PRODUCTION)).containsExactly(order("order-v1"));

        change(VERSION_1.replace("order-v1", "order-v2") + instance("canary", "canary-id", "canary-v2", ""));
        HttpResponse<String> reload = send("POST", "/launchdarkly/mappings/reload");
        assertThat(reload.statusCode()).isEqualTo(200);
        JsonNode answer = json(reload.body());
        assertThat(answer.path("outcome").asText()).isEqualTo("applied");
        assertThat(answer.path("error").isNull()).isTrue();
        assertThat(answer.path("digest").asText()).isEqualTo(sha256(mappings));
        assertThat(answer.path("alertsDigest").asText()).isEqualTo(sha256(alerts));

        inbox.drop("b.ndjson", NEXT_ORDER);
        inbox.awaitDone("b.ndjson");
        assertThat(bodies(PRODUCTION)).containsExactly(order("order-v1"), order("order-v2", "u-2"));
        assertThat(bodies(STAGING)).containsExactly(order("staging-v1"), order("staging-v1", "u-2"));
        assertThat(bodies("/events/bulk/canary-id")).containsExactly(order("canary-v2", "u-2"));

        assertThat(context.getRoute("retry-queue-canary")).isNotNull();
        // the event tester sends to the instances in force
        assertThat(json(send("GET", "/launchdarkly/test-event").body()).findValuesAsText("name"))
                .containsExactly("production", "staging", "canary");
        assertThat(health("destinationsHealthCheck", DestinationsHealthCheck.class))
                .containsEntry("canary.status", "ok").containsEntry("canary.circuit", "CLOSED");
        assertThat(health("mappingsHealthCheck", MappingsHealthCheck.class))
                .containsEntry("digest", sha256(mappings)).containsEntry("last.reload.outcome", "applied");
        assertThat(metric("mappings.reloads", "outcome", "applied")).isEqualTo(1);
        assertThat(metric("mappings.reloads", "outcome", "refused")).isZero();
    }

    @Test
    void aChunkHeldMidDeliveryIsDeliveredAsTheVersionItStartedWithMappedIt() throws Exception {
        LAUNCHDARKLY_RECORDER.hold(PRODUCTION);
        inbox.drop("a.ndjson", ORDER);
        await().atMost(Duration.ofSeconds(20)).until(() -> LAUNCHDARKLY_RECORDER.held() == 1);

        // version 2 renames production's event and removes staging, whose batch of the held chunk is not posted yet
        change("destinations:\n" + PRODUCTION_V1.replace("order-v1", "order-v2"));
        assertThat(send("POST", "/launchdarkly/mappings/reload").statusCode()).isEqualTo(200);
        assertThat(LAUNCHDARKLY_RECORDER.requests(STAGING)).isEmpty();
        LAUNCHDARKLY_RECORDER.release();
        inbox.awaitDone("a.ndjson");

        assertThat(bodies(PRODUCTION)).containsExactly(order("order-v1"));
        assertThat(bodies(STAGING)).containsExactly(order("staging-v1"));

        inbox.drop("b.ndjson", NEXT_ORDER);
        inbox.awaitDone("b.ndjson");
        assertThat(bodies(PRODUCTION)).containsExactly(order("order-v1"), order("order-v2", "u-2"));
        assertThat(bodies(STAGING)).hasSize(1);
        assertThat(context.getRoute("retry-queue-staging")).isNull();
        assertThat(health("destinationsHealthCheck", DestinationsHealthCheck.class)).doesNotContainKey("staging.status");
    }

    @Test
    void aRemovedDestinationKeepsItsParkedBatchesUntilItIsConfiguredAgain() throws Exception {
        LAUNCHDARKLY_RECORDER.answer(STAGING, 503, "");
        inbox.drop("a.ndjson", ORDER);
        inbox.awaitDone("a.ndjson");
        RetryQueue retryQueue = context.getRegistry().lookupByNameAndType("retryQueue", RetryQueue.class);
        assertThat(retryQueue.depth("staging").batches()).isEqualTo(1);
        String payloadId = LAUNCHDARKLY_RECORDER.requests(STAGING).get(0).header("X-LaunchDarkly-Payload-ID");

        try (LogCapture log = new LogCapture(RetryQueue.class)) {
            change("destinations:\n" + PRODUCTION_V1);
            assertThat(send("POST", "/launchdarkly/mappings/reload").statusCode()).isEqualTo(200);
            assertThat(log.lines()).contains("WARN 1 batches (1 events) wait in the retry queue of destination"
                    + " 'staging', which is not configured: they stay there until it is configured again");
        }
        assertThat(context.getRoute("retry-queue-staging")).isNull();
        assertThat(retryQueue.depth("staging").batches()).isEqualTo(1);

        LAUNCHDARKLY_RECORDER.answer(STAGING, 202, "");
        change(VERSION_1);
        assertThat(send("POST", "/launchdarkly/mappings/reload").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> retryQueue.depth("staging").batches() == 0);
        RecordingHttpServer.Request sent = LAUNCHDARKLY_RECORDER.requests(STAGING)
                .get(LAUNCHDARKLY_RECORDER.requests(STAGING).size() - 1);
        assertThat(sent.header("X-LaunchDarkly-Payload-ID")).isEqualTo(payloadId);
        assertThat(json(new String(sent.body(), StandardCharsets.UTF_8))).isEqualTo(order("staging-v1"));
    }

    @Test
    void aFileWithAMistakeIsRefusedWithTheMessageOfTheStartAndTheVersionInForceGoesOn() throws Exception {
        String digest = sha256(mappings);
        try (LogCapture log = new LogCapture(MappingsReload.class)) {
            change(VERSION_1.replace("action: Track Event\n        fields:\n          event_name: order-v1",
                    "action: Send Event"));
            HttpResponse<String> unknownAction = send("POST", "/launchdarkly/mappings/reload");
            String expected = "Mappings file " + mappings + ", destination 'production', mapping 'Orders': unknown"
                    + " action 'Send Event': the actions are Alias User, Track Event and Identify Context";
            assertThat(unknownAction.statusCode()).isEqualTo(422);
            assertThat(json(unknownAction.body())).isEqualTo(refused(expected, digest));
            assertThat(log.lines()).contains("ERROR " + expected + " (reload refused: the mappings in force, sha256:"
                    + digest.substring(0, 12) + ", stay)");

            change("destinations: [\n");
            JsonNode broken = json(send("POST", "/launchdarkly/mappings/reload").body());
            assertThat(broken.path("error").asText()).startsWith("Mappings file " + mappings + " cannot be read: ");

            // a rule of the alert rules file names production: a version without it is refused as the start is
            change("destinations:\n" + STAGING_V1);
            JsonNode ruleRefused = json(send("POST", "/launchdarkly/mappings/reload").body());
            assertThat(ruleRefused).isEqualTo(refused("Alert rules file " + alerts + ", rule 'production-rate':"
                    + " destination 'production' is not an enabled destination instance (known: staging)", digest));

            // an insert function is checked as at start: its route must be there
            change("destinations:\n" + PRODUCTION_V1 + instance("staging", "staging-id", "staging-v1",
                    "insert-function: {direct: no-such-route}"));
            JsonNode functionRefused = json(send("POST", "/launchdarkly/mappings/reload").body());
            assertThat(functionRefused).isEqualTo(refused("Destination 'staging': insert-function direct: no-such-route"
                    + " names no route: none reads from direct:no-such-route. Put it in a YAML file of the folder of"
                    + " routes.extra-dir (not set).", digest));
        }

        inbox.drop("a.ndjson", ORDER);
        inbox.awaitDone("a.ndjson");
        assertThat(bodies(PRODUCTION)).containsExactly(order("order-v1"));
        Map<String, Object> health = health("mappingsHealthCheck", MappingsHealthCheck.class);
        assertThat(health).containsEntry("digest", digest).containsEntry("last.reload.outcome", "refused")
                .containsEntry("last.reload.error", "Destination 'staging': insert-function direct: no-such-route"
                        + " names no route: none reads from direct:no-such-route. Put it in a YAML file of the folder"
                        + " of routes.extra-dir (not set).");
        assertThat(metric("mappings.reloads", "outcome", "refused")).isEqualTo(4);
        assertThat(metric("mappings.reloads", "outcome", "applied")).isZero();
    }

    private JsonNode refused(String error, String digest) throws Exception {
        JsonNode answer = json(send("GET", "/launchdarkly/mappings").body());
        ObjectNode expected = Json.MAPPER.createObjectNode();
        expected.put("outcome", "refused");
        expected.put("error", error);
        expected.put("digest", digest);
        expected.put("loadedAt", answer.path("loadedAt").asText());
        expected.put("alertsDigest", sha256(alerts));
        return expected;
    }

    @Test
    void theVersionInForceIsShownWithItsDigestDestinationsAndMappings() throws Exception {
        HttpResponse<String> answer = send("GET", "/launchdarkly/mappings");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode version = json(answer.body());
        Instant loadedAt = Instant.parse(version.path("loadedAt").asText());
        assertThat(loadedAt).isBefore(Instant.now().plusSeconds(1));
        String base = LAUNCHDARKLY_RECORDER.baseUrl();
        // the field values in force: the mapping's own over the action's defaults
        String fields = """
                "context_kind": "user",
                "user_key": {"@if": {"exists": {"@path": "$.userId"}, "then": {"@path": "$.userId"},
                                     "else": {"@path": "$.anonymousId"}}},
                "additional_context_keys": {"unauthenticatedUser": {"@path": "$.anonymousId"}},
                "event_name": "%s",
                "metric_value": {"@if": {"exists": {"@path": "$.properties.revenue"},
                                         "then": {"@path": "$.properties.revenue"},
                                         "else": {"@path": "$.properties.value"}}},
                "event_properties": {"@path": "$.properties"},
                "timestamp": {"@path": "$.timestamp"}""";
        assertThat(version).isEqualTo(json("""
                {"file": "%s", "digest": "%s", "loadedAt": "%s",
                 "destinations": [
                   {"name": "production", "type": "client-side", "enabled": true, "credential": "…d",
                    "url": "%s/events/bulk/…d", "standIn": false, "consent": null, "identifyWith": null,
                    "mappings": [{"name": "Orders", "preset": false, "trigger": "type = \\"track\\"",
                      "action": "Track Event", "enabled": true, "fields": {%s}}]},
                   {"name": "staging", "type": "client-side", "enabled": true, "credential": "…id",
                    "url": "%s/events/bulk/…id", "standIn": false,
                    "consent": {"categories": ["Analytics"], "missing": "deliver"}, "identifyWith": null,
                    "mappings": [{"name": "Orders", "preset": false, "trigger": "type = \\"track\\"",
                      "action": "Track Event", "enabled": true, "fields": {%s}}]}]}
                """.formatted(mappings, sha256(mappings), loadedAt, base, fields.formatted("order-v1"), base,
                fields.formatted("staging-v1"))));
    }

    @Test
    void alertRulesReloadWithTheMappings() throws Exception {
        write("alerts.yaml", ALERTS + """
                  - name: staging-queue
                    kind: retry-queue-age
                    destination: staging
                    max-age: 1h
                """);
        JsonNode reload = json(send("POST", "/launchdarkly/mappings/reload").body());
        assertThat(reload.path("outcome").asText()).isEqualTo("applied");
        assertThat(reload.path("alertsDigest").asText()).isEqualTo(sha256(alerts));
        JsonNode status = context.getRegistry().lookupByNameAndType("alertEvaluator", AlertEvaluator.class).status();
        assertThat(status.path("rules").findValuesAsText("name")).containsExactly("production-rate", "staging-queue");

        write("alerts.yaml", ALERTS.replace("threshold-percent: 95", "threshold-percent: 105"));
        JsonNode refused = json(send("POST", "/launchdarkly/mappings/reload").body());
        assertThat(refused.path("error").asText()).isEqualTo("Alert rules file " + alerts + ", rule"
                + " 'production-rate': threshold-percent must be a number from 0 to 100, not '105'");
        assertThat(context.getRegistry().lookupByNameAndType("alertEvaluator", AlertEvaluator.class).status()
                .path("rules").findValuesAsText("name")).containsExactly("production-rate", "staging-queue");
    }
}
