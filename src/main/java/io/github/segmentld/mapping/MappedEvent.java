package io.github.segmentld.mapping;

import io.github.segmentld.ingest.EventChunk;
import io.github.segmentld.ingest.SegmentEvent;

/**
 * A Segment event paired with a mapping whose trigger it matched: the unit the content-based router dispatches to a
 * transformer.
 */
public record MappedEvent(SegmentEvent event, Mapping mapping, EventChunk chunk) {

    /** Identity, not value, equality: hashing the JSON inside would cost a walk of the whole tree per lookup. */
    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    /** The action's title ("Track Event", "Alias User"), which the router's {@code choice} dispatches on. */
    public String getAction() {
        return mapping.action().title();
    }
}
