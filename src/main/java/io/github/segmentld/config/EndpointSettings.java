package io.github.segmentld.config;

import java.util.List;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.launchdarkly.EventsEndpoint.Api;
import io.github.segmentld.launchdarkly.EventsEndpoint.Region;
import io.github.segmentld.launchdarkly.StandInEndpoints;
import io.github.segmentld.mapping.Mapping;

/**
 * The settings of a destination instance that say where its events go, by its {@code type}:
 * <pre>
 *   type: client-side                         # the default: POST /events/bulk/{client-side ID}
 *   client-side-id: "{{env:LD_CLIENT_SIDE_ID:}}"
 *   events-host: events.launchdarkly.com      # or events-base-url
 *
 *   type: metric-import                       # POST /v2/event-data-import/{project}/{environment}, custom events only
 *   project-key: shop
 *   environment-key: production
 *   access-token: "{{env:LD_IMPORT_TOKEN:}}"  # a role allowing importEventData
 *   region: us                                # eu, federal; or events-base-url
 * </pre>
 * Without its credential (client-side ID or access token), an enabled instance posts to the embedded stand-in. A
 * setting of the other type is refused rather than ignored, so that a mistyped instance does not post elsewhere than
 * its author meant.
 */
final class EndpointSettings {

    private static final List<String> CLIENT_SIDE_ONLY = List.of("client-side-id", "events-host");
    private static final List<String> METRIC_IMPORT_ONLY = List.of("project-key", "environment-key", "access-token",
            "region");

    private EndpointSettings() {
    }

    /** The instance's {@code type}: client-side unless it says metric-import. */
    static Api api(JsonNode node, FileSettings settings, String where) {
        String type = settings.setting(node, "type", where);
        for (Api api : Api.values()) {
            if (api.setting().equals(type)) {
                return api;
            }
        }
        if (!type.isEmpty()) {
            throw new IllegalStateException(where + ": type must be client-side (the default) or metric-import, was '"
                    + type + "'");
        }
        return Api.CLIENT_SIDE;
    }

    /**
     * Where the instance's events go; null only for a disabled instance without its credential.
     *
     * @throws IllegalStateException naming the instance and the setting that is wrong
     */
    static EventsEndpoint endpoint(JsonNode node, FileSettings settings, Api api, String name, boolean enabled,
                                   StandInEndpoints standIns, String where) {
        for (String other : api == Api.METRIC_IMPORT ? CLIENT_SIDE_ONLY : METRIC_IMPORT_ONLY) {
            if (!settings.setting(node, other, where).isEmpty()) {
                throw new IllegalStateException(where + ": " + other + (api == Api.METRIC_IMPORT
                        ? " is a setting of type client-side; an instance of type metric-import is authorised by its"
                        + " access-token and posts where region or events-base-url say"
                        : " is a setting of type metric-import; this instance's type is client-side (the default)"));
            }
        }
        String eventsBaseUrl = settings.setting(node, "events-base-url", where);
        if (api == Api.CLIENT_SIDE) {
            String clientSideId = settings.setting(node, "client-side-id", where);
            String eventsHost = settings.setting(node, "events-host", where);
            return built(where, () -> clientSideId.isEmpty() ? (enabled ? standIns.clientSide(name) : null)
                    : EventsEndpoint.of(name, clientSideId, eventsHost, eventsBaseUrl));
        }
        String projectKey = required(node, settings, "project-key", "the key of the LaunchDarkly project", where);
        String environmentKey = required(node, settings, "environment-key",
                "the key of the project's environment the events are for", where);
        String region = settings.setting(node, "region", where);
        String accessToken = settings.setting(node, "access-token", where);
        return built(where, () -> {
            // the URL is checked whether or not the token is given
            String url = EventsEndpoint.metricImportUrl(projectKey, environmentKey,
                    Region.of(region.isEmpty() ? "us" : region), eventsBaseUrl);
            if (accessToken.isEmpty()) {
                return enabled ? standIns.metricImport(name, projectKey, environmentKey) : null;
            }
            return EventsEndpoint.metricImport(name, accessToken, url);
        });
    }

    /** The endpoint, or the reason it cannot be, with the instance named. */
    private static EventsEndpoint built(String where, Supplier<EventsEndpoint> endpoint) {
        try {
            return endpoint.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalStateException(where + ": " + e.getMessage());
        }
    }

    private static String required(JsonNode node, FileSettings settings, String key, String what, String where) {
        String value = settings.setting(node, key, where);
        if (value.isEmpty()) {
            throw new IllegalStateException(where + ": " + key + " is missing: type metric-import needs " + what);
        }
        return value;
    }

    /**
     * The presets of an instance of type metric-import: Track Event alone, the metric import API taking nothing but
     * custom events.
     */
    static List<Mapping> metricImportPresets(String name, String identifyWith, String where) {
        if (!identifyWith.isEmpty()) {
            throw new IllegalStateException(where + ": identify-with chooses the preset for identify calls, and an"
                    + " instance of type metric-import has none: the metric import API takes custom events only");
        }
        return List.of(Actions.TRACK_EVENT.preset(name));
    }

    /** Refuses a mapping of an instance of type metric-import whose action makes other events than custom ones. */
    static void checkActions(Api api, List<Mapping> mappings, String where) {
        if (api != Api.METRIC_IMPORT) {
            return;
        }
        for (Mapping mapping : mappings) {
            if (mapping.action() != Actions.TRACK_EVENT) {
                throw new IllegalStateException(where + ", mapping '" + mapping.name() + "': action "
                        + mapping.action().title() + " cannot run on an instance of type metric-import: the metric"
                        + " import API takes custom events only, which Track Event makes (send identify and alias"
                        + " calls to an instance of type client-side)");
            }
        }
    }
}
