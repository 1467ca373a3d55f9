package io.github.segmentld.launchdarkly;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.segmentld.MutableClock;
import io.github.segmentld.MutableTicker;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class DestinationCircuitsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
    private final MutableTicker ticker = new MutableTicker();
    private final EventsEndpoint production = EventsEndpoint.of("production", "prod-id", null, "http://127.0.0.1:1");
    private final EventsEndpoint staging = EventsEndpoint.of("staging", "staging-id", null, "http://127.0.0.1:1");
    private final List<String> recovered = new ArrayList<>();
    private final DestinationCircuits circuits = new DestinationCircuits(List.of(production, staging),
            new DestinationCircuits.Settings(50, 4, 10, Duration.ofSeconds(30), Duration.ofMinutes(10)), clock,
            ticker, recovered::add);

    private LaunchDarklyBatch batch(EventsEndpoint destination) {
        return new LaunchDarklyBatch("payload", destination, List.of());
    }

    private void fail(EventsEndpoint destination, Exception cause) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(LaunchDarklyBatch.PROPERTY, batch(destination));
        exchange.setException(cause);
        circuits.process(exchange);
    }

    private static HttpOperationFailedException answer(int status, Map<String, String> headers) {
        return new HttpOperationFailedException("http://127.0.0.1:1/events/bulk/x", status, "", null, headers, "");
    }

    /** Time passes: the ticker and the wall clock move together. */
    private void elapse(Duration duration) {
        ticker.advance(duration);
        clock.advance(duration);
    }

    private void openByFailures(EventsEndpoint destination) {
        for (int i = 0; i < 4; i++) {
            fail(destination, new ConnectException("Connection refused"));
        }
        assertThat(circuits.state(destination.name())).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void anOpenCircuitWaitsItsOpenTimeOnTheTickerWhenTheWallClockIsSteppedBack() {
        openByFailures(staging);

        clock.advance(Duration.ofHours(-1));
        elapse(Duration.ofSeconds(29));
        assertThat(circuits.awaitsProbe("staging")).isFalse();
        assertThat(circuits.holdsBack(batch(staging))).isTrue();
        elapse(Duration.ofSeconds(2));

        assertThat(circuits.awaitsProbe("staging")).as("31 s after it opened, though the wall clock reads 59 min before")
                .isTrue();
        assertThat(circuits.holdsBack(batch(staging))).as("the probe").isFalse();
    }

    @Test
    void anOpenCircuitIsNotClosedEarlyWhenTheWallClockIsSteppedForward() {
        openByFailures(staging);
        fail(production, answer(429, Map.of("Retry-After", "120")));

        clock.advance(Duration.ofHours(1));
        elapse(Duration.ofSeconds(1));

        assertThat(circuits.awaitsProbe("staging")).isFalse();
        assertThat(circuits.holdsBack(batch(staging))).isTrue();
        assertThat(circuits.awaitsProbe("production")).isFalse();
        assertThat(circuits.holdsBack(batch(production))).isTrue();
        assertThat(circuits.reopensAt("production")).as("told in the time of day the clock reads now")
                .isEqualTo(clock.millis() + 119_000);
    }

    @Test
    void aDestinationThatKeepsFailingIsHeldBackAloneThenProbedOnceAndClosedWhenTheProbeSucceeds() {
        for (int i = 0; i < 4; i++) {
            assertThat(circuits.holdsBack(batch(staging))).isFalse();
            fail(staging, new ConnectException("Connection refused"));
        }

        assertThat(circuits.state("staging")).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(circuits.holdsBack(batch(staging))).isTrue();
        assertThat(circuits.holdsBack(batch(production))).as("the other destination goes on").isFalse();
        assertThat(circuits.reopensAt("staging")).isEqualTo(clock.millis() + 30_000);

        elapse(Duration.ofSeconds(31));
        assertThat(circuits.awaitsProbe("staging")).isTrue();
        assertThat(circuits.holdsBack(batch(staging))).as("the probe").isFalse();
        assertThat(circuits.holdsBack(batch(staging))).as("one probe at a time").isTrue();
        circuits.succeeded("staging");

        assertThat(circuits.isClosed("staging")).isTrue();
        assertThat(recovered).containsExactly("staging");
    }

    @Test
    void permanentAnswersDoNotOpenTheCircuit() {
        for (int i = 0; i < 10; i++) {
            fail(staging, answer(400, Map.of()));
        }

        assertThat(circuits.isClosed("staging")).isTrue();
    }

    @Test
    void aRetryAfterClosesTheWholeDestinationUntilThatTime() {
        fail(staging, answer(429, Map.of("Retry-After", "120")));

        assertThat(circuits.state("staging")).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(circuits.reopensAt("staging")).isEqualTo(clock.millis() + 120_000);
        elapse(Duration.ofSeconds(119));
        assertThat(circuits.holdsBack(batch(staging))).isTrue();
        assertThat(circuits.awaitsProbe("staging")).isFalse();
        elapse(Duration.ofSeconds(2));
        assertThat(circuits.awaitsProbe("staging")).isTrue();
        assertThat(circuits.holdsBack(batch(staging))).isFalse();
    }

    @Test
    void aRetryAfterShorterThanTheOpenTimeClosesTheDestinationForTheRetryAfterOnly() {
        fail(staging, answer(429, Map.of("Retry-After", "5")));

        assertThat(circuits.reopensAt("staging")).isEqualTo(clock.millis() + 5_000);
        elapse(Duration.ofSeconds(4));
        assertThat(circuits.awaitsProbe("staging")).isFalse();
        elapse(Duration.ofSeconds(2));
        assertThat(circuits.awaitsProbe("staging")).isTrue();
    }
}
