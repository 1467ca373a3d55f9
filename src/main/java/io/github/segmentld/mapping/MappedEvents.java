package io.github.segmentld.mapping;

import java.util.List;

/**
 * The events of a chunk that matched one mapping: the unit the content-based router dispatches to the transformer of
 * the mapping's action. Routing groups rather than single events keeps the per-event cost to the mapping itself.
 */
public record MappedEvents(Mapping mapping, List<MappedEvent> events) {

    public MappedEvents {
        events = List.copyOf(events);
    }

    /** The action's title ("Track Event", "Alias User"), which the router's {@code choice} dispatches on. */
    public String getAction() {
        return mapping.action().title();
    }

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
