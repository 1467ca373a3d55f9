package io.github.segmentld.mapping;

import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.SegmentEvent;

/** A Segment event paired with a mapping whose trigger it matched. */
public record MappedEvent(SegmentEvent event, Mapping mapping, EventChunk chunk) {

    /** The mapping's field values resolved against the event, ready for the action's validation. */
    public ActionPayload payload() {
        return new ActionPayload(mapping.action(), mapping.fields().apply(event.json()));
    }
}
