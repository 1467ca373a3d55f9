package io.github.segmentld.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Segment event as read from an input.
 *
 * @param json     the event, with a batch's shared context and integrations already merged in
 * @param position where it was read: the line number in line-delimited input, the item number in a JSON array
 */
public record SegmentEvent(ObjectNode json, long position) {
}
