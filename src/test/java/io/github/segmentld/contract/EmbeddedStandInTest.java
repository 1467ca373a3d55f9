package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * The out-of-the-box run: no client-side ID, so the application posts to its own LaunchDarkly stand-in, which
 * records what it receives. The shipped sample files go through end to end, and the management server reports it.
 */
class EmbeddedStandInTest extends ContractTestSupport {

    private int managementPort;

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("launchdarkly.client-side-id", "");
        properties.setProperty("launchdarkly.events-base-url", "");
        properties.setProperty("camel.server.enabled", "true");
        properties.setProperty("camel.server.port", Integer.toString(Loopback.freePort()));
        managementPort = Loopback.freePort();
        properties.setProperty("camel.management.enabled", "true");
        properties.setProperty("camel.management.port", Integer.toString(managementPort));
        properties.setProperty("camel.metrics.enabled", "true");
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void theSampleFilesArriveInTheStandInAsLaunchDarklyEvents() throws IOException, InterruptedException {
        for (Path sample : TestInbox.list(Path.of("samples"))) {
            inbox.drop(sample.getFileName().toString(), Files.readAllBytes(sample));
        }
        for (Path sample : TestInbox.list(Path.of("samples"))) {
            inbox.awaitDone(sample.getFileName().toString());
        }

        Path record = inbox.work().resolve("stand-in/received.ndjson");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(record) && TestInbox.lines(record).size() == 3);
        List<JsonNode> received = new ArrayList<>();
        for (String line : TestInbox.lines(record)) {
            JsonNode batch = Json.MAPPER.readTree(line);
            assertThat(batch.path("payloadId").asText()).hasSize(36);
            batch.path("events").forEach(received::add);
        }
        assertThat(received).containsExactlyInAnyOrder(
                parse("{'kind':'alias','key':'user1234','previousKey':'72d7bed1-4f42-4f2f-8955-72677340546b',"
                        + "'contextKind':'user','previousContextKind':'anonymousUser','creationDate':1648661071000}"),
                parse("{'kind':'custom','key':'Test Event','contextKeys':{'unauthenticatedUser':"
                        + "'72d7bed1-4f42-4f2f-8955-72677340546b','user':'user1234'},'metricValue':123.456,"
                        + "'data':{'revenue':123.456,'currency':'USD'},'creationDate':1648661098000}"),
                parse("{'kind':'custom','key':'Signup Started','contextKeys':{'unauthenticatedUser':"
                        + "'72d7bed1-4f42-4f2f-8955-72677340546b','user':'72d7bed1-4f42-4f2f-8955-72677340546b'},"
                        + "'metricValue':3,'data':{'value':'3'},'creationDate':1648653902120}"),
                parse("{'kind':'alias','key':'user1234','previousKey':'legacy-42','contextKind':'user',"
                        + "'previousContextKind':'anonymousUser','creationDate':1648661118000}"),
                parse("{'kind':'custom','key':'Order Completed','contextKeys':{'user':'user1234'},'metricValue':49.9,"
                        + "'data':{'revenue':'49.90','order_id':'A-1001'},'creationDate':1648661400000}"),
                parse("{'kind':'custom','key':'Level Up','contextKeys':{'unauthenticatedUser':'a9c1-device',"
                        + "'user':'a9c1-device'},'metricValue':7,'data':{'value':7},'creationDate':1648663260000}"));

        List<String> rejected = TestInbox.lines(TestInbox.list(inbox.rejected()).get(0));
        assertThat(rejected).hasSize(2);
        assertThat(rejected).anySatisfy(r -> assertThat(r).contains("\"position\":\"line 7\"", "invalid JSON"));
        assertThat(rejected).anySatisfy(r -> assertThat(r)
                .contains("\"position\":\"line 6\"", "The root value is missing the required field 'previous_key'."));
        assertThat(metric("segment.events.received")).isEqualTo(11);
        assertThat(metric("segment.events.filtered", "reason", "no_matching_mapping", "type", "page")).isEqualTo(1);
        assertThat(metric("segment.events.filtered", "reason", "no_matching_mapping", "type", "group")).isEqualTo(1);
        assertThat(metric("segment.events.filtered", "reason", "no_matching_mapping", "type", "screen")).isEqualTo(1);
        assertThat(metric("segment.events.filtered", "reason", "integrations_disabled", "type", "track")).isEqualTo(1);

        JsonNode health = Json.MAPPER.readTree(get("/observe/health?data=true"));
        assertThat(health.path("status").asText()).isEqualTo("UP");
        assertThat(health.path("checks")).anySatisfy(check -> {
            assertThat(check.path("name").asText()).isEqualTo("launchdarkly-destinations");
            assertThat(check.path("data").path("default.status").asText()).isEqualTo("ok");
            assertThat(check.path("data").path("default.circuit").asText()).isEqualTo("CLOSED");
        });
        assertThat(health.path("checks")).anySatisfy(check -> {
            assertThat(check.path("name").asText()).isEqualTo("progress");
            assertThat(check.path("status").asText()).isEqualTo("UP");
        });
        assertThat(health.path("checks")).anySatisfy(check -> {
            assertThat(check.path("name").asText()).isEqualTo("release");
            assertThat(check.path("status").asText()).isEqualTo("UP");
            assertThat(check.path("data").path("name").asText()).isEqualTo("segment-launchdarkly-camel");
            assertThat(check.path("data").path("version").asText()).isEqualTo(System.getProperty("project.version"));
        });
        assertThat(health.path("checks")).anySatisfy(check -> {
            assertThat(check.path("name").asText()).isEqualTo("alerts");
            assertThat(check.path("status").asText()).isEqualTo("UP");
            assertThat(check.path("message").asText()).isEqualTo("no alert firing, every channel ok");
        });
        assertThat(get("/observe/metrics").lines())
                .contains("segment_events_received_total 11.0",
                        "launchdarkly_retry_queue_batches{destination=\"default\"} 0.0",
                        "launchdarkly_circuit_state{destination=\"default\"} 0.0",
                        "launchdarkly_events_delivered_total{destination=\"default\"} 6.0",
                        "delivery_success_ratio{destination=\"default\",window=\"1h\"} 1.0",
                        "segment_events_rejected_total{reason=\"validation\"} 1.0",
                        "segment_events_rejected_total{reason=\"unreadable_record\"} 1.0",
                        "segment_events_filtered_total{reason=\"no_matching_mapping\",type=\"page\"} 1.0");
    }
}
