package io.github.segmentld.launchdarkly;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One POST to LaunchDarkly's bulk events API. Its payload ID is derived from what it is made of, never random: every
 * retry of the batch, and every re-read of the input it came from, carries the same ID, and LaunchDarkly drops a
 * payload ID it has already accepted.
 */
public record LaunchDarklyBatch(String payloadId, LaunchDarklyDestination destination, List<LaunchDarklyEvent> events) {

    /** Identity, not value, equality: hashing the JSON inside would cost a walk of the whole tree per lookup. */
    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    public LaunchDarklyBatch {
        events = List.copyOf(events);
    }

    /** The payload ID of the batch made from chunk {@code chunkIndex} of input {@code inputId} for a destination. */
    public static String derivePayloadId(String inputId, int chunkIndex, LaunchDarklyDestination destination) {
        return nameBasedUuid(inputId + "\n" + chunkIndex + "\n" + destination.name() + "\n" + destination.clientSideId());
    }

    public int size() {
        return events.size();
    }

    /** The request body: a JSON array of the events. */
    public List<ObjectNode> payload() {
        return events.stream().map(LaunchDarklyEvent::json).toList();
    }

    /** The two halves of a batch LaunchDarkly found too large (413), each with its own derived payload ID. */
    public List<LaunchDarklyBatch> halves() {
        int middle = events.size() / 2;
        return List.of(
                new LaunchDarklyBatch(nameBasedUuid(payloadId + "\n1"), destination, events.subList(0, middle)),
                new LaunchDarklyBatch(nameBasedUuid(payloadId + "\n2"), destination, events.subList(middle, events.size())));
    }

    private static String nameBasedUuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
