package io.github.segmentld.launchdarkly;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment's "test authentication" for the destination: {@code HEAD https://clientsdk.launchdarkly.com/sdk/goals/{ID}}
 * answers 200 for a client-side ID LaunchDarkly knows and 404 otherwise. It only says something about destinations
 * that post to LaunchDarkly's own events host; a Relay Proxy or another host is not checked.
 */
public class SettingsCheck {

    private static final Logger LOG = LoggerFactory.getLogger(SettingsCheck.class);

    /** What the check found for one destination. */
    public enum Outcome { VALID, INVALID, NOT_CHECKED, UNKNOWN }

    public record Result(EventsEndpoint destination, Outcome outcome, String message) {
    }

    private final List<EventsEndpoint> destinations;
    private final String goalsUrl;
    private final Duration timeout;
    private final HttpClient client;
    private final ObjectMapper mapper;

    /** @param goalsUrl the URL the client-side ID is appended to, {@code https://clientsdk.launchdarkly.com/sdk/goals/} */
    public SettingsCheck(List<EventsEndpoint> destinations, String goalsUrl, Duration timeout, ObjectMapper mapper) {
        this.destinations = List.copyOf(destinations);
        this.goalsUrl = goalsUrl.endsWith("/") ? goalsUrl : goalsUrl + "/";
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.mapper = mapper;
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
            item.put("clientSideId", result.destination().maskedClientSideId());
            item.put("outcome", result.outcome().name().toLowerCase());
            item.put("message", result.message());
        }
        return report.toPrettyString();
    }

    public Result check(EventsEndpoint destination) {
        if (!destination.usesDefaultHost()) {
            return new Result(destination, Outcome.NOT_CHECKED, "events go to " + destination.maskedEventsUrl()
                    + ", not LaunchDarkly's own host: the client-side ID cannot be checked beforehand");
        }
        String url = goalsUrl + URLEncoder.encode(destination.clientSideId(), StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(timeout).build();
        String shownUrl = goalsUrl + destination.maskedClientSideId();
        Result result;
        try {
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            result = switch (status) {
                case 200 -> new Result(destination, Outcome.VALID, "LaunchDarkly knows the client-side ID");
                case 404 -> new Result(destination, Outcome.INVALID, "LaunchDarkly does not know the client-side ID "
                        + destination.maskedClientSideId() + " (HEAD " + shownUrl + " answered 404): copy it again from"
                        + " LaunchDarkly's Account settings > Projects, for the right environment");
                default -> new Result(destination, Outcome.UNKNOWN, "HEAD " + shownUrl + " answered " + status);
            };
        } catch (IOException e) {
            result = new Result(destination, Outcome.UNKNOWN, "HEAD " + shownUrl + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = new Result(destination, Outcome.UNKNOWN, "interrupted");
        }
        switch (result.outcome()) {
            case VALID -> LOG.info("Settings check of destination {}: {}", destination, result.message());
            case INVALID -> LOG.error("Settings check of destination {}: {}", destination, result.message());
            default -> LOG.warn("Settings check of destination {}: {}", destination, result.message());
        }
        return result;
    }
}
