package io.github.segmentld.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import io.github.segmentld.bench.RateWindow.Sample;
import org.junit.jupiter.api.Test;

class RateWindowTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void takesTheRateFromTheStartToTheFirstSampleAtNinetyPercent() {
        // a slow start (200 events in 5 s), then 100 events per second, then a slow tail
        List<Sample> samples = List.of(new Sample(0, 0), new Sample(5 * SECOND, 200), new Sample(6 * SECOND, 300),
                new Sample(13 * SECOND, 1000), new Sample(14 * SECOND, 1100), new Sample(20 * SECOND, 1200));
        RateWindow.Window window = RateWindow.from(samples, 5 * SECOND, 1000);
        assertEquals(new Sample(5 * SECOND, 200), window.from());
        assertEquals(new Sample(13 * SECOND, 1000), window.to());
        assertEquals(800, window.count());
        assertEquals(100.0, window.rate(), 1e-9);
    }

    @Test
    void opensOnceEveryInstanceHasDeliveredItsWarmUp() {
        Map<String, List<Sample>> instances = Map.of(
                "instance-1", List.of(new Sample(SECOND, 300), new Sample(3 * SECOND, 600)),
                "instance-2", List.of(new Sample(2 * SECOND, 200), new Sample(4 * SECOND, 500)));
        assertEquals(4 * SECOND, RateWindow.allReached(instances, 500));
        assertEquals(-1, RateWindow.allReached(instances, 600), "instance-2 never delivered 600");
        assertEquals(-1, RateWindow.allReached(Map.of(), 1));
    }

    @Test
    void aRunThatDidNotReachNinetyPercentOrReachedItBeforeTheStartHasNoWindow() {
        List<Sample> samples = List.of(new Sample(0, 100), new Sample(SECOND, 899));
        assertNull(RateWindow.from(samples, 0, 1000));
        assertNull(RateWindow.from(List.of(new Sample(0, 100), new Sample(SECOND, 950)), 2 * SECOND, 1000));
    }

    @Test
    void marksInOneSampleHaveNoWindowAndMarksAtOneMomentNoRate() {
        assertNull(RateWindow.from(List.of(new Sample(0, 0), new Sample(SECOND, 1000)), SECOND, 1000));
        RateWindow.Window window = RateWindow.from(List.of(new Sample(0, 0), new Sample(0, 1000)), 0, 1000);
        assertTrue(Double.isNaN(window.rate()));
    }
}
