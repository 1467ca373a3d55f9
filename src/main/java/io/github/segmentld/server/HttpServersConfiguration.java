package io.github.segmentld.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.CamelContextStoppedEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Puts the Vert.x instance that holds Camel's HTTP servers to the {@link HttpLimits} into the registry, before camel-main
 * creates the servers (they take the registry's instance), and closes it once they are stopped; and who may use the
 * operator endpoints ({@link OperatorAccess}), from where ({@link CrossSiteGuard}).
 */
@Configuration
public class HttpServersConfiguration implements CamelConfiguration {

    @PropertyInject("camel.server.enabled")
    private boolean serverEnabled;
    @PropertyInject("camel.management.enabled")
    private boolean managementEnabled;
    @PropertyInject("http.idle-timeout-seconds")
    private long idleTimeoutSeconds;
    @PropertyInject("http.header-timeout-seconds")
    private long headerTimeoutSeconds;
    @PropertyInject("http.body-timeout-seconds")
    private long bodyTimeoutSeconds;
    @PropertyInject("http.max-connections")
    private int maxConnections;

    /** Who may use the operator endpoints. */
    @BindToRegistry(lazy = true)
    public OperatorAccess operatorAccess(@PropertyInject("operator.token") String token) {
        return new OperatorAccess(token);
    }

    /** Refuses what another site's page may have sent to the operator endpoints. */
    @BindToRegistry(lazy = true)
    public CrossSiteGuard crossSiteGuard() {
        return new CrossSiteGuard();
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        if (!serverEnabled && !managementEnabled) {
            return;
        }
        HttpLimits limits = new HttpLimits(Duration.ofSeconds(idleTimeoutSeconds), Duration.ofSeconds(headerTimeoutSeconds),
                Duration.ofSeconds(bodyTimeoutSeconds), maxConnections);
        Vertx vertx = Vertx.vertx();
        context.getRegistry().bind("vertx", Vertx.class, GuardedVertx.of(vertx, limits));
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                // once every service is stopped, the servers on this instance among them
                return event instanceof CamelContextStoppedEvent;
            }

            @Override
            public void notify(CamelEvent event) throws Exception {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        });
    }
}
