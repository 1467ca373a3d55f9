package io.github.segmentld.model;

import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Segment event as read from an input.
 *
 * @param json        the event, with a batch's shared context and integrations already merged in
 * @param position    where it was read: the line number in line-delimited input, the item number in a JSON array
 * @param destination null for an event meant for every destination instance; the one instance it is for when it comes
 *                    from a dead-letter file moved back into the inbox (the other instances had it already)
 */
public record SegmentEvent(ObjectNode json, long position, String destination) {

    /** Segment's event types. */
    public static final Set<String> TYPES = Set.of("track", "identify", "page", "screen", "group", "alias");

    public SegmentEvent(ObjectNode json, long position) {
        this(json, position, null);
    }
}
