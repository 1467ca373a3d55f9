package io.github.segmentld.ingest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.segmentld.launchdarkly.LaunchDarklyEvent;

/**
 * A bounded run of events from one input: the unit of work of the pipeline and, per destination, of one LaunchDarkly
 * POST. The chunk also collects the LaunchDarkly events the transformers make from it, per destination instance.
 */
public final class EventChunk {

    private final InputSource source;
    private final int index;
    private final List<SegmentEvent> events;
    private final Map<String, List<LaunchDarklyEvent>> launchDarklyEvents = new LinkedHashMap<>();

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

    public void addLaunchDarklyEvents(String destination, List<LaunchDarklyEvent> events) {
        if (!events.isEmpty()) {
            launchDarklyEvents.computeIfAbsent(destination, d -> new ArrayList<>()).addAll(events);
        }
    }

    /** The LaunchDarkly events made for a destination instance, in the order they were added. */
    public List<LaunchDarklyEvent> launchDarklyEvents(String destination) {
        return launchDarklyEvents.getOrDefault(destination, List.of());
    }
}
