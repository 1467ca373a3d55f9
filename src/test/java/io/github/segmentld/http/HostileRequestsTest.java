package io.github.segmentld.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/** Tracking API requests built to break the reader: each is refused precisely, and the good events beside it kept. */
class HostileRequestsTest extends HttpSourceTestSupport {

    private static final String OK = "{\"success\":true}";

    @Test
    void aTimestampBeyondEpochMillisecondsBecomesTheArrivalTimeAndSinksNothing() {
        Instant before = Instant.now();
        HttpResponse<String> response = post("/v1/batch", """
                {"batch":[
                  {"type":"track","userId":"u","event":"Year","messageId":"t1","timestamp":"+292278995-01-01T00:00:00Z"},
                  {"type":"track","userId":"u","event":"Infinite","messageId":"t2","timestamp":1e999},
                  {"type":"track","userId":"u","event":"Digits","messageId":"t3","timestamp":123456789012345678901234567890},
                  {"type":"track","userId":"u","event":"Sent","messageId":"t4","timestamp":"2024-01-01T00:00:00Z",
                   "sentAt":"+292278995-01-01T00:00:00Z"},
                  {"type":"track","userId":"u","event":"Good","messageId":"t5","timestamp":"2024-01-01T00:00:00Z"}]}""");
        Instant after = Instant.now();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(OK);
        List<JsonNode> events = spooled();
        assertThat(events).extracting(e -> e.path("messageId").asText()).containsExactly("t1", "t2", "t3", "t4", "t5");
        for (JsonNode unreadable : events.subList(0, 3)) {
            assertThat(Instant.parse(unreadable.path("timestamp").asText())).isBetween(before, after)
                    .isEqualTo(Instant.parse(unreadable.path("receivedAt").asText()));
        }
        assertThat(events.get(3).path("timestamp").asText()).isEqualTo("2024-01-01T00:00:00Z");
        assertThat(events.get(4).path("timestamp").asText()).isEqualTo("2024-01-01T00:00:00Z");
    }

    @Test
    void aMessageIdOverOneHundredCharactersOrNotAStringIsRefusedOnItsOwn() {
        HttpResponse<String> response = post("/v1/batch", """
                {"batch":[
                  {"type":"track","userId":"u","event":"E","messageId":"%s"},
                  {"type":"track","userId":"u","event":"E","messageId":"%s"},
                  {"type":"track","userId":"u","event":"E","messageId":{"id":1}},
                  {"type":"track","userId":"u","event":"E","messageId":["x"]},
                  {"type":"track","userId":"u","event":"E","messageId":true},
                  {"type":"track","userId":"u","event":"E","messageId":42}]}"""
                .formatted("m".repeat(100), "m".repeat(30_000)));

        assertThat(response.body()).isEqualTo(OK);
        assertThat(spooled()).extracting(e -> e.path("messageId").asText()).containsExactly("m".repeat(100), "42");
        String rejected = String.join("\n", TestInbox.lines(TestInbox.list(inbox.rejected()).get(0)));
        assertThat(rejected).contains("the messageId is 30000 characters, over Segment's limit of 100",
                "the messageId must be a string, was object", "the messageId must be a string, was array",
                "the messageId must be a string, was boolean");
    }

    @Test
    void oneMessageIdFromTwoSourcesIsTwoEvents() {
        byte[] event = "{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"same\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(post("/v1/track", event, Map.of("Authorization", basic(WRITE_KEY + ":"))).body()).isEqualTo(OK);
        assertThat(post("/v1/track", event, Map.of("Authorization", basic("other-key:"))).body()).isEqualTo(OK);
        assertThat(post("/v1/track", event, Map.of("Authorization", basic("other-key:"))).body()).isEqualTo(OK);

        assertThat(spooled()).hasSize(2);
    }

    @Test
    void aSecondJsonValueOrBytesAfterTheJsonAreRefused() {
        HttpResponse<String> twoObjects = post("/v1/track",
                "{\"userId\":\"u\",\"event\":\"A\"}{\"userId\":\"u\",\"event\":\"B\"}");
        HttpResponse<String> trailing = post("/v1/track", "{\"userId\":\"u\",\"event\":\"A\"} trailing");
        HttpResponse<String> whitespace = post("/v1/track", "{\"userId\":\"u\",\"event\":\"C\"}\n \r\n");

        assertThat(twoObjects.statusCode()).isEqualTo(400);
        assertThat(twoObjects.body()).startsWith("{\"success\":false,\"message\":\"invalid JSON: Trailing token");
        assertThat(trailing.statusCode()).isEqualTo(400);
        assertThat(whitespace.statusCode()).isEqualTo(200);
        assertThat(spooled()).extracting(e -> e.path("event").asText()).containsExactly("C");
    }

    @Test
    void overlongUtf8IsRefused() {
        // "/" (0x2F) as the overlong two-byte sequence C0 AF, inside the event name
        byte[] body = "{\"userId\":\"u\",\"event\":\"A_B\"}".getBytes(StandardCharsets.UTF_8);
        byte[] overlong = new byte[body.length + 1];
        int at = new String(body, StandardCharsets.UTF_8).indexOf('_');
        System.arraycopy(body, 0, overlong, 0, at);
        overlong[at] = (byte) 0xC0;
        overlong[at + 1] = (byte) 0xAF;
        System.arraycopy(body, at + 1, overlong, at + 2, body.length - at - 1);

        HttpResponse<String> response = post("/v1/track", overlong, Map.of("Authorization", basic(WRITE_KEY + ":")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"success\":false,\"message\":\"the body is not valid UTF-8 (at byte "
                + at + ")\"}");
        assertThat(spooled()).isEmpty();
    }

    @Test
    void anUnknownKeyInTheHeaderIsRefusedBeforeTheBodyIsRead() {
        byte[] notGzip = {0x1f, (byte) 0x8b, 1, 2, 3};

        HttpResponse<String> response = post("/v1/batch", notGzip,
                Map.of("Authorization", basic("guess:"), "Content-Encoding", "gzip"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("{\"success\":false,\"message\":\"unknown write key\"}");
    }

    @Test
    void aHeaderNamedLikeAnInternalOneAuthenticatesNothing() {
        HttpResponse<String> response = post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}".getBytes(StandardCharsets.UTF_8),
                Map.of("segmentSource", "web"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(spooled()).isEmpty();
    }

    @Test
    void aWriteKeyInTheBodyIsNeverStored() throws Exception {
        HttpResponse<String> single = post("/v1/track", ("{\"writeKey\":\"" + WRITE_KEY
                + "\",\"userId\":\"u\",\"event\":\"One\"}").getBytes(StandardCharsets.UTF_8), Map.of());
        HttpResponse<String> batch = post("/v1/batch", ("{\"writeKey\":\"" + WRITE_KEY + "\",\"batch\":[{\"type\":\"track\","
                + "\"userId\":\"u\",\"event\":\"Two\",\"writeKey\":\"" + WRITE_KEY + "\"},{\"type\":\"track\",\"event\":\"Bad\","
                + "\"writeKey\":\"" + WRITE_KEY + "\"}]}").getBytes(StandardCharsets.UTF_8), Map.of());

        assertThat(single.body()).isEqualTo(OK);
        assertThat(batch.body()).isEqualTo(OK);
        assertThat(spooled()).extracting(e -> e.path("event").asText()).containsExactly("One", "Two");
        assertThat(spooled()).allSatisfy(e -> assertThat(e.has("writeKey")).isFalse());
        for (Path file : TestInbox.list(inbox.work().resolve("spool"))) {
            assertThat(Files.readString(file)).doesNotContain(WRITE_KEY);
        }
        assertThat(Files.readString(TestInbox.list(inbox.rejected()).get(0))).contains("Bad").doesNotContain(WRITE_KEY);
    }
}
