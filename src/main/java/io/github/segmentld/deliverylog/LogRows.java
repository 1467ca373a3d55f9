package io.github.segmentld.deliverylog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.launchdarkly.LaunchDarklyBatch;
import io.github.segmentld.mapping.ConsentRule;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.mapping.InsertOutcome;
import io.github.segmentld.mapping.LaunchDarklyEvent;
import io.github.segmentld.mapping.MappingMatcher;
import io.github.segmentld.mapping.TransformedEvents;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.SegmentEvent;

/**
 * Turns what the pipeline holds into groups of the delivery log, personal data redacted as configured. It runs where
 * the records are handed over, so that the events they come from need not be held until they are written.
 */
final class LogRows {

    /** The input of a batch's events when it is not known: the halves of a batch loaded back from a retry queue. */
    private static final InputSource RETRY_QUEUE = new InputSource("retry queue", "retry-queue", "item", 0);

    private final Redaction redaction;
    private final ObjectMapper mapper = new ObjectMapper();

    LogRows(Redaction redaction) {
        this.redaction = redaction;
    }

    /**
     * A batch: a line per event, and the JSON it is posted with.
     *
     * @param posted the JSON as the request carries it, or null when it is not posted (yet): then the batch's JSON
     *               is logged when it is (a batch its open circuit held back costs the log no serialisation)
     */
    LoggedGroup batch(LaunchDarklyBatch batch, EventChunk chunk, byte[] posted, long now) {
        InputSource source = chunk == null ? RETRY_QUEUE : chunk.source();
        StringBuilder index = new StringBuilder(batch.size() * 96);
        GroupCounts counts = new GroupCounts();
        for (LaunchDarklyEvent event : batch.events()) {
            EventLine line = line(source, event.segmentEvent(), batch.destination().name(), event.mapping(), null);
            line.appendTo(index);
            counts.add(line);
        }
        String payload;
        if (posted == null) {
            payload = null;
        } else if (!redaction.enabled()) {
            payload = new String(posted, StandardCharsets.UTF_8);
        } else {
            ArrayNode events = mapper.createArrayNode();
            batch.events().forEach(event -> events.add(redaction.launchDarklyEvent(event.json())));
            payload = json(events);
        }
        return new LoggedGroup(LoggedGroup.BATCH, batch.payloadId(), batch.destination().name(), batch.size(), now,
                source.name(), index.toString(), null, payload, counts.json(mapper),
                chunk == null ? null : chunk.readAt());
    }

    /**
     * A settled chunk: how many records it held, the events filtered (no mapping took them, or an instance's consent
     * rule or insert function stopped them for that instance: a line per instance), with why, and those rejected.
     */
    List<LoggedGroup> settled(EventChunk chunk, ConvertedChunk converted, MappingMatcher matcher, long now) {
        Set<SegmentEvent> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        converted.launchDarklyEvents().forEach(event -> taken.add(event.segmentEvent()));
        converted.invalid().forEach(invalid -> taken.add(invalid.event()));
        StringBuilder filtered = new StringBuilder();
        GroupCounts filteredCounts = new GroupCounts();
        int filteredCount = 0;
        for (SegmentEvent event : chunk.events()) {
            // an event taken for one instance may have been filtered for another (its consent rule or insert function)
            for (MappingMatcher.Filtering why
                    : matcher.whyFiltered(event, taken.contains(event), converted.inserted())) {
                EventLine line = line(chunk.source(), event, why.destination(), null, why.reason());
                line.appendTo(filtered);
                filteredCounts.add(line);
                filteredCount++;
            }
        }
        StringBuilder rejected = new StringBuilder();
        GroupCounts rejectedCounts = new GroupCounts();
        ArrayNode details = mapper.createArrayNode();
        for (TransformedEvents.Invalid invalid : converted.invalid()) {
            EventLine line = line(chunk.source(), invalid.event(), invalid.destination(), invalid.mapping(),
                    invalid.kind());
            line.appendTo(rejected);
            rejectedCounts.add(line);
            details.addObject().put("detail", invalid.reason())
                    .set("segmentEvent", redaction.segmentEvent(invalid.event().json()));
        }
        for (Rejection rejection : chunk.rejections()) {
            InputSource source = rejection.source();
            EventLine line = new EventLine(null, null, null, null, null, rejection.destination(), rejection.mapping(),
                    source.positionUnit() + " " + rejection.position(), Long.toString(source.receivedAt()),
                    rejection.kind());
            line.appendTo(rejected);
            rejectedCounts.add(line);
            String raw = rejection.event() != null ? rejection.event().toString() : rejection.raw();
            details.addObject().put("detail", rejection.reason()).put("segmentEvent", redaction.enabled() ? null : raw);
        }
        List<LoggedGroup> groups = new ArrayList<>(3);
        groups.add(new LoggedGroup(LoggedGroup.RECEIVED, null, null, chunk.events().size() + chunk.rejections().size(),
                now, chunk.source().name(), "", null, null, null, null));
        if (filteredCount > 0) {
            groups.add(new LoggedGroup(LoggedGroup.FILTERED, null, null, filteredCount, now, chunk.source().name(),
                    filtered.toString(), null, null, filteredCounts.json(mapper), null));
        }
        if (!details.isEmpty()) {
            groups.add(new LoggedGroup(LoggedGroup.REJECTED, null, null, details.size(), now, chunk.source().name(),
                    rejected.toString(), json(details), null, rejectedCounts.json(mapper), null));
        }
        return groups;
    }

    /** An event the HTTP source refused (the request's others were accepted), with why and its text. */
    LoggedGroup refused(InputSource source, long position, String reason, String raw, long now) {
        EventLine line = new EventLine(null, null, null, null, null, null, null,
                source.positionUnit() + " " + position, Long.toString(source.receivedAt()), Rejection.REFUSED_BY_API);
        GroupCounts counts = new GroupCounts();
        counts.add(line);
        ArrayNode details = mapper.createArrayNode();
        details.addObject().put("detail", reason).put("segmentEvent", redaction.enabled() ? null : raw);
        return new LoggedGroup(LoggedGroup.REJECTED, null, null, 1, now, source.name(), line.text(), json(details), null,
                counts.json(mapper), null);
    }

    /** Why an event was filtered, in words. */
    static String filteredDetail(String reason, EventLine line) {
        return switch (reason) {
            case MappingMatcher.INTEGRATIONS_DISABLED -> "its integrations object turns this destination off";
            case MappingMatcher.DESTINATION_NOT_CONFIGURED -> "it was replayed for destination '" + line.destination()
                    + "', which is not configured or has no enabled mapping";
            case ConsentRule.CONSENT_NOT_GRANTED -> "its consent preferences (context.consent.categoryPreferences) do"
                    + " not grant every consent category of destination '" + line.destination() + "'; POST it to"
                    + " /preview to see which";
            case ConsentRule.CONSENT_MISSING -> "it has no consent preferences (context.consent.categoryPreferences),"
                    + " and destination '" + line.destination() + "' filters such events (consent-missing: filter)";
            case InsertOutcome.INSERT_FUNCTION -> "the insert function of destination '" + line.destination()
                    + "' returned nothing for it";
            default -> "no enabled mapping's trigger matches it (type " + line.type()
                    + "); POST it to /preview to see each trigger's conditions";
        };
    }

    private EventLine line(InputSource source, SegmentEvent event, String destination, String mapping, String reason) {
        ObjectNode json = event.json();
        String type = text(json, "type");
        String receivedAt = text(json, "receivedAt");
        return new EventLine(text(json, "messageId"), redaction.userId(text(json, "userId")),
                redaction.userId(text(json, "anonymousId")), type, "track".equals(type) ? text(json, "event") : null,
                destination, mapping, source.positionUnit() + " " + event.position(),
                receivedAt == null ? Long.toString(source.receivedAt()) : receivedAt, reason);
    }

    private String json(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always writes", e);
        }
    }

    private static String text(ObjectNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }
}
