package io.github.segmentld.launchdarkly;

/**
 * Where an enabled destination instance without a credential (client-side ID, or access token for the metric import
 * API) posts: the embedded stand-in the application serves itself. A configuration that may not fall back to it (the
 * prod profile, no HTTP server) refuses instead.
 */
public interface StandInEndpoints {

    /** @throws IllegalStateException saying why this configuration has no stand-in for the instance */
    EventsEndpoint clientSide(String instance);

    /** @throws IllegalStateException saying why this configuration has no stand-in for the instance */
    EventsEndpoint metricImport(String instance, String projectKey, String environmentKey);

    /** The embedded stand-in served at {@code baseUrl}, whose import path expects {@code accessToken}. */
    static StandInEndpoints at(String baseUrl, String accessToken) {
        return new StandInEndpoints() {
            @Override
            public EventsEndpoint clientSide(String instance) {
                return EventsEndpoint.standIn(instance, baseUrl);
            }

            @Override
            public EventsEndpoint metricImport(String instance, String projectKey, String environmentKey) {
                return EventsEndpoint.importStandIn(instance, projectKey, environmentKey, accessToken, baseUrl);
            }
        };
    }
}
