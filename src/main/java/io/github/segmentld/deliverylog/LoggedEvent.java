package io.github.segmentld.deliverylog;

/**
 * One row of the delivery log's events: a Segment event and what became of it at one mapping (or why no mapping took
 * it).
 *
 * @param eventKey          identifies the row across a re-read of its input: {@code payloadId#index} for a sent
 *                          event, {@code inputId#position[#destination#mapping]} for the others
 * @param position          where it was read ("line 7", "item 3")
 * @param outcome           {@link #SENT} (its batch tells the rest), {@link #FILTERED} or {@link #REJECTED}
 * @param reason            a filtered or rejected event's reason code, else null
 * @param detail            the reason in words (Segment's validation message, why no mapping matched), else null
 * @param segmentEvent      the Segment event as JSON text, kept for filtered and rejected events (what was sent)
 * @param launchDarklyEvent the LaunchDarkly event as JSON text, for a sent event
 */
public record LoggedEvent(String eventKey, long loggedAt, long receivedAt, String input, String position,
                          String messageId, String userId, String anonymousId, String eventType, String eventName,
                          String destination, String mapping, String outcome, String reason, String detail,
                          String payloadId, String segmentEvent, String launchDarklyEvent) {

    public static final String SENT = "sent";
    public static final String FILTERED = "filtered";
    public static final String REJECTED = "rejected";
}
