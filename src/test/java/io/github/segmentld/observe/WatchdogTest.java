package io.github.segmentld.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.segmentld.MutableTicker;
import io.github.segmentld.TestInbox;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class WatchdogTest {

    private final MutableTicker ticker = new MutableTicker();
    private final List<String> closedBecause = new ArrayList<>();
    private final Watchdog watchdog = new Watchdog(TestInbox.create("watchdog").inbox(), Duration.ofMinutes(5),
            () -> Long.MIN_VALUE, closedBecause::add, false, ticker);

    private HealthCheck.Result health() {
        watchdog.setCamelContext(new DefaultCamelContext());
        return watchdog.call();
    }

    @Test
    void aWorkerThatStopsBeatingMakesTheProgressCheckDown() {
        watchdog.beat("spool roll");
        watchdog.beat("retry queue of staging");
        assertThat(health().getState()).isEqualTo(HealthCheck.State.UP);

        ticker.advance(Duration.ofMinutes(4));
        watchdog.beat("retry queue of staging");
        ticker.advance(Duration.ofMinutes(2));

        assertThat(watchdog.stalls()).containsExactly("spool roll has not run for 360 s");
        assertThat(health().getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(health().getMessage()).hasValue("spool roll has not run for 360 s");
    }

    @Test
    void aFatalErrorClosesTheHttpSourcesAndTurnsTheCheckDown() {
        watchdog.fatal("java.lang.OutOfMemoryError: Java heap space");

        assertThat(closedBecause).containsExactly("the application is restarting");
        assertThat(health().getState()).isEqualTo(HealthCheck.State.DOWN);
    }
}
