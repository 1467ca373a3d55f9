package io.github.segmentld.deliverylog;

/**
 * A group of events that shared a fate, as the delivery log keeps it: a LaunchDarkly batch, or the events of a chunk no
 * mapping took, or that were rejected.
 *
 * @param kind       {@link #BATCH}, {@link #FILTERED} or {@link #REJECTED}
 * @param payloadId  a batch's payload ID, else null
 * @param eventIndex one {@link EventLine} per event
 * @param details    for rejected events, a JSON array with each one's message and what was sent; else null
 * @param payload    for a batch, the JSON array it is posted with (null until it is posted); else null
 * @param counts     its events by mapping, by type and event name, and by reason, as {@link GroupCounts} writes them
 * @param readAt     for a batch, when the service read its events (its chunk's {@code readAt}); null when not known,
 *                   and for the other kinds
 */
record LoggedGroup(String kind, String payloadId, String destination, int events, long createdAt, String input,
                   String eventIndex, String details, String payload, String counts, Long readAt) {

    static final String BATCH = "batch";
    static final String FILTERED = "filtered";
    static final String REJECTED = "rejected";
    /** A chunk read: how many records it held, of which the other groups tell. */
    static final String RECEIVED = "received";

    /** Roughly what the group holds in memory. */
    long bytes() {
        return 200 + 2L * (eventIndex.length() + length(details) + length(payload) + length(counts));
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }
}
