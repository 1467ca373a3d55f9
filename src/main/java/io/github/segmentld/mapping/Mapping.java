package io.github.segmentld.mapping;

import java.util.function.Function;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One mapping of a destination instance: which events it applies to (its trigger), which action it runs, and how the
 * action's fields are read from the event.
 *
 * @param destination the name of the destination instance whose batches the mapping's events join
 * @param name        the mapping's name, as shown in logs, metrics, rejection records and the preview
 * @param enabled     a disabled mapping is kept for the preview but applies to no event
 * @param trigger     decides whether the mapping applies to a Segment event
 * @param action      the action that turns the resolved fields into a LaunchDarkly event
 * @param fields      resolves the action's fields from the event (Segment's "field values"), before validation
 */
public record Mapping(String destination, String name, boolean enabled, Trigger trigger, Action action,
                      Function<ObjectNode, ObjectNode> fields) {
}
