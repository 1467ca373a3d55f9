package io.github.segmentld.launchdarkly;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Where a destination instance's LaunchDarkly events go: {@code POST {base URL}/events/bulk/{client-side ID}}. The base URL is
 * {@code https://{events host}} (the host defaults to {@code events.launchdarkly.com} and is a bare host name), or an
 * explicit base URL for a Relay Proxy or a local stand-in.
 *
 * @param name         the destination instance's name, as logs, metrics and dead-letter records show it
 * @param clientSideId the LaunchDarkly client-side ID; it is the credential, so logs show only its last characters
 * @param eventsUrl    the full bulk-events URL
 */
public record EventsEndpoint(String name, String clientSideId, String eventsUrl) {

    public static final String DEFAULT_EVENTS_HOST = "events.launchdarkly.com";
    private static final String STAND_IN_PREFIX = "stand-in-";
    private static final Pattern BARE_HOST = Pattern.compile("[A-Za-z0-9.-]+(:[0-9]{1,5})?");
    private static final Pattern CLIENT_SIDE_ID = Pattern.compile("[A-Za-z0-9_.-]+");

    /**
     * @param eventsBaseUrl when not blank, used instead of the events host (scheme, host, port, optional path)
     * @throws IllegalArgumentException naming the setting that is wrong: client-side-id, events-host or events-base-url
     */
    public static EventsEndpoint of(String name, String clientSideId, String eventsHost, String eventsBaseUrl) {
        if (!CLIENT_SIDE_ID.matcher(clientSideId).matches()) {
            throw new IllegalArgumentException("client-side-id is not a LaunchDarkly client-side ID"
                    + " (letters, digits, '.', '_' and '-' only)");
        }
        String base;
        if (eventsBaseUrl != null && !eventsBaseUrl.isBlank()) {
            if (!isHttpUrl(eventsBaseUrl.strip())) {
                throw new IllegalArgumentException("events-base-url must be an http or https URL, was '"
                        + eventsBaseUrl + "'");
            }
            base = eventsBaseUrl.strip().replaceAll("/+$", "");
        } else {
            String host = eventsHost == null || eventsHost.isBlank() ? DEFAULT_EVENTS_HOST : eventsHost.strip();
            if (!BARE_HOST.matcher(host).matches()) {
                throw new IllegalArgumentException("events-host must be a bare host name such as "
                        + DEFAULT_EVENTS_HOST + " (no scheme, no path), was '" + host + "'");
            }
            base = "https://" + host;
        }
        String url = base + "/events/bulk/" + URLEncoder.encode(clientSideId, StandardCharsets.UTF_8);
        return new EventsEndpoint(name, clientSideId, url);
    }

    /** The embedded stand-in's endpoint for an instance without a client-side ID. */
    public static EventsEndpoint standIn(String name, String baseUrl) {
        return of(name, STAND_IN_PREFIX + name, null, baseUrl);
    }

    public boolean isStandIn() {
        return clientSideId.startsWith(STAND_IN_PREFIX);
    }

    private static boolean isHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            return uri.getScheme() != null && uri.getScheme().matches("https?") && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Whether events go to LaunchDarkly's own events host, where the client-side ID can be checked beforehand. */
    public boolean usesDefaultHost() {
        return eventsUrl.startsWith("https://" + DEFAULT_EVENTS_HOST + "/");
    }

    /** The events URL as logs may show it. */
    public String maskedEventsUrl() {
        return eventsUrl.substring(0, eventsUrl.lastIndexOf('/') + 1) + maskedClientSideId();
    }

    /** The client-side ID as logs may show it (the stand-in's made-up ID in full). */
    public String maskedClientSideId() {
        if (isStandIn()) {
            return clientSideId;
        }
        int keep = Math.min(4, clientSideId.length() / 4);
        return "…" + clientSideId.substring(clientSideId.length() - keep);
    }

    @Override
    public String toString() {
        return name + " (client-side ID " + maskedClientSideId() + ")";
    }
}
