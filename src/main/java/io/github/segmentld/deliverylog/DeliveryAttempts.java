package io.github.segmentld.deliverylog;

import io.github.segmentld.launchdarkly.FailureDescriptions;
import io.github.segmentld.launchdarkly.LaunchDarklyBatch;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSendingEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Logs each request for a LaunchDarkly batch, the redeliveries in line and the retry queue's included: when, the
 * status LaunchDarkly answered (none for a network failure or a timeout), how long it took, and on a failure what
 * failed and the body of the answer. Camel tells of each send to the HTTP endpoint, with its time, as it happens.
 */
public class DeliveryAttempts extends EventNotifierSupport {

    /** The endpoint the delivery route posts batches with. */
    static final String ENDPOINT_PREFIX = "http://launchdarkly-events";
    private static final int MAX_BODY_CHARS = 4096;

    private final DeliveryLog log;
    private final FailureDescriptions failures;

    public DeliveryAttempts(DeliveryLog log, FailureDescriptions failures) {
        this.log = log;
        this.failures = failures;
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        // the sending event must be taken too: Camel times a send, and then tells it was sent, only when it is
        return (event instanceof ExchangeSendingEvent sending
                && sending.getEndpoint().getEndpointUri().startsWith(ENDPOINT_PREFIX))
                || (event instanceof ExchangeSentEvent sent
                && sent.getEndpoint().getEndpointUri().startsWith(ENDPOINT_PREFIX));
    }

    @Override
    public void notify(CamelEvent event) {
        if (!(event instanceof ExchangeSentEvent sent)) {
            return;
        }
        Exchange exchange = sent.getExchange();
        LaunchDarklyBatch batch = exchange.getProperty(LaunchDarklyBatch.PROPERTY, LaunchDarklyBatch.class);
        if (batch == null) {
            return;
        }
        long latency = sent.getTimeTaken();
        long at = sent.getTimestamp() > 0 ? sent.getTimestamp() - latency : System.currentTimeMillis() - latency;
        Exception failure = exchange.getException();
        if (failure == null) {
            log.attempt(batch, at, exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class),
                    latency, null, null);
        } else if (failure instanceof HttpOperationFailedException refused) {
            log.attempt(batch, at, refused.getStatusCode(), latency, failures.describe(failure, batch.destination()),
                    abbreviated(refused.getResponseBody()));
        } else {
            log.attempt(batch, at, null, latency, failures.describe(failure, batch.destination()), null);
        }
    }

    private static String abbreviated(String body) {
        return body == null || body.length() <= MAX_BODY_CHARS ? body : body.substring(0, MAX_BODY_CHARS) + "…";
    }
}
