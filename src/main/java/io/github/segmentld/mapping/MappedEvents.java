package io.github.segmentld.mapping;

import java.util.List;

/**
 * The events of a chunk that matched one mapping: the unit the content-based router dispatches to the mapping's
 * action. Routing groups rather than single events keeps the per-event cost to the mapping itself. A class, not a
 * record: its equality is identity, as hashing the JSON inside would cost a walk of the whole tree per lookup.
 * <p>
 * The events on which the mapping's trigger itself failed travel with the group, already turned down, so that they
 * are recorded with the chunk as the action's own rejections are.
 */
public final class MappedEvents {

    private final Mapping mapping;
    private final List<MappedEvent> events;
    private final List<TransformedEvents.Invalid> turnedDown;

    public MappedEvents(Mapping mapping, List<MappedEvent> events, List<TransformedEvents.Invalid> turnedDown) {
        this.mapping = mapping;
        this.events = List.copyOf(events);
        this.turnedDown = List.copyOf(turnedDown);
    }

    public Mapping mapping() {
        return mapping;
    }

    public List<MappedEvent> events() {
        return events;
    }

    /** The events the mapping's trigger failed on, each with why. */
    public List<TransformedEvents.Invalid> turnedDown() {
        return turnedDown;
    }

    /**
     * The action's title ("Track Event", "Alias User", "Identify Context"), which the router's {@code choice}
     * dispatches on.
     */
    public String getAction() {
        return mapping.action().title();
    }
}
