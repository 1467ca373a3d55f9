package io.github.segmentld.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    private static final long RECEIVED = 1_714_564_800_000L;

    private static long read(String text) {
        return Timestamps.toEpochMillis(TextNode.valueOf(text), RECEIVED);
    }

    private static long millis(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    /** What java.time alone reads: an offset date-time, else a local one in UTC, else a date; else the arrival. */
    private static long javaTime(String text) {
        String stripped = text.strip();
        try {
            return OffsetDateTime.parse(stripped).toInstant().toEpochMilli();
        } catch (DateTimeParseException notWithOffset) {
            // the shorter forms
        }
        try {
            return LocalDateTime.parse(stripped).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException notLocal) {
            // a bare date
        }
        try {
            return LocalDate.parse(stripped).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException notADate) {
            return RECEIVED;
        }
    }

    @Test
    void fractionsOfZeroToNineDigitsAreTruncatedToTheMillisecond() {
        assertThat(read("2024-05-01T12:00:00Z")).isEqualTo(millis("2024-05-01T12:00:00Z"));
        assertThat(read("2024-05-01T12:00:00.1Z")).isEqualTo(millis("2024-05-01T12:00:00.100Z"));
        assertThat(read("2024-05-01T12:00:00.12Z")).isEqualTo(millis("2024-05-01T12:00:00.120Z"));
        assertThat(read("2024-05-01T12:00:00.123Z")).isEqualTo(millis("2024-05-01T12:00:00.123Z"));
        assertThat(read("2024-05-01T12:00:00.1239Z")).isEqualTo(millis("2024-05-01T12:00:00.123Z"));
        assertThat(read("2024-05-01T12:00:00.123999999Z")).isEqualTo(millis("2024-05-01T12:00:00.123Z"));
        assertThat(read("1969-12-31T23:59:59.999999999Z")).isEqualTo(-1);
    }

    @Test
    void offsetsAreZuluOrHoursAndMinutesEitherWay() {
        assertThat(read("2024-05-01T12:00:00.5+02:30")).isEqualTo(millis("2024-05-01T09:30:00.500Z"));
        assertThat(read("2024-05-01T12:00:00-05:00")).isEqualTo(millis("2024-05-01T17:00:00Z"));
        assertThat(read("2024-05-01T12:00:00-00:00")).isEqualTo(millis("2024-05-01T12:00:00Z"));
        assertThat(read("2024-05-01T12:00:00+18:00")).isEqualTo(millis("2024-04-30T18:00:00Z"));
        assertThat(read("2024-05-01T12:00:00+18:01")).as("beyond the offsets there are").isEqualTo(RECEIVED);
    }

    @Test
    void withoutAnOffsetTheTimeIsUtcAndADateIsItsMidnight() {
        assertThat(read("2024-05-01T12:00:00.250")).isEqualTo(millis("2024-05-01T12:00:00.250Z"));
        assertThat(read("2024-05-01T12:00")).isEqualTo(millis("2024-05-01T12:00:00Z"));
        assertThat(read("2024-05-01")).isEqualTo(millis("2024-05-01T00:00:00Z"));
        assertThat(read("  2024-05-01T12:00:00Z\n")).isEqualTo(millis("2024-05-01T12:00:00Z"));
    }

    @Test
    void invalidDatesAndTimesAreTheArrival() {
        assertThat(read("2024-02-30T12:00:00Z")).isEqualTo(RECEIVED);
        assertThat(read("2023-02-29T12:00:00Z")).isEqualTo(RECEIVED);
        assertThat(read("2024-13-01T12:00:00Z")).isEqualTo(RECEIVED);
        assertThat(read("2024-04-31")).isEqualTo(RECEIVED);
        assertThat(read("2024-05-01T24:00:00Z")).isEqualTo(RECEIVED);
        assertThat(read("2024-05-01T12:60:00Z")).isEqualTo(RECEIVED);
        assertThat(read("2024-05-01T12:00:60Z")).isEqualTo(RECEIVED);
        assertThat(read("2024-05-01T12:00:00.1234567890Z")).as("ten fraction digits").isEqualTo(RECEIVED);
        assertThat(read("yesterday")).isEqualTo(RECEIVED);
    }

    @Test
    void leapYearsHaveTheir29thOfFebruary() {
        assertThat(read("2024-02-29T00:00:00Z")).isEqualTo(millis("2024-02-29T00:00:00Z"));
        assertThat(read("2000-02-29")).isEqualTo(millis("2000-02-29T00:00:00Z"));
        assertThat(read("1900-02-29")).as("a century not divisible by 400").isEqualTo(RECEIVED);
        assertThat(read("0000-02-29T00:00:00Z")).isEqualTo(millis("0000-02-29T00:00:00Z"));
    }

    @Test
    void numbersAreEpochMillisecondsAndThoseBeyondAreTheArrival() {
        assertThat(Timestamps.toEpochMillis(LongNode.valueOf(1_700_000_000_123L), RECEIVED)).isEqualTo(1_700_000_000_123L);
        assertThat(Timestamps.toEpochMillis(DoubleNode.valueOf(1e30), RECEIVED)).isEqualTo(RECEIVED);
        assertThat(Timestamps.toEpochMillis(null, RECEIVED)).isEqualTo(RECEIVED);
        assertThat(read("+292278995-01-01T00:00:00Z")).isEqualTo(RECEIVED);
    }

    @Test
    void readsWhatJavaTimeReadsOnGeneratedInputs() {
        SplittableRandom random = new SplittableRandom(11);
        String[] offsets = {"", "Z", "z", "+00:00", "-00:00", "+05:30", "-08:00", "+18:00", "-18:00", "+18:30", "+19:00",
                "+05", "+0530", "+05:30:15", "+5:30", "-05:60", "Z ", "UTC"};
        for (int i = 0; i < 200_000; i++) {
            StringBuilder text = new StringBuilder();
            text.append(pad(random.nextInt(random.nextInt(10) == 0 ? 100_000 : 10_000), 4)).append('-')
                    .append(pad(random.nextInt(14), 2)).append('-').append(pad(random.nextInt(33), 2));
            if (random.nextInt(8) > 0) {
                text.append(random.nextInt(20) == 0 ? 't' : 'T').append(pad(random.nextInt(26), 2)).append(':')
                        .append(pad(random.nextInt(62), 2));
                if (random.nextInt(6) > 0) {
                    text.append(':').append(pad(random.nextInt(62), 2));
                    if (random.nextInt(3) > 0) {
                        text.append('.');
                        int digits = random.nextInt(11);
                        for (int d = 0; d < digits; d++) {
                            text.append((char) ('0' + random.nextInt(10)));
                        }
                    }
                }
                text.append(offsets[random.nextInt(offsets.length)]);
            }
            String generated = text.toString();
            assertThat(read(generated)).as(generated).isEqualTo(javaTime(generated));
        }
    }

    @Test
    void writesWhatInstantWrites() {
        SplittableRandom random = new SplittableRandom(13);
        long[] edges = {0, -1, 1, 999, 1000, -1000, -62_167_219_200_000L, -62_167_219_200_001L, 253_402_300_799_999L,
                253_402_300_800_000L, Long.MAX_VALUE, Long.MIN_VALUE, millis("2024-02-29T23:59:59.990Z")};
        for (long edge : edges) {
            assertThat(Timestamps.text(edge)).isEqualTo(Instant.ofEpochMilli(edge).toString());
        }
        for (int i = 0; i < 200_000; i++) {
            long instant = random.nextInt(4) == 0 ? random.nextLong() / 1000 * 1000 : random.nextLong(
                    -70_000_000_000_000L, 260_000_000_000_000L);
            assertThat(Timestamps.text(instant)).isEqualTo(Instant.ofEpochMilli(instant).toString());
        }
    }

    private static String pad(int value, int width) {
        String digits = Integer.toString(value);
        return "0".repeat(Math.max(0, width - digits.length())) + digits;
    }
}
