package io.github.segmentld.deliverylog;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A time window of the delivery log's reports, one of Segment's: the last 10 minutes, hour, 24 hours, 7 or 14 days,
 * ending now. A group belongs to it when it was logged after {@code from} and at or before {@code to}.
 */
record Window(String name, long from, long to) {

    static final Map<String, Duration> LENGTHS = lengths();
    static final String DEFAULT = "24h";

    /**
     * @param requested a name of {@link #LENGTHS}; the default when null or blank
     * @throws IllegalArgumentException for a name it does not know
     */
    static Window of(String requested, Clock clock) {
        String name = requested == null || requested.isBlank() ? DEFAULT : requested.strip();
        Duration length = LENGTHS.get(name);
        if (length == null) {
            throw new IllegalArgumentException("window must be one of " + String.join(", ", LENGTHS.keySet()));
        }
        long to = clock.millis();
        return new Window(name, to - length.toMillis(), to);
    }

    /** The window of the same length just before this one. */
    Window previous() {
        return new Window(name, from - (to - from), from);
    }

    /** Names the window in an answer. */
    void describe(ObjectNode answer) {
        answer.put("window", name);
        answer.put("from", Instant.ofEpochMilli(from).toString());
        answer.put("to", Instant.ofEpochMilli(to).toString());
    }

    private static Map<String, Duration> lengths() {
        Map<String, Duration> lengths = new LinkedHashMap<>();
        lengths.put("10m", Duration.ofMinutes(10));
        lengths.put("1h", Duration.ofHours(1));
        lengths.put("24h", Duration.ofHours(24));
        lengths.put("7d", Duration.ofDays(7));
        lengths.put("14d", Duration.ofDays(14));
        return Collections.unmodifiableMap(lengths);
    }
}
