package io.github.segmentld.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Segment event as read from an input.
 *
 * @param json     the event, with a batch's shared context and integrations already merged in
 * @param position where it was read: the line number in line-delimited input, the item number in a JSON array
 */
public record SegmentEvent(ObjectNode json, long position) {

    /** Identity, not value, equality: hashing the JSON inside would cost a walk of the whole tree per lookup. */
    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
