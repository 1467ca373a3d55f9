package io.github.segmentld;

import java.time.Duration;

import io.github.segmentld.time.Ticker;

/** Monotonic time that moves only when the test moves it, and only forward. */
public final class MutableTicker implements Ticker {

    private volatile long nanos;

    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("monotonic time does not go back");
        }
        nanos += duration.toNanos();
    }

    @Override
    public long nanos() {
        return nanos;
    }
}
