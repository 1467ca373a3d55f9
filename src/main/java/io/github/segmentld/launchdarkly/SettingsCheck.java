package io.github.segmentld.launchdarkly;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment's "test authentication" for the destination: {@code HEAD https://clientsdk.launchdarkly.com/sdk/goals/{ID}}
 * answers 200 for a client-side ID LaunchDarkly knows and 404 otherwise. It only says something about destinations
 * that post to LaunchDarkly's own events host; a Relay Proxy or another host is not checked. Nor is an access token
 * of the metric import API: LaunchDarkly documents no request of that API that answers without importing, and one that
 * imports nothing is not promised to check the token first; the first batch tells (a 401 or 403 dead-letters it, and
 * the destination's health says so). The request goes through
 * Camel's http component, as the deliveries do, so that {@code camel.component.http.*} (proxy, TLS, timeouts) applies
 * to both alike.
 */
public class SettingsCheck {

    private static final Logger LOG = LoggerFactory.getLogger(SettingsCheck.class);

    /** What the check found for one destination. */
    public enum Outcome { VALID, INVALID, NOT_CHECKED, UNKNOWN }

    public record Result(EventsEndpoint destination, Outcome outcome, String message) {
    }

    /**
     * The URL is given in a header rather than in the endpoint URI, so that the client-side ID never appears in an
     * endpoint URI (and so in logs or metric tags); any status is an answer to report, not a failure.
     */
    private static final String ENDPOINT = "http:launchdarkly-settings-check?throwExceptionOnFailure=false";

    private volatile List<EventsEndpoint> destinations;
    private final String goalsUrl;
    private final ProducerTemplate http;
    private final ObjectMapper mapper;

    /** @param goalsUrl the URL the client-side ID is appended to, {@code https://clientsdk.launchdarkly.com/sdk/goals/} */
    public SettingsCheck(List<EventsEndpoint> destinations, String goalsUrl, ProducerTemplate http, ObjectMapper mapper) {
        this.destinations = List.copyOf(destinations);
        this.goalsUrl = goalsUrl.endsWith("/") ? goalsUrl : goalsUrl + "/";
        this.http = http;
        this.mapper = mapper;
    }

    /** The destinations a reload put in force, which the on-demand check reports on. */
    public void destinations(List<EventsEndpoint> destinations) {
        this.destinations = List.copyOf(destinations);
    }

    public List<Result> checkAll() {
        return destinations.stream().map(this::check).toList();
    }

    /** The check of every destination, as the JSON the on-demand endpoint answers. */
    public String report() {
        ArrayNode report = mapper.createArrayNode();
        for (Result result : checkAll()) {
            ObjectNode item = report.addObject();
            item.put("destination", result.destination().name());
            item.put(result.destination().isMetricImport() ? "accessToken" : "clientSideId",
                    result.destination().maskedCredential());
            item.put("outcome", result.outcome().name().toLowerCase());
            item.put("message", result.message());
        }
        return report.toPrettyString();
    }

    public Result check(EventsEndpoint destination) {
        if (destination.isMetricImport()) {
            return new Result(destination, Outcome.NOT_CHECKED, "the metric import API has no request that checks an"
                    + " access token without importing events: the first batch tells (401 or 403: the token is wrong or"
                    + " its role lacks importEventData)");
        }
        if (!destination.usesDefaultHost()) {
            return new Result(destination, Outcome.NOT_CHECKED, "events go to " + destination.maskedEventsUrl()
                    + ", not LaunchDarkly's own host: the client-side ID cannot be checked beforehand");
        }
        String url = goalsUrl + URLEncoder.encode(destination.clientSideId(), StandardCharsets.UTF_8);
        String shownUrl = goalsUrl + destination.maskedCredential();
        Exchange answer = http.send(ENDPOINT, exchange -> {
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "HEAD");
            exchange.getMessage().setHeader(Exchange.HTTP_URI, url);
        });
        Result result;
        if (answer.getException() != null) {
            result = new Result(destination, Outcome.UNKNOWN, "HEAD " + shownUrl + " failed: " + answer.getException());
        } else {
            int status = answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            result = switch (status) {
                case 200 -> new Result(destination, Outcome.VALID, "LaunchDarkly knows the client-side ID");
                case 404 -> new Result(destination, Outcome.INVALID, "LaunchDarkly does not know the client-side ID "
                        + destination.maskedCredential() + " (HEAD " + shownUrl + " answered 404): copy it again from"
                        + " LaunchDarkly's Account settings > Projects, for the right environment");
                default -> new Result(destination, Outcome.UNKNOWN, "HEAD " + shownUrl + " answered " + status);
            };
        }
        switch (result.outcome()) {
            case VALID -> LOG.info("Settings check of destination {}: {}", destination, result.message());
            case INVALID -> LOG.error("Settings check of destination {}: {}", destination, result.message());
            default -> LOG.warn("Settings check of destination {}: {}", destination, result.message());
        }
        return result;
    }
}
