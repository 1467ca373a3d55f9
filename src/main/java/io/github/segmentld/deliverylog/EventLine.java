package io.github.segmentld.deliverylog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.segmentld.model.Timestamps;

/**
 * One event's line in the index of its group in the delivery log: what a search matches it by, and where it came
 * from. Written as tab-separated text, a tab or line break inside a value becoming a space.
 *
 * @param position   where it was read ("line 7", "item 3")
 * @param receivedAt when it was received: the event's own receivedAt as it was sent, or else the input's time in epoch
 *                   milliseconds (read when a search shows it, not on the way in)
 * @param reason     a filtered or rejected event's reason code, else empty
 */
record EventLine(String messageId, String userId, String anonymousId, String type, String event, String destination,
                 String mapping, String position, String receivedAt, String reason) {

    private static final int FIELDS = 10;

    String text() {
        return appendTo(new StringBuilder(96)).toString();
    }

    /** Appends the line's text to a group's index, without a string of its own (a line per event adds up). */
    StringBuilder appendTo(StringBuilder index) {
        return index.append(clean(messageId)).append('\t').append(clean(userId)).append('\t')
                .append(clean(anonymousId)).append('\t').append(clean(type)).append('\t').append(clean(event))
                .append('\t').append(clean(destination)).append('\t').append(clean(mapping)).append('\t')
                .append(clean(position)).append('\t').append(clean(receivedAt)).append('\t').append(clean(reason))
                .append('\n');
    }

    /** The lines of a group's index, in the order they were written. */
    static EventLine[] parseAll(String index) {
        String[] lines = index.isEmpty() ? new String[0] : index.split("\n");
        EventLine[] parsed = new EventLine[lines.length];
        for (int i = 0; i < lines.length; i++) {
            String[] f = lines[i].split("\t", -1);
            if (f.length != FIELDS) {
                throw new IllegalStateException("a delivery log index line has " + f.length + " fields");
            }
            parsed[i] = new EventLine(value(f[0]), value(f[1]), value(f[2]), value(f[3]), value(f[4]), value(f[5]),
                    value(f[6]), value(f[7]), value(f[8]), value(f[9]));
        }
        return parsed;
    }

    /** A receivedAt as a line holds it, in epoch milliseconds; null when it cannot be read. */
    static Long epochMillis(String receivedAt) {
        if (receivedAt == null) {
            return null;
        }
        JsonNode value = receivedAt.length() <= 18 && receivedAt.chars().allMatch(Character::isDigit)
                ? LongNode.valueOf(Long.parseLong(receivedAt)) : TextNode.valueOf(receivedAt);
        long millis = Timestamps.toEpochMillis(value, Long.MIN_VALUE);
        return millis == Long.MIN_VALUE ? null : millis;
    }

    /** A value as a line holds it, for a search to look for. */
    static String clean(String value) {
        if (value == null) {
            return "";
        }
        return value.indexOf('\t') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0 ? value
                : value.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    private static String value(String field) {
        return field.isEmpty() ? null : field;
    }
}
