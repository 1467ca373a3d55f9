package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import org.junit.jupiter.api.Test;

/**
 * Consent categories per destination instance, through the whole application: "analytics" is mapped to the Analytics
 * category, "strict" too and filters events without consent preferences, "everything" has no consent categories.
 * One stream, one application: what each instance receives, and how the filtering is counted, logged and previewed.
 */
class ConsentContractTest extends ContractTestSupport {

    private static final String STREAM = """
            {"type":"track","messageId":"m-granted","userId":"u-granted","event":"E","timestamp":"2022-03-30T17:24:58Z","context":{"consent":{"categoryPreferences":{"Analytics":true,"Advertising":false}}}}
            {"type":"track","messageId":"m-denied","userId":"u-denied","event":"E","timestamp":"2022-03-30T17:24:58Z","context":{"consent":{"categoryPreferences":{"Analytics":false,"Advertising":true}}}}
            {"type":"track","messageId":"m-missing","userId":"u-missing","event":"E","timestamp":"2022-03-30T17:24:58Z","context":{"ip":"1.2.3.4"}}
            {"type":"track","messageId":"m-string","userId":"u-string","event":"E","timestamp":"2022-03-30T17:24:58Z","context":{"consent":{"categoryPreferences":{"Analytics":"true"}}}}
            {"type":"track","messageId":"m-lower","userId":"u-lower","event":"E","timestamp":"2022-03-30T17:24:58Z","context":{"consent":{"categoryPreferences":{"analytics":true}}}}
            """;

    private final HttpClient client = HttpClient.newHttpClient();
    private int port;

    @Override
    protected void adjust(Properties properties) {
        port = serveHttp(properties);
        String base = properties.getProperty("launchdarkly.events-base-url");
        Path file = inbox.mappingsFile("""
                destinations:
                  - name: analytics
                    client-side-id: analytics-id
                    events-base-url: %s
                    consent-categories: [Analytics]
                  - name: strict
                    client-side-id: strict-id
                    events-base-url: %s
                    consent-categories: [Analytics]
                    consent-missing: filter
                  - name: everything
                    client-side-id: everything-id
                    events-base-url: %s
                """.formatted(base, base, base));
        properties.setProperty("launchdarkly.mappings-file", file.toString());
    }

    /** The events of the one request the instance received. */
    private static JsonNode onlyRequest(String clientSideId) {
        List<JsonNode> requests = received(clientSideId);
        assertThat(requests).as("requests for " + clientSideId).hasSize(1);
        return requests.get(0);
    }

    private static String tracks(String... users) {
        StringBuilder events = new StringBuilder("[");
        for (String user : users) {
            events.append(events.length() > 1 ? "," : "").append("{'kind':'custom','key':'E','contextKeys':{'user':'")
                    .append(user).append("'},'data':{},'creationDate':1648661098000}");
        }
        return events.append(']').toString();
    }

    @Test
    void eachInstanceReceivesOnlyWhatItsConsentCategoriesAllowAndTheRestIsFilteredForItWithTheReason()
            throws Exception {
        inbox.drop("stream.ndjson", STREAM);
        inbox.awaitDone("stream.ndjson");

        assertThat(LAUNCHDARKLY.requests()).hasSize(3);
        assertThat(onlyRequest("analytics-id")).isEqualTo(parse(tracks("u-granted", "u-missing")));
        assertThat(onlyRequest("strict-id")).isEqualTo(parse(tracks("u-granted")));
        assertThat(onlyRequest("everything-id"))
                .isEqualTo(parse(tracks("u-granted", "u-denied", "u-missing", "u-string", "u-lower")));

        // once per instance an event is filtered for: denied, string and lower for analytics and for strict
        assertThat(metric("segment.events.filtered", "reason", "consent_not_granted", "type", "track")).isEqualTo(6);
        assertThat(metric("segment.events.filtered", "reason", "consent_missing", "type", "track")).isEqualTo(1);
        assertThat(metric("segment.events.filtered", "reason", "no_matching_mapping", "type", "track")).isZero();
        assertThat(metric("launchdarkly.events.delivered", "destination", "analytics")).isEqualTo(2);
        assertThat(metric("launchdarkly.events.delivered", "destination", "strict")).isEqualTo(1);
        assertThat(metric("launchdarkly.events.delivered", "destination", "everything")).isEqualTo(5);

        // the story of an event delivered to one instance and filtered for the two others
        JsonNode denied = await().atMost(Duration.ofSeconds(5)).until(() -> search("messageId=m-denied"),
                found -> found.size() == 3);
        assertThat(denied).extracting(event -> event.get("destination").asText() + " " + event.get("outcome").asText()
                + " " + event.path("reason").asText(""))
                .containsExactlyInAnyOrder("everything delivered ", "analytics filtered consent_not_granted",
                        "strict filtered consent_not_granted");
        assertThat(only(search("messageId=m-denied&destination=analytics")).get("detail").asText())
                .isEqualTo("its consent preferences (context.consent.categoryPreferences) do not grant every consent"
                        + " category of destination 'analytics'; POST it to /preview to see which");
        JsonNode missing = only(search("messageId=m-missing&outcome=filtered"));
        assertThat(missing.get("destination").asText()).isEqualTo("strict");
        assertThat(missing.get("reason").asText()).isEqualTo("consent_missing");
        assertThat(missing.get("detail").asText()).isEqualTo("it has no consent preferences"
                + " (context.consent.categoryPreferences), and destination 'strict' filters such events"
                + " (consent-missing: filter)");
        assertThat(search("destination=strict&outcome=filtered")).hasSize(4);

        // the funnel of the delivery page
        JsonNode current = await().atMost(Duration.ofSeconds(5)).until(() -> get("/delivery/api/overview", "window=1h"),
                answer -> answer.path("current").path("received").asLong() == 5).get("current");
        assertThat(current.get("filtered")).isEqualTo(parse("{'consent_not_granted':6,'consent_missing':1}"));
        assertThat(current.get("destinations")).isEqualTo(parse("{'analytics':{'Track Event':{'delivered':2}},"
                + "'strict':{'Track Event':{'delivered':1}},'everything':{'Track Event':{'delivered':5}}}"));

        // the preview names the category that stopped the event for each instance
        JsonNode preview = preview(port, STREAM.lines().toList().get(1));
        String why = "consent category 'Analytics' is not granted: context.consent.categoryPreferences holds false"
                + " for it, not true";
        assertThat(preview.at("/destinations/0/consent/reason").asText()).isEqualTo(why);
        assertThat(preview.at("/destinations/0/mappings/1/reason").asText()).isEqualTo(why);
        assertThat(preview.at("/destinations/1/consent/reason").asText()).isEqualTo(why);
        assertThat(preview.at("/destinations/2/events")).isEqualTo(parse(tracks("u-denied")));
        assertThat(preview(port, STREAM.lines().toList().get(4)).at("/destinations/0/consent/reason").asText())
                .isEqualTo("consent category 'Analytics' is not granted: context.consent.categoryPreferences does"
                        + " not hold it");
    }

    private static JsonNode only(JsonNode events) {
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private JsonNode search(String query) throws IOException, InterruptedException {
        return get("/delivery/api/events", query).get("events");
    }

    private JsonNode get(String path, String query) throws IOException, InterruptedException {
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path
                + "?" + query)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return Json.MAPPER.readTree(answer.body());
    }
}
