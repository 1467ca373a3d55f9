package io.github.segmentld.launchdarkly;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * Reads LaunchDarkly's {@code Retry-After} (seconds or an HTTP date): how long the destination asks not to be called,
 * capped at a maximum so that a mistaken answer cannot stop a destination for days.
 */
public class RetryAfter {

    private final long maxDelayMillis;
    private final Clock clock;

    public RetryAfter(long maxDelayMillis, Clock clock) {
        this.maxDelayMillis = maxDelayMillis;
        this.clock = clock;
    }

    /** The wait an answer asks for, in milliseconds, capped; null when it has no readable Retry-After. */
    public Long of(HttpOperationFailedException answer) {
        Long delay = retryAfterMillis(header(answer.getResponseHeaders(), "Retry-After"));
        return delay == null ? null : Math.min(delay, maxDelayMillis);
    }

    /** The wait a Retry-After value asks for, in milliseconds; null when absent or unreadable. */
    Long retryAfterMillis(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String trimmed = value.strip();
        if (trimmed.chars().allMatch(Character::isDigit)) {
            return trimmed.length() > 9 ? maxDelayMillis : Long.parseLong(trimmed) * 1000;
        }
        try {
            long at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            return Math.max(0, at - clock.millis());
        } catch (DateTimeParseException unreadable) {
            return null;
        }
    }

    private static String header(Map<String, String> headers, String name) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (name.equalsIgnoreCase(header.getKey())) {
                return header.getValue();
            }
        }
        return null;
    }
}
