package io.github.segmentld.launchdarkly;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * Honours LaunchDarkly's {@code Retry-After} (seconds or an HTTP date) by setting the delay of the next redelivery.
 * It runs as the error handler's {@code onExceptionOccurred} processor, which Camel calls before it computes the
 * delay; without the header, the redelivery policy's exponential backoff applies.
 */
public class RetryAfterPolicy implements Processor {

    private final long maxDelayMillis;
    private final Clock clock;

    public RetryAfterPolicy(long maxDelayMillis, Clock clock) {
        this.maxDelayMillis = maxDelayMillis;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        Long delay = exchange.getException() instanceof HttpOperationFailedException failed
                ? retryAfterMillis(header(failed.getResponseHeaders(), "Retry-After")) : null;
        if (delay == null) {
            exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        } else {
            exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, Math.min(delay, maxDelayMillis));
        }
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
