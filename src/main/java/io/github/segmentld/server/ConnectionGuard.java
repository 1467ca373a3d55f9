package io.github.segmentld.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the connections of one HTTP server to the limits Vert.x does not enforce itself: the number open at once, the
 * time to receive a request's headers and the time to receive its body. Without them a client that never finishes a
 * request keeps its connection, and its file descriptor, for ever.
 * <p>
 * Connections are checked by a periodic sweep rather than a timer per request: a server taking thousands of requests
 * a second would otherwise keep as many timers pending, and Vert.x offers no hook at the end of a request's body or
 * of its answer to cancel them.
 */
final class ConnectionGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final long MAX_SWEEP_MILLIS = 1000;

    private final Vertx vertx;
    private final HttpLimits limits;
    private final Map<HttpConnection, Tracked> open = new ConcurrentHashMap<>();
    private long refused;
    private boolean sweeping;

    ConnectionGuard(Vertx vertx, HttpLimits limits) {
        this.vertx = vertx;
        this.limits = limits;
    }

    /** A connection was accepted (on the server's event loop, before anything of it was read). */
    void connected(HttpConnection connection) {
        if (limits.maxConnections() > 0 && open.size() >= limits.maxConnections()) {
            if (refused++ == 0) {
                LOG.warn("HTTP server on port {} has {} connections open (http.max-connections): new connections are"
                        + " closed until some end", connection.localAddress().port(), open.size());
            }
            connection.close();
            return;
        }
        if (refused > 0) {
            LOG.info("HTTP server on port {} accepts connections again; {} were closed at once while {} were open",
                    connection.localAddress().port(), refused, limits.maxConnections());
            refused = 0;
        }
        open.put(connection, new Tracked(System.nanoTime()));
        connection.closeHandler(closed -> open.remove(connection));
        startSweeping();
    }

    /** The headers of a request are complete. */
    void requestReceived(HttpServerRequest request) {
        Tracked tracked = open.get(request.connection());
        if (tracked != null) {
            tracked.since = System.nanoTime();
            tracked.answeredSince = 0;
            tracked.request = request;
        }
    }

    private void startSweeping() {
        if (sweeping) {
            return;
        }
        long interval = sweepInterval();
        if (interval > 0) {
            sweeping = true;
            vertx.setPeriodic(interval, timer -> sweep());
        }
    }

    /** A quarter of the shortest timeout, so that a connection is closed at most a quarter late. */
    private long sweepInterval() {
        long shortest = Long.MAX_VALUE;
        for (long timeout : new long[] {limits.headerTimeout().toMillis(), limits.bodyTimeout().toMillis()}) {
            if (timeout > 0) {
                shortest = Math.min(shortest, timeout);
            }
        }
        return shortest == Long.MAX_VALUE ? 0 : Math.max(1, Math.min(MAX_SWEEP_MILLIS, shortest / 4));
    }

    private void sweep() {
        long now = System.nanoTime();
        open.forEach((connection, tracked) -> check(connection, tracked, now));
    }

    private void check(HttpConnection connection, Tracked tracked, long now) {
        HttpServerRequest request = tracked.request;
        if (request == null) {
            closeWhenOver(connection, now - tracked.since, limits.headerTimeout().toNanos());
        } else if (request.response().ended()) {
            // waiting for the next request of a kept-alive connection, since about now if this is the first look
            if (tracked.answeredSince == 0) {
                tracked.answeredSince = now;
            } else {
                closeWhenOver(connection, now - tracked.answeredSince, limits.headerTimeout().toNanos());
            }
        } else if (!request.isEnded()) {
            long timeout = limits.bodyTimeout().toNanos();
            if (timeout > 0 && now - tracked.since >= timeout) {
                answerTimeout(connection, request);
            }
        }
        // otherwise the request is being processed: how long that may take is not the client's doing
    }

    private static void closeWhenOver(HttpConnection connection, long elapsed, long timeout) {
        if (timeout > 0 && elapsed >= timeout) {
            connection.close();
        }
    }

    private void answerTimeout(HttpConnection connection, HttpServerRequest request) {
        HttpServerResponse response = request.response();
        if (response.headWritten()) {
            connection.close();
            return;
        }
        response.setStatusCode(408)
                .putHeader("Connection", "close")
                .putHeader("Content-Type", "application/json")
                .end("{\"success\":false,\"message\":\"the request body did not arrive within "
                        + TimeUnit.NANOSECONDS.toSeconds(limits.bodyTimeout().toNanos()) + " s\"}")
                .onComplete(written -> connection.close());
    }

    /** What is known of one open connection; written on its event loop, read by the sweep. */
    private static final class Tracked {
        /** When the connection opened, or when the headers of its current request were complete. */
        volatile long since;
        /** The request of the connection being received or answered; null until the first one's headers are in. */
        volatile HttpServerRequest request;
        /** When the sweep first saw the current request answered; 0 before. */
        volatile long answeredSince;

        Tracked(long openedAt) {
            this.since = openedAt;
        }
    }
}
