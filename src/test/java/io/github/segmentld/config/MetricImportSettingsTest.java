package io.github.segmentld.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.github.segmentld.TestInbox;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.launchdarkly.StandInEndpoints;
import io.github.segmentld.mapping.Mapping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Instances of type metric-import in the mappings file: what they are made of, and what is refused at start. */
class MetricImportSettingsTest {

    private static final String IMPORT = "type: metric-import\nproject-key: shop\nenvironment-key: production\n";

    private final MappingsFile reader = new MappingsFile(text -> text.replace("{{env:LD_IMPORT_TOKEN}}", "api-0f2b8c4d-secret-1e7a"),
            StandInEndpoints.at("http://127.0.0.1:8080", "stand-in-token"));

    private static Path file(String instanceLines) {
        return TestInbox.create("metric-import").mappingsFile("destinations:\n  - name: backfill\n"
                + instanceLines.lines().map(line -> "    " + line + "\n").collect(Collectors.joining()));
    }

    private DestinationInstance instance(String instanceLines) {
        return reader.read(file(instanceLines)).get(0);
    }

    @Test
    void anInstancePostsToTheImportPathOfItsRegionWithTheTokenAndTheTrackEventPresetAlone() {
        DestinationInstance instance = instance(IMPORT + "access-token: \"{{env:LD_IMPORT_TOKEN}}\"");

        EventsEndpoint endpoint = instance.endpoint();
        assertThat(endpoint.api()).isEqualTo(EventsEndpoint.Api.METRIC_IMPORT);
        assertThat(endpoint.eventsUrl()).isEqualTo("https://events.launchdarkly.com/v2/event-data-import/shop/production");
        assertThat(endpoint.credential()).isEqualTo("api-0f2b8c4d-secret-1e7a");
        assertThat(endpoint.isStandIn()).isFalse();
        assertThat(endpoint.toString()).isEqualTo("backfill (metric import, access token …1e7a)");
        assertThat(endpoint.maskedEventsUrl()).isEqualTo(endpoint.eventsUrl());
        assertThat(instance.mappings()).extracting(Mapping::name).containsExactly("Track Event");
    }

    @Test
    void theRegionChoosesTheEventsHostAndAnExplicitBaseUrlWins() {
        assertThat(instance(IMPORT + "access-token: t\nregion: eu").endpoint().eventsUrl())
                .isEqualTo("https://events.eu.launchdarkly.com/v2/event-data-import/shop/production");
        assertThat(instance(IMPORT + "access-token: t\nregion: federal").endpoint().eventsUrl())
                .isEqualTo("https://events.launchdarkly.us/v2/event-data-import/shop/production");
        assertThat(instance(IMPORT + "access-token: t\nregion: us").endpoint().eventsUrl())
                .isEqualTo("https://events.launchdarkly.com/v2/event-data-import/shop/production");
        assertThat(instance(IMPORT + "access-token: t\nregion: eu\nevents-base-url: http://127.0.0.1:8030/").endpoint()
                .eventsUrl()).isEqualTo("http://127.0.0.1:8030/v2/event-data-import/shop/production");
    }

    @Test
    void withoutATokenAnEnabledInstancePostsToTheStandInWithItsTokenAndADisabledOneNowhere() {
        EventsEndpoint standIn = instance(IMPORT).endpoint();

        assertThat(standIn.isStandIn()).isTrue();
        assertThat(standIn.eventsUrl()).isEqualTo("http://127.0.0.1:8080/v2/event-data-import/shop/production");
        assertThat(standIn.credential()).isEqualTo("stand-in-token");
        List<DestinationInstance> instances = reader.read(TestInbox.create("metric-import").mappingsFile("""
                destinations:
                  - name: production
                    client-side-id: prod-id
                  - name: backfill
                    type: metric-import
                    project-key: shop
                    environment-key: production
                    enabled: false
                """));
        assertThat(instances.get(1).endpoint()).isNull();
    }

    @Test
    void thePayloadIdsOfAnInstanceFollowItsEnvironmentNotItsToken() {
        EventsEndpoint first = instance(IMPORT + "access-token: first-token").endpoint();
        EventsEndpoint renewed = instance(IMPORT + "access-token: renewed-token").endpoint();
        EventsEndpoint otherEnvironment = instance("type: metric-import\nproject-key: shop\nenvironment-key: staging\n"
                + "access-token: first-token").endpoint();

        assertThat(first.payloadIdScope()).isEqualTo("metric-import /v2/event-data-import/shop/production")
                .isEqualTo(renewed.payloadIdScope()).isNotEqualTo(otherEnvironment.payloadIdScope());
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of(IMPORT + "access-token: t\nmappings:\n  - name: Aliases\n    trigger: type = \"alias\"\n"
                                + "    action: Alias User",
                        "destination 'backfill', mapping 'Aliases': action Alias User cannot run on an instance of type"
                                + " metric-import: the metric import API takes custom events only, which Track Event makes"
                                + " (send identify and alias calls to an instance of type client-side)"),
                Arguments.of(IMPORT + "access-token: t\npresets: false\nmappings:\n  - name: Contexts\n"
                                + "    trigger: type = \"identify\"\n    action: Identify Context",
                        "destination 'backfill', mapping 'Contexts': action Identify Context cannot run on an instance of"
                                + " type metric-import: the metric import API takes custom events only, which Track Event"
                                + " makes (send identify and alias calls to an instance of type client-side)"),
                Arguments.of("type: metric-import\nenvironment-key: production\naccess-token: t",
                        "destination 'backfill': project-key is missing: type metric-import needs the key of the"
                                + " LaunchDarkly project"),
                Arguments.of("type: metric-import\nproject-key: shop\naccess-token: t",
                        "destination 'backfill': environment-key is missing: type metric-import needs the key of the"
                                + " project's environment the events are for"),
                Arguments.of(IMPORT + "access-token: t\nregion: mars",
                        "destination 'backfill': region must be us, eu or federal, was 'mars'"),
                Arguments.of(IMPORT + "region: EU", "destination 'backfill': region must be us, eu or federal, was 'EU'"),
                Arguments.of("type: metric-import\nproject-key: 'my shop'\nenvironment-key: production",
                        "destination 'backfill': project-key must be a LaunchDarkly key (letters, digits, '.', '_' and"
                                + " '-'), was 'my shop'"),
                Arguments.of(IMPORT + "access-token: 'api-1 api-2'",
                        "destination 'backfill': access-token must be one word, without spaces or line breaks"),
                Arguments.of(IMPORT + "access-token: t\nidentify-with: contexts",
                        "destination 'backfill': identify-with chooses the preset for identify calls, and an instance"
                                + " of type metric-import has none: the metric import API takes custom events only"),
                Arguments.of(IMPORT + "client-side-id: prod-id",
                        "destination 'backfill': client-side-id is a setting of type client-side; an instance of type"
                                + " metric-import is authorised by its access-token and posts where region or"
                                + " events-base-url say"),
                Arguments.of(IMPORT + "events-host: events.eu.launchdarkly.com",
                        "destination 'backfill': events-host is a setting of type client-side; an instance of type"
                                + " metric-import is authorised by its access-token and posts where region or"
                                + " events-base-url say"),
                Arguments.of("client-side-id: prod-id\nproject-key: shop",
                        "destination 'backfill': project-key is a setting of type metric-import; this instance's type"
                                + " is client-side (the default)"),
                Arguments.of("type: server-side\nclient-side-id: prod-id",
                        "destination 'backfill': type must be client-side (the default) or metric-import, was"
                                + " 'server-side'"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("mistakes")
    void mistakesAreRefusedNamingTheFileTheInstanceAndTheMapping(String lines, String message) {
        Path file = file(lines);

        assertThatThrownBy(() -> reader.read(file)).isInstanceOf(IllegalStateException.class)
                .hasMessage("Mappings file " + file + ", " + message);
    }

    @Test
    void theClientSideTypeIsTheDefaultAndCanBeNamed() {
        assertThat(instance("client-side-id: prod-id").endpoint().api()).isEqualTo(EventsEndpoint.Api.CLIENT_SIDE);
        assertThat(instance("type: client-side\nclient-side-id: prod-id").endpoint().eventsUrl())
                .isEqualTo("https://events.launchdarkly.com/events/bulk/prod-id");
    }
}
