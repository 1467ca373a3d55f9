package io.github.segmentld.launchdarkly;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.segmentld.time.Ticker;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A circuit breaker per destination instance (resilience4j). While a destination keeps failing (the share of failed
 * requests among its last ones over a threshold), or after it asked to wait with {@code Retry-After}, its circuit is
 * open: no request goes to it, and its batches are parked in its retry queue. When the wait is over, one probe at a
 * time tests it; a probe that succeeds closes the circuit, and the destination's retry queue is woken up.
 * <p>
 * Handed each failed request by the delivery error handler's {@code onExceptionOccurred} processor
 * ({@link RequestFailureMasking}), it sees them all: network errors, timeouts, 408, 429 and 5xx count as failures;
 * other answers (the destination is there) as successes.
 * <p>
 * How long a circuit stays open is measured on the monotonic ticker, so a wall clock stepped back does not keep it open
 * and a step forward does not close it early; the wall clock only says when it reopens, to people.
 */
public class DestinationCircuits implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(DestinationCircuits.class);
    /** An open-until time not set yet. */
    private static final long NONE = Long.MIN_VALUE;

    /** The settings of every destination's circuit. */
    public record Settings(int failureRatePercent, int minimumCalls, int windowCalls, Duration openFor,
                           Duration maxRetryAfter) {
    }

    private final CircuitBreakerRegistry registry;
    private final Duration openFor;
    private final RetryAfter retryAfter;
    private final Clock clock;
    private final Ticker ticker;
    private final Consumer<String> onRecovery;
    private final Map<String, CircuitBreaker> circuits = new ConcurrentHashMap<>();
    /** Until when each destination's circuit is open, as a reading of the ticker in nanoseconds. */
    private final Map<String, AtomicLong> openUntil = new ConcurrentHashMap<>();

    /**
     * @param clock      the time of day, to read a Retry-After date and to say when a circuit reopens
     * @param onRecovery called with a destination's name when its circuit closes again after being open
     */
    public DestinationCircuits(List<EventsEndpoint> destinations, Settings settings, Clock clock, Ticker ticker,
                               Consumer<String> onRecovery) {
        this.registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRatePercent())
                .minimumNumberOfCalls(settings.minimumCalls())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.windowCalls())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                // a probe whose answer never comes (the process was busy, a bug) must not hold the circuit half-open
                .maxWaitDurationInHalfOpenState(settings.openFor().multipliedBy(4))
                .clock(ticker.asClock())
                .build());
        this.openFor = settings.openFor();
        this.retryAfter = new RetryAfter(settings.maxRetryAfter().toMillis(), clock);
        this.clock = clock;
        this.ticker = ticker;
        this.onRecovery = onRecovery;
        destinations.forEach(this::add);
    }

    /**
     * Gives a destination instance its circuit, closed, unless it has one: an instance a reload adds or enables. The
     * circuit of an instance a reload removes is kept, for its batches still in flight (and for its return).
     */
    public void add(EventsEndpoint destination) {
        circuits.computeIfAbsent(destination.name(), name -> {
            CircuitBreaker circuit = registry.circuitBreaker(name);
            AtomicLong until = new AtomicLong(NONE);
            circuit.getEventPublisher().onStateTransition(event -> {
                switch (event.getStateTransition().getToState()) {
                    case OPEN -> {
                        // a Retry-After sets its own time before it opens the circuit
                        long now = ticker.nanos();
                        until.updateAndGet(current -> current != NONE && current - now > 0 ? current
                                : now + openFor.toNanos());
                        LOG.warn("Destination {}: circuit OPEN, no request until {}; its batches are parked in its"
                                + " retry queue", destination, Instant.ofEpochMilli(timeOfDay(until.get())));
                    }
                    case HALF_OPEN -> LOG.info("Destination {}: circuit half-open, one probe tests it", destination);
                    case CLOSED -> {
                        LOG.info("Destination {}: circuit CLOSED, it answers again; its retry queue drains", destination);
                        onRecovery.accept(name);
                    }
                    default -> {
                    }
                }
            });
            openUntil.put(name, until);
            return circuit;
        });
    }

    /**
     * Whether the batch must not be sent now: its destination's circuit is open, or half-open with its one probe
     * under way. Otherwise the request may go (and if the circuit is half-open, it is the probe).
     */
    public boolean holdsBack(@ExchangeProperty(LaunchDarklyBatch.PROPERTY) LaunchDarklyBatch batch) {
        return !circuit(batch.destination().name()).tryAcquirePermission();
    }

    /** Whether requests go to the destination as usual (its circuit is closed). */
    public boolean isClosed(String destination) {
        return circuit(destination).getState() == CircuitBreaker.State.CLOSED;
    }

    /** Whether the destination takes a probe now: its circuit is half-open, or open with its wait over. */
    public boolean awaitsProbe(String destination) {
        CircuitBreaker.State state = circuit(destination).getState();
        return state == CircuitBreaker.State.HALF_OPEN
                || state == CircuitBreaker.State.OPEN && isPast(openUntil.get(destination).get());
    }

    /** The time before which no request goes to the destination, in epoch milliseconds (0 while it is closed). */
    public long reopensAt(String destination) {
        long until = openUntil.get(destination).get();
        return isClosed(destination) || until == NONE ? 0 : timeOfDay(until);
    }

    private boolean isPast(long until) {
        return until == NONE || ticker.nanos() - until >= 0;
    }

    /** The later of two readings of the ticker, either of which may be unset. */
    private static long later(long current, long candidate) {
        return current != NONE && current - candidate > 0 ? current : candidate;
    }

    /** The time of day, in epoch milliseconds, at which the ticker will read {@code nanos}. */
    private long timeOfDay(long nanos) {
        return clock.millis() + TimeUnit.NANOSECONDS.toMillis(nanos - ticker.nanos());
    }

    public CircuitBreaker.State state(String destination) {
        return circuit(destination).getState();
    }

    /** A 2xx answer (or a 413, which says the destination is there). */
    public void succeeded(String destination) {
        circuit(destination).onSuccess(0, TimeUnit.MILLISECONDS);
    }

    /** Records the failed request; a Retry-After opens the destination's circuit for that long. */
    @Override
    public void process(Exchange exchange) {
        LaunchDarklyBatch batch = exchange.getProperty(LaunchDarklyBatch.PROPERTY, LaunchDarklyBatch.class);
        Exception cause = exchange.getException();
        CircuitBreaker circuit = circuit(batch.destination().name());
        if (!isRecoverable(cause)) {
            circuit.onSuccess(0, TimeUnit.MILLISECONDS);
            return;
        }
        circuit.onError(0, TimeUnit.MILLISECONDS, cause);
        Long wait = cause instanceof HttpOperationFailedException failed ? retryAfter.of(failed) : null;
        if (wait != null && wait > 0) {
            long until = openUntil.get(batch.destination().name())
                    .accumulateAndGet(ticker.nanos() + TimeUnit.MILLISECONDS.toNanos(wait), DestinationCircuits::later);
            circuit.transitionToOpenStateUntil(Instant.EPOCH.plusNanos(until));
        }
    }

    /** Network errors, timeouts, 408, 429 and 5xx: the same batch may succeed later. */
    static boolean isRecoverable(Throwable cause) {
        if (cause instanceof HttpOperationFailedException failed) {
            int status = failed.getStatusCode();
            return status == 408 || status == 429 || status >= 500;
        }
        return cause instanceof IOException;
    }

    private CircuitBreaker circuit(String destination) {
        CircuitBreaker circuit = circuits.get(destination);
        if (circuit == null) {
            throw new IllegalArgumentException("no destination instance named '" + destination + "'");
        }
        return circuit;
    }
}
