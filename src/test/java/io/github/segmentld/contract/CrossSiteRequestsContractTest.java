package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * The operator endpoints without operator.token, where whoever reaches 127.0.0.1 may use them: what another site's
 * page can make a browser send (a plain form, a request with its own Origin) is refused, and neither the replay nor
 * the event tester runs.
 */
class CrossSiteRequestsContractTest extends ContractTestSupport {

    private static final String EVENTS = """
            {"type":"track","messageId":"m-track","userId":"user1234","event":"Order Completed"}
            {"type":"identify","messageId":"m-identify","userId":"user5678","traits":{"plan":"free"}}
            """;
    private static final String REPLAY = "/delivery/api/replay?kind=rejected&confirm=true";

    private final HttpClient client = HttpClient.newHttpClient();
    private int port;

    @Override
    protected void adjust(Properties properties) {
        port = serveHttp(properties);
        properties.setProperty("http.write-keys", "web=cross-site-write-key");
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aForgedFormOrAnotherSitesRequestIsRefusedAndTheReplayDoesNotRun() throws Exception {
        inbox.drop("events.ndjson", EVENTS);
        inbox.awaitDone("events.ndjson");
        // the rejected identify is in the delivery log (written within a second): a replay would have an event to send
        await().atMost(Duration.ofSeconds(10)).until(() -> Json.MAPPER.readTree(post("/delivery/api/replay?kind=rejected",
                "", "Content-Type", "application/json").body()).path("events").asInt() == 1);
        int delivered = LAUNCHDARKLY.accepted().size();

        List<String[]> forged = List.of(
                new String[] {"Content-Type", "application/x-www-form-urlencoded"},
                new String[] {"Content-Type", "text/plain"},
                new String[] {"Content-Type", "multipart/form-data; boundary=b"},
                new String[0]);
        for (String[] headers : forged) {
            HttpResponse<String> refused = post(REPLAY, "X-Requested-By=1&Content-Type=application/json", headers);
            assertThat(refused.statusCode()).as(String.join(" ", headers)).isEqualTo(403);
            assertThat(refused.body()).isEqualTo("{\"message\":\"send Content-Type: application/json or an"
                    + " X-Requested-By header: another site's page can make a request other than GET or HEAD without"
                    + " either\"}");
        }
        // a form field or query parameter named as the header is not the header
        assertThat(post(REPLAY + "&X-Requested-By=1", "X-Requested-By=1",
                "Content-Type", "application/x-www-form-urlencoded").statusCode()).isEqualTo(403);
        for (String[] foreign : new String[][] {{"Origin", "http://evil.example"}, {"Sec-Fetch-Site", "cross-site"},
            {"Sec-Fetch-Site", "same-site"}, {"Origin", "null"}}) {
            HttpResponse<String> refused = post(REPLAY, "", "Content-Type", "application/json", foreign[0], foreign[1]);
            assertThat(refused.statusCode()).as(foreign[1]).isEqualTo(403);
            assertThat(refused.body()).contains("another site's page");
        }
        assertThat(post("/preview", "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}", "Content-Type",
                "text/plain").statusCode()).isEqualTo(403);
        // a form (enctype text/plain) can post a JSON-looking body: the event tester would send it for real
        assertThat(post("/launchdarkly/test-event?destination=default", "{\"type\":\"track\",\"userId\":\"u\","
                + "\"event\":\"E\"}", "Content-Type", "text/plain").statusCode()).isEqualTo(403);

        assertThat(TestInbox.list(inbox.inbox())).isEmpty();
        assertThat(TestInbox.list(inbox.done())).extracting(Path::getFileName).extracting(Path::toString)
                .containsExactly("events.ndjson");
        assertThat(LAUNCHDARKLY.accepted()).hasSize(delivered);

        // the operator's own request, as curl sends it, runs the replay: nothing was marked replayed before
        HttpResponse<String> replayed = post(REPLAY, "", "Content-Type", "application/json");
        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
        JsonNode answer = Json.MAPPER.readTree(replayed.body());
        assertThat(answer.get("events").asInt()).isEqualTo(1);
        assertThat(answer.get("files").asInt()).isEqualTo(1);
        Path replayFile = await().atMost(Duration.ofSeconds(10)).until(() -> TestInbox.list(inbox.done()).stream()
                .filter(file -> file.getFileName().toString().startsWith("replay-rejected-")).findFirst(),
                Optional::isPresent).orElseThrow();
        assertThat(Files.readString(replayFile)).contains("\"messageId\":\"m-identify\"").doesNotContain("m-track");
        assertThat(post(REPLAY.replace("rejected", "dead_letters"), "", "X-Requested-By", "curl",
                "Origin", "http://127.0.0.1:" + port, "Sec-Fetch-Site", "same-origin").statusCode()).isEqualTo(200);
    }

    @Test
    void theTrackingApiStillTakesWhatItsClientsSend() throws Exception {
        HttpResponse<String> accepted = post("/v1/track", "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\","
                + "\"messageId\":\"m-1\"}", "Content-Type", "text/plain", "Origin", "https://shop.example",
                "Sec-Fetch-Site", "cross-site", "Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString("cross-site-write-key:".getBytes(StandardCharsets.UTF_8)));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
    }
}
