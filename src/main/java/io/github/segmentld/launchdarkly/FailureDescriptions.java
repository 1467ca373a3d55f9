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
 * client-side ID, nor an access token.
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
        EventsEndpoint destination = batch.destination();
        int status = status(cause);
        if (!refusesCredential(destination, status)) {
            return "LaunchDarkly refused the batch permanently: " + describe(cause, destination);
        }
        if (destination.isMetricImport()) {
            return "LaunchDarkly answered " + status + ": the access token " + destination.maskedCredential()
                    + " of destination '" + destination.name() + "' is wrong, or its role does not allow the"
                    + " importEventData action (the metric import API takes a personal or service access token whose"
                    + " role allows it on the destination's environment)";
        }
        return "LaunchDarkly answered " + status + ": the client-side ID " + destination.maskedCredential()
                + " of destination '" + destination.name() + "' is almost certainly wrong (check it against"
                + " LaunchDarkly's account settings; GET /launchdarkly/settings-check tests it)";
    }

    /**
     * Whether LaunchDarkly's answer refuses the destination's credential rather than the batch: 401 or 403 for an
     * access token (the metric import API's answer to a wrong token or a role without importEventData), and 404 too for
     * a client-side ID (the bulk endpoint's answer to an ID it does not know).
     */
    public static boolean refusesCredential(EventsEndpoint destination, int status) {
        return status == 401 || status == 403 || status == 404 && !destination.isMetricImport();
    }

    /** The HTTP status of a failed request's answer; 0 without one. */
    public static int status(Throwable cause) {
        return cause instanceof HttpOperationFailedException failed ? failed.getStatusCode() : 0;
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
                .replace(destination.credential(), destination.maskedCredential());
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
