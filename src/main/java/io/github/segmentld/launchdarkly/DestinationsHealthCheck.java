package io.github.segmentld.launchdarkly;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.segmentld.store.ParkedBatches.Depth;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The {@code launchdarkly-destinations} health check: for each destination instance, its circuit and what waits in
 * its retry queue. A destination whose circuit is not closed, or whose queue holds batches, is reported degraded
 * (the check stays UP: the application does its job, parking what cannot be delivered yet), with the batches a newer
 * release wrote, which this one leaves parked for it.
 */
public class DestinationsHealthCheck extends AbstractHealthCheck {

    private final DestinationCircuits circuits;
    private final RetryQueue queue;

    public DestinationsHealthCheck(DestinationCircuits circuits, RetryQueue queue) {
        super("launchdarkly-destinations");
        this.circuits = circuits;
        this.queue = queue;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> degraded = new ArrayList<>();
        for (String destination : queue.destinations()) {
            CircuitBreaker.State circuit = circuits.state(destination);
            Depth depth = queue.depth(destination);
            boolean ok = circuit == CircuitBreaker.State.CLOSED && depth.batches() == 0;
            builder.detail(destination + ".status", ok ? "ok" : "degraded");
            builder.detail(destination + ".circuit", circuit.name());
            builder.detail(destination + ".retry.queue.batches", depth.batches());
            builder.detail(destination + ".retry.queue.events", depth.events());
            int newer = queue.leftForNewerRelease(destination);
            builder.detail(destination + ".retry.queue.newer.release.batches", newer);
            if (!ok) {
                degraded.add(destination + " (circuit " + circuit + ", " + depth.batches() + " batches in its retry queue"
                        + (newer == 0 ? "" : ", " + newer + " of them written by a newer release, left for it") + ")");
            }
        }
        builder.up().message(degraded.isEmpty() ? "all destinations ok" : "degraded: " + String.join(", ", degraded));
    }
}
