package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * The inbox recognises an input by its content, so sending something again is the replay's job: a delivered file is
 * sent again through it, and rejected events are read again whenever they are replayed anew.
 */
class ReplayContractTest extends ContractTestSupport {

    private static final String EVENTS = """
            {"type":"track","messageId":"m-1","userId":"u1","event":"E","timestamp":"2024-01-01T00:00:00Z"}
            {"type":"track","messageId":"m-2","userId":"u2","event":"E","timestamp":"2024-01-01T00:00:00Z"}
            {"type":"identify","messageId":"m-identify","userId":"u3","traits":{"plan":"free"}}
            """;

    private final HttpClient client = HttpClient.newHttpClient();
    private int port;

    @Override
    protected void adjust(Properties properties) {
        port = serveHttp(properties);
    }

    @Test
    void aDeliveredFileReplayedIsSentAgainUnderPayloadIdsOfItsOwn() throws Exception {
        inbox.drop("events.ndjson", EVENTS);
        inbox.awaitDone("events.ndjson");
        assertThat(LAUNCHDARKLY.requests()).hasSize(1);

        JsonNode counted = replay("kind=file&name=events.ndjson");
        assertThat(counted.get("files").asInt()).isEqualTo(1);
        assertThat(counted.get("replayed").asBoolean()).isFalse();
        assertThat(TestInbox.list(inbox.inbox())).isEmpty();

        JsonNode replayed = replay("kind=file&name=events.ndjson&confirm=true");
        String copy = replayed.get("file").asText();
        assertThat(copy).matches("replay-[0-9]+-events\\.ndjson");
        inbox.awaitDone(copy);

        assertThat(LAUNCHDARKLY.requests()).hasSize(2);
        assertThat(LAUNCHDARKLY.accepted()).hasSize(2);
        assertThat(LAUNCHDARKLY.acceptedUsers()).containsExactly("u1", "u2", "u1", "u2");
        assertThat(inbox.done().resolve("events.ndjson")).exists();
        assertThat(post("kind=file&name=../state/delivery.db&confirm=true").statusCode()).isEqualTo(400);
        assertThat(post("kind=file&name=missing.ndjson").statusCode()).isEqualTo(400);
    }

    @Test
    void rejectedEventsRejectedAgainAreReplayedAgainFromAfterTheEarlierReplayAndOnlySo() throws Exception {
        inbox.drop("events.ndjson", EVENTS);
        inbox.awaitDone("events.ndjson");
        awaitRejections("m-identify", 1);

        String afterTheFirstRejection = Instant.now().toString();
        assertThat(replay("kind=rejected&reason=validation&confirm=true").get("files").asInt()).isEqualTo(1);
        String first = awaitReplayFiles(1).get(0);
        awaitRejections("m-identify", 2);
        // the done folder's retention removed the replay's file
        Files.delete(inbox.done().resolve(first));

        // the same selection makes the same page, which the inbox has read: nothing is sent twice
        assertThat(replay("kind=rejected&reason=validation&confirm=true").get("files").asInt()).isEqualTo(1);
        inbox.awaitDone(first);
        Files.delete(inbox.done().resolve(first));
        // the rejection of the replay, selected on its own, is a page of its own, read again
        assertThat(replay("kind=rejected&reason=validation&confirm=true&from=" + afterTheFirstRejection)
                .get("files").asInt()).isEqualTo(1);
        List<String> second = awaitReplayFiles(1);
        assertThat(second).doesNotContain(first);
        awaitRejections("m-identify", 3);
        // the log records in order: had the same page been read twice, its second rejection would be here
        List<String> inputs = new ArrayList<>();
        events("m-identify").forEach(event -> inputs.add(event.get("input").asText()));
        assertThat(inputs).containsExactlyInAnyOrder("events.ndjson", first, second.get(0));
    }

    private JsonNode events(String messageId) throws IOException, InterruptedException {
        return Json.MAPPER.readTree(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/delivery/api/events?messageId=" + messageId)).build(), HttpResponse.BodyHandlers.ofString())
                .body()).get("events");
    }

    private List<String> awaitReplayFiles(int count) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> TestInbox.list(inbox.done()).stream()
                .map(path -> path.getFileName().toString()).filter(name -> name.startsWith("replay-rejected-"))
                .toList(), names -> names.size() == count);
    }

    private void awaitRejections(String messageId, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> events(messageId).size() == count);
    }

    private JsonNode replay(String query) throws IOException, InterruptedException {
        HttpResponse<String> answer = post(query);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return Json.MAPPER.readTree(answer.body());
    }

    private HttpResponse<String> post(String query) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/delivery/api/replay?"
                        + query)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
