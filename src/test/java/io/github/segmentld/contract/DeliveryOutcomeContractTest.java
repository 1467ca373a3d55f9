package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.github.segmentld.Json.parse;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.BULK_PATH;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.body;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.payloadId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.segmentld.Json;
import io.github.segmentld.LogCapture;
import io.github.segmentld.TestInbox;
import io.github.segmentld.launchdarkly.RedeliveryLogger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every row of the events API's outcome table, against a real HTTP server on 127.0.0.1. */
class DeliveryOutcomeContractTest extends ContractTestSupport {

    private static final String TWO_EVENTS = """
            {"type":"track","userId":"user1234","anonymousId":"anon-1","event":"Test Event","properties":{"revenue":123.456},"timestamp":"2022-03-30T17:24:58Z"}
            {"type":"alias","userId":"user1234","previousId":"anon-1","timestamp":"2022-03-30T17:24:31Z"}
            """;
    private static final JsonNode TWO_EVENTS_OUT = parse("""
            [{'kind':'custom','key':'Test Event','contextKeys':{'unauthenticatedUser':'anon-1','user':'user1234'},
              'metricValue':123.456,'data':{'revenue':123.456},'creationDate':1648661098000},
             {'kind':'alias','key':'user1234','previousKey':'anon-1','contextKind':'user',
              'previousContextKind':'anonymousUser','creationDate':1648661071000}]""");

    /**
     * Short enough for the timeout test to be quick, long enough for a stand-in slowed by a busy machine not to time
     * out the answers of the other tests (one second did, now and then).
     */
    private static final int TIMEOUT_MILLIS = 3000;

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("camel.component.http.response-timeout", Integer.toString(TIMEOUT_MILLIS));
        properties.setProperty("camel.component.http.so-timeout", Integer.toString(TIMEOUT_MILLIS));
    }

    private void answerAlways(int status, String body) {
        LAUNCHDARKLY.wireMock().stubFor(post(urlPathMatching(BULK_PATH)).atPriority(1)
                .willReturn(aResponse().withStatus(status).withBody(body)));
    }

    private JsonNode onlyDeadLetter() throws IOException {
        await().atMost(Duration.ofSeconds(20)).until(() -> TestInbox.list(inbox.deadLetters()).size() == 1);
        return Json.MAPPER.readTree(TestInbox.list(inbox.deadLetters()).get(0).toFile());
    }

    private static void assertOnePayloadId(List<LoggedRequest> requests) {
        assertThat(requests.stream().map(LaunchDarklyStandInServer::payloadId).distinct()).hasSize(1);
    }

    @Test
    void accepted202IsOnePostWithTheContractHeadersAndBody() {
        inbox.drop("two.ndjson", TWO_EVENTS);
        inbox.awaitDone("two.ndjson");

        List<LoggedRequest> requests = LAUNCHDARKLY.requests();
        assertThat(requests).hasSize(1);
        LoggedRequest request = requests.get(0);
        assertThat(request.getUrl()).isEqualTo("/events/bulk/test-client-id");
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        assertThat(request.header("Content-Encoding").values()).containsExactly("gzip");
        assertThat(request.getHeader("X-LaunchDarkly-Event-Schema")).isEqualTo("4");
        assertThat(request.getHeader("User-Agent"))
                .isEqualTo("segment-launchdarkly-camel/" + System.getProperty("project.version"));
        assertThat(UUID.fromString(payloadId(request))).isNotNull();
        assertThat(request.containsHeader("Authorization")).isFalse();
        // WireMock gunzips the body it records; on the wire it was the smaller, gzipped one
        assertThat(body(request)).isEqualTo(TWO_EVENTS_OUT);
        assertThat(Integer.parseInt(request.getHeader("Content-Length"))).isLessThan(request.getBody().length);
        assertThat(metric("launchdarkly.events.delivered", "destination", "default")).isEqualTo(2);
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();
    }

    @ParameterizedTest(name = "{0} then 202")
    @ValueSource(ints = {500, 502, 503, 408, 429})
    void recoverableAnswersAreRedeliveredWithTheSamePayloadId(int status) {
        LAUNCHDARKLY.answerFirst(aResponse().withStatus(status).withBody("try later"));

        try (LogCapture log = new LogCapture(RedeliveryLogger.class)) {
            inbox.drop("two.ndjson", TWO_EVENTS);
            inbox.awaitDone("two.ndjson");
            assertThat(log.lines()).singleElement().asString().startsWith("WARN Redelivering batch ")
                    .contains("attempt 2: LaunchDarkly answered " + status + " ");
        }

        List<LoggedRequest> requests = LAUNCHDARKLY.requests();
        assertThat(requests).hasSize(2);
        assertThat(payloadId(requests.get(1))).isEqualTo(payloadId(requests.get(0)));
        assertThat(body(requests.get(1))).isEqualTo(body(requests.get(0))).isEqualTo(TWO_EVENTS_OUT);
        assertThat(metric("launchdarkly.batches.retried", "destination", "default")).isEqualTo(1);
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();
    }

    @Test
    void aDroppedConnectionIsRedelivered() {
        LAUNCHDARKLY.answerFirst(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        inbox.drop("two.ndjson", TWO_EVENTS);
        inbox.awaitDone("two.ndjson");

        assertThat(LAUNCHDARKLY.requests()).hasSize(2);
        assertOnePayloadId(LAUNCHDARKLY.requests());
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();
    }

    @Test
    void aTimeoutIsRedelivered() {
        LAUNCHDARKLY.answerFirst(aResponse().withStatus(202).withFixedDelay(3 * TIMEOUT_MILLIS));

        inbox.drop("two.ndjson", TWO_EVENTS);
        inbox.awaitDone("two.ndjson");

        assertThat(LAUNCHDARKLY.requests()).hasSizeGreaterThanOrEqualTo(2);
        assertOnePayloadId(LAUNCHDARKLY.requests());
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();
    }

    @ParameterizedTest(name = "{0} is dead-lettered at once")
    @ValueSource(ints = {400, 401, 403, 404, 422})
    void permanentAnswersAreDeadLetteredWithoutRetry(int status) throws IOException {
        answerAlways(status, "refused " + status);

        inbox.drop("two.ndjson", TWO_EVENTS);
        inbox.awaitDone("two.ndjson");

        assertThat(LAUNCHDARKLY.requests()).hasSize(1);
        JsonNode deadLetter = onlyDeadLetter().path("deadLetter");
        assertThat(Files.readString(TestInbox.list(inbox.deadLetters()).get(0)))
                .as("its format version first, the rest as release 0.1.0 wrote it")
                .startsWith("{\"formatVersion\":1,\"deadLetter\":{\"time\":");
        assertThat(deadLetter.path("status").asInt()).isEqualTo(status);
        assertThat(deadLetter.path("responseBody").asText()).isEqualTo("refused " + status);
        assertThat(deadLetter.path("attempts").asInt()).isEqualTo(1);
        if (status == 401 || status == 403 || status == 404) {
            assertThat(deadLetter.path("reason").asText()).contains("client-side ID").doesNotContain("test-client-id");
        } else {
            assertThat(deadLetter.path("reason").asText()).startsWith("LaunchDarkly refused the batch permanently");
        }
        assertThat(metric("launchdarkly.batches.retried", "destination", "default")).isZero();
    }

    @Test
    void a413SplitsTheBatchInHalvesWithTheirOwnPayloadIds() {
        LAUNCHDARKLY.wireMock().stubFor(post(urlPathMatching(BULK_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$[2]")).willReturn(aResponse().withStatus(413)));
        StringBuilder four = new StringBuilder();
        for (int i = 1; i <= 4; i++) {
            four.append("{\"type\":\"track\",\"userId\":\"u").append(i).append("\",\"event\":\"E\",\"timestamp\":0}\n");
        }

        inbox.drop("four.ndjson", four.toString());
        inbox.awaitDone("four.ndjson");

        List<LoggedRequest> requests = LAUNCHDARKLY.requests();
        assertThat(requests).extracting(r -> body(r).size()).containsExactlyInAnyOrder(4, 2, 2);
        assertThat(requests).extracting(LaunchDarklyStandInServer::payloadId).doesNotHaveDuplicates();
        assertThat(requests.stream().filter(r -> body(r).size() == 2)
                .flatMap(r -> java.util.stream.StreamSupport.stream(body(r).spliterator(), false))
                .map(e -> e.path("contextKeys").path("user").asText()))
                .containsExactlyInAnyOrder("u1", "u2", "u3", "u4");
        assertThat(metric("launchdarkly.batches.split", "destination", "default")).isEqualTo(1);
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();
    }

    @Test
    void aSingleEventStillTooLargeIsDeadLetteredAndTheOthersDelivered() throws IOException {
        LAUNCHDARKLY.wireMock().stubFor(post(urlPathMatching(BULK_PATH)).atPriority(1)
                .withRequestBody(matchingJsonPath("$[?(@.key == 'Huge')]")).willReturn(aResponse().withStatus(413)));

        inbox.drop("three.ndjson", """
                {"type":"track","userId":"u1","event":"Small"}
                {"type":"track","userId":"u2","event":"Huge"}
                {"type":"track","userId":"u3","event":"Small"}
                """);
        inbox.awaitDone("three.ndjson");

        JsonNode deadLetter = onlyDeadLetter();
        assertThat(deadLetter.path("deadLetter").path("status").asInt()).isEqualTo(413);
        assertThat(deadLetter.path("launchDarklyEvents")).hasSize(1);
        assertThat(deadLetter.path("launchDarklyEvents").get(0).path("key").asText()).isEqualTo("Huge");
        assertThat(metric("launchdarkly.events.delivered", "destination", "default")).isEqualTo(2);
    }

    @Test
    void aDeadLetterFileReplaysByMovingItIntoTheInbox() throws IOException {
        answerAlways(400, "bad");
        inbox.drop("two.ndjson", TWO_EVENTS);
        inbox.awaitDone("two.ndjson");
        Path deadLetter = TestInbox.list(inbox.deadLetters()).get(0);
        String firstPayloadId = payloadId(LAUNCHDARKLY.requests().get(0));

        LAUNCHDARKLY.acceptEverything();
        Files.move(deadLetter, inbox.inbox().resolve(deadLetter.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        inbox.awaitDone(deadLetter.getFileName().toString());

        List<LoggedRequest> replayed = LAUNCHDARKLY.requests();
        assertThat(replayed).hasSize(1);
        assertThat(body(replayed.get(0))).isEqualTo(TWO_EVENTS_OUT);
        assertThat(payloadId(replayed.get(0))).isNotEqualTo(firstPayloadId);
    }

    @Test
    void reReadingAFileWhoseBatchesWereDeadLetteredAndEventsRejectedRecordsNothingAgain() throws IOException {
        answerAlways(400, "bad");
        String withBadRecords = TWO_EVENTS + "not json\n{\"type\":\"identify\",\"userId\":\"no-anonymous-id\"}\n";
        Path dropped = inbox.drop("two.ndjson", withBadRecords);
        Path done = inbox.awaitDone("two.ndjson");
        assertThat(TestInbox.list(inbox.deadLetters())).hasSize(1);
        List<String> rejected = TestInbox.lines(TestInbox.list(inbox.rejected()).get(0));
        assertThat(rejected).hasSize(2);

        // The same file, same size and modification time, as if the commit had been lost in a crash.
        Files.copy(done, inbox.inbox().resolve(".again"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.move(inbox.inbox().resolve(".again"), dropped, StandardCopyOption.ATOMIC_MOVE);
        inbox.awaitDone("two.ndjson");

        assertThat(LAUNCHDARKLY.requests()).hasSize(1);
        assertThat(TestInbox.list(inbox.deadLetters())).hasSize(1);
        assertThat(TestInbox.lines(TestInbox.list(inbox.rejected()).get(0))).isEqualTo(rejected);
        assertThat(metric("segment.events.rejected", "reason", "unreadable_record")).isEqualTo(1);
    }

    @Test
    void reReadingADeliveredFileSendsNothingAgain() throws IOException {
        Path dropped = inbox.drop("two.ndjson", TWO_EVENTS);
        Path done = inbox.awaitDone("two.ndjson");
        assertThat(LAUNCHDARKLY.requests()).hasSize(1);

        // The same file, same size and modification time, as if the commit had been lost in a crash.
        Files.copy(done, inbox.inbox().resolve(".again"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.move(inbox.inbox().resolve(".again"), dropped, StandardCopyOption.ATOMIC_MOVE);
        inbox.awaitDone("two.ndjson");

        assertThat(LAUNCHDARKLY.requests()).hasSize(1);
    }
}
