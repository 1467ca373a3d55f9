package io.github.segmentld.launchdarkly;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Where a destination instance's LaunchDarkly events go, by one of LaunchDarkly's two APIs for them:
 * <ul>
 *   <li>{@link Api#CLIENT_SIDE}: {@code POST {base URL}/events/bulk/{client-side ID}}, the client-side ID in the path
 *       being the credential. The base URL is {@code https://{events host}} (the host defaults to
 *       {@code events.launchdarkly.com} and is a bare host name), or an explicit base URL for a Relay Proxy or a local
 *       stand-in;</li>
 *   <li>{@link Api#METRIC_IMPORT}: {@code POST {base URL}/v2/event-data-import/{project key}/{environment key}}, with a
 *       secret access token in {@code Authorization}. The base URL is the events host of a LaunchDarkly
 *       {@link Region}, or an explicit base URL.</li>
 * </ul>
 *
 * @param name       the destination instance's name, as logs, metrics and dead-letter records show it
 * @param api        which of LaunchDarkly's APIs takes the events
 * @param credential the client-side ID or the access token; logs show only its last characters
 * @param eventsUrl  the full URL the batches are posted to
 * @param standIn    whether the URL is the embedded stand-in's, for an instance without a credential
 */
public record EventsEndpoint(String name, Api api, String credential, String eventsUrl, boolean standIn) {

    public static final String DEFAULT_EVENTS_HOST = "events.launchdarkly.com";
    private static final String STAND_IN_PREFIX = "stand-in-";
    private static final Pattern BARE_HOST = Pattern.compile("[A-Za-z0-9.-]+(:[0-9]{1,5})?");
    private static final Pattern CLIENT_SIDE_ID = Pattern.compile("[A-Za-z0-9_.-]+");
    /** LaunchDarkly's project and environment keys: letters, digits, '.', '_' and '-'. */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern TOKEN = Pattern.compile("\\S+");

    /** The API an instance's events go to, as the mappings file's {@code type} names it. */
    public enum Api {
        /** The bulk events endpoint of LaunchDarkly's client-side SDKs, keyed by the environment's client-side ID. */
        CLIENT_SIDE("client-side"),
        /** The metric import API, for events from a server-side pipeline, authorised by an access token. */
        METRIC_IMPORT("metric-import");

        private final String setting;

        Api(String setting) {
            this.setting = setting;
        }

        public String setting() {
            return setting;
        }
    }

    /** LaunchDarkly's instances, by the host of their events API. */
    public enum Region {
        US("us", DEFAULT_EVENTS_HOST),
        EU("eu", "events.eu.launchdarkly.com"),
        FEDERAL("federal", "events.launchdarkly.us");

        private final String setting;
        private final String eventsHost;

        Region(String setting, String eventsHost) {
            this.setting = setting;
            this.eventsHost = eventsHost;
        }

        /** @throws IllegalArgumentException naming the regions, for a value that is none of them */
        public static Region of(String setting) {
            return Arrays.stream(values()).filter(region -> region.setting.equals(setting)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("region must be us, eu or federal, was '"
                            + setting + "'"));
        }

        public String eventsHost() {
            return eventsHost;
        }
    }

    /** A client-side endpoint at this URL; the stand-in's when the ID is one the stand-in made up. */
    public EventsEndpoint(String name, String clientSideId, String eventsUrl) {
        this(name, Api.CLIENT_SIDE, clientSideId, eventsUrl, clientSideId.startsWith(STAND_IN_PREFIX));
    }

    /**
     * The client-side endpoint of an instance.
     *
     * @param eventsBaseUrl when not blank, used instead of the events host (scheme, host, port, optional path)
     * @throws IllegalArgumentException naming the setting that is wrong: client-side-id, events-host or events-base-url
     */
    public static EventsEndpoint of(String name, String clientSideId, String eventsHost, String eventsBaseUrl) {
        if (!CLIENT_SIDE_ID.matcher(clientSideId).matches()) {
            throw new IllegalArgumentException("client-side-id is not a LaunchDarkly client-side ID"
                    + " (letters, digits, '.', '_' and '-' only)");
        }
        String host = eventsHost == null || eventsHost.isBlank() ? DEFAULT_EVENTS_HOST : eventsHost.strip();
        if ((eventsBaseUrl == null || eventsBaseUrl.isBlank()) && !BARE_HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("events-host must be a bare host name such as "
                    + DEFAULT_EVENTS_HOST + " (no scheme, no path), was '" + host + "'");
        }
        String url = baseUrl(host, eventsBaseUrl) + "/events/bulk/" + URLEncoder.encode(clientSideId, StandardCharsets.UTF_8);
        return new EventsEndpoint(name, clientSideId, url);
    }

    /**
     * The URL of the metric import API for a project's environment.
     *
     * @param eventsBaseUrl when not blank, used instead of the region's events host
     * @throws IllegalArgumentException naming the setting that is wrong: project-key, environment-key or events-base-url
     */
    public static String metricImportUrl(String projectKey, String environmentKey, Region region, String eventsBaseUrl) {
        return importUrl(baseUrl(region.eventsHost(), eventsBaseUrl), projectKey, environmentKey);
    }

    /**
     * The metric import endpoint of an instance, at a URL of {@link #metricImportUrl}.
     *
     * @throws IllegalArgumentException when the access token is not one word (it travels in a header)
     */
    public static EventsEndpoint metricImport(String name, String accessToken, String eventsUrl) {
        if (!TOKEN.matcher(accessToken).matches()) {
            throw new IllegalArgumentException("access-token must be one word, without spaces or line breaks");
        }
        return new EventsEndpoint(name, Api.METRIC_IMPORT, accessToken, eventsUrl, false);
    }

    /** The embedded stand-in's client-side endpoint for an instance without a client-side ID. */
    public static EventsEndpoint standIn(String name, String baseUrl) {
        return of(name, STAND_IN_PREFIX + name, null, baseUrl);
    }

    /** The embedded stand-in's metric import endpoint for an instance without an access token. */
    public static EventsEndpoint importStandIn(String name, String projectKey, String environmentKey, String accessToken,
                                               String baseUrl) {
        return new EventsEndpoint(name, Api.METRIC_IMPORT, accessToken,
                importUrl(baseUrl(null, baseUrl), projectKey, environmentKey), true);
    }

    private static String importUrl(String base, String projectKey, String environmentKey) {
        return base + "/v2/event-data-import/" + key("project-key", projectKey) + "/"
                + key("environment-key", environmentKey);
    }

    private static String key(String setting, String value) {
        if (value == null || !KEY.matcher(value).matches()) {
            throw new IllegalArgumentException(setting + " must be a LaunchDarkly key (letters, digits, '.', '_' and"
                    + " '-'), was '" + (value == null ? "" : value) + "'");
        }
        return value;
    }

    private static String baseUrl(String host, String eventsBaseUrl) {
        if (eventsBaseUrl == null || eventsBaseUrl.isBlank()) {
            return "https://" + host;
        }
        if (!isHttpUrl(eventsBaseUrl.strip())) {
            throw new IllegalArgumentException("events-base-url must be an http or https URL, was '" + eventsBaseUrl + "'");
        }
        return eventsBaseUrl.strip().replaceAll("/+$", "");
    }

    private static boolean isHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            return uri.getScheme() != null && uri.getScheme().matches("https?") && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    public boolean isStandIn() {
        return standIn;
    }

    /** Whether the batches go to the metric import API, with the access token in {@code Authorization}. */
    public boolean isMetricImport() {
        return api == Api.METRIC_IMPORT;
    }

    /** The client-side ID, or null for the metric import API. */
    public String clientSideId() {
        return isMetricImport() ? null : credential;
    }

    /**
     * What, beside the instance's name, makes its batches' payload IDs its own: the client-side ID, as it always was;
     * for the metric import API the project and environment (the URL's path), not the token, which may be replaced.
     */
    public String payloadIdScope() {
        return isMetricImport() ? "metric-import " + URI.create(eventsUrl).getPath() : credential;
    }

    /** Whether a client-side ID can be checked beforehand: it goes to LaunchDarkly's own events host. */
    public boolean usesDefaultHost() {
        return !isMetricImport() && eventsUrl.startsWith("https://" + DEFAULT_EVENTS_HOST + "/");
    }

    /** The events URL as logs may show it: the client-side ID in it masked (the metric import URL holds no secret). */
    public String maskedEventsUrl() {
        return isMetricImport() ? eventsUrl : eventsUrl.substring(0, eventsUrl.lastIndexOf('/') + 1) + maskedCredential();
    }

    /** The client-side ID or access token as logs may show it: its last characters (the stand-in's made-up ID in full). */
    public String maskedCredential() {
        if (standIn && !isMetricImport()) {
            return credential;
        }
        int keep = Math.min(4, credential.length() / 4);
        return "…" + credential.substring(credential.length() - keep);
    }

    /** What the credential is, as messages name it. */
    public String credentialName() {
        return isMetricImport() ? "access token" : "client-side ID";
    }

    @Override
    public String toString() {
        return name + " (" + (isMetricImport() ? "metric import, " : "") + credentialName() + " " + maskedCredential() + ")";
    }
}
