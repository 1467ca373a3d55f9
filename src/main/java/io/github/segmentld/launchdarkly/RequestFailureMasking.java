package io.github.segmentld.launchdarkly;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * Takes the client-side ID out of a failed request's exception, then hands the exchange on (to the destination's
 * circuit). camel-http names the request URL in the message of the {@link HttpOperationFailedException} it throws, and
 * LaunchDarkly's events URL ends with the client-side ID; the exception then travels further than our own log lines:
 * into Camel's error-handler lines and, as a suppressed exception, into the stack trace of a later failure of the same
 * input. As the delivery error handler's {@code onExceptionOccurred} processor, this runs right after each failed
 * request: the exception is replaced by a copy that names the masked URL, with the same status, answer and stack.
 */
public class RequestFailureMasking implements Processor {

    private final Processor next;

    public RequestFailureMasking(Processor next) {
        this.next = next;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        LaunchDarklyBatch batch = exchange.getProperty(LaunchDarklyBatch.PROPERTY, LaunchDarklyBatch.class);
        if (exchange.getException() instanceof HttpOperationFailedException failed
                && failed.getUri().equals(batch.destination().eventsUrl())) {
            HttpOperationFailedException masked = masked(failed, batch.destination());
            exchange.setException(masked);
            if (exchange.getProperty(Exchange.EXCEPTION_CAUGHT) == failed) {
                exchange.setProperty(Exchange.EXCEPTION_CAUGHT, masked);
            }
        }
        next.process(exchange);
    }

    static HttpOperationFailedException masked(HttpOperationFailedException failed, EventsEndpoint destination) {
        HttpOperationFailedException masked = new HttpOperationFailedException(destination.maskedEventsUrl(),
                failed.getStatusCode(), failed.getStatusText(), failed.getRedirectLocation(),
                failed.getResponseHeaders(), failed.getResponseBody());
        masked.setStackTrace(failed.getStackTrace());
        for (Throwable suppressed : failed.getSuppressed()) {
            // Camel keeps the failure of the attempt before as a suppressed exception unless it is the same failure,
            // which, masked, it no longer recognises
            if (!(suppressed instanceof HttpOperationFailedException before
                    && before.getMessage().equals(masked.getMessage()))) {
                masked.addSuppressed(suppressed);
            }
        }
        return masked;
    }
}
