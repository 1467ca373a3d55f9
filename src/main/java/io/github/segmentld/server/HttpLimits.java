package io.github.segmentld.server;

import java.time.Duration;

/**
 * What an HTTP client may hold of a server before it is authenticated (the {@code http.*-timeout-seconds} and
 * {@code http.max-connections} keys of application.properties). A zero turns the limit off.
 *
 * @param idleTimeout    a connection with nothing read or written for this long is closed
 * @param headerTimeout  the headers of a request must be complete this long after the connection opened, or after the
 *                       answer to the previous request on a kept-alive connection
 * @param bodyTimeout    the body of a request must be complete this long after its headers
 * @param maxConnections connections open at once, per server; beyond them a new connection is closed at once
 */
public record HttpLimits(Duration idleTimeout, Duration headerTimeout, Duration bodyTimeout, int maxConnections) {

    public HttpLimits {
        if (idleTimeout.isNegative() || headerTimeout.isNegative() || bodyTimeout.isNegative() || maxConnections < 0) {
            throw new IllegalArgumentException("HTTP limits must not be negative");
        }
    }

    @Override
    public String toString() {
        return "idle timeout " + describe(idleTimeout) + ", headers within " + describe(headerTimeout)
                + ", body within " + describe(bodyTimeout) + ", at most "
                + (maxConnections == 0 ? "unlimited" : Integer.toString(maxConnections)) + " connections";
    }

    private static String describe(Duration duration) {
        return duration.isZero() ? "none" : duration.toSeconds() + " s";
    }
}
