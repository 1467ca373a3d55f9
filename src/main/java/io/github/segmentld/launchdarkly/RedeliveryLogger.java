package io.github.segmentld.launchdarkly;

import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and logs each redelivery in line, with the real cause of the failure it follows. Camel's own retry log line
 * is off because the exception message carries the request URL, and with it the client-side ID.
 */
public class RedeliveryLogger implements Processor {

    /** The exchange property that counts the redeliveries in line of the batch. */
    public static final String REDELIVERIES = "launchDarklyRedeliveries";

    private static final Logger LOG = LoggerFactory.getLogger(RedeliveryLogger.class);

    private final PipelineMetrics metrics;
    private final FailureDescriptions failures;

    public RedeliveryLogger(PipelineMetrics metrics, FailureDescriptions failures) {
        this.metrics = metrics;
        this.failures = failures;
    }

    @Override
    public void process(Exchange exchange) {
        LaunchDarklyBatch batch = exchange.getProperty(LaunchDarklyBatch.PROPERTY, LaunchDarklyBatch.class);
        // The error handler has cleared the exception before the redelivery; the one caught is kept here.
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        int redelivery = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class);
        exchange.setProperty(REDELIVERIES, redelivery);
        int before = batch.retry() == null ? 0 : batch.retry().attempts();
        metrics.retried(batch.destination().name());
        LOG.warn("Redelivering batch {} ({} events) to {}, attempt {}: {}", batch.payloadId(), batch.size(),
                batch.destination(), before + redelivery + 1, failures.describe(cause, batch.destination()));
    }
}
