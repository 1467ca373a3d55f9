package io.github.segmentld.model;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads an event timestamp into epoch milliseconds the way the destination does: ISO-8601 strings (with or without
 * fractional seconds and offset; no offset means UTC) and epoch-millisecond numbers. A missing or unreadable timestamp
 * becomes the time the event was received; so does one beyond the range of epoch milliseconds (a year past
 * 292,278,994, {@code 1e999}, a 30-digit number), which no clock has and which would otherwise overflow.
 * <p>
 * The forms clients send ({@code 2024-05-01T12:00:00.123Z}, with 0 to 9 fraction digits, an offset {@code Z}, {@code
 * +hh:mm} or {@code -hh:mm} or none, or a bare date) are read by hand: java.time's parser costs about as much as
 * parsing the whole event. Anything else, an invalid date included, goes to java.time, which decides. {@link #text}
 * writes an instant back as {@link Instant#toString} does, for the same reason.
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

    /** The instant as {@link Instant#toString} writes it, in UTC ({@code 2024-05-01T12:00:00.123Z}), built directly. */
    public static String text(long epochMillis) {
        if (epochMillis < FIRST_MILLI_OF_YEAR_0 || epochMillis >= FIRST_MILLI_OF_YEAR_10000) {
            return Instant.ofEpochMilli(epochMillis).toString(); // a sign, or more than four digits of year
        }
        long day = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        int milliOfDay = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
        LocalDate date = LocalDate.ofEpochDay(day);
        int milli = milliOfDay % 1000;
        byte[] text = new byte[milli == 0 ? 20 : 24];
        put(text, 0, date.getYear(), 4);
        text[4] = '-';
        put(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        put(text, 8, date.getDayOfMonth(), 2);
        text[10] = 'T';
        put(text, 11, milliOfDay / 3_600_000, 2);
        text[13] = ':';
        put(text, 14, milliOfDay / 60_000 % 60, 2);
        text[16] = ':';
        put(text, 17, milliOfDay / 1000 % 60, 2);
        if (milli != 0) {
            text[19] = '.';
            put(text, 20, milli, 3);
        }
        text[text.length - 1] = 'Z';
        return new String(text, StandardCharsets.ISO_8859_1);
    }

    private static final long MILLIS_PER_DAY = 86_400_000L;
    private static final long FIRST_MILLI_OF_YEAR_0 = -62_167_219_200_000L;
    private static final long FIRST_MILLI_OF_YEAR_10000 = 253_402_300_800_000L;

    /** Writes {@code value} as {@code width} decimal digits, zero-padded. */
    private static void put(byte[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    private static Long parse(String text) {
        long fast = commonForm(text);
        return fast != NOT_COMMON ? Long.valueOf(fast) : parseWithJavaTime(text);
    }

    /** Returned by {@link #commonForm} for a text it leaves to java.time: no epoch millisecond of a 4-digit year. */
    private static final long NOT_COMMON = Long.MIN_VALUE;
    private static final int SECONDS_PER_DAY = 86_400;

    /**
     * {@code yyyy-MM-dd['T'HH:mm[:ss[.f{1,9}]][Z|+hh:mm|-hh:mm]]}, valid as java.time reads it; else {@link
     * #NOT_COMMON}.
     */
    private static long commonForm(String text) {
        int length = text.length();
        if (length < 10 || text.charAt(4) != '-' || text.charAt(7) != '-') {
            return NOT_COMMON;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))) {
            return NOT_COMMON;
        }
        long seconds = LocalDate.of(year, month, day).toEpochDay() * SECONDS_PER_DAY;
        if (length == 10) {
            return seconds * 1000;
        }
        if (length < 16 || text.charAt(10) != 'T' || text.charAt(13) != ':') {
            return NOT_COMMON;
        }
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59) {
            return NOT_COMMON;
        }
        seconds += hour * 3600 + minute * 60;
        int at = 16;
        long nanos = 0;
        if (at < length && text.charAt(at) == ':') {
            int second = digits(text, at + 1, 2);
            if (second < 0 || second > 59) {
                return NOT_COMMON;
            }
            seconds += second;
            at += 3;
            if (at < length && text.charAt(at) == '.') {
                int end = at + 1;
                while (end < length && end - at <= 9 && isDigit(text.charAt(end))) {
                    nanos = nanos * 10 + text.charAt(end) - '0';
                    end++;
                }
                int fractionDigits = end - at - 1;
                if (fractionDigits == 0 || end < length && isDigit(text.charAt(end))) {
                    return NOT_COMMON;
                }
                for (int d = fractionDigits; d < 9; d++) {
                    nanos *= 10;
                }
                at = end;
            }
        }
        if (at < length) {
            int offset = offsetSeconds(text, at);
            if (offset == Integer.MIN_VALUE) {
                return NOT_COMMON;
            }
            seconds -= offset;
        }
        return seconds * 1000 + nanos / 1_000_000;
    }

    /** The offset {@code Z}, {@code +hh:mm} or {@code -hh:mm} that ends the text at {@code at}, in seconds. */
    private static int offsetSeconds(String text, int at) {
        int left = text.length() - at;
        char sign = text.charAt(at);
        if (left == 1 && sign == 'Z') {
            return 0;
        }
        if (left != 6 || sign != '+' && sign != '-' || text.charAt(at + 3) != ':') {
            return Integer.MIN_VALUE;
        }
        int hours = digits(text, at + 1, 2);
        int minutes = digits(text, at + 4, 2);
        if (hours < 0 || minutes < 0 || minutes > 59 || hours * 60 + minutes > 18 * 60) {
            return Integer.MIN_VALUE;
        }
        int offset = hours * 3600 + minutes * 60;
        return sign == '-' ? -offset : offset;
    }

    /** The number written by {@code count} ASCII digits at {@code from}; -1 when one of them is not a digit. */
    private static int digits(String text, int from, int count) {
        if (from + count > text.length()) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + c - '0';
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static Long parseWithJavaTime(String text) {
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
