package io.github.segmentld.model;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads an event timestamp into epoch milliseconds the way the destination does: ISO-8601 strings (with or without
 * fractional seconds and offset; no offset means UTC) and epoch-millisecond numbers. A missing or unreadable timestamp
 * becomes the time the event was received; so does one beyond the range of epoch milliseconds (a year past
 * 292,278,994, {@code 1e999}, a 30-digit number), which no clock has and which would otherwise overflow.
 */
public final class Timestamps {

    private Timestamps() {
    }

    public static long toEpochMillis(JsonNode value, long receivedAt) {
        if (value == null) {
            return receivedAt;
        }
        if (value.isNumber()) {
            return value.canConvertToLong() ? value.longValue() : receivedAt;
        }
        if (value.isTextual()) {
            Long parsed = parse(value.textValue().strip());
            if (parsed != null) {
                return parsed;
            }
        }
        return receivedAt;
    }

    private static Long parse(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (ArithmeticException beyondEpochMillis) {
            return null;
        } catch (DateTimeParseException notWithOffset) {
            // try the shorter forms below
        }
        try {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (ArithmeticException beyondEpochMillis) {
            return null;
        } catch (DateTimeParseException notLocal) {
            // try a bare date
        }
        try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (ArithmeticException | DateTimeParseException notADate) {
            return null;
        }
    }
}
