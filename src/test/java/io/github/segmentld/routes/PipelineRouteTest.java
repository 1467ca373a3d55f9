package io.github.segmentld.routes;

import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Properties;

import io.github.segmentld.Application;
import io.github.segmentld.TestInbox;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.Test;

/**
 * The application's own routes, with LaunchDarkly replaced by a mock endpoint: the shape of a route test for a
 * user's own configuration (see the README).
 */
class PipelineRouteTest extends CamelMainTestSupport {

    // Set while the superclass constructor configures the context, so no field initialiser may reset it.
    private TestInbox inbox;

    @Override
    protected Class<?> getMainClass() {
        return Application.class;
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        inbox = TestInbox.create("pipeline-route");
        Properties settings = inbox.properties("http://127.0.0.1:1");
        // The mock receives the JSON as it is: gzipped (the default), its body would be the compressed bytes.
        settings.setProperty("launchdarkly.delivery.gzip", "false");
        context.withUseOverridePropertiesWithPropertiesComponent(settings)
                // Every http endpoint becomes mock:http:..., and the real request is not made.
                .withMockEndpointsAndSkip("http:*");
    }

    @Test
    void trackAndIdentifyBecomeOneBatchWithTheEventsApiHeaders() throws Exception {
        MockEndpoint launchDarkly = getMockEndpoint("mock:http:launchdarkly-events");
        launchDarkly.expectedMessageCount(1);
        launchDarkly.expectedHeaderReceived("CamelHttpUri", "http://127.0.0.1:1/events/bulk/test-client-id");
        launchDarkly.expectedHeaderReceived("CamelHttpMethod", "POST");
        launchDarkly.expectedHeaderReceived("Content-Type", "application/json");
        launchDarkly.expectedHeaderReceived("X-LaunchDarkly-Event-Schema", "4");

        inbox.drop("session.ndjson", """
                {"type":"identify","userId":"user1234","anonymousId":"anon-1","timestamp":"2022-03-30T17:24:31Z"}
                {"type":"page","anonymousId":"anon-1","name":"Pricing"}
                {"type":"track","userId":"user1234","anonymousId":"anon-1","event":"Test Event","properties":{"revenue":123.456},"timestamp":"2022-03-30T17:24:58Z"}
                """);

        launchDarkly.assertIsSatisfied(20_000);
        Exchange request = launchDarkly.getReceivedExchanges().get(0);
        assertThat(parse(request.getMessage().getBody(String.class))).isEqualTo(parse("""
                [{'kind':'alias','key':'user1234','previousKey':'anon-1','contextKind':'user',
                  'previousContextKind':'anonymousUser','creationDate':1648661071000},
                 {'kind':'custom','key':'Test Event','contextKeys':{'unauthenticatedUser':'anon-1','user':'user1234'},
                  'metricValue':123.456,'data':{'revenue':123.456},'creationDate':1648661098000}]"""));
        assertThat(request.getMessage().getHeader("X-LaunchDarkly-Payload-ID", String.class))
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(request.getMessage().getHeader("User-Agent", String.class)).matches("segment-launchdarkly-camel/.+");
        assertThat(request.getMessage().getHeaders().keySet()).noneMatch(h -> h.startsWith("CamelFile"));
        inbox.awaitDone("session.ndjson");
    }

    @Test
    void aFileWithOnlyFilteredEventsPostsNothingAndIsCommitted() throws Exception {
        MockEndpoint launchDarkly = getMockEndpoint("mock:http:launchdarkly-events");
        launchDarkly.expectedMessageCount(0);

        inbox.drop("pages.json", "[{\"type\":\"page\",\"userId\":\"u\"},{\"type\":\"group\",\"userId\":\"u\",\"groupId\":\"g\"}]");

        inbox.awaitDone("pages.json");
        launchDarkly.assertIsSatisfied();
        assertThat(TestInbox.list(inbox.failed())).isEmpty();
    }

    @Test
    void chunksBecomeSeparateBatchesWithDistinctPayloadIds() throws Exception {
        MockEndpoint launchDarkly = getMockEndpoint("mock:http:launchdarkly-events");
        launchDarkly.expectedMessageCount(3);
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < 1200; i++) {
            events.append("{\"type\":\"track\",\"userId\":\"u").append(i).append("\",\"event\":\"E\"}\n");
        }

        inbox.drop("many.ndjson", events.toString());

        launchDarkly.assertIsSatisfied(20_000);
        List<Integer> sizes = launchDarkly.getReceivedExchanges().stream()
                .map(e -> parse(e.getMessage().getBody(String.class)).size()).sorted().toList();
        assertThat(sizes).containsExactly(200, 500, 500);
        assertThat(launchDarkly.getReceivedExchanges().stream()
                .map(e -> e.getMessage().getHeader("X-LaunchDarkly-Payload-ID")).distinct()).hasSize(3);
    }
}
