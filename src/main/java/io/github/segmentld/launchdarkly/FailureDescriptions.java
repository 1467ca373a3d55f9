package io.github.segmentld.launchdarkly;

import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

import javax.net.ssl.SSLException;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.NoHttpResponseException;

/**
 * What logs and records say about a failed request: its real cause ({@code LaunchDarkly answered 503 Service
 * Unavailable}, {@code connection refused}, {@code read timed out after 30 s}), never the URL, which holds the
 * client-side ID.
 */
public final class FailureDescriptions {

    /**
     * The exchange property in which the delivery routes say why a batch is dead-lettered, by the outcome table of
     * the events API (a permanent refusal, a single event too large, a retry time or queue exhausted); the dead-letter
     * writer records it.
     */
    public static final String DEAD_LETTER_REASON = "launchDarklyDeadLetterReason";

    private final Duration connectTimeout;
    private final Duration responseTimeout;

    public FailureDescriptions(Duration connectTimeout, Duration responseTimeout) {
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
    }

    /** Why LaunchDarkly's 4xx answer (other than 408, 413 and 429) is final for the batch. */
    public String permanentRefusal(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause,
                                   @ExchangeProperty(LaunchDarklyBatch.PROPERTY) LaunchDarklyBatch batch) {
        int status = cause instanceof HttpOperationFailedException failed ? failed.getStatusCode() : 0;
        return switch (status) {
            case 401, 403, 404 -> "LaunchDarkly answered " + status + ": the client-side ID "
                    + batch.destination().maskedClientSideId()
                    + " of destination '" + batch.destination().name() + "' is almost certainly wrong (check it against"
                    + " LaunchDarkly's account settings; GET /launchdarkly/settings-check tests it)";
            default -> "LaunchDarkly refused the batch permanently: " + describe(cause, batch.destination());
        };
    }

    public String describe(Throwable cause, EventsEndpoint destination) {
        Throwable failure = cause;
        while (failure != null && failure.getCause() != null && !(failure instanceof HttpOperationFailedException)
                && !isNetworkFailure(failure)) {
            failure = failure.getCause();
        }
        if (failure == null) {
            return "no request was made";
        }
        if (failure instanceof HttpOperationFailedException answered) {
            String text = answered.getStatusText();
            return "LaunchDarkly answered " + answered.getStatusCode() + (text == null || text.isBlank() ? "" : " " + text);
        }
        if (failure instanceof ConnectTimeoutException) {
            return "connect timed out after " + seconds(connectTimeout);
        }
        if (failure instanceof SocketTimeoutException) {
            return "read timed out after " + seconds(responseTimeout);
        }
        if (failure instanceof ConnectException) {
            return "connection refused";
        }
        if (failure instanceof UnknownHostException) {
            return "unknown host " + failure.getMessage();
        }
        if (failure instanceof NoHttpResponseException) {
            return "the connection was closed without an answer";
        }
        if (failure instanceof SSLException) {
            return "TLS failure: " + masked(failure.getMessage(), destination);
        }
        if (failure instanceof SocketException) {
            return masked(failure.getMessage(), destination).toLowerCase();
        }
        return failure.getClass().getSimpleName() + ": " + masked(failure.getMessage(), destination);
    }

    private static boolean isNetworkFailure(Throwable failure) {
        return failure instanceof java.io.IOException;
    }

    private static String masked(String message, EventsEndpoint destination) {
        if (message == null) {
            return "";
        }
        return message.replace(destination.eventsUrl(), destination.maskedEventsUrl())
                .replace(destination.clientSideId(), destination.maskedClientSideId());
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
