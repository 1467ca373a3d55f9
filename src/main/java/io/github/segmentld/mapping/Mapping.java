package io.github.segmentld.mapping;

import java.util.function.Function;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One mapping of a destination: which events it applies to (its trigger), which action it runs, and how the action's
 * fields are read from the event.
 *
 * @param name    the mapping's name, as shown in logs, metrics and rejection records
 * @param trigger decides whether the mapping applies to a Segment event
 * @param action  the action whose transformer turns the resolved fields into a LaunchDarkly event
 * @param fields  resolves the action's fields from the event (Segment's "field values"), before validation
 */
public record Mapping(String name, Predicate<ObjectNode> trigger, Action action, Function<ObjectNode, ObjectNode> fields) {
}
