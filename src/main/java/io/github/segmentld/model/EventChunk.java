package io.github.segmentld.model;

import java.util.List;

/**
 * A bounded run of events from one input: the unit of work of the pipeline and, per destination, of one LaunchDarkly
 * POST, with the records of its part of the input that could not be read (written when the chunk is settled).
 */
public final class EventChunk {

    /** The exchange property that holds the chunk while the pipeline processes it. */
    public static final String PROPERTY = "chunk";

    private final InputSource source;
    private final int index;
    private final List<SegmentEvent> events;
    private final List<Rejection> rejections;
    private final long readAt;

    /**
     * @param readAt when the service read the chunk from its input, in epoch milliseconds on the system clock (the one
     *               Camel times LaunchDarkly's answers on): where the service's own latency for its events begins
     */
    public EventChunk(InputSource source, int index, List<SegmentEvent> events, List<Rejection> rejections,
                      long readAt) {
        this.source = source;
        this.index = index;
        this.events = List.copyOf(events);
        this.rejections = List.copyOf(rejections);
        this.readAt = readAt;
    }

    /** A chunk read now: the readers make each chunk as they read it. */
    public EventChunk(InputSource source, int index, List<SegmentEvent> events, List<Rejection> rejections) {
        this(source, index, events, rejections, System.currentTimeMillis());
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

    /** When the service read the chunk, in epoch milliseconds on the system clock. */
    public long readAt() {
        return readAt;
    }

    /** The records of the chunk's part of the input that could not be read. */
    public List<Rejection> rejections() {
        return rejections;
    }
}
