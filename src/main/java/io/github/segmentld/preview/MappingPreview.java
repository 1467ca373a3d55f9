package io.github.segmentld.preview;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.config.DestinationInstance;
import io.github.segmentld.ingest.RefusedRequestException;
import io.github.segmentld.mapping.ConsentRule;
import io.github.segmentld.mapping.InsertFunction;
import io.github.segmentld.mapping.InsertFunctions;
import io.github.segmentld.mapping.InsertOutcome;
import io.github.segmentld.mapping.IntegrationsFilter;
import io.github.segmentld.mapping.LaunchDarklyEvent;
import io.github.segmentld.mapping.MappedEvent;
import io.github.segmentld.mapping.Mapping;
import io.github.segmentld.mapping.SegmentValidationException;
import io.github.segmentld.model.BatchEnvelope;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.SegmentEvent;
import org.apache.camel.Body;

/**
 * Shows, without sending anything, what a Segment event becomes, the way Segment's mapping tester does: for each
 * destination instance, whether its consent categories are granted (and if not, which one stopped the event), what
 * its insert function made of the event (run as the pipeline runs it: the event it returned, or that it returned
 * nothing, or why it failed), each mapping, whether its trigger matched (and if not, the conditions that failed), the
 * fields it resolved, and the LaunchDarkly event or Segment's validation errors; then the exact JSON array the
 * instance would post.
 */
public class MappingPreview {

    /** The destination instances a preview shows, and their insert functions. */
    public record InForce(List<DestinationInstance> instances, InsertFunctions functions) {
    }

    /** The instances of the mappings version in force and their insert functions, read for each preview. */
    private final Supplier<InForce> inForce;
    private final ObjectMapper mapper;
    private final Clock clock;

    /** A preview of instances without insert functions. */
    public MappingPreview(List<DestinationInstance> instances, ObjectMapper mapper, Clock clock) {
        this(instances, InsertFunctions.NONE, mapper, clock);
    }

    /**
     * @param functions the instances' insert functions that can run here; an instance's function that is not among
     *                  them is reported as not run
     */
    public MappingPreview(List<DestinationInstance> instances, InsertFunctions functions, ObjectMapper mapper,
                          Clock clock) {
        this(() -> new InForce(instances, functions), mapper, clock);
    }

    /** @param inForce the mappings version in force and its insert functions, read for each preview */
    public MappingPreview(Supplier<InForce> inForce, ObjectMapper mapper, Clock clock) {
        this.inForce = inForce;
        this.mapper = mapper;
        this.clock = clock;
    }

    /**
     * The preview of one event (a JSON object), or of each event of a JSON array or of a batch object, as
     * pretty-printed JSON.
     *
     * @throws RefusedRequestException (400) when the body is not JSON, or holds something other than events
     */
    public String previewJson(@Body byte[] body) {
        JsonNode input = readJson(mapper, body);
        if (input != null && input.isObject() && !input.path("batch").isArray()) {
            return preview((ObjectNode) input).toPrettyString();
        }
        ArrayNode reports = mapper.createArrayNode();
        if (input != null && input.isArray()) {
            for (JsonNode event : input) {
                if (!event.isObject()) {
                    throw new RefusedRequestException(400, "Every item of the array must be a Segment event (a JSON object)");
                }
                reports.add(preview((ObjectNode) event));
            }
        } else if (input != null && input.isObject()) {
            BatchEnvelope envelope = BatchEnvelope.of((ObjectNode) input);
            for (JsonNode event : input.get("batch")) {
                if (event.isObject()) {
                    reports.add(preview(envelope.applyTo((ObjectNode) event)));
                }
            }
        }
        if (reports.isEmpty()) {
            throw new RefusedRequestException(400, "Preview a Segment event (a JSON object), an array of events or a batch object");
        }
        return reports.toPrettyString();
    }

    /** A request body's JSON; 400 when it is not JSON. */
    static JsonNode readJson(ObjectMapper mapper, byte[] body) {
        try {
            return mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw new RefusedRequestException(400, "The body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ObjectNode preview(ObjectNode event) {
        SegmentEvent segmentEvent = new SegmentEvent(event, 1);
        EventChunk chunk = new EventChunk(new InputSource("preview", "preview", "item", clock.millis()), 0,
                List.of(segmentEvent));
        boolean integrationsAllow = IntegrationsFilter.enabledFor(event);

        ObjectNode report = mapper.createObjectNode();
        report.set("event", event);
        ArrayNode destinations = report.putArray("destinations");
        InForce current = inForce.get();
        for (DestinationInstance instance : current.instances()) {
            ObjectNode destination = destinations.addObject();
            destination.put("destination", instance.name());
            destination.put("enabled", instance.enabled());
            destination.put("url", instance.endpoint() == null ? null : instance.endpoint().maskedEventsUrl());
            String consentStops = consent(instance, event, destination);
            InsertOutcome inserted = !integrationsAllow || !consentStops.isEmpty() ? null
                    : insertFunction(instance, current.functions(), event, destination);
            ObjectNode seen = inserted == null || inserted.event() == null ? event : inserted.event();
            String functionStops = inserted == null ? ""
                    : inserted.filtered() ? "the insert function returned nothing for the event"
                    : inserted.failed() ? "the insert function failed on the event, which is rejected for this"
                    + " destination: " + inserted.failure() : "";
            ArrayNode mappings = destination.putArray("mappings");
            ArrayNode batch = mapper.createArrayNode();
            for (Mapping mapping : instance.mappings()) {
                ObjectNode result = mappings.addObject();
                result.put("mapping", mapping.name());
                result.put("action", mapping.action().title());
                result.put("trigger", mapping.trigger().toString());
                String whyNot = !mapping.enabled() ? "the mapping is disabled"
                        : !integrationsAllow ? "the event's integrations object turns LaunchDarkly off"
                        : !consentStops.isEmpty() ? consentStops
                        : !functionStops.isEmpty() ? functionStops
                        : mapping.trigger().whyNot(seen);
                result.put("matched", whyNot.isEmpty());
                if (!whyNot.isEmpty()) {
                    result.put("reason", whyNot);
                    continue;
                }
                MappedEvent mapped = new MappedEvent(segmentEvent, mapping, chunk, seen);
                result.set("fields", mapping.fields().apply(seen));
                try {
                    LaunchDarklyEvent made = mapping.action().perform(mapped);
                    result.set("launchDarklyEvent", made.json());
                    batch.add(made.json());
                } catch (SegmentValidationException e) {
                    result.put("error", e.getMessage());
                }
            }
            destination.set("events", batch);
        }
        return report;
    }

    /**
     * Runs the instance's insert function on the event, when it has one, and reports what it made of it.
     *
     * @return the outcome; null when the instance has no insert function or it cannot run here
     */
    private InsertOutcome insertFunction(DestinationInstance instance, InsertFunctions functions, ObjectNode event,
                                         ObjectNode destination) {
        InsertFunction function = instance.insertFunction();
        if (function == null) {
            return null;
        }
        ObjectNode report = destination.putObject("insertFunction");
        report.put("function", function.describe());
        if (functions.of(instance.name()) == null) {
            report.put("outcome", "not run");
            report.put("reason", "its route is not loaded here: POST the event to /preview of the running application");
            return null;
        }
        InsertOutcome outcome = functions.apply(instance.name(), event);
        if (outcome.failed()) {
            report.put("outcome", "failed");
            report.put("error", outcome.failure());
        } else if (outcome.filtered()) {
            report.put("outcome", "filtered");
            report.put("reason", "it returned nothing: the event is filtered for this destination ("
                    + InsertOutcome.INSERT_FUNCTION + ")");
        } else {
            boolean changed = !outcome.event().equals(event);
            report.put("outcome", changed ? "changed" : "unchanged");
            if (changed) {
                report.set("event", outcome.event());
            }
        }
        return outcome;
    }

    /**
     * Reports the instance's consent rule on the event, when it has one, and says why it stops the event.
     *
     * @return why the rule stops the event, naming the category; empty when it does not (or there is no rule)
     */
    private String consent(DestinationInstance instance, ObjectNode event, ObjectNode destination) {
        ConsentRule rule = instance.consent();
        if (rule == null) {
            return "";
        }
        String whyNot = rule.whyNot(event);
        ObjectNode consent = destination.putObject("consent");
        rule.categories().forEach(consent.putArray("categories")::add);
        consent.put("missing", rule.filterMissing() ? "filter" : "deliver");
        consent.put("allowed", whyNot.isEmpty());
        if (!whyNot.isEmpty()) {
            consent.put("filtered", rule.refusal(event));
            consent.put("reason", whyNot);
        }
        return whyNot;
    }
}
