package io.github.segmentld.launchdarkly;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.github.segmentld.mapping.MappedEvent;
import io.github.segmentld.mapping.MappedEvents;
import io.github.segmentld.mapping.SegmentValidationException;

/**
 * What an action made of a group of events: the LaunchDarkly events for the mapping's destination instance, and the
 * events it turned down with Segment's validation message (final: recorded, never retried).
 */
public record TransformedEvents(String destination, List<LaunchDarklyEvent> launchDarklyEvents, List<Invalid> invalid) {

    /** An event an action's validation turned down. */
    public record Invalid(MappedEvent event, String reason) {
    }

    /** Applies an action to each event of the group, keeping the validation failures apart. */
    static TransformedEvents apply(MappedEvents group, Function<MappedEvent, LaunchDarklyEvent> action) {
        List<LaunchDarklyEvent> made = new ArrayList<>(group.events().size());
        List<Invalid> invalid = new ArrayList<>();
        for (MappedEvent event : group.events()) {
            try {
                made.add(action.apply(event));
            } catch (SegmentValidationException e) {
                invalid.add(new Invalid(event, e.getMessage()));
            }
        }
        return new TransformedEvents(group.mapping().destination(), made, invalid);
    }
}
