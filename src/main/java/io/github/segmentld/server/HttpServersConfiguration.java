package io.github.segmentld.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.CamelContextStoppedEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Puts the Vert.x instance that holds Camel's HTTP servers to the {@link HttpLimits} into the registry, before camel-main
 * creates the servers (they take the registry's instance), and closes it once they are stopped.
 */
@Configuration
public class HttpServersConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        if (!flag(properties, "camel.server.enabled") && !flag(properties, "camel.management.enabled")) {
            return;
        }
        HttpLimits limits = new HttpLimits(seconds(properties, "http.idle-timeout-seconds"),
                seconds(properties, "http.header-timeout-seconds"), seconds(properties, "http.body-timeout-seconds"),
                (int) number(properties, "http.max-connections"));
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

    private static boolean flag(PropertiesComponent properties, String key) {
        return Boolean.parseBoolean(properties.resolveProperty(key).orElse("false").strip());
    }

    private static Duration seconds(PropertiesComponent properties, String key) {
        return Duration.ofSeconds(number(properties, key));
    }

    private static long number(PropertiesComponent properties, String key) {
        String value = properties.resolveProperty(key)
                .orElseThrow(() -> new IllegalStateException("Missing configuration key " + key));
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Configuration key " + key + " must be a whole number, was '" + value + "'");
        }
    }
}
