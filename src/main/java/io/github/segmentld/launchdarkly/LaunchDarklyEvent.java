package io.github.segmentld.launchdarkly;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.ingest.SegmentEvent;

/**
 * One event for LaunchDarkly's bulk events API, with the Segment event it was made from (kept so that a batch that
 * cannot be delivered is dead-lettered as Segment events, which the inbox accepts back).
 */
public record LaunchDarklyEvent(ObjectNode json, SegmentEvent source) {

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
