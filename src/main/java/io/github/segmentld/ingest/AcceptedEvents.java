package io.github.segmentld.ingest;

import java.util.List;

/**
 * The events of one HTTP request that passed the per-event rules, ready for the durable log (the spool, or Kafka): each
 * as the JSON written back with Segment's server-side fields, with its messageId (the spool accepts a messageId of a
 * source once) and its user (userId, else anonymousId: the Kafka key that keeps one user's events in order).
 *
 * @param sender the write key's source name, or {@code webhook}
 */
public record AcceptedEvents(String sender, List<Event> events) {

    /** One accepted event. */
    public record Event(String messageId, String type, String user, byte[] json) {
    }

    public AcceptedEvents {
        events = List.copyOf(events);
    }
}
