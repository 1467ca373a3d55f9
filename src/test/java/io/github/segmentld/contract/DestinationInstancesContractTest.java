package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.github.segmentld.Json.parse;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.body;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.payloadId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/** One Segment stream, two LaunchDarkly environments with different mappings, through the whole application. */
class DestinationInstancesContractTest extends ContractTestSupport {

    private static final String STREAM = """
            {"type":"track","userId":"u-1","event":"Order Completed","properties":{"revenue":"49.90","order_id":"A-1"},"timestamp":"2022-03-30T17:30:00Z"}
            {"type":"identify","userId":"u-1","anonymousId":"anon-1","traits":{"plan":"pro"},"timestamp":"2022-03-30T17:31:00Z"}
            {"type":"page","userId":"u-1","name":"Home","timestamp":"2022-03-30T17:32:00Z"}
            """;

    @Override
    protected void adjust(Properties properties) {
        String base = properties.getProperty("launchdarkly.events-base-url");
        Path file = inbox.mappingsFile("""
                    destinations:
                      - name: production
                        client-side-id: prod-id
                        events-base-url: %s
                        mappings:
                          - name: Order revenue
                            trigger: type = "track" and event = "Order Completed"
                            action: Track Event
                            fields:
                              event_name: order-revenue
                              event_properties: {order: {"@path": "$.properties.order_id"}}
                      - name: staging
                        client-side-id: staging-id
                        events-base-url: %s
                        presets: false
                        mappings:
                          - name: Tracks in lower case
                            trigger: type = "track"
                            action: Track Event
                            fields:
                              event_name: {"@case": {"operator": "lower", "value": {"@path": "$.event"}}}
                              metric_value: null
                      - name: archive
                        client-side-id: archive-id
                        events-base-url: %s
                        enabled: false
                    """.formatted(base, base, base));
        properties.setProperty("launchdarkly.mappings-file", file.toString());
    }

    private static List<LoggedRequest> to(String clientSideId) {
        return LAUNCHDARKLY.requests().stream().filter(r -> r.getUrl().equals("/events/bulk/" + clientSideId)).toList();
    }

    @Test
    void eachInstanceGetsItsOwnBatchOfWhatItsMappingsMake() {
        inbox.drop("stream.ndjson", STREAM);
        inbox.awaitDone("stream.ndjson");

        assertThat(LAUNCHDARKLY.requests()).hasSize(2);
        LoggedRequest production = to("prod-id").get(0);
        LoggedRequest staging = to("staging-id").get(0);
        assertThat(body(production)).isEqualTo(parse("""
                [{'kind':'custom','key':'Order Completed','contextKeys':{'user':'u-1'},'metricValue':49.9,
                  'data':{'revenue':'49.90','order_id':'A-1'},'creationDate':1648661400000},
                 {'kind':'custom','key':'order-revenue','contextKeys':{'user':'u-1'},'metricValue':49.9,
                  'data':{'order':'A-1'},'creationDate':1648661400000},
                 {'kind':'alias','key':'u-1','previousKey':'anon-1','contextKind':'user',
                  'previousContextKind':'anonymousUser','creationDate':1648661460000}]"""));
        assertThat(body(staging)).isEqualTo(parse("""
                [{'kind':'custom','key':'order completed','contextKeys':{'user':'u-1'},
                  'data':{'revenue':'49.90','order_id':'A-1'},'creationDate':1648661400000}]"""));
        assertThat(payloadId(production)).isNotEqualTo(payloadId(staging));

        assertThat(metric("mapping.events.matched", "destination", "production", "mapping", "Track Event")).isEqualTo(1);
        assertThat(metric("mapping.events.matched", "destination", "production", "mapping", "Order revenue")).isEqualTo(1);
        assertThat(metric("mapping.events.matched", "destination", "production", "mapping", "Alias User")).isEqualTo(1);
        assertThat(metric("mapping.events.matched", "destination", "staging", "mapping", "Tracks in lower case")).isEqualTo(1);
        assertThat(metric("launchdarkly.events.delivered", "destination", "production")).isEqualTo(3);
        assertThat(metric("launchdarkly.events.delivered", "destination", "staging")).isEqualTo(1);
        assertThat(metric("segment.events.filtered", "reason", "no_matching_mapping", "type", "page")).isEqualTo(1);
    }

    @Test
    void aDeadLetterReplayedGoesOnlyToTheInstanceThatMissedIt() throws IOException {
        LAUNCHDARKLY.wireMock().stubFor(post(urlPathEqualTo("/events/bulk/staging-id")).atPriority(1)
                .willReturn(aResponse().withStatus(400).withBody("{\"message\":\"bad\"}")));
        inbox.drop("stream.ndjson", STREAM);
        inbox.awaitDone("stream.ndjson");
        await().atMost(Duration.ofSeconds(20)).until(() -> TestInbox.list(inbox.deadLetters()).size() == 1);
        Path deadLetter = TestInbox.list(inbox.deadLetters()).get(0);
        assertThat(to("prod-id")).hasSize(1);

        LAUNCHDARKLY.acceptEverything();
        Files.move(deadLetter, inbox.inbox().resolve("replay.json"));
        inbox.awaitDone("replay.json");

        assertThat(to("prod-id")).isEmpty();
        assertThat(to("staging-id")).singleElement().satisfies(request -> assertThat(body(request)).isEqualTo(parse("""
                [{'kind':'custom','key':'order completed','contextKeys':{'user':'u-1'},
                  'data':{'revenue':'49.90','order_id':'A-1'},'creationDate':1648661400000}]""")));
    }
}
