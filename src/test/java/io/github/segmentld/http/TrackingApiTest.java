package io.github.segmentld.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Segment's Tracking API as its clients see it: every path, auth form, limit and error. */
class TrackingApiTest extends HttpSourceTestSupport {

    private static final String OK = "{\"success\":true}";

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("http.max-batch-events", "5");
        properties.setProperty("http.max-event-bytes", "2048");
        properties.setProperty("http.max-nesting-depth", "10");
        properties.setProperty("http.max-string-length", "1000");
    }

    @ParameterizedTest(name = "{0} implies {1}")
    @CsvSource({"/v1/track,track", "/v1/t,track", "/v1/identify,identify", "/v1/i,identify", "/v1/page,page",
            "/v1/p,page", "/v1/screen,screen", "/v1/s,screen", "/v1/group,group", "/v1/g,group", "/v1/alias,alias",
            "/v1/a,alias", "/v1/track/,track", "/v1/alias/,alias"})
    void singleCallPathsImplyTheType(String path, String type) {
        HttpResponse<String> response = post(path, "{\"userId\":\"u1\",\"event\":\"E\",\"previousId\":\"p\",\"groupId\":\"g\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(OK);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(spooled()).singleElement().satisfies(e -> assertThat(e.path("type").asText()).isEqualTo(type));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/batch", "/v1/b", "/v1/import/", "/v1/import"})
    void batchPathsAcceptABatchAndMergeItsContext(String path) {
        HttpResponse<String> response = post(path, """
                {"batch":[{"type":"track","userId":"u1","event":"E"},{"type":"identify","userId":"u1","context":{"ip":"1.1.1.1"}}],
                 "context":{"ip":"0.0.0.0","library":{"name":"analytics-java"}},"integrations":{"Amplitude":false}}""");

        assertThat(response.body()).isEqualTo(OK);
        List<JsonNode> events = spooled();
        assertThat(events).extracting(e -> e.path("type").asText()).containsExactly("track", "identify");
        assertThat(events.get(0).path("context").toString()).isEqualTo("{\"ip\":\"0.0.0.0\",\"library\":{\"name\":\"analytics-java\"}}");
        assertThat(events.get(1).path("context").path("ip").asText()).isEqualTo("1.1.1.1");
        assertThat(events.get(0).path("integrations").toString()).isEqualTo("{\"Amplitude\":false}");
    }

    @Test
    void theServerStampsReceivedAtCorrectsTheClockAndAddsAMessageId() {
        Instant before = Instant.now();
        post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"sentAt\":\"2024-01-01T00:00:10Z\"}");
        Instant after = Instant.now();

        JsonNode event = spooled().get(0);
        Instant receivedAt = Instant.parse(event.path("receivedAt").asText());
        assertThat(receivedAt).isBetween(before, after);
        assertThat(Instant.parse(event.path("timestamp").asText())).isEqualTo(receivedAt.minusSeconds(10));
        assertThat(event.path("originalTimestamp").asText()).isEqualTo("2024-01-01T00:00:00Z");
        assertThat(event.path("messageId").asText()).startsWith("api-");
    }

    @Test
    void withoutSentAtTheClientTimestampIsKept() {
        post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2024-01-01T00:00:00.250Z\",\"messageId\":\"m-1\"}");

        JsonNode event = spooled().get(0);
        assertThat(event.path("timestamp").asText()).isEqualTo("2024-01-01T00:00:00.250Z");
        assertThat(event.path("messageId").asText()).isEqualTo("m-1");
    }

    @Test
    void aClientRetryOfTheSameMessageIdIsAnsweredButAcceptedOnce() {
        String event = "{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"retry-me\"}";

        assertThat(post("/v1/track", event).body()).isEqualTo(OK);
        assertThat(post("/v1/track", event).body()).isEqualTo(OK);

        assertThat(spooled()).hasSize(1);
    }

    @Test
    void theWriteKeyMayComeAsBasicUserWithOrWithoutColonOrInTheBody() {
        String event = "{\"userId\":\"u\",\"event\":\"E\"}";
        byte[] body = event.getBytes(StandardCharsets.UTF_8);

        assertThat(post("/v1/track", body, Map.of("Authorization", basic(WRITE_KEY + ":"))).statusCode()).isEqualTo(200);
        assertThat(post("/v1/track", body, Map.of("Authorization", basic(WRITE_KEY))).statusCode()).isEqualTo(200);
        assertThat(post("/v1/track", body, Map.of("Authorization", basic("other-key:"))).statusCode()).isEqualTo(200);
        assertThat(post("/v1/track", ("{\"writeKey\":\"" + WRITE_KEY + "\",\"userId\":\"u\",\"event\":\"E\"}")
                .getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "text/plain")).statusCode()).isEqualTo(200);
        assertThat(spooled()).hasSize(4);
    }

    @Test
    void missingOrUnknownWriteKeysAre401AndAcceptNothing() {
        byte[] body = "{\"userId\":\"u\",\"event\":\"E\"}".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> missing = post("/v1/track", body, Map.of("Content-Type", "application/json"));
        HttpResponse<String> unknown = post("/v1/track", body, Map.of("Authorization", basic("guess:")));

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.body()).startsWith("{\"success\":false,\"message\":\"no write key");
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.body()).isEqualTo("{\"success\":false,\"message\":\"unknown write key\"}").doesNotContain("guess");
        assertThat(spooled()).isEmpty();
        assertThat(TestInbox.list(inbox.rejected())).isEmpty();
    }

    @Test
    void gzipBodiesAreDecoded() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Zipped\"}]}".getBytes(StandardCharsets.UTF_8));
        }

        HttpResponse<String> response = post("/v1/batch", gz.toByteArray(),
                Map.of("Content-Encoding", "gzip", "Authorization", basic(WRITE_KEY + ":")));

        assertThat(response.body()).isEqualTo(OK);
        assertThat(spooled()).singleElement().satisfies(e -> assertThat(e.path("event").asText()).isEqualTo("Zipped"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "invalid JSON          | {not json                                   | 400 | invalid JSON: ",
            "not an object         | [1,2]                                       | 400 | the body must be a JSON object",
            "batch without array   | {\"batch\":{}}                              | 400 | a batch request needs a \"batch\" array",
            "too many events       | {\"batch\":[{},{},{},{},{},{}]}             | 400 | the batch has 6 events, over the limit of 5",
            "too deep              | {\"a\":[[[[[[[[[[[1]]]]]]]]]]]}             | 400 | the JSON breaks a limit: Document nesting depth (11) exceeds the maximum allowed (10"})
    void badBatchRequestsAreRefusedWholeWithAMessageThatNamesTheProblem(String name, String body, int status, String message) {
        HttpResponse<String> response = post("/v1/batch", body);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.body()).startsWith("{\"success\":false,\"message\":\"" + message.replace("\"", "\\\""));
        assertThat(spooled()).isEmpty();
    }

    @Test
    void aTooLongStringIsRefused() {
        HttpResponse<String> response = post("/v1/track", "{\"userId\":\"" + "x".repeat(1001) + "\",\"event\":\"E\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("the JSON breaks a limit: String value length (1001) exceeds the maximum allowed (1000");
    }

    @Test
    void anOversizedRequestIsRefused() {
        HttpResponse<String> response = post("/v1/batch", "{\"batch\":[],\"pad\":\"" + "x".repeat(520_000) + "\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"success\":false,\"message\":\"the request body is larger than the limit of 512000 bytes\"}");
    }

    @Test
    void badEventsAreRefusedOneByOneAndTheRestAccepted() {
        HttpResponse<String> response = post("/v1/batch", """
                {"batch":[
                  {"type":"track","event":"No identity"},
                  {"type":"track","userId":"u"},
                  {"type":"track","userId":"u","event":"Big","properties":{"pad":"%s"}},
                  {"type":"launch","userId":"u"},
                  {"type":"track","anonymousId":"a","event":"Fine"}]}""".formatted("x".repeat(900) + "\",\"pad2\":\"" + "y".repeat(900) + "\",\"pad3\":\"" + "z".repeat(900)));

        assertThat(response.body()).isEqualTo(OK);
        assertThat(spooled()).singleElement().satisfies(e -> assertThat(e.path("event").asText()).isEqualTo("Fine"));
        List<String> records = TestInbox.lines(TestInbox.list(inbox.rejected()).get(0));
        assertThat(records).hasSize(4);
        assertThat(String.join("\n", records)).contains("the event has neither userId nor anonymousId",
                "a track call needs an event name", "over the limit of 2048", "unknown event type 'launch'",
                "POST /v1/batch from web");
    }

    @Test
    void unknownPathsFormsAndOtherMethodsAreRefused() {
        assertThat(post("/v1/launch", "{}").statusCode()).isEqualTo(404);
        assertThat(post("/v1/track", "userId=u".getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/x-www-form-urlencoded", "Authorization", basic(WRITE_KEY))).statusCode())
                .isEqualTo(415);
    }
}
