package io.github.segmentld.mapping;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.SegmentEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Pairs test events with a mapping, as the matcher does, from an input received at {@link #NOW}. */
public final class ActionFixture {

    public static final Instant NOW = Instant.parse("2024-01-02T03:04:05.678Z");
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private ActionFixture() {
    }

    public static MappedEvent mapped(Mapping mapping, ObjectNode event) {
        SegmentEvent segmentEvent = new SegmentEvent(event, 1);
        EventChunk chunk = new EventChunk(new InputSource("test.ndjson", "test", "line", NOW.toEpochMilli()), 0, List.of(segmentEvent));
        return new MappedEvent(segmentEvent, mapping, chunk);
    }
}
