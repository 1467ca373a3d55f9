package io.github.segmentld.mapping;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.SegmentEvent;

/**
 * A Segment event paired with a mapping whose trigger it matched.
 *
 * @param json the event as the mapping sees it: the event itself, or what its instance's insert function made of it
 *             (the event stays as read: it is what a dead letter or a rejection record keeps)
 */
public record MappedEvent(SegmentEvent event, Mapping mapping, EventChunk chunk, ObjectNode json) {

    public MappedEvent(SegmentEvent event, Mapping mapping, EventChunk chunk) {
        this(event, mapping, chunk, event.json());
    }

    /** The mapping's field values resolved against the event, ready for the action's validation. */
    public ActionPayload payload() {
        return new ActionPayload(mapping.action(), mapping.fields().apply(json));
    }
}
