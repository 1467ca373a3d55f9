package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Application;
import io.github.segmentld.Json;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;

/**
 * The whole application against a LaunchDarkly stand-in server, one fresh application and work folder per test. The
 * server is shared by the contract tests of the JVM and reset to answer 202 before each test.
 */
abstract class ContractTestSupport extends CamelMainTestSupport {

    protected static final LaunchDarklyStandInServer LAUNCHDARKLY = new LaunchDarklyStandInServer();

    // Set while the superclass constructor configures the context, so no field initialiser may reset it.
    protected TestInbox inbox;

    /** The events API base URL; called while the context is configured. */
    protected String eventsBaseUrl() {
        LAUNCHDARKLY.acceptEverything();
        return LAUNCHDARKLY.baseUrl();
    }

    /** Settings a test class changes on top of the test defaults. */
    protected void adjust(Properties properties) {
    }

    @Override
    protected Class<?> getMainClass() {
        return Application.class;
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        inbox = TestInbox.create(getClass().getSimpleName());
        Properties properties = inbox.properties(eventsBaseUrl());
        adjust(properties);
        context.withUseOverridePropertiesWithPropertiesComponent(properties);
    }

    /** Turns the application's HTTP server on, on a free port of 127.0.0.1, which it returns. */
    protected static int serveHttp(Properties properties) {
        int port = Loopback.freePort();
        properties.setProperty("http.enabled", "true");
        properties.setProperty("camel.server.enabled", "true");
        properties.setProperty("camel.server.port", Integer.toString(port));
        return port;
    }

    /** The events an instance received, as one array per request. */
    protected static List<JsonNode> received(String clientSideId) {
        return LAUNCHDARKLY.requests().stream().filter(r -> r.getUrl().equals("/events/bulk/" + clientSideId))
                .map(LaunchDarklyStandInServer::body).toList();
    }

    /** What the preview endpoint, on the port of {@link #serveHttp}, answers for an event. */
    protected static JsonNode preview(int port, String event) throws IOException, InterruptedException {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/preview")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(event)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return Json.MAPPER.readTree(answer.body());
    }

    /** A counter of the application's metrics registry; zero when it was never incremented. */
    protected double metric(String name, String... tags) {
        Counter counter = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class)
                .find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    /**
     * A destination instance of a mappings file without the presets, whose one mapping sends track calls as the event
     * {@code eventName}.
     *
     * @param setting one more instance setting ("consent-categories: [Analytics]"), or empty
     */
    protected static String trackInstance(String name, String clientSideId, String eventName, String setting,
                                          String baseUrl) {
        return """
                  - name: %s
                    client-side-id: %s
                    events-base-url: %s
                    presets: false
                    %s
                    mappings:
                      - name: Orders
                        trigger: type = "track"
                        action: Track Event
                        fields:
                          event_name: %s
                """.formatted(name, clientSideId, baseUrl, setting, eventName);
    }
}
