package io.github.segmentld.model;

import java.util.Deque;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The shared part of a Segment batch object ({@code {"batch": [...], "context": {...}, "integrations": {...}}}):
 * its context and integrations merge into each event of the batch, the event's own keys winning.
 */
public record BatchEnvelope(JsonNode context, JsonNode integrations) {

    /** How much of a rejected record is kept in its rejection record. */
    public static final int RAW_EXCERPT_CHARS = 2048;

    /**
     * Turns one JSON value of an input into events: a batch object into its events, an event object into itself.
     * Anything else is reported as rejected.
     */
    public static void expand(JsonNode node, long position, Deque<SegmentEvent> out, InputSource source,
                              RejectedRecords rejected) {
        if (node.isObject() && node.path("batch").isArray()) {
            BatchEnvelope envelope = of((ObjectNode) node);
            String destination = destinationOf(node);
            int item = 0;
            for (JsonNode event : node.get("batch")) {
                envelope.addItem(event, ++item, position, destination, out, source, rejected);
            }
        } else if (node.isObject()) {
            out.add(new SegmentEvent((ObjectNode) node, position));
        } else {
            rejected.reject(source, position, "not a JSON object", abbreviate(node.toString()));
        }
    }

    /**
     * Adds one item of a batch array: an object as an event with the shared part merged in, anything else as rejected.
     *
     * @param itemNumber  the item's number in the batch array, from 1
     * @param position    where the batch object is in its input
     * @param destination the destination instance the batch is for, or null (see {@link #destinationOf})
     */
    public void addItem(JsonNode item, long itemNumber, long position, String destination, Deque<SegmentEvent> out,
                 InputSource source, RejectedRecords rejected) {
        if (item.isObject()) {
            out.add(new SegmentEvent(applyTo((ObjectNode) item), position, destination));
        } else {
            rejected.reject(source, position, "batch item " + itemNumber + " is not a JSON object", item.toString());
        }
    }

    /**
     * The one destination instance a batch object's events are for: a dead-letter file names the instance its events
     * were not delivered to. Null for a batch meant for every instance.
     */
    public static String destinationOf(JsonNode batchObject) {
        return batchObject.path("deadLetter").path("destination").textValue();
    }

    /** The shared part of a batch object. */
    public static BatchEnvelope of(ObjectNode batchObject) {
        return new BatchEnvelope(batchObject.get("context"), batchObject.get("integrations"));
    }

    /** The text of a record as kept in a rejection record: at most {@link #RAW_EXCERPT_CHARS} characters. */
    public static String abbreviate(String raw) {
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
