package io.github.segmentld.mapping;

import io.github.segmentld.ingest.EventChunk;
import io.github.segmentld.ingest.SegmentEvent;

/** A Segment event paired with a mapping whose trigger it matched. */
public record MappedEvent(SegmentEvent event, Mapping mapping, EventChunk chunk) {
}
