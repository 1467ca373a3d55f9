package io.github.segmentld.launchdarkly;

import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and logs each redelivery of a batch. Camel's own retry log line is off because the exception message carries
 * the request URL, and with it the client-side ID.
 */
public class RedeliveryLogger implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(RedeliveryLogger.class);

    private final PipelineMetrics metrics;

    public RedeliveryLogger(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        LaunchDarklyBatch batch = exchange.getProperty(DeliveryRecords.BATCH, LaunchDarklyBatch.class);
        Exception cause = exchange.getException();
        Object delay = exchange.getIn().getHeader(Exchange.REDELIVERY_DELAY);
        int redelivery = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class);
        exchange.setProperty(DeliveryRecords.REDELIVERIES, redelivery);
        metrics.retried(batch.destination().name());
        LOG.warn("Redelivering batch {} ({} events) to {}, attempt {}{}: {}", batch.payloadId(), batch.size(),
                batch.destination(), redelivery + 1,
                delay == null ? "" : " as Retry-After asked (" + delay + " ms)", DeliveryRecords.describe(cause));
    }
}
