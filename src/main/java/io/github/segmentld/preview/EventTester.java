package io.github.segmentld.preview;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.config.DestinationInstance;
import io.github.segmentld.ingest.RefusedRequestException;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.launchdarkly.FailureDescriptions;
import io.github.segmentld.launchdarkly.RequestCompression;
import io.github.segmentld.mapping.IntegrationsFilter;
import io.github.segmentld.mapping.MappingMatcher;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.time.Ticker;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one Segment event for real to one destination instance, as Segment's Event Tester does, and answers with the
 * exact request and LaunchDarkly's answer. The event is mapped by the {@link MappingPreview} (so exactly as the preview
 * shows it: the instance's consent rule, its mappings, identify-with); what it yields goes out in one request with the
 * headers of a delivery, under a random payload ID of its own, through Camel's http component (so that
 * {@code camel.component.http.*} applies as it does to deliveries). Unlike a delivery, nothing else happens: no
 * redelivery, no retry queue, no dead letter, no ledger, no delivery log, no counter, no input read or committed.
 */
public class EventTester {

    private static final Logger LOG = LoggerFactory.getLogger(EventTester.class);

    /**
     * The URL comes in a header, so that the client-side ID never appears in an endpoint URI (and so in logs or metric
     * tags); any status is LaunchDarkly's answer to report, not a failure.
     */
    static final String ENDPOINT = "http:launchdarkly-event-tester?throwExceptionOnFailure=false";

    /** The tester's own answer: its HTTP status and JSON body. */
    public record Answer(int status, String body) {
    }

    /** The User-Agent of each API, as the delivery route sends them. */
    public record UserAgents(String clientSide, String metricImport) {
    }

    /** The instances of the mappings in force (a reload changes them). */
    private final Supplier<List<DestinationInstance>> instances;
    private final MappingPreview preview;
    private final ProducerTemplate http;
    private final RequestCompression compression;
    private final FailureDescriptions failures;
    private final UserAgents userAgents;
    private final ObjectMapper mapper;
    private final Ticker ticker;

    public EventTester(Supplier<List<DestinationInstance>> instances, MappingPreview preview, ProducerTemplate http,
                       RequestCompression compression, FailureDescriptions failures, UserAgents userAgents,
                       ObjectMapper mapper, Ticker ticker) {
        this.instances = instances;
        this.preview = preview;
        this.http = http;
        this.compression = compression;
        this.failures = failures;
        this.userAgents = userAgents;
        this.mapper = mapper;
        this.ticker = ticker;
    }

    /** The destination instances one can test, for the delivery page's form. */
    public String destinations() {
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode list = answer.putArray("destinations");
        instances.get().forEach(instance -> {
            ObjectNode item = list.addObject().put("name", instance.name()).put("enabled", instance.enabled());
            if (instance.endpoint() != null) {
                item.put("api", instance.endpoint().api().setting()).put("url", instance.endpoint().maskedEventsUrl());
            }
        });
        return answer.toPrettyString();
    }

    /**
     * Maps the event with the destination instance's mappings and, when that yields LaunchDarkly events, sends them.
     *
     * @param destination the instance's name ({@code ?destination=})
     * @param body        one Segment event, as JSON
     * @return 200 with what was sent and LaunchDarkly's answer, or with why nothing was sent (filtered, rejected);
     *         400 without a destination, 404 for an unknown one, 409 for a disabled one
     * @throws RefusedRequestException (400) when the body is not one Segment event
     */
    public Answer test(@Header("destination") String destination, @Body byte[] body) {
        if (destination == null || destination.isBlank()) {
            return refusal(400, "name the destination instance to send to: ?destination=NAME");
        }
        DestinationInstance instance = instances.get().stream().filter(known -> known.name().equals(destination))
                .findFirst().orElse(null);
        if (instance == null) {
            return refusal(404, "there is no destination instance '" + destination + "'");
        }
        if (!instance.enabled()) {
            return refusal(409, "the destination instance '" + destination + "' is disabled (enabled: false in the"
                    + " mappings file): the tester sends to enabled instances only");
        }
        ObjectNode event = event(body);
        ObjectNode report = destinationReport(preview.preview(event), destination);
        ObjectNode answer = mapper.createObjectNode();
        answer.put("destination", destination);
        ArrayNode events = (ArrayNode) report.get("events");
        if (events.isEmpty()) {
            nothingToSend(event, report, answer);
        } else {
            send(instance.endpoint(), events, answer);
        }
        if (report.has("consent")) {
            answer.set("consent", report.get("consent"));
        }
        answer.set("mappings", report.get("mappings"));
        return new Answer(200, answer.toPrettyString());
    }

    private ObjectNode event(byte[] body) {
        JsonNode input = MappingPreview.readJson(mapper, body);
        if (input == null || !input.isObject() || input.path("batch").isArray()) {
            throw new RefusedRequestException(400, "Send one Segment event (a JSON object): the tester sends one event"
                    + " at a time");
        }
        return (ObjectNode) input;
    }

    private static ObjectNode destinationReport(ObjectNode report, String destination) {
        for (JsonNode item : report.get("destinations")) {
            if (item.path("destination").asText().equals(destination)) {
                return (ObjectNode) item;
            }
        }
        throw new IllegalStateException("The preview has no report for destination '" + destination + "'");
    }

    /** Why the instance has nothing to send for the event: as the pipeline would count it (filtered or rejected). */
    private void nothingToSend(ObjectNode event, ObjectNode report, ObjectNode answer) {
        List<String> errors = new ArrayList<>();
        report.get("mappings").forEach(mapping -> {
            if (mapping.has("error")) {
                errors.add("mapping '" + mapping.get("mapping").asText() + "': " + mapping.get("error").asText());
            }
        });
        JsonNode consent = report.path("consent");
        if (!errors.isEmpty()) {
            answer.put("outcome", "rejected").put("reason", Rejection.VALIDATION)
                    .put("message", String.join(" ", errors));
        } else if (!IntegrationsFilter.enabledFor(event)) {
            answer.put("outcome", "filtered").put("reason", MappingMatcher.INTEGRATIONS_DISABLED)
                    .put("message", "the event's integrations object turns LaunchDarkly off");
        } else if (consent.has("filtered")) {
            answer.put("outcome", "filtered").put("reason", consent.get("filtered").asText())
                    .put("message", consent.get("reason").asText());
        } else {
            answer.put("outcome", "filtered").put("reason", MappingMatcher.NO_MATCHING_MAPPING)
                    .put("message", "no enabled mapping of the instance matched the event (see each mapping's reason)");
        }
    }

    /** Posts the events in one request, as the delivery route does; the answer gets the request and LaunchDarkly's. */
    private void send(EventsEndpoint endpoint, ArrayNode events, ObjectNode answer) {
        String payloadId = UUID.randomUUID().toString();
        Exchange request = new DefaultExchange(http.getCamelContext());
        Message message = request.getMessage();
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.HTTP_URI, endpoint.eventsUrl());
        message.setHeader("Content-Type", "application/json");
        message.setHeader("X-LaunchDarkly-Event-Schema", "4");
        message.setHeader("X-LaunchDarkly-Payload-ID", payloadId);
        if (endpoint.isMetricImport()) {
            message.setHeader("Authorization", endpoint.credential());
            message.setHeader("User-Agent", userAgents.metricImport());
        } else {
            message.setHeader("User-Agent", userAgents.clientSide());
        }
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(events);
            message.setBody(json);
            compression.compress(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        answer.put("outcome", "sent").put("payloadId", payloadId);
        answer.set("request", shown(request, endpoint, events));

        long start = ticker.nanos();
        Exchange answered = http.send(ENDPOINT, request);
        long durationMs = (ticker.nanos() - start) / 1_000_000;

        ObjectNode response = answer.putObject("response");
        String outcome;
        if (answered.getException() != null) {
            outcome = failures.describe(answered.getException(), endpoint);
            response.putNull("status");
            response.put("error", outcome);
        } else {
            int status = answered.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            String text = answered.getMessage().getBody(String.class);
            response.put("status", status);
            response.put("body", text == null ? "" : text);
            outcome = "LaunchDarkly answered " + status;
        }
        answer.put("durationMs", durationMs);
        LOG.info("Event tester: {} event(s) sent to destination {} under payload ID {}: {} in {} ms", events.size(),
                endpoint, payloadId, outcome, durationMs);
    }

    /** The request as the answer shows it: the credential masked in the URL and in Authorization, the JSON unzipped. */
    private ObjectNode shown(Exchange request, EventsEndpoint endpoint, ArrayNode events) {
        ObjectNode shown = mapper.createObjectNode();
        shown.put("method", "POST");
        shown.put("url", endpoint.maskedEventsUrl());
        ObjectNode headers = shown.putObject("headers");
        request.getMessage().getHeaders().forEach((name, value) -> {
            if (!name.startsWith("Camel")) {
                headers.put(name, name.equals("Authorization") ? endpoint.maskedCredential() : String.valueOf(value));
            }
        });
        headers.put("Content-Length", String.valueOf(request.getMessage().getBody(byte[].class).length));
        shown.set("body", events);
        return shown;
    }

    private Answer refusal(int status, String message) {
        ObjectNode answer = mapper.createObjectNode();
        answer.put("message", message);
        instances.get().forEach(instance -> answer.withArray("destinations").add(instance.name()));
        return new Answer(status, answer.toPrettyString());
    }
}
