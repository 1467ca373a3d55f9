package io.github.segmentld.mapping;

import io.github.segmentld.ingest.EventChunk;
import io.github.segmentld.ingest.SegmentEvent;

/**
 * A Segment event paired with a mapping whose trigger it matched: the unit the content-based router dispatches to a
 * transformer.
 */
public record MappedEvent(SegmentEvent event, Mapping mapping, EventChunk chunk) {

    /** The action, exposed for the router's {@code choice}. */
    public Action getAction() {
        return mapping.action();
    }
}
