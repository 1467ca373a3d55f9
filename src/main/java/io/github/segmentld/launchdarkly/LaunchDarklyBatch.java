package io.github.segmentld.launchdarkly;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.mapping.LaunchDarklyEvent;

/**
 * One POST to LaunchDarkly's events API (the bulk endpoint or the metric import API). Its payload ID is derived from
 * what it is made of, never random: every retry of the batch, and every re-read of the input it came from, carries the
 * same ID, and LaunchDarkly drops a payload ID it has already accepted.
 *
 * @param retry null for a batch not tried yet; for one that failed before, when and how often
 */
public record LaunchDarklyBatch(String payloadId, EventsEndpoint destination, List<LaunchDarklyEvent> events,
                                Retry retry) {

    /** The exchange property that holds the batch while its serialised body is in flight. */
    public static final String PROPERTY = "launchDarklyBatch";

    /**
     * The retry state of a batch that failed before.
     *
     * @param firstFailedAt when its first attempt failed, in epoch milliseconds: the retry time runs from there
     * @param attempts      the requests made for it so far
     * @param queued        whether it sits in its destination's retry queue (which then owns it)
     */
    public record Retry(long firstFailedAt, int attempts, boolean queued) {
    }

    public LaunchDarklyBatch {
        events = List.copyOf(events);
    }

    public LaunchDarklyBatch(String payloadId, EventsEndpoint destination, List<LaunchDarklyEvent> events) {
        this(payloadId, destination, events, null);
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

    /** The payload ID of the batch made from chunk {@code chunkIndex} of input {@code inputId} for a destination. */
    public static String derivePayloadId(String inputId, int chunkIndex, EventsEndpoint destination) {
        return nameBasedUuid(inputId + "\n" + chunkIndex + "\n" + destination.name() + "\n" + destination.payloadIdScope());
    }

    public int size() {
        return events.size();
    }

    /** The batch's events by the mapping that made them ("" where it is not known). */
    public Map<String, Integer> eventsByMapping() {
        Map<String, Integer> counts = new HashMap<>();
        for (LaunchDarklyEvent event : events) {
            counts.merge(event.mapping() == null ? "" : event.mapping(), 1, Integer::sum);
        }
        return counts;
    }

    public boolean isQueued() {
        return retry != null && retry.queued();
    }

    /** The request body: a JSON array of the events. */
    public List<ObjectNode> payload() {
        return events.stream().map(LaunchDarklyEvent::json).toList();
    }

    /**
     * The two halves of a batch LaunchDarkly found too large (413), each with its own derived payload ID. They keep
     * the time of their parent's first failure, so that the retry time of its events does not start over.
     */
    public List<LaunchDarklyBatch> halves() {
        int middle = events.size() / 2;
        Retry inherited = retry == null ? null : new Retry(retry.firstFailedAt(), 0, false);
        return List.of(
                new LaunchDarklyBatch(nameBasedUuid(payloadId + "\n1"), destination, events.subList(0, middle), inherited),
                new LaunchDarklyBatch(nameBasedUuid(payloadId + "\n2"), destination, events.subList(middle, events.size()),
                        inherited));
    }

    private static String nameBasedUuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
