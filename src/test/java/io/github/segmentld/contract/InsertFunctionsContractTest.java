package io.github.segmentld.contract;

import static io.github.segmentld.Json.object;
import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Insert functions through the whole application, beside an instance without one: "enriched" runs the README's route
 * that adds the plan to the event's properties, "external" a Groovy expression that returns nothing for the company's
 * own users, "checked" a route that fails on one user and holds another past its time limit of 300 ms, "plain" has
 * no function. One application for the class: each test drops a file of its own and reads what each instance
 * received for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InsertFunctionsContractTest extends ContractTestSupport {

    private final HttpClient client = HttpClient.newHttpClient();
    private int port;

    @Override
    protected void adjust(Properties properties) {
        port = serveHttp(properties);
        Path functions = inbox.work().resolve("functions");
        try {
            Files.createDirectories(functions);
            Files.copy(Path.of("docs/insert-functions/enrich-plan.yaml"), functions.resolve("enrich-plan.yaml"));
            Files.copy(Path.of("src/test/resources/insert-functions/check.yaml"), functions.resolve("check.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        properties.setProperty("routes.extra-dir", functions.toString());
        String base = properties.getProperty("launchdarkly.events-base-url");
        properties.setProperty("launchdarkly.mappings-file", inbox.mappingsFile("""
                destinations:
                  - name: enriched
                    client-side-id: enriched-id
                    events-base-url: %s
                    insert-function:
                      direct: enrich-plan
                      timeout-ms: 10000       # its Groovy step compiles on the first event
                  - name: external
                    client-side-id: external-id
                    events-base-url: %s
                    insert-function:
                      groovy: "body.userId?.startsWith('internal-') ? null : body"
                  - name: checked
                    client-side-id: checked-id
                    events-base-url: %s
                    insert-function:
                      direct: check
                      timeout-ms: 300
                  - name: plain
                    client-side-id: plain-id
                    events-base-url: %s
                """.formatted(base, base, base, base)).toString());
    }

    @BeforeEach
    void forgetEarlierRequests() {
        LAUNCHDARKLY.acceptEverything();
    }

    @AfterAll
    void releaseTheHeldFunction() {
        HeldInsertFunction.RELEASE.countDown();
    }

    private static String track(String messageId, String userId, String more) {
        return "{\"type\":\"track\",\"messageId\":\"" + messageId + "\",\"userId\":\"" + userId + "\",\"event\":\"E\","
                + "\"timestamp\":\"2022-03-30T17:24:58Z\"" + more + "}\n";
    }

    /** Track Event's LaunchDarkly events for the users, each with the data. */
    private static JsonNode tracks(String data, String... users) {
        StringBuilder events = new StringBuilder("[");
        for (String user : users) {
            events.append(events.length() > 1 ? "," : "").append("{'kind':'custom','key':'E','contextKeys':{'user':'")
                    .append(user).append("'},'data':").append(data).append(",'creationDate':1648661098000}");
        }
        return parse(events.append(']').toString());
    }

    /** The rejection records of one input, as "destination: reason" (an insert function's names no mapping). */
    private List<String> rejections(String input) {
        return TestInbox.list(inbox.rejected()).stream().flatMap(file -> TestInbox.lines(file).stream())
                .map(Json::read).filter(record -> record.path("input").asText().equals(input))
                .map(record -> record.path("destination").asText() + (record.path("mapping").isNull() ? ""
                        : " / " + record.path("mapping").asText()) + ": " + record.path("reason").asText())
                .toList();
    }

    @Test
    void theEnrichedEventIsWhatTheInstancesMappingsSendAndTheOthersGetTheEventAsItCame() {
        inbox.drop("enrich.ndjson", track("m-pro", "u1", ",\"properties\":{\"total\":3},\"context\":{\"traits\":"
                + "{\"plan\":\"pro\"}}"));
        inbox.awaitDone("enrich.ndjson");

        assertThat(received("enriched-id")).containsExactly(tracks("{'total':3,'plan':'pro'}", "u1"));
        assertThat(received("external-id")).containsExactly(tracks("{'total':3}", "u1"));
        assertThat(received("checked-id")).containsExactly(tracks("{'total':3}", "u1"));
        assertThat(received("plain-id")).containsExactly(tracks("{'total':3}", "u1"));
        assertThat(rejections("enrich.ndjson")).isEmpty();
    }

    @Test
    void anEventTheFunctionReturnsNothingForIsFilteredForItsInstanceAloneCountedAndLogged() throws Exception {
        inbox.drop("drop.ndjson", track("m-internal", "internal-7", "") + track("m-customer", "u2", ""));
        inbox.awaitDone("drop.ndjson");

        assertThat(received("external-id")).containsExactly(tracks("{}", "u2"));
        assertThat(received("plain-id")).containsExactly(tracks("{}", "internal-7", "u2"));
        assertThat(received("enriched-id")).containsExactly(tracks("{'plan':'free'}", "internal-7", "u2"));
        assertThat(metric("segment.events.filtered", "reason", "insert_function", "type", "track")).isEqualTo(1);

        JsonNode story = await().atMost(Duration.ofSeconds(5)).until(() -> search("messageId=m-internal"),
                found -> found.size() == 4);
        assertThat(story).extracting(event -> event.get("destination").asText() + " " + event.get("outcome").asText()
                        + " " + event.path("reason").asText(""))
                .containsExactlyInAnyOrder("enriched delivered ", "checked delivered ", "plain delivered ",
                        "external filtered insert_function");
        assertThat(search("messageId=m-internal&outcome=filtered").get(0).get("detail").asText())
                .isEqualTo("the insert function of destination 'external' returned nothing for it");
    }

    @Test
    void anExceptionRejectsThatEventForItsInstanceWithItsMessageAndTheChunkGoesOn() {
        double rejectedBefore = metric("segment.events.rejected", "reason", "insert_function");
        inbox.drop("fail.ndjson", track("m-broken", "u-broken", "") + track("m-fine", "u3", ""));
        inbox.awaitDone("fail.ndjson");

        assertThat(received("checked-id")).containsExactly(tracks("{}", "u3"));
        assertThat(received("plain-id")).containsExactly(tracks("{}", "u-broken", "u3"));
        assertThat(rejections("fail.ndjson")).containsExactly("checked: the insert function direct:check failed:"
                + " java.lang.IllegalArgumentException: no plan for u-broken");
        assertThat(metric("segment.events.rejected", "reason", "insert_function")).isEqualTo(rejectedBefore + 1);
    }

    @Test
    void aFunctionPastItsTimeLimitFailsItsEventAndTheChunkGoesOn() {
        inbox.drop("slow.ndjson", track("m-slow", "u-slow", "") + track("m-quick", "u4", ""));
        inbox.awaitDone("slow.ndjson");

        assertThat(HeldInsertFunction.ENTERED.getCount()).isZero();
        assertThat(received("checked-id")).containsExactly(tracks("{}", "u4"));
        assertThat(received("plain-id")).containsExactly(tracks("{}", "u-slow", "u4"));
        assertThat(rejections("slow.ndjson")).containsExactly(
                "checked: the insert function direct:check did not return within 300 ms");
    }

    @Test
    void thePreviewRunsEachInstancesFunctionAndShowsWhatItMadeOfTheEvent() throws Exception {
        JsonNode enriched = preview(port, track("m-p1", "u5", ",\"context\":{\"traits\":{\"plan\":\"pro\"}}"));
        assertThat(enriched.at("/destinations/0/insertFunction")).isEqualTo(parse("{'function':'direct:enrich-plan',"
                + "'outcome':'changed','event':{'type':'track','messageId':'m-p1','userId':'u5','event':'E',"
                + "'timestamp':'2022-03-30T17:24:58Z','context':{'traits':{'plan':'pro'}},"
                + "'properties':{'plan':'pro'}}}"));
        assertThat(enriched.at("/destinations/0/events")).isEqualTo(tracks("{'plan':'pro'}", "u5"));
        assertThat(enriched.at("/destinations/1/insertFunction"))
                .isEqualTo(parse("{'function':'groovy','outcome':'unchanged'}"));
        assertThat(enriched.at("/destinations/3/events")).isEqualTo(tracks("{}", "u5"));

        JsonNode internal = preview(port, track("m-p2", "internal-8", ""));
        assertThat(internal.at("/destinations/1/insertFunction")).isEqualTo(parse("{'function':'groovy',"
                + "'outcome':'filtered','reason':'it returned nothing: the event is filtered for this destination"
                + " (insert_function)'}"));
        assertThat(internal.at("/destinations/1/mappings/0/reason").asText())
                .isEqualTo("the insert function returned nothing for the event");
        assertThat(internal.at("/destinations/1/events")).isEmpty();

        JsonNode broken = preview(port, track("m-p3", "u-broken", ""));
        String failure = "the insert function direct:check failed: java.lang.IllegalArgumentException: no plan for"
                + " u-broken";
        assertThat(broken.at("/destinations/2/insertFunction"))
                .isEqualTo(object("{'function':'direct:check','outcome':'failed'}").put("error", failure));
        assertThat(broken.at("/destinations/2/mappings/0/reason").asText()).isEqualTo("the insert function failed on"
                + " the event, which is rejected for this destination: " + failure);
    }

    private JsonNode search(String query) throws IOException, InterruptedException {
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/delivery/api/events?" + query)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return Json.MAPPER.readTree(answer.body()).get("events");
    }
}
