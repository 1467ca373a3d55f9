package io.github.segmentld.launchdarkly;

import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

import javax.net.ssl.SSLException;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.NoHttpResponseException;

/**
 * What logs and records say about a failed request: its real cause ({@code LaunchDarkly answered 503 Service
 * Unavailable}, {@code connection refused}, {@code read timed out after 30 s}), never the URL, which holds the
 * client-side ID.
 */
public final class FailureDescriptions {

    private final Duration connectTimeout;
    private final Duration responseTimeout;

    public FailureDescriptions(Duration connectTimeout, Duration responseTimeout) {
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
    }

    public String describe(Throwable cause, LaunchDarklyDestination destination) {
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

    private static String masked(String message, LaunchDarklyDestination destination) {
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
