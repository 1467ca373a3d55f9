package io.github.segmentld.mapping;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.model.SegmentEvent;

/**
 * What the insert functions made of a chunk's events, per destination instance: kept from the match to the chunk's
 * settlement, so that what a function did is recorded as it happened and never asked of the function again. Events
 * are held by identity, as the delivery log knows them.
 */
public final class InsertedEvents {

    /** None: no instance has an insert function, or none ran on the chunk. */
    public static final InsertedEvents NONE = new InsertedEvents();

    private final Map<SegmentEvent, Map<String, InsertOutcome>> outcomes = new IdentityHashMap<>();
    private final List<TransformedEvents.Invalid> failures = new ArrayList<>();

    void add(SegmentEvent event, String destination, InsertOutcome outcome) {
        outcomes.computeIfAbsent(event, e -> new HashMap<>(4)).put(destination, outcome);
        if (outcome.failed()) {
            failures.add(new TransformedEvents.Invalid(event, destination, null, InsertOutcome.INSERT_FUNCTION,
                    outcome.failure()));
        }
    }

    /** What the instance's function made of the event; null when none ran on it for that instance. */
    public InsertOutcome outcome(SegmentEvent event, String destination) {
        Map<String, InsertOutcome> byDestination = outcomes.get(event);
        return byDestination == null ? null : byDestination.get(destination);
    }

    /** The event the instance's mappings see: what its function returned, or the event itself. */
    public ObjectNode json(SegmentEvent event, String destination) {
        InsertOutcome outcome = outcome(event, destination);
        return outcome == null || outcome.event() == null ? event.json() : outcome.event();
    }

    /** The events a function failed on, each rejected for its instance. */
    public List<TransformedEvents.Invalid> failures() {
        return failures;
    }

    boolean isEmpty() {
        return outcomes.isEmpty();
    }
}
