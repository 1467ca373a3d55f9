package io.github.segmentld.launchdarkly;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.segmentld.Json;
import io.github.segmentld.launchdarkly.SettingsCheck.Outcome;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Segment's "test authentication", against a stand-in for clientsdk.launchdarkly.com on 127.0.0.1. */
class SettingsCheckTest {

    private static final WireMockServer CLIENT_SDK = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private static final CamelContext CAMEL = new DefaultCamelContext();

    @BeforeAll
    static void start() {
        CAMEL.start();
        CLIENT_SDK.start();
        CLIENT_SDK.stubFor(head(urlEqualTo("/sdk/goals/known-id")).willReturn(aResponse().withStatus(200)));
        CLIENT_SDK.stubFor(head(urlEqualTo("/sdk/goals/unknown-id")).willReturn(aResponse().withStatus(404)));
        CLIENT_SDK.stubFor(head(urlEqualTo("/sdk/goals/flaky-id")).willReturn(aResponse().withStatus(503)));
    }

    @AfterAll
    static void stop() {
        CLIENT_SDK.stop();
        CAMEL.stop();
    }

    private static SettingsCheck checkAgainst(String goalsUrl, EventsEndpoint... destinations) {
        return new SettingsCheck(List.of(destinations), goalsUrl, CAMEL.createProducerTemplate(), Json.MAPPER);
    }

    private static EventsEndpoint onDefaultHost(String clientSideId) {
        return EventsEndpoint.of(clientSideId, clientSideId, null, null);
    }

    @Test
    void aKnownIdIsValidAnUnknownOneInvalidAndAnythingElseUnknown() {
        SettingsCheck check = checkAgainst("http://127.0.0.1:" + CLIENT_SDK.port() + "/sdk/goals/",
                onDefaultHost("known-id"), onDefaultHost("unknown-id"), onDefaultHost("flaky-id"));

        List<SettingsCheck.Result> results = check.checkAll();

        assertThat(results).extracting(SettingsCheck.Result::outcome)
                .containsExactly(Outcome.VALID, Outcome.INVALID, Outcome.UNKNOWN);
        assertThat(results.get(1).message()).isEqualTo("LaunchDarkly does not know the client-side ID …id (HEAD http://127.0.0.1:"
                + CLIENT_SDK.port() + "/sdk/goals/…id answered 404): copy it again from LaunchDarkly's Account settings >"
                + " Projects, for the right environment");
        assertThat(results.get(2).message()).endsWith("answered 503");
    }

    @Test
    void anUnreachableCheckIsUnknownNotInvalid() {
        SettingsCheck check = checkAgainst("http://127.0.0.1:1/sdk/goals", onDefaultHost("known-id"));

        assertThat(check.checkAll()).singleElement().extracting(SettingsCheck.Result::outcome).isEqualTo(Outcome.UNKNOWN);
    }

    @Test
    void onlyDestinationsOnLaunchDarklysOwnHostAreChecked() {
        CLIENT_SDK.resetRequests();
        SettingsCheck check = checkAgainst("http://127.0.0.1:" + CLIENT_SDK.port() + "/sdk/goals/",
                EventsEndpoint.of("relay", "unknown-id", null, "http://127.0.0.1:8030"),
                EventsEndpoint.of("eu", "unknown-id", "events.eu.example.com", null));

        assertThat(check.checkAll()).extracting(SettingsCheck.Result::outcome)
                .containsExactly(Outcome.NOT_CHECKED, Outcome.NOT_CHECKED);
        assertThat(CLIENT_SDK.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    }
}
