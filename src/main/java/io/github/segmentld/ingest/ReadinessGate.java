package io.github.segmentld.ingest;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.CamelContextStoppingEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the HTTP server from answering for routes that are not there. The server listens before the routes behind it
 * are started, and they are stopped before it is: without the gate, a request in between gets a 404, which Segment's
 * clients do not retry, so the events in it would be lost. Until every route is started, from the moment the
 * application begins to stop, and once it is closed because the process is about to exit, every request is answered
 * {@code 503} with {@code Retry-After}, which the clients retry.
 */
public class ReadinessGate extends EventNotifierSupport implements StartupListener, Ordered {

    private static final Logger LOG = LoggerFactory.getLogger(ReadinessGate.class);

    private final int port;
    private final int retryAfterSeconds;
    private volatile boolean open;
    private volatile String closedBecause = "the application is starting";

    public ReadinessGate(int port, int retryAfterSeconds) {
        this.port = port;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * Starts the HTTP server a moment before its turn (it is started early, before the routes, anyway) so as to put
     * the gate in front of every route as soon as it listens.
     */
    @Override
    public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) {
        for (VertxPlatformHttpServer server : context.hasServices(VertxPlatformHttpServer.class)) {
            if (server.getConfigurationPort() == port) {
                ServiceHelper.startService(server);
                VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port))
                        .route().order(Integer.MIN_VALUE).handler(gate());
                return;
            }
        }
        LOG.warn("No HTTP server on port {}: requests during start-up are not held back", port);
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the consumers are set up but not all started yet: see onCamelContextFullyStarted
    }

    /** Every route is started. */
    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        open = true;
    }

    /** Before the listener that starts the early services, the HTTP server among them. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST;
    }

    private Handler<RoutingContext> gate() {
        return request -> {
            if (open) {
                request.next();
                return;
            }
            request.response().setStatusCode(503)
                    .putHeader("Retry-After", Integer.toString(retryAfterSeconds))
                    .putHeader("Content-Type", "application/json")
                    .end(new RefusedRequestException(503, closedBecause + "; try again later").getJson());
        };
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelContextStoppingEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        close("the application is stopping");
    }

    /** From now on every request is answered 503, with the reason. */
    public void close(String reason) {
        closedBecause = reason;
        open = false;
    }
}
