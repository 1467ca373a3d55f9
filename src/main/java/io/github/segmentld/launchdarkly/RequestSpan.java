package io.github.segmentld.launchdarkly;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;

/**
 * What the span of a batch's request to LaunchDarkly carries, for its trace: the destination instance, the payload
 * ID, the number of events, the HTTP status and the attempts it took. With tracing off there is no current span, and
 * nothing is recorded.
 */
public class RequestSpan {

    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("launchdarkly.destination");
    static final AttributeKey<String> PAYLOAD_ID = AttributeKey.stringKey("launchdarkly.payload_id");
    static final AttributeKey<Long> EVENTS = AttributeKey.longKey("launchdarkly.events");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("launchdarkly.attempts");

    /** Called once LaunchDarkly answered with a status of 2xx or 413 (the other answers end in the error handler). */
    public void answered(@ExchangeProperty(LaunchDarklyBatch.PROPERTY) LaunchDarklyBatch batch,
                         @Header(Exchange.HTTP_RESPONSE_CODE) Integer status,
                         @Header(Exchange.REDELIVERY_COUNTER) Integer redeliveries) {
        Span span = Span.current();
        if (!span.isRecording()) {
            return;
        }
        span.setAttribute(DESTINATION, batch.destination().name());
        span.setAttribute(PAYLOAD_ID, batch.payloadId());
        span.setAttribute(EVENTS, (long) batch.size());
        if (status != null) {
            span.setAttribute(STATUS, status.longValue());
        }
        span.setAttribute(ATTEMPTS, 1L + (redeliveries == null ? 0 : redeliveries));
    }
}
