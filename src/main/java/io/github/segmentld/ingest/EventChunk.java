package io.github.segmentld.ingest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.segmentld.mapping.LaunchDarklyEvent;

/**
 * A bounded run of events from one input: the unit of work of the pipeline and, per destination, of one LaunchDarkly
 * POST. The chunk also collects what the pipeline makes of it: the LaunchDarkly events per destination instance, and
 * the rejections (records of its part of the input that could not be read, events that fail validation), which are
 * written when the chunk is settled.
 */
public final class EventChunk {

    private final InputSource source;
    private final int index;
    private final List<SegmentEvent> events;
    private final Map<String, List<LaunchDarklyEvent>> launchDarklyEvents = new LinkedHashMap<>();
    private final List<Rejection> rejections;

    public EventChunk(InputSource source, int index, List<SegmentEvent> events, List<Rejection> rejections) {
        this.source = source;
        this.index = index;
        this.events = List.copyOf(events);
        this.rejections = new ArrayList<>(rejections);
    }

    public EventChunk(InputSource source, int index, List<SegmentEvent> events) {
        this(source, index, events, List.of());
    }

    public InputSource source() {
        return source;
    }

    /** The chunk's number within its input, from 0. */
    public int index() {
        return index;
    }

    /** Identifies the chunk across re-reads of its input, as its settlement is recorded. */
    public String getKey() {
        return source.id() + "#" + index;
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

    public synchronized void addRejection(Rejection rejection) {
        rejections.add(rejection);
    }

    public synchronized List<Rejection> rejections() {
        return List.copyOf(rejections);
    }
}
