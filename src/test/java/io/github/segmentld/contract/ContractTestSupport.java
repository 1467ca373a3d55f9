package io.github.segmentld.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;

import io.github.segmentld.Application;
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

    /** The text, UTF-8 encoded and gzipped, as a broker's record or message may hold it. */
    protected static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
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
