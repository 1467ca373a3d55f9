package io.github.segmentld.launchdarkly;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;

/**
 * Whether a failed request is redelivered in line (the delivery error handler's retry-while predicate): a few times,
 * with the redelivery policy's short backoff, while the destination's circuit stays closed. After that, or as soon as
 * the circuit opens (the destination keeps failing, or asked to wait with Retry-After), the batch is parked in its
 * destination's retry queue, and the input it came from goes on.
 */
public class InlineRedelivery implements Predicate {

    private final int maxRedeliveries;
    private final DestinationCircuits circuits;

    public InlineRedelivery(int maxRedeliveries, DestinationCircuits circuits) {
        this.maxRedeliveries = maxRedeliveries;
        this.circuits = circuits;
    }

    @Override
    public boolean matches(Exchange exchange) {
        int redelivery = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        LaunchDarklyBatch batch = exchange.getProperty(LaunchDarklyBatch.PROPERTY, LaunchDarklyBatch.class);
        return redelivery <= maxRedeliveries && circuits.isClosed(batch.destination().name());
    }
}
