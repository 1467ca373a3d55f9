package io.github.segmentld.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record or an event that cannot be delivered because of its content: recorded once, with its reason, and never
 * retried. A chunk carries the rejections of its part of the input until it is settled.
 *
 * @param kind        what rejected it: {@code unreadable_record}, {@code refused_by_api}, {@code validation}, or
 *                    {@code unexpected_error} (an action failed on it)
 * @param raw         the record's text (abbreviated) when it is not an event, else null
 * @param event       the event, when it is one, else null
 * @param destination the destination instance whose mapping turned the event down, else null
 * @param mapping     that mapping, else null
 */
public record Rejection(String kind, InputSource source, long position, String reason, String raw, JsonNode event,
                        String destination, String mapping) {

    public static final String UNREADABLE_RECORD = "unreadable_record";
    public static final String REFUSED_BY_API = "refused_by_api";
    public static final String VALIDATION = "validation";
    public static final String UNEXPECTED_ERROR = "unexpected_error";

    public static Rejection unreadable(InputSource source, long position, String reason, String raw) {
        return new Rejection(UNREADABLE_RECORD, source, position, reason, raw, null, null, null);
    }
}
