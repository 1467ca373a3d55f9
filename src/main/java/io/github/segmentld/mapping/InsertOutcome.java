package io.github.segmentld.mapping;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What an insert function made of one event: the event the instance's mappings see (the same, or a changed copy), or
 * nothing (the event is filtered for the instance), or a failure (the event is rejected for the instance).
 *
 * @param event   the event the mappings see; null when it is filtered or the function failed
 * @param failure why the function failed on the event; null when it did not
 */
public record InsertOutcome(ObjectNode event, String failure) {

    /** The filter reason of an event an insert function returned nothing for, and the rejection kind of a failure. */
    public static final String INSERT_FUNCTION = "insert_function";

    static InsertOutcome of(ObjectNode event) {
        return new InsertOutcome(event, null);
    }

    static InsertOutcome nothing() {
        return new InsertOutcome(null, null);
    }

    static InsertOutcome failed(String failure) {
        return new InsertOutcome(null, failure);
    }

    /** The function returned nothing: the event is filtered for the instance. */
    public boolean filtered() {
        return event == null && failure == null;
    }

    public boolean failed() {
        return failure != null;
    }
}
