package io.github.segmentld.mapping;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.model.SegmentEvent;

/**
 * One event for LaunchDarkly's bulk events API, with the Segment event it was made from (kept so that a batch that
 * cannot be delivered is dead-lettered as Segment events, which the inbox accepts back).
 *
 * @param mapping the name of the mapping that made it; null for an event loaded back from a retry queue
 */
public record LaunchDarklyEvent(ObjectNode json, SegmentEvent segmentEvent, String mapping) {
}
