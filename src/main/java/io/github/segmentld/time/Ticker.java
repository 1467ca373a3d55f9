package io.github.segmentld.time;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * Monotonic time, for what measures how long something lasts or waits: unlike the wall clock, it never steps when the
 * system's time is set (by NTP, an operator, a virtual machine resumed), so a clock stepped back stalls nothing and a
 * step forward fires nothing early. Its readings have an arbitrary origin: only their differences mean something, and
 * they are never shown to people nor stored.
 */
@FunctionalInterface
public interface Ticker {

    /** The JVM's monotonic time. */
    Ticker SYSTEM = System::nanoTime;

    /** Nanoseconds since an arbitrary origin. */
    long nanos();

    default long millis() {
        return TimeUnit.NANOSECONDS.toMillis(nanos());
    }

    /**
     * A {@link Clock} whose instants are this ticker's readings, for a library that measures durations with a clock:
     * its instants are not times of day.
     */
    default Clock asClock() {
        Ticker ticker = this;
        return new Clock() {
            @Override
            public Instant instant() {
                return Instant.EPOCH.plusNanos(ticker.nanos());
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }
        };
    }
}
