package io.github.segmentld.launchdarkly;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.segmentld.store.ParkedBatches.Depth;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The {@code launchdarkly-destinations} health check: for each destination instance, its circuit, what waits in its
 * retry queue and whether LaunchDarkly refuses its credential. A destination whose circuit is not closed, whose queue
 * holds batches, or whose client-side ID or access token LaunchDarkly refused since its last delivered batch, is
 * reported degraded (the check stays UP: the application does its job, parking what cannot be delivered yet and
 * dead-lettering what LaunchDarkly refuses), with the batches a newer release wrote, which this one leaves parked for it.
 */
public class DestinationsHealthCheck extends AbstractHealthCheck {

    private final DestinationCircuits circuits;
    private final RetryQueue queue;
    private final CredentialRefusals refusals;

    public DestinationsHealthCheck(DestinationCircuits circuits, RetryQueue queue, CredentialRefusals refusals) {
        super("launchdarkly-destinations");
        this.circuits = circuits;
        this.queue = queue;
        this.refusals = refusals;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> degraded = new ArrayList<>();
        for (String destination : queue.destinations()) {
            CircuitBreaker.State circuit = circuits.state(destination);
            Depth depth = queue.depth(destination);
            CredentialRefusals.Refusal refusal = refusals.refusal(destination);
            boolean ok = circuit == CircuitBreaker.State.CLOSED && depth.batches() == 0 && refusal == null;
            builder.detail(destination + ".status", ok ? "ok" : "degraded");
            builder.detail(destination + ".circuit", circuit.name());
            builder.detail(destination + ".retry.queue.batches", depth.batches());
            builder.detail(destination + ".retry.queue.events", depth.events());
            int newer = queue.leftForNewerRelease(destination);
            builder.detail(destination + ".retry.queue.newer.release.batches", newer);
            builder.detail(destination + ".credential", refusal == null ? "ok" : "refused since " + refusal.at());
            if (!ok) {
                degraded.add(destination + " (circuit " + circuit + ", " + depth.batches() + " batches in its retry queue"
                        + (newer == 0 ? "" : ", " + newer + " of them written by a newer release, left for it")
                        + (refusal == null ? "" : "; since " + refusal.at() + ", " + refusal.reason()) + ")");
            }
        }
        builder.up().message(degraded.isEmpty() ? "all destinations ok" : "degraded: " + String.join(", ", degraded));
    }
}
