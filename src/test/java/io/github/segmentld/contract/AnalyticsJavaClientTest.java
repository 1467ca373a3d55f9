package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.segment.analytics.Analytics;
import com.segment.analytics.messages.AliasMessage;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.PageMessage;
import com.segment.analytics.messages.TrackMessage;
import org.junit.jupiter.api.Test;

/**
 * Segment's own Java library, unchanged but for the host, sending through the HTTP source: what reaches the
 * LaunchDarkly stand-in is exactly what Segment's destination would send.
 */
class AnalyticsJavaClientTest extends ContractTestSupport {

    private int port;

    @Override
    protected void adjust(Properties properties) {
        port = serveHttp(properties);
        properties.setProperty("http.write-keys", "analytics-java=java-write-key");
        properties.setProperty("spool.max-segment-age-ms", "200");
    }

    @Test
    void trackIdentifyAliasAndPageCallsArriveAsLaunchDarklyEvents() {
        long before = System.currentTimeMillis();
        Analytics analytics = Analytics.builder("java-write-key").endpoint("http://127.0.0.1:" + port).build();
        analytics.enqueue(TrackMessage.builder("Order Completed").userId("user-1").anonymousId("anon-1")
                .properties(Map.of("revenue", 42.5, "currency", "EUR")));
        analytics.enqueue(IdentifyMessage.builder().userId("user-1").anonymousId("anon-1").traits(Map.of("plan", "pro")));
        analytics.enqueue(AliasMessage.builder("legacy-7").userId("user-1"));
        analytics.enqueue(PageMessage.builder("Pricing").userId("user-1"));
        analytics.flush();
        analytics.shutdown();
        long after = System.currentTimeMillis();

        List<JsonNode> received = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            received.clear();
            LAUNCHDARKLY.requests().forEach(r -> LaunchDarklyStandInServer.body(r).forEach(received::add));
            return received.size() >= 3;
        });

        assertThat(received).hasSize(3);
        for (JsonNode event : received) {
            assertThat(event.path("creationDate").asLong()).isBetween(before - 1000, after + 1000);
            ((ObjectNode) event).remove("creationDate");
        }
        assertThat(received).containsExactlyInAnyOrder(
                parse("{'kind':'custom','key':'Order Completed','contextKeys':{'unauthenticatedUser':'anon-1','user':'user-1'},"
                        + "'metricValue':42.5,'data':{'revenue':42.5,'currency':'EUR'}}"),
                parse("{'kind':'alias','key':'user-1','previousKey':'anon-1','contextKind':'user','previousContextKind':'anonymousUser'}"),
                parse("{'kind':'alias','key':'user-1','previousKey':'legacy-7','contextKind':'user','previousContextKind':'anonymousUser'}"));
        assertThat(metric("segment.events.filtered", "reason", "no_matching_mapping", "type", "page")).isEqualTo(1);
    }
}
