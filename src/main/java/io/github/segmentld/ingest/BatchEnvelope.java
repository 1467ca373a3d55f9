package io.github.segmentld.ingest;

import java.util.Deque;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The shared part of a Segment batch object ({@code {"batch": [...], "context": {...}, "integrations": {...}}}):
 * its context and integrations merge into each event of the batch, the event's own keys winning.
 */
public record BatchEnvelope(JsonNode context, JsonNode integrations) {

    /** How much of a skipped record is kept in its rejection record. */
    static final int RAW_EXCERPT_CHARS = 2048;

    /**
     * Turns one JSON value of an input into events: a batch object into its events, an event object into itself.
     * Anything else is reported as skipped.
     */
    static void expand(JsonNode node, long position, Deque<SegmentEvent> out, InputSource source, SkippedRecords skipped) {
        if (node.isObject() && node.path("batch").isArray()) {
            BatchEnvelope envelope = of((ObjectNode) node);
            // A dead-letter file names the one destination instance its events were not delivered to.
            String destination = node.path("deadLetter").path("destination").textValue();
            int item = 0;
            for (JsonNode event : node.get("batch")) {
                item++;
                if (event.isObject()) {
                    out.add(new SegmentEvent(envelope.applyTo((ObjectNode) event), position, destination));
                } else {
                    skipped.skipped(source, position, "batch item " + item + " is not a JSON object", event.toString());
                }
            }
        } else if (node.isObject()) {
            out.add(new SegmentEvent((ObjectNode) node, position));
        } else {
            skipped.skipped(source, position, "not a JSON object", abbreviate(node.toString()));
        }
    }

    /** The shared part of a batch object. */
    public static BatchEnvelope of(ObjectNode batchObject) {
        return new BatchEnvelope(batchObject.get("context"), batchObject.get("integrations"));
    }

    static String abbreviate(String raw) {
        return raw.length() <= RAW_EXCERPT_CHARS ? raw : raw.substring(0, RAW_EXCERPT_CHARS) + "...";
    }

    /** The event with the batch's context and integrations merged in. */
    public ObjectNode applyTo(ObjectNode event) {
        merge(event, "context", context);
        merge(event, "integrations", integrations);
        return event;
    }

    private static void merge(ObjectNode event, String field, JsonNode shared) {
        if (shared == null || !shared.isObject() || shared.isEmpty()) {
            return;
        }
        // The batch's nodes are shared between its events, not copied: nothing downstream changes them.
        JsonNode own = event.get(field);
        if (own == null || own.isNull()) {
            event.set(field, shared);
        } else if (own.isObject()) {
            ObjectNode merged = event.objectNode();
            merged.setAll((ObjectNode) shared);
            merged.setAll((ObjectNode) own);
            event.set(field, merged);
        }
    }
}
