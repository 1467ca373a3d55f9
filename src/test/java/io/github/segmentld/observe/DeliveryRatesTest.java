package io.github.segmentld.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.github.segmentld.MutableClock;
import io.github.segmentld.observe.DeliveryRates.Totals;
import org.junit.jupiter.api.Test;

class DeliveryRatesTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final DeliveryRates rates = new DeliveryRates(clock);

    @Test
    void aWindowAddsUpItsMinutesAndNothingOlder() {
        rates.delivered("prod", Map.of("Track Event", 7, "Alias User", 1));
        clock.advance(Duration.ofMinutes(4));
        rates.failed("prod", Map.of("Track Event", 2), "LaunchDarkly answered 503");
        rates.arrived("prod", "Track Event", 9);
        rates.delivered("staging", Map.of("Track Event", 100));

        assertThat(rates.totals("prod", null, Duration.ofMinutes(5)))
                .isEqualTo(new Totals(8, 2, 9, Map.of("LaunchDarkly answered 503", 2L)));
        assertThat(rates.totals("prod", null, Duration.ofMinutes(4)).delivered()).isZero();
        assertThat(rates.totals("prod", "Alias User", Duration.ofMinutes(5)).successRatio()).isEqualTo(1.0);
        assertThat(rates.totals("prod", "Track Event", Duration.ofMinutes(5)).successRatio()).isEqualTo(7 / 9.0);
        assertThat(rates.totals("nowhere", null, Duration.ofMinutes(5)).successRatio()).isNaN();
    }

    @Test
    void aMinuteADayLaterTakesItsSlotAfresh() {
        rates.delivered("prod", Map.of("Track Event", 5));
        clock.advance(Duration.ofHours(24).plusMinutes(1));
        rates.failed("prod", Map.of("Track Event", 1), "x");
        assertThat(rates.totals("prod", null, Duration.ofHours(24))).isEqualTo(new Totals(0, 1, 0, Map.of("x", 1L)));
    }

    @Test
    void theReasonsOfAMinuteAreBounded() {
        for (int i = 0; i < 1000; i++) {
            rates.failed("prod", Map.of("m", 1), "reason " + i);
        }
        Totals totals = rates.totals("prod", null, Duration.ofMinutes(5));
        assertThat(totals.failed()).isEqualTo(1000);
        assertThat(totals.failureReasons()).hasSize(20);
    }
}
