package io.github.segmentld.launchdarkly;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

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
                    .routeId("retry-queue-" + destination)
                    .parameter("destination", destination);
        }
    }
}
