package io.github.segmentld.ingest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.github.segmentld.launchdarkly.LaunchDarklyEvent;

/**
 * A bounded run of events from one input: the unit of work of the pipeline and, per destination, of one LaunchDarkly
 * POST. The chunk also collects the LaunchDarkly events the transformers make from it.
 */
public final class EventChunk {

    private final InputSource source;
    private final int index;
    private final List<SegmentEvent> events;
    private final List<LaunchDarklyEvent> launchDarklyEvents = new ArrayList<>();

    public EventChunk(InputSource source, int index, List<SegmentEvent> events) {
        this.source = source;
        this.index = index;
        this.events = List.copyOf(events);
    }

    public InputSource source() {
        return source;
    }

    /** The chunk's number within its input, from 0. */
    public int index() {
        return index;
    }

    public List<SegmentEvent> events() {
        return events;
    }

    public void addLaunchDarklyEvents(List<LaunchDarklyEvent> events) {
        launchDarklyEvents.addAll(events);
    }

    public List<LaunchDarklyEvent> launchDarklyEvents() {
        return Collections.unmodifiableList(launchDarklyEvents);
    }
}
