package io.github.segmentld.launchdarkly;

import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.TemplatedRouteBuilder;

/**
 * One retry-queue route per destination instance, from the {@code retry-queue} template of
 * {@code routes/retry-queue.yaml}: each destination drains its queue on its own timer and thread, so a slow or down
 * environment never holds up the others.
 */
public class RetryQueueRoutes extends RouteBuilder {

    @BeanInject
    private RetryQueue retryQueue;

    @Override
    public void configure() {
        for (String destination : retryQueue.destinations()) {
            templatedRoute("retry-queue")
                    .routeId(routeId(destination))
                    .parameter("destination", destination);
        }
    }

    /** Starts the retry-queue route of an instance a reload adds or enables, unless it has one. */
    public static void start(CamelContext context, String destination) {
        if (context.getRoute(routeId(destination)) == null) {
            TemplatedRouteBuilder.builder(context, "retry-queue").routeId(routeId(destination))
                    .parameter("destination", destination).add();
        }
    }

    /**
     * Stops and removes the retry-queue route of an instance a reload removes or disables: its batches stay parked, as
     * after a restart without it.
     */
    public static void stop(CamelContext context, String destination) throws Exception {
        if (context.getRoute(routeId(destination)) != null) {
            context.getRouteController().stopRoute(routeId(destination));
            context.removeRoute(routeId(destination));
        }
    }

    private static String routeId(String destination) {
        return "retry-queue-" + destination;
    }
}
