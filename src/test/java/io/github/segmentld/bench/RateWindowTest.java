package io.github.segmentld.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.github.segmentld.bench.RateWindow.Sample;
import org.junit.jupiter.api.Test;

class RateWindowTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void takesTheRateBetweenTheFirstSamplesAtTenAndNinetyPercent() {
        // a slow start (200 events in 5 s), then 100 events per second, then a slow tail
        List<Sample> samples = List.of(new Sample(0, 0), new Sample(5 * SECOND, 200), new Sample(6 * SECOND, 300),
                new Sample(13 * SECOND, 1000), new Sample(14 * SECOND, 1100), new Sample(20 * SECOND, 1200));
        RateWindow.Window window = RateWindow.of(samples, 1000, 0.1);
        assertEquals(new Sample(5 * SECOND, 200), window.from());
        assertEquals(new Sample(13 * SECOND, 1000), window.to());
        assertEquals(800, window.count());
        assertEquals(100.0, window.rate(), 1e-9);
    }

    @Test
    void aLaterStartMarkLeavesTheWarmUpOut() {
        // JIT compilation slows the first half
        List<Sample> samples = List.of(new Sample(0, 0), new Sample(10 * SECOND, 500), new Sample(12 * SECOND, 700),
                new Sample(14 * SECOND, 900));
        RateWindow.Window window = RateWindow.of(samples, 1000, 0.5);
        assertEquals(new Sample(10 * SECOND, 500), window.from());
        assertEquals(100.0, window.rate(), 1e-9);
    }

    @Test
    void theStartMarkComesBeforeTheEndMark() {
        assertThrows(IllegalArgumentException.class, () -> RateWindow.of(List.of(), 1000, 0.9));
    }

    @Test
    void aRunThatDidNotReachNinetyPercentHasNoWindow() {
        assertNull(RateWindow.of(List.of(new Sample(0, 100), new Sample(SECOND, 899)), 1000, 0.1));
    }

    @Test
    void marksInOneSampleHaveNoRate() {
        RateWindow.Window window = RateWindow.of(List.of(new Sample(0, 0), new Sample(SECOND, 1000)), 1000, 0.1);
        assertTrue(Double.isNaN(window.rate()));
    }
}
