package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import java.util.List;
import java.util.Properties;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.micrometer.core.instrument.MeterRegistry;

/** Two destination instances, production and staging, with the presets, on one stream of track calls. */
abstract class TwoDestinationsSupport extends ContractTestSupport {

    static final int EVENTS = 30;

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("launchdarkly.mappings-file",
                inbox.twoDestinations(properties.getProperty("launchdarkly.events-base-url")).toString());
        properties.setProperty("pipeline.chunk-size", "3");
    }

    StubMapping stagingAnswers(int status) {
        return LAUNCHDARKLY.wireMock().stubFor(post(urlPathEqualTo("/events/bulk/staging-id")).atPriority(1)
                .willReturn(aResponse().withStatus(status).withBody("{\"message\":\"unavailable\"}")));
    }

    void dropStream() {
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            events.append("{\"type\":\"track\",\"userId\":\"user-").append(i).append("\",\"event\":\"E\",\"timestamp\":0}\n");
        }
        inbox.drop("stream.ndjson", events.toString());
    }

    static List<String> usersAcceptedBy(String clientSideId) {
        return LAUNCHDARKLY.acceptedUsersOf("/events/bulk/" + clientSideId);
    }

    double gauge(String name, String destination) {
        return context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class)
                .get(name).tag("destination", destination).gauge().value();
    }
}
