package io.github.segmentld.deliverylog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.launchdarkly.LaunchDarklyBatch;
import io.github.segmentld.mapping.LaunchDarklyEvent;
import io.github.segmentld.mapping.MappedEvent;
import io.github.segmentld.mapping.MappingMatcher;
import io.github.segmentld.mapping.TransformedEvents;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.model.Timestamps;

/** Turns what the pipeline holds into rows of the delivery log, personal data redacted as configured. */
final class LogRows {

    /** The input of a batch's events when it is not known: the halves of a batch loaded back from a retry queue. */
    private static final InputSource RETRY_QUEUE = new InputSource("retry queue", "retry-queue", "item", 0);

    private final Redaction redaction;
    private final MappingMatcher matcher;

    LogRows(Redaction redaction, MappingMatcher matcher) {
        this.redaction = redaction;
        this.matcher = matcher;
    }

    /** The i-th event of a batch about to be sent. */
    LoggedEvent sent(LaunchDarklyBatch batch, int index, EventChunk chunk, long now) {
        LaunchDarklyEvent event = batch.events().get(index);
        return row(batch.payloadId() + "#" + index, now, chunk == null ? RETRY_QUEUE : chunk.source(),
                event.segmentEvent(), batch.destination().name(), event.mapping(), LoggedEvent.SENT, null, null,
                batch.payloadId(), null, redaction.launchDarklyEvent(event.json()).toString());
    }

    /** An event no mapping took, with why; null when a mapping does take it. */
    LoggedEvent filtered(SegmentEvent event, EventChunk chunk, long now) {
        String reason = matcher.whyFiltered(event);
        if (reason == null) {
            return null;
        }
        String detail = switch (reason) {
            case MappingMatcher.INTEGRATIONS_DISABLED -> "its integrations object turns this destination off";
            case MappingMatcher.DESTINATION_NOT_CONFIGURED -> "it was replayed for destination '" + event.destination()
                    + "', which is not configured or has no enabled mapping";
            default -> "no enabled mapping's trigger matches it (type " + event.json().path("type").asText("?")
                    + "); POST it to /preview to see each trigger's conditions";
        };
        return row(chunk.source().id() + "#" + event.position(), now, chunk.source(), event, event.destination(),
                null, LoggedEvent.FILTERED, reason, detail, null,
                redaction.segmentEvent(event.json()).toString(), null);
    }

    /** An event an action turned down, with Segment's validation message. */
    LoggedEvent invalid(TransformedEvents.Invalid invalid, EventChunk chunk, long now) {
        MappedEvent mapped = invalid.event();
        SegmentEvent event = mapped.event();
        String destination = mapped.mapping().destination();
        String mapping = mapped.mapping().name();
        return row(chunk.source().id() + "#" + event.position() + "#" + destination + "#" + mapping, now,
                chunk.source(), event, destination, mapping, LoggedEvent.REJECTED, invalid.kind(), invalid.reason(),
                null, redaction.segmentEvent(event.json()).toString(), null);
    }

    /** A record of an input that could not be read as an event. */
    LoggedEvent unreadable(Rejection rejection, long now) {
        InputSource source = rejection.source();
        String raw = rejection.event() != null ? rejection.event().toString() : rejection.raw();
        return new LoggedEvent(source.id() + "#" + rejection.position(), now, source.receivedAt(), source.name(),
                source.positionUnit() + " " + rejection.position(), null, null, null, null, null,
                rejection.destination(), rejection.mapping(), LoggedEvent.REJECTED, rejection.kind(),
                rejection.reason(), null, redaction.enabled() ? null : raw, null);
    }

    private LoggedEvent row(String key, long now, InputSource source, SegmentEvent event, String destination,
                            String mapping, String outcome, String reason, String detail, String payloadId,
                            String segmentEvent, String launchDarklyEvent) {
        ObjectNode json = event.json();
        return new LoggedEvent(key, now, Timestamps.toEpochMillis(json.get("receivedAt"), source.receivedAt()),
                source.name(), source.positionUnit() + " " + event.position(), text(json, "messageId"),
                redaction.userId(text(json, "userId")), redaction.userId(text(json, "anonymousId")),
                text(json, "type"), "track".equals(text(json, "type")) ? text(json, "event") : null, destination,
                mapping, outcome, reason, detail, payloadId, segmentEvent, launchDarklyEvent);
    }

    private static String text(ObjectNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }
}
