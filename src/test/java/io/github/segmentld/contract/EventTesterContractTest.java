package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import io.github.segmentld.store.DeliveryLedger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * POST /launchdarkly/test-event against a server on 127.0.0.1 that keeps each request as it came over the wire:
 * "production" (the presets), "refusing" (a client-side ID the server answers 400, consent category Analytics),
 * "warehouse" (the metric import API), "unreachable" (a port nothing listens on) and "paused" (disabled). One
 * application for the class, with the operator token set.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventTesterContractTest extends ContractTestSupport {

    private static final String TOKEN = "operator-token-of-the-tester";
    private static final String IMPORT_TOKEN = "api-7c1e0d2a-5b9f-4e31-9a6d-0f2b8c4d1e7a";
    private static final String PRODUCTION_PATH = "/events/bulk/prod-client-id-1234";
    private static final String REFUSING_PATH = "/events/bulk/refused-client-id-abcd";
    private static final String IMPORT_PATH = "/v2/event-data-import/shop/production";
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final String TRACK = """
            {"type":"track","messageId":"m-tester","userId":"user1234","anonymousId":"anon-1","event":"Order Completed",
             "properties":{"revenue":49.9},"timestamp":"2022-03-30T17:24:58Z"}""";
    private static final JsonNode TRACK_EVENTS = parse("""
            [{'kind':'custom','key':'Order Completed','contextKeys':{'unauthenticatedUser':'anon-1','user':'user1234'},
              'metricValue':49.9,'data':{'revenue':49.9},'creationDate':1648661098000}]""");

    // Static: the application is configured while the test instance is made, before its fields are set.
    private static final RecordingHttpServer LAUNCHDARKLY_API = new RecordingHttpServer();

    private final HttpClient client = HttpClient.newHttpClient();
    private int port;

    @Override
    protected void adjust(Properties properties) {
        port = serveHttp(properties);
        properties.setProperty("operator.token", TOKEN);
        properties.setProperty("test.import-token", IMPORT_TOKEN);
        properties.setProperty("launchdarkly.mappings-file", inbox.mappingsFile("""
                destinations:
                  - name: production
                    client-side-id: prod-client-id-1234
                    events-base-url: %1$s
                  - name: refusing
                    client-side-id: refused-client-id-abcd
                    events-base-url: %1$s
                    consent-categories: [Analytics]
                  - name: warehouse
                    type: metric-import
                    project-key: shop
                    environment-key: production
                    access-token: "{{test.import-token}}"
                    events-base-url: %1$s
                  - name: unreachable
                    client-side-id: unreachable-client-id
                    events-base-url: http://127.0.0.1:%2$d
                    presets: false
                    mappings:
                      - name: Unreachable orders
                        trigger: type = "track" and event = "Unreachable Order"
                        action: Track Event
                  - name: paused
                    enabled: false
                    client-side-id: paused-client-id
                    events-base-url: %1$s
                """.formatted(LAUNCHDARKLY_API.baseUrl(), Loopback.freePort())).toString());
    }

    @BeforeEach
    void forgetEarlierRequests() {
        LAUNCHDARKLY_API.forgetRequests();
        LAUNCHDARKLY_API.answer(REFUSING_PATH, 400, "{\"code\":\"invalid_request\",\"message\":\"bad event\"}");
    }

    @AfterAll
    void stopTheServer() {
        LAUNCHDARKLY_API.close();
    }

    private HttpResponse<String> test(String destination, String event) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/launchdarkly/test-event" + (destination == null ? "" : "?destination=" + destination)))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(event)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        return Json.MAPPER.readTree(response.body());
    }

    @Test
    void aTrackEventIsSentForRealAndTheAnswerShowsTheExactRequestAndLaunchDarklysAnswer() throws Exception {
        HttpResponse<String> response = test("production", TRACK);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = json(response);
        assertThat(answer.path("destination").asText()).isEqualTo("production");
        assertThat(answer.path("outcome").asText()).isEqualTo("sent");
        String payloadId = answer.path("payloadId").asText();
        assertThat(payloadId).matches(UUID);
        JsonNode request = answer.path("request");
        assertThat(request.path("method").asText()).isEqualTo("POST");
        assertThat(request.path("url").asText()).isEqualTo(LAUNCHDARKLY_API.baseUrl() + "/events/bulk/…1234");
        assertThat(request.path("body")).isEqualTo(TRACK_EVENTS);
        assertThat(answer.path("response")).isEqualTo(parse("{'status':202,'body':''}"));
        assertThat(answer.path("durationMs").isIntegralNumber()).isTrue();
        // as the preview shows them: which mappings matched
        assertThat(answer.path("mappings").findValuesAsText("mapping")).containsExactly("Alias User", "Track Event");
        assertThat(answer.path("mappings").findValuesAsText("matched")).containsExactly("false", "true");

        RecordingHttpServer.Request received = LAUNCHDARKLY_API.requests(PRODUCTION_PATH).get(0);
        assertThat(LAUNCHDARKLY_API.requests(PRODUCTION_PATH)).hasSize(1);
        assertThat(received.method()).isEqualTo("POST");
        assertThat(Json.gunzipped(received.body())).isEqualTo(request.path("body"));
        Map<String, String> shown = Json.MAPPER.convertValue(request.path("headers"), Map.class);
        assertThat(shown).containsOnlyKeys("Content-Type", "X-LaunchDarkly-Event-Schema", "X-LaunchDarkly-Payload-ID",
                "User-Agent", "Content-Encoding", "Content-Length");
        shown.forEach((name, value) -> assertThat(received.header(name)).as(name).isEqualTo(value));
        assertThat(shown).containsEntry("X-LaunchDarkly-Payload-ID", payloadId)
                .containsEntry("X-LaunchDarkly-Event-Schema", "4").containsEntry("Content-Encoding", "gzip")
                .containsEntry("User-Agent", "segment-launchdarkly-camel/" + System.getProperty("project.version"));

        // a payload ID of its own each time, never derived from the event
        String again = json(test("production", TRACK)).path("payloadId").asText();
        assertThat(again).matches(UUID).isNotEqualTo(payloadId);
    }

    @Test
    void aRefusalOfLaunchDarklyIsShownWithItsBodyAndNothingIsDeadLettered() throws Exception {
        List<Path> deadLetters = TestInbox.list(inbox.deadLetters());

        JsonNode answer = json(test("refusing", TRACK));

        assertThat(answer.path("outcome").asText()).isEqualTo("sent");
        assertThat(answer.path("response").path("status").asInt()).isEqualTo(400);
        assertThat(answer.path("response").path("body").asText())
                .isEqualTo("{\"code\":\"invalid_request\",\"message\":\"bad event\"}");
        assertThat(answer.path("request").path("url").asText()).endsWith("/events/bulk/…abcd");
        assertThat(LAUNCHDARKLY_API.requests(REFUSING_PATH)).as("no redelivery").hasSize(1);
        assertThat(TestInbox.list(inbox.deadLetters())).isEqualTo(deadLetters);
    }

    @Test
    void aNetworkErrorIsShownInsteadOfAnAnswer() throws Exception {
        JsonNode answer = json(test("unreachable", TRACK.replace("Order Completed", "Unreachable Order")));

        assertThat(answer.path("outcome").asText()).isEqualTo("sent");
        assertThat(answer.path("response")).isEqualTo(parse("{'status':null,'error':'connection refused'}"));
        assertThat(answer.path("request").path("url").asText()).endsWith("/events/bulk/…t-id");
    }

    @Test
    void theAccessTokenOfTheMetricImportApiIsSentButNeverShown() throws Exception {
        HttpResponse<String> response = test("warehouse", TRACK);

        JsonNode answer = json(response);
        assertThat(answer.path("request").path("url").asText()).isEqualTo(LAUNCHDARKLY_API.baseUrl() + IMPORT_PATH);
        assertThat(answer.path("request").path("headers").path("Authorization").asText()).isEqualTo("…1e7a");
        assertThat(answer.path("request").path("headers").path("User-Agent").asText())
                .isEqualTo("MetricImport-SegmentLaunchDarklyCamel-int/" + System.getProperty("project.version"));
        assertThat(response.body()).doesNotContain(IMPORT_TOKEN);
        assertThat(LAUNCHDARKLY_API.requests(IMPORT_PATH)).singleElement().satisfies(request -> {
            assertThat(request.header("Authorization")).isEqualTo(IMPORT_TOKEN);
            assertThat(Json.gunzipped(request.body())).isEqualTo(TRACK_EVENTS);
        });
    }

    @Test
    void aFilteredOrRejectedEventSendsNothingAndSaysWhy() throws Exception {
        JsonNode page = json(test("production", "{\"type\":\"page\",\"userId\":\"user1234\",\"name\":\"Home\"}"));
        assertThat(page.path("outcome").asText()).isEqualTo("filtered");
        assertThat(page.path("reason").asText()).isEqualTo("no_matching_mapping");
        assertThat(page.has("request")).isFalse();

        JsonNode turnedOff = json(test("production", "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\","
                + "\"integrations\":{\"LaunchDarkly\":false}}"));
        assertThat(turnedOff.path("reason").asText()).isEqualTo("integrations_disabled");

        JsonNode identify = json(test("production", "{\"type\":\"identify\",\"userId\":\"user1234\"}"));
        assertThat(identify.path("outcome").asText()).isEqualTo("rejected");
        assertThat(identify.path("reason").asText()).isEqualTo("validation");
        assertThat(identify.path("message").asText())
                .isEqualTo("mapping 'Alias User': The root value is missing the required field 'previous_key'.");

        JsonNode withoutConsent = json(test("refusing", TRACK.replace("\"properties\"",
                "\"context\":{\"consent\":{\"categoryPreferences\":{\"Analytics\":false}}},\"properties\"")));
        assertThat(withoutConsent.path("outcome").asText()).isEqualTo("filtered");
        assertThat(withoutConsent.path("reason").asText()).isEqualTo("consent_not_granted");
        assertThat(withoutConsent.path("message").asText()).contains("Analytics");

        assertThat(LAUNCHDARKLY_API.requests(PRODUCTION_PATH)).isEmpty();
        assertThat(LAUNCHDARKLY_API.requests(REFUSING_PATH)).isEmpty();
    }

    @Test
    void anUnknownOrDisabledDestinationOrABodyThatIsNotOneEventIsRefused() throws Exception {
        HttpResponse<String> unknown = test("nowhere", TRACK);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown)).isEqualTo(Json.MAPPER.readTree("""
                {"message":"there is no destination instance 'nowhere'",
                 "destinations":["production","refusing","warehouse","unreachable","paused"]}"""));

        HttpResponse<String> disabled = test("paused", TRACK);
        assertThat(disabled.statusCode()).isEqualTo(409);
        assertThat(json(disabled).path("message").asText()).contains("'paused' is disabled");

        assertThat(test(null, TRACK).statusCode()).isEqualTo(400);
        HttpResponse<String> notJson = test("production", "{\"type\":");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson).path("message").asText()).startsWith("The body is not JSON:");
        assertThat(test("production", "[" + TRACK + "]").statusCode()).isEqualTo(400);

        HttpResponse<String> withoutToken = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/launchdarkly/test-event?destination=production")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TRACK)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withoutToken.statusCode()).isEqualTo(401);
        assertThat(LAUNCHDARKLY_API.requests(PRODUCTION_PATH)).isEmpty();
    }

    @Test
    void theDestinationsAreListedForThePagesForm() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/launchdarkly/test-event")).header("Authorization", "Bearer " + TOKEN).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode destinations = json(response).path("destinations");
        assertThat(destinations.findValuesAsText("name"))
                .containsExactly("production", "refusing", "warehouse", "unreachable", "paused");
        assertThat(destinations.get(0)).isEqualTo(parse("{'name':'production','enabled':true,'api':'client-side',"
                + "'url':'" + LAUNCHDARKLY_API.baseUrl() + "/events/bulk/…1234'}"));
        assertThat(destinations.get(4).path("enabled").booleanValue()).isFalse();
    }

    /**
     * A test send reads no input and records nothing; the same event delivered through the pipeline afterwards is
     * counted, logged and recorded, and posted with the very request the tester showed (but its payload ID).
     */
    @Test
    void aTestSendTouchesNoInputLedgerLogOrCounterAndADeliverySendsTheSameRequest() throws Exception {
        List<Path> done = TestInbox.list(inbox.done());
        double received = metric("segment.events.received");
        double delivered = metric("launchdarkly.events.delivered", "destination", "production");

        JsonNode tested = json(test("production", TRACK));
        String testPayloadId = tested.path("payloadId").asText();

        assertThat(TestInbox.list(inbox.inbox())).isEmpty();
        assertThat(TestInbox.list(inbox.done())).isEqualTo(done);
        assertThat(metric("segment.events.received")).isEqualTo(received);
        assertThat(metric("launchdarkly.events.delivered", "destination", "production")).isEqualTo(delivered);
        DeliveryLedger ledger = context.getRegistry().lookupByNameAndType("deliveryLedger", DeliveryLedger.class);
        assertThat(ledger.unsettledBatch(testPayloadId)).isTrue();

        inbox.drop("same-event.ndjson", TRACK.replace("\n", "") + "\n");
        inbox.awaitDone("same-event.ndjson");
        assertThat(metric("segment.events.received")).isEqualTo(received + 1);
        assertThat(metric("launchdarkly.events.delivered", "destination", "production")).isEqualTo(delivered + 1);
        List<RecordingHttpServer.Request> requests = LAUNCHDARKLY_API.requests(PRODUCTION_PATH);
        assertThat(requests).hasSize(2);
        RecordingHttpServer.Request delivery = requests.get(1);
        String deliveryPayloadId = delivery.header("X-LaunchDarkly-Payload-ID");
        assertThat(ledger.unsettledBatch(deliveryPayloadId)).isFalse();
        assertThat(Json.gunzipped(delivery.body())).isEqualTo(tested.path("request").path("body"));
        for (Iterator<Map.Entry<String, JsonNode>> headers = tested.path("request").path("headers").fields();
             headers.hasNext(); ) {
            Map.Entry<String, JsonNode> header = headers.next();
            if (!header.getKey().equals("X-LaunchDarkly-Payload-ID")) {
                assertThat(delivery.header(header.getKey())).as(header.getKey()).isEqualTo(header.getValue().asText());
            }
        }

        // the delivery log writes in order: once it holds the delivery, it would hold the test send before it
        JsonNode logged = await().atMost(Duration.ofSeconds(5))
                .until(() -> loggedEvents("messageId=m-tester&destination=production"),
                        events -> events.size() > 0 && events.get(0).path("outcome").asText().equals("delivered"));
        assertThat(logged).hasSize(1);
        assertThat(logged.get(0).path("payloadId").asText()).isEqualTo(deliveryPayloadId);
    }

    private JsonNode loggedEvents(String query) throws IOException, InterruptedException {
        return Json.MAPPER.readTree(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/delivery/api/events?" + query)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("events");
    }
}
