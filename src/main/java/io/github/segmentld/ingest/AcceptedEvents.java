package io.github.segmentld.ingest;

import java.util.List;

import io.github.segmentld.model.Rejection;

/**
 * The events of one HTTP request that passed the per-event rules, ready for the durable log (the spool, or Kafka): each
 * as the JSON written back with Segment's server-side fields, with its messageId (the spool accepts a messageId of a
 * source once) and its user (userId, else anonymousId: the Kafka key that keeps one user's events in order); and the
 * events of the request that were refused, recorded together once the accepted ones are stored.
 *
 * @param sender  the write key's source name, or {@code webhook}
 * @param refused the request's events that broke a per-event rule, with their reasons
 */
public record AcceptedEvents(String sender, List<Event> events, List<Rejection> refused) {

    /** One accepted event. */
    public record Event(String messageId, String type, String user, byte[] json) {
    }

    public AcceptedEvents {
        events = List.copyOf(events);
        refused = List.copyOf(refused);
    }
}
