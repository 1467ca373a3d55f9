package io.github.segmentld.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.SegmentEvent;

/**
 * What an action made of a group of events: the LaunchDarkly events for the mapping's destination instance, and the
 * events it turned down with Segment's validation message (final: recorded, never retried).
 */
public record TransformedEvents(String destination, List<LaunchDarklyEvent> launchDarklyEvents, List<Invalid> invalid) {

    /**
     * An event turned down for a destination instance: by a mapping's action, with Segment's validation message
     * ({@code validation}) or what went wrong converting it ({@code unexpected_error}), or by the instance's insert
     * function ({@code insert_function}, no mapping).
     *
     * @param mapping the mapping that turned it down; null for the instance's insert function
     */
    public record Invalid(SegmentEvent event, String destination, String mapping, String kind, String reason) {

        public Invalid(MappedEvent mapped, String kind, String reason) {
            this(mapped.event(), mapped.mapping().destination(), mapped.mapping().name(), kind, reason);
        }
    }

    /**
     * Applies an action to each event of the group, keeping the failures apart: whatever goes wrong with one event
     * turns that event down, never the group. The events the group's trigger failed on are turned down with them.
     */
    public static TransformedEvents apply(MappedEvents group, Function<MappedEvent, LaunchDarklyEvent> action) {
        List<LaunchDarklyEvent> made = new ArrayList<>(group.events().size());
        List<Invalid> invalid = new ArrayList<>(group.turnedDown());
        for (MappedEvent event : group.events()) {
            try {
                made.add(action.apply(event));
            } catch (SegmentValidationException e) {
                invalid.add(new Invalid(event, Rejection.VALIDATION, e.getMessage()));
            } catch (RuntimeException unexpected) {
                invalid.add(new Invalid(event, Rejection.UNEXPECTED_ERROR, "the event cannot be converted: " + unexpected));
            }
        }
        return new TransformedEvents(group.mapping().destination(), made, invalid);
    }
}
