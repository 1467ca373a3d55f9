package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.BULK_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * The delivery log seen through its HTTP API: for a messageId, what LaunchDarkly received, under which payload ID,
 * when, and what it answered; why an event was filtered or rejected; each request of a batch that failed first.
 */
class DeliveryLogContractTest extends ContractTestSupport {

    private static final String EVENTS = """
            {"type":"track","messageId":"m-track","userId":"user1234","anonymousId":"anon-1","event":"Test Event","properties":{"revenue":123.456},"timestamp":"2022-03-30T17:24:58Z"}
            {"type":"alias","messageId":"m-alias","userId":"user1234","previousId":"anon-1","timestamp":"2022-03-30T17:24:31Z"}
            {"type":"page","messageId":"m-page","userId":"user1234","name":"Home"}
            {"type":"identify","messageId":"m-identify","userId":"user5678","traits":{"plan":"free"}}
            not JSON at all
            """;

    private static final String WRITE_KEY = "delivery-log-write-key";

    private final HttpClient client = HttpClient.newHttpClient();
    private int port;

    @Override
    protected void adjust(Properties properties) {
        port = serveHttp(properties);
        properties.setProperty("http.write-keys", "web=" + WRITE_KEY);
        properties.setProperty("camel.component.http.response-timeout", "1000");
        properties.setProperty("delivery-log.replay-page-size", "2");
    }

    @Test
    void aMessageIdShowsWhatLaunchDarklyReceivedUnderWhichPayloadIdAndItsAnswer() throws Exception {
        inbox.drop("events.ndjson", EVENTS);
        inbox.awaitDone("events.ndjson");
        Map<String, JsonNode> accepted = LAUNCHDARKLY.accepted();
        assertThat(accepted).hasSize(1);
        String payloadId = accepted.keySet().iterator().next();
        JsonNode received = accepted.get(payloadId);

        JsonNode track = await().atMost(Duration.ofSeconds(5)).until(() -> only("messageId=m-track"),
                event -> event != null && event.path("outcome").asText().equals("delivered"));
        assertThat(track.get("launchDarklyEvent")).isEqualTo(received.get(0));
        assertThat(track.get("payloadId").asText()).isEqualTo(payloadId);
        assertThat(track.get("destination").asText()).isEqualTo("default");
        assertThat(track.get("mapping").asText()).isEqualTo("Track Event");
        assertThat(track.get("input").asText()).isEqualTo("events.ndjson");
        assertThat(track.get("position").asText()).isEqualTo("line 1");
        assertThat(track.get("type").asText()).isEqualTo("track");
        assertThat(track.get("event").asText()).isEqualTo("Test Event");
        assertThat(track.get("userId").asText()).isEqualTo("user1234");
        assertThat(track.get("deliveredAt").asText()).isNotEmpty();
        assertThat(track.get("attempts")).hasSize(1);
        assertThat(track.get("attempts").get(0).get("status").asInt()).isEqualTo(202);

        JsonNode alias = only("messageId=m-alias");
        assertThat(alias.get("launchDarklyEvent")).isEqualTo(received.get(1));
        assertThat(alias.get("payloadId").asText()).isEqualTo(payloadId);

        JsonNode page = only("messageId=m-page");
        assertThat(page.get("outcome").asText()).isEqualTo("filtered");
        assertThat(page.get("reason").asText()).isEqualTo("no_matching_mapping");
        assertThat(page.get("detail").asText()).isEqualTo("no enabled mapping's trigger matches it (type page); POST it"
                + " to /preview to see each trigger's conditions");
        assertThat(page.get("launchDarklyEvent").isNull()).isTrue();

        JsonNode identify = only("messageId=m-identify");
        assertThat(identify.get("outcome").asText()).isEqualTo("rejected");
        assertThat(identify.get("reason").asText()).isEqualTo("validation");
        assertThat(identify.get("detail").asText()).isEqualTo("The root value is missing the required field 'previous_key'.");
        assertThat(identify.get("mapping").asText()).isEqualTo("Alias User");

        JsonNode unreadable = search("outcome=rejected&event=&destination=").get("events");
        assertThat(unreadable).extracting(event -> event.get("position").asText()).containsExactly("line 5", "line 4");
        assertThat(unreadable.get(0).get("reason").asText()).isEqualTo("unreadable_record");
        assertThat(unreadable.get(0).get("segmentEvent").asText()).isEqualTo("not JSON at all");
    }

    @Test
    void searchFindsAUsersEventsNewestFirstPageByPage() throws Exception {
        inbox.drop("events.ndjson", EVENTS);
        inbox.awaitDone("events.ndjson");
        await().atMost(Duration.ofSeconds(5)).until(() -> search("user=user1234").get("events").size() == 3);

        List<String> pages = new ArrayList<>();
        JsonNode page = search("user=user1234&limit=2");
        page.get("events").forEach(event -> pages.add(event.get("messageId").asText()));
        page = search("user=user1234&limit=2&before=" + page.get("next").asText());
        page.get("events").forEach(event -> pages.add(event.get("messageId").asText()));
        assertThat(page.has("next")).isFalse();
        // the filtered page is logged at settlement, after the batch's events
        assertThat(pages).containsExactly("m-page", "m-alias", "m-track");
        assertThat(search("user=anon-1").get("events")).hasSize(1);
        assertThat(search("event=Test+Event").get("events")).hasSize(1);
        assertThat(search("outcome=delivered&mapping=Alias+User").get("events")).hasSize(1);
        assertThat(search("from=2000-01-01T00:00:00Z&to=2001-01-01T00:00:00Z").get("events")).isEmpty();
    }

    @Test
    void eachRequestOfABatchIsLoggedWithLaunchDarklysAnswer() throws Exception {
        LAUNCHDARKLY.answerFirst(aResponse().withStatus(503).withBody("{\"message\":\"try later\"}"));
        inbox.drop("events.ndjson", EVENTS);
        inbox.awaitDone("events.ndjson");

        JsonNode track = await().atMost(Duration.ofSeconds(5)).until(() -> only("messageId=m-track"),
                event -> event != null && event.get("attempts").size() == 2
                        && event.path("outcome").asText().equals("delivered"));
        JsonNode first = track.get("attempts").get(0);
        assertThat(first.get("status").asInt()).isEqualTo(503);
        assertThat(first.get("responseBody").asText()).isEqualTo("{\"message\":\"try later\"}");
        assertThat(first.get("error").asText()).contains("503");
        assertThat(track.get("attempts").get(1).get("status").asInt()).isEqualTo(202);
        assertThat(track.get("attempts").get(1).has("error")).isFalse();
    }

    @Test
    void aBatchLaunchDarklyRefusesIsDeadLetteredWithItsReason() throws Exception {
        LAUNCHDARKLY.wireMock().stubFor(post(urlPathMatching(BULK_PATH)).atPriority(1)
                .willReturn(aResponse().withStatus(400).withBody("bad payload")));
        inbox.drop("events.ndjson", EVENTS);
        inbox.awaitDone("events.ndjson");

        JsonNode track = await().atMost(Duration.ofSeconds(5)).until(() -> only("messageId=m-track"),
                event -> event != null && event.path("outcome").asText().equals("dead_lettered"));
        assertThat(track.get("detail").asText()).contains("400");
        assertThat(track.get("attempts")).hasSize(1);
        assertThat(track.get("attempts").get(0).get("responseBody").asText()).isEqualTo("bad payload");
        assertThat(track.has("deliveredAt")).isFalse();
    }

    @Test
    void theOverviewCountsEachStageOfTheFunnelPerDestinationAndMapping() throws Exception {
        inbox.drop("events.ndjson", EVENTS);
        inbox.awaitDone("events.ndjson");

        JsonNode overview = await().atMost(Duration.ofSeconds(5)).until(() -> overview("window=1h"),
                answer -> answer.path("current").path("received").asLong() == 5
                        && answer.path("latency").path("events").asLong() == 2);
        assertThat(overview.get("window").asText()).isEqualTo("1h");
        JsonNode current = overview.get("current");
        assertThat(current.get("failedOnIngest").asLong()).isEqualTo(1);
        assertThat(current.get("filtered")).isEqualTo(Json.MAPPER.readTree("{\"no_matching_mapping\":1}"));
        assertThat(current.get("destinations")).isEqualTo(Json.MAPPER.readTree(
                "{\"default\":{\"Track Event\":{\"delivered\":1},\"Alias User\":{\"delivered\":1,\"rejected\":1}}}"));
        assertThat(current.get("types")).extracting(type -> type.get("type").asText() + "/" + type.get("event").asText()
                + "=" + type.get("events").asLong())
                .containsExactlyInAnyOrder("track/Test Event=1", "alias/=1", "page/=1", "identify/=1", "/=1");
        assertThat(overview.get("previous").get("received").asLong()).isZero();
        JsonNode latency = overview.get("latency");
        assertThat(latency.get("p50Ms").asLong()).isLessThanOrEqualTo(latency.get("p95Ms").asLong())
                .isGreaterThanOrEqualTo(0);
        assertThat(latency.get("p99Ms").asLong()).isGreaterThanOrEqualTo(latency.get("p95Ms").asLong());

        HttpResponse<String> unknown = get("/delivery/api/overview", "window=2h");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(unknown.body()).get("message").asText())
                .isEqualTo("window must be one of 10m, 1h, 24h, 7d, 14d");
    }

    @Test
    void aBackfillOfMonthOldEventsHasASmallServiceLatencyAndALargeAge() throws Exception {
        Duration aMonth = Duration.ofDays(31);
        String monthAgo = Instant.now().minus(aMonth).toString();
        StringBuilder backfill = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            backfill.append("{\"type\":\"track\",\"messageId\":\"m-").append(i).append("\",\"userId\":\"u-")
                    .append(i).append("\",\"event\":\"Order Completed\",\"receivedAt\":\"").append(monthAgo)
                    .append("\"}\n");
        }
        long dropped = System.currentTimeMillis();
        inbox.drop("export.ndjson", backfill.toString());
        inbox.awaitDone("export.ndjson");
        long done = System.currentTimeMillis();

        JsonNode overview = await().atMost(Duration.ofSeconds(5)).until(() -> overview("window=10m"),
                answer -> answer.path("latency").path("events").asLong() == 3);
        // read after the drop, answered before the file was done: the service's time, not the events' month
        assertThat(overview.get("latency").get("p99Ms").asLong()).isLessThanOrEqualTo(done - dropped);
        assertThat(overview.get("eventAge").get("events").asLong()).isEqualTo(3);
        assertThat(overview.get("eventAge").get("p50Ms").asLong()).isGreaterThanOrEqualTo(aMonth.toMillis());

        JsonNode timeline = report("/delivery/api/timeline", "window=10m");
        assertThat(timeline.get("bucketSeconds").asLong()).isEqualTo(60);
        long delivered = 0;
        for (JsonNode bucket : timeline.get("buckets")) {
            delivered += bucket.get("delivered").asLong();
        }
        assertThat(delivered).isEqualTo(3);
    }

    @Test
    void theErrorTableHasEachReasonWithWhatToDoAndSamples() throws Exception {
        LAUNCHDARKLY.wireMock().stubFor(post(urlPathMatching(BULK_PATH)).atPriority(1)
                .willReturn(aResponse().withStatus(400).withBody("bad payload")));
        inbox.drop("events.ndjson", EVENTS);
        inbox.awaitDone("events.ndjson");

        JsonNode errors = await().atMost(Duration.ofSeconds(5)).until(() -> report("/delivery/api/errors", "window=10m"),
                answer -> answer.path("errors").size() == 4).get("errors");
        JsonNode deadLettered = row(errors, "dead_lettered");
        assertThat(deadLettered.get("count").asLong()).isEqualTo(2);
        assertThat(deadLettered.get("whatHappened").asText()).contains("400");
        assertThat(deadLettered.get("whatToDo").asText()).contains("dead-letter folder into the inbox");
        JsonNode sample = deadLettered.get("samples").get(0);
        assertThat(sample.get("sent").get("messageId").asText()).isEqualTo("m-track");
        assertThat(sample.get("request"))
                .isEqualTo(Json.MAPPER.readTree(LAUNCHDARKLY.requests().get(0).getBodyAsString()).get(0));
        assertThat(sample.get("response").get("status").asInt()).isEqualTo(400);
        assertThat(sample.get("response").get("body").asText()).isEqualTo("bad payload");

        JsonNode refused = row(errors, "http_400");
        assertThat(refused.get("count").asLong()).isEqualTo(1);
        JsonNode validation = row(errors, "validation");
        assertThat(validation.get("whatHappened").asText())
                .isEqualTo("The root value is missing the required field 'previous_key'.");
        assertThat(validation.get("samples").get(0).get("sent").get("messageId").asText()).isEqualTo("m-identify");
        assertThat(row(errors, "unreadable_record").get("samples").get(0).get("sent").asText())
                .isEqualTo("not JSON at all");
        assertThat(get("/delivery/api/nothing", "").statusCode()).isEqualTo(404);

        JsonNode queues = report("/delivery/api/queues", "");
        assertThat(queues.get("deadLetters").get("files").asLong()).isEqualTo(1);
        // named relative to the work folder, not as the absolute path of this test's folder
        assertThat(queues.get("deadLetters").get("folder").asText()).isEqualTo("dead-letter/");
        assertThat(queues.get("retryQueues").get(0).get("destination").asText()).isEqualTo("default");
        assertThat(queues.get("retryQueues").get(0).get("batches").asLong()).isZero();
    }

    @Test
    void deadLettersAndRejectedEventsAreCountedThenReplayedOnConfirmation() throws Exception {
        LAUNCHDARKLY.wireMock().stubFor(post(urlPathMatching(BULK_PATH)).atPriority(1)
                .willReturn(aResponse().withStatus(400).withBody("bad payload")));
        inbox.drop("events.ndjson", EVENTS);
        inbox.awaitDone("events.ndjson");
        await().atMost(Duration.ofSeconds(5)).until(() -> only("messageId=m-track") != null
                && only("messageId=m-track").get("outcome").asText().equals("dead_lettered"));
        LAUNCHDARKLY.acceptEverything();

        JsonNode counted = Json.MAPPER.readTree(postReplay("kind=dead_letters&destination=default&reason=400").body());
        assertThat(counted.get("deadLetters").asInt()).isEqualTo(1);
        assertThat(counted.get("replayed").asBoolean()).isFalse();
        assertThat(LAUNCHDARKLY.accepted()).isEmpty();
        assertThat(Json.MAPPER.readTree(postReplay("kind=dead_letters&reason=503").body()).get("deadLetters").asInt())
                .isZero();

        HttpResponse<String> replayed = postReplay("kind=dead_letters&destination=default&confirm=true");
        assertThat(Json.MAPPER.readTree(replayed.body()).get("replayed").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> LAUNCHDARKLY.acceptedUsers().size() == 2);
        assertThat(LAUNCHDARKLY.acceptedUsers()).containsExactly("user1234", "user1234");
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();

        JsonNode rejected = Json.MAPPER.readTree(postReplay("kind=rejected&reason=validation&confirm=true").body());
        assertThat(rejected.get("events").asInt()).isEqualTo(1);
        assertThat(rejected.get("files").asInt()).isEqualTo(1);
        List<Path> replayFiles = await().atMost(Duration.ofSeconds(10)).until(() -> replayFiles(inbox.done()),
                files -> files.size() == 1);
        assertThat(Files.readString(replayFiles.get(0))).contains("\"messageId\":\"m-identify\"")
                .doesNotContain("m-track");
        // the same events again (a second click): not written, so not sent twice
        HttpResponse<String> again = postReplay("kind=rejected&reason=validation&confirm=true");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(again.body()).get("message").asText()).contains("replayed already");
        assertThat(TestInbox.list(inbox.inbox())).isEmpty();
        assertThat(postReplay("kind=everything").statusCode()).isEqualTo(400);
    }

    @Test
    void rejectedEventsAreReplayedInPagesOfTheConfiguredSizeEachOnceAndAReplayCutShortWritesOnlyWhatIsMissing()
            throws Exception {
        // m-3 is rejected in both files: in the log twice, replayed once
        inbox.drop("first.ndjson", identifies(1, 2, 3));
        inbox.awaitDone("first.ndjson");
        inbox.drop("second.ndjson", identifies(3, 4, 5));
        inbox.awaitDone("second.ndjson");
        await().atMost(Duration.ofSeconds(5)).until(() -> search("outcome=rejected").get("events").size() == 6);

        JsonNode counted = Json.MAPPER.readTree(postReplay("kind=rejected").body());
        assertThat(counted.get("events").asInt()).isEqualTo(5);
        assertThat(replayFiles(inbox.inbox())).isEmpty();

        JsonNode replayed = Json.MAPPER.readTree(postReplay("kind=rejected&confirm=true").body());
        assertThat(replayed.get("events").asInt()).isEqualTo(5);
        assertThat(replayed.get("files").asInt()).isEqualTo(3);
        assertThat(replayed.get("filesReplayedAlready").asInt()).isZero();
        List<Path> pages = await().atMost(Duration.ofSeconds(10)).until(() -> replayFiles(inbox.done()),
                files -> files.size() == 3);
        Map<String, Path> pageByContent = new TreeMap<>();
        for (Path page : pages) {
            pageByContent.put(Json.MAPPER.readTree(page.toFile()).get("batch").toString(), page);
        }
        // pages of delivery-log.replay-page-size (2) events, oldest first, as they were sent
        assertThat(pageByContent.keySet()).containsExactly(batch(1, 2), batch(3, 4), batch(5));

        // cut short before its last page: asked again, it writes that page only, the same file
        Path lastPage = pageByContent.get(batch(5));
        String lastContent = Files.readString(lastPage);
        Files.delete(lastPage);
        JsonNode again = Json.MAPPER.readTree(postReplay("kind=rejected&confirm=true").body());
        assertThat(again.get("events").asInt()).isEqualTo(5);
        assertThat(again.get("files").asInt()).isEqualTo(1);
        assertThat(again.get("filesReplayedAlready").asInt()).isEqualTo(2);
        inbox.awaitDone(lastPage.getFileName().toString());
        assertThat(Files.readString(lastPage)).isEqualTo(lastContent);

        HttpResponse<String> thirdTime = postReplay("kind=rejected&confirm=true");
        assertThat(thirdTime.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(thirdTime.body()).get("message").asText()).contains("replayed already");
    }

    /** Identify calls without an anonymous ID, which the Alias User action rejects: one line each. */
    private static String identifies(int... numbers) {
        StringBuilder lines = new StringBuilder();
        for (int n : numbers) {
            lines.append("{\"type\":\"identify\",\"messageId\":\"m-").append(n).append("\",\"userId\":\"u-")
                    .append(n).append("\",\"traits\":{\"plan\":\"free\"}}\n");
        }
        return lines.toString();
    }

    /** The identify calls of {@link #identifies}, as the array of a replay page's batch. */
    private static String batch(int... numbers) throws IOException {
        StringBuilder array = new StringBuilder("[");
        for (String line : identifies(numbers).split("\n")) {
            array.append(array.length() > 1 ? "," : "").append(Json.MAPPER.readTree(line));
        }
        return array.append(']').toString();
    }

    private static List<Path> replayFiles(Path folder) {
        return TestInbox.list(folder).stream()
                .filter(file -> file.getFileName().toString().startsWith("replay-rejected-")).toList();
    }

    private HttpResponse<String> postReplay(String query) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/delivery/api/replay?"
                + query)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anEventTheTrackingApiRefusesIsFailedOnIngestWithItsReason() throws Exception {
        String batch = "{\"batch\":[{\"type\":\"track\",\"userId\":\"u-1\",\"event\":\"E\",\"messageId\":\"m-ok\"},"
                + "{\"type\":\"track\",\"userId\":\"u-1\",\"messageId\":\"m-refused\"}]}";
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/v1/batch")).header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((WRITE_KEY + ":")
                        .getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(batch)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);

        JsonNode overview = await().atMost(Duration.ofSeconds(5)).until(() -> overview("window=10m"),
                found -> found.path("current").path("failedOnIngest").asLong() == 1);
        // received counts the refused event too (the accepted one once the spool hands it to the inbox)
        assertThat(overview.get("current").get("received").asLong()).isBetween(1L, 2L);
        JsonNode refused = row(report("/delivery/api/errors", "window=10m").get("errors"), "refused_by_api");
        assertThat(refused.get("whatHappened").asText()).contains("event");
        assertThat(refused.get("samples").get(0).get("sent").asText()).contains("m-refused").doesNotContain("m-ok");
        assertThat(search("outcome=rejected").get("events").get(0).get("input").asText())
                .isEqualTo("POST /v1/batch from web");
    }

    private static JsonNode row(JsonNode errors, String code) {
        for (JsonNode row : errors) {
            if (row.get("code").asText().equals(code)) {
                return row;
            }
        }
        throw new AssertionError("no row " + code + " in " + errors);
    }

    @Test
    void aSearchItCannotUnderstandIsAnswered400WithWhatIsWrong() throws Exception {
        HttpResponse<String> answer = get("outcome=lost\"");
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(answer.body()).get("message").asText())
                .isEqualTo("outcome must be one of delivered, sending, retry_pending, dead_lettered, split, filtered,"
                        + " rejected");
        assertThat(get("limit=501").statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(get("from=yesterday").body()).get("message").asText())
                .startsWith("from must be an ISO-8601 time");
    }

    /** The one event a search finds; null while it finds none. */
    private JsonNode only(String query) throws IOException, InterruptedException {
        JsonNode events = search(query).get("events");
        assertThat(events.size()).isLessThanOrEqualTo(1);
        return events.isEmpty() ? null : events.get(0);
    }

    private JsonNode search(String query) throws IOException, InterruptedException {
        HttpResponse<String> answer = get(query);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        return Json.MAPPER.readTree(answer.body());
    }

    private JsonNode overview(String query) throws IOException, InterruptedException {
        return report("/delivery/api/overview", query);
    }

    private JsonNode report(String path, String query) throws IOException, InterruptedException {
        HttpResponse<String> answer = get(path, query);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return Json.MAPPER.readTree(answer.body());
    }

    private HttpResponse<String> get(String query) throws IOException, InterruptedException {
        return get("/delivery/api/events", query);
    }

    private HttpResponse<String> get(String path, String query) throws IOException, InterruptedException {
        String encoded = query.replace("\"", URLEncoder.encode("\"", StandardCharsets.UTF_8));
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path + "?" + encoded))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
