package io.github.segmentld.launchdarkly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventsEndpointTest {

    @Test
    void defaultsToTheLaunchDarklyEventsHostOverHttps() {
        assertThat(EventsEndpoint.of("d", "5f9a1c2b3d4e5f6a7b8c9d0e", "", "").eventsUrl())
                .isEqualTo("https://events.launchdarkly.com/events/bulk/5f9a1c2b3d4e5f6a7b8c9d0e");
    }

    @Test
    void usesTheConfiguredBareHost() {
        assertThat(EventsEndpoint.of("d", "abc", "events.eu.launchdarkly.com", "").eventsUrl())
                .isEqualTo("https://events.eu.launchdarkly.com/events/bulk/abc");
    }

    @Test
    void anExplicitBaseUrlWinsOverTheHost() {
        assertThat(EventsEndpoint.of("d", "abc", "ignored.example", "http://127.0.0.1:8030/").eventsUrl())
                .isEqualTo("http://127.0.0.1:8030/events/bulk/abc");
    }

    @Test
    void aHostWithASchemeOrPathIsRefused() {
        assertThatThrownBy(() -> EventsEndpoint.of("d", "abc", "https://events.launchdarkly.com", ""))
                .hasMessageContaining("must be a bare host name");
        assertThatThrownBy(() -> EventsEndpoint.of("d", "abc", "events.launchdarkly.com/bulk", ""))
                .hasMessageContaining("must be a bare host name");
    }

    @Test
    void aClientSideIdWithSlashesOrSpacesIsRefused() {
        assertThatThrownBy(() -> EventsEndpoint.of("d", "../admin", "", ""))
                .hasMessageContaining("not a LaunchDarkly client-side ID");
    }

    @Test
    void logsShowOnlyTheEndOfTheClientSideId() {
        EventsEndpoint destination = EventsEndpoint.of("prod", "5f9a1c2b3d4e5f6a7b8c9d0e", "", "");

        assertThat(destination.toString()).isEqualTo("prod (client-side ID …9d0e)").doesNotContain("5f9a1c2b");
    }
}
