package io.github.segmentld;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.config.DestinationInstances;
import io.github.segmentld.config.MappingsInForce;
import io.github.segmentld.launchdarkly.CredentialRefusals;
import io.github.segmentld.launchdarkly.DeliveryOutcomes;
import io.github.segmentld.launchdarkly.DestinationCircuits;
import io.github.segmentld.launchdarkly.DestinationsHealthCheck;
import io.github.segmentld.launchdarkly.FailureDescriptions;
import io.github.segmentld.launchdarkly.InlineRedelivery;
import io.github.segmentld.launchdarkly.LaunchDarklyBatcher;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.launchdarkly.LaunchDarklyStandIn;
import io.github.segmentld.launchdarkly.RedeliveryLogger;
import io.github.segmentld.launchdarkly.RequestCompression;
import io.github.segmentld.launchdarkly.RequestFailureMasking;
import io.github.segmentld.launchdarkly.RequestSpan;
import io.github.segmentld.launchdarkly.RetryQueue;
import io.github.segmentld.launchdarkly.SettingsCheck;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.preview.EventTester;
import io.github.segmentld.preview.MappingPreview;
import io.github.segmentld.store.DeliveryLedger;
import io.github.segmentld.store.ParkedBatches;
import io.github.segmentld.time.Ticker;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;

/**
 * The delivery to LaunchDarkly: batching, circuits, redelivery in line, retry queues, outcomes, the settings check, the
 * event tester and the embedded stand-in. Each bean is named after its method and made when first needed; its {@code @PropertyInject}
 * parameters are keys documented in {@code application.properties}.
 */
@Configuration
public class DeliveryConfiguration {

    @BindToRegistry(lazy = true)
    public LaunchDarklyBatcher launchDarklyBatcher() {
        return new LaunchDarklyBatcher();
    }

    @BindToRegistry(lazy = true)
    public FailureDescriptions failureDescriptions(
            @PropertyInject("camel.component.http.connect-timeout") long connectTimeoutMillis,
            @PropertyInject("camel.component.http.response-timeout") long responseTimeoutMillis) {
        return new FailureDescriptions(Duration.ofMillis(connectTimeoutMillis),
                Duration.ofMillis(responseTimeoutMillis));
    }

    @BindToRegistry(lazy = true)
    public DestinationCircuits destinationCircuits(
            DestinationInstances instances,
            @PropertyInject("launchdarkly.circuit.failure-rate-percent") int failureRatePercent,
            @PropertyInject("launchdarkly.circuit.minimum-calls") int minimumCalls,
            @PropertyInject("launchdarkly.circuit.window-calls") int windowCalls,
            @PropertyInject("launchdarkly.circuit.open-ms") long openMs,
            @PropertyInject("launchdarkly.delivery.max-retry-after-ms") long maxRetryAfterMs,
            ParkedBatches parkedBatches, Clock clock, Ticker ticker) {
        return new DestinationCircuits(instances.destinations(), new DestinationCircuits.Settings(failureRatePercent,
                minimumCalls, windowCalls, Duration.ofMillis(openMs), Duration.ofMillis(maxRetryAfterMs)),
                clock, ticker, parkedBatches::wakeUpLater);
    }

    /** The delivery error handler's onExceptionOccurred processor: masks the failure, then counts it. */
    @BindToRegistry(lazy = true)
    public RequestFailureMasking requestFailureMasking(DestinationCircuits circuits) {
        return new RequestFailureMasking(circuits);
    }

    @BindToRegistry(lazy = true)
    public InlineRedelivery inlineRedelivery(
            @PropertyInject("launchdarkly.delivery.inline-redeliveries") int redeliveries,
            DestinationCircuits circuits) {
        return new InlineRedelivery(redeliveries, circuits);
    }

    @BindToRegistry(lazy = true)
    public RequestCompression requestCompression(@PropertyInject("launchdarkly.delivery.gzip") boolean gzip) {
        return new RequestCompression(gzip);
    }

    @BindToRegistry(lazy = true)
    public RequestSpan requestSpan() {
        return new RequestSpan();
    }

    @BindToRegistry(lazy = true)
    public RedeliveryLogger redeliveryLogger(PipelineMetrics metrics, FailureDescriptions failures) {
        return new RedeliveryLogger(metrics, failures);
    }

    /** The retry queues of the destinations; a service of the context, stopped with it. */
    @BindToRegistry(lazy = true)
    public RetryQueue retryQueue(
            DestinationInstances instances, ParkedBatches parkedBatches, DestinationCircuits circuits,
            @PropertyInject("launchdarkly.delivery.initial-delay-ms") long initialDelayMs,
            @PropertyInject("launchdarkly.delivery.backoff-multiplier") double backoffMultiplier,
            @PropertyInject("launchdarkly.delivery.max-delay-ms") long maxDelayMs,
            @PropertyInject("launchdarkly.delivery.max-retry-time-ms") long maxRetryTimeMs,
            @PropertyInject("retry-queue.max-bytes") long maxBytes,
            @PropertyInject("retry-queue.drain-batches") int drainBatches,
            FailureDescriptions failures, PipelineMetrics metrics, Clock clock, CamelContext context)
            throws Exception {
        RetryQueue retryQueue = new RetryQueue(parkedBatches, circuits, instances.destinations(), new RetryQueue.Schedule(
                Duration.ofMillis(initialDelayMs), backoffMultiplier, Duration.ofMillis(maxDelayMs),
                Duration.ofMillis(maxRetryTimeMs)), maxBytes, drainBatches, new ObjectMapper(), failures, metrics, clock);
        context.addService(retryQueue, true, false);
        return retryQueue;
    }

    @BindToRegistry(lazy = true)
    public DeliveryOutcomes deliveryOutcomes(DeliveryLedger ledger, ParkedBatches parkedBatches,
                                             DestinationCircuits circuits, PipelineMetrics metrics,
                                             CredentialRefusals credentialRefusals) {
        return new DeliveryOutcomes(ledger, parkedBatches, circuits, metrics, credentialRefusals);
    }

    /** The destinations whose client-side ID or access token LaunchDarkly refused, for their health. */
    @BindToRegistry(lazy = true)
    public CredentialRefusals credentialRefusals(Clock clock) {
        return new CredentialRefusals(clock);
    }

    @BindToRegistry(lazy = true)
    public DestinationsHealthCheck destinationsHealthCheck(DestinationCircuits circuits, RetryQueue retryQueue,
                                                           CredentialRefusals credentialRefusals) {
        return new DestinationsHealthCheck(circuits, retryQueue, credentialRefusals);
    }

    @BindToRegistry(lazy = true)
    public SettingsCheck settingsCheck(DestinationInstances instances,
                                       @PropertyInject("launchdarkly.settings-check.url") String url,
                                       CamelContext context) {
        return new SettingsCheck(instances.destinations(), url, context.createProducerTemplate(), new ObjectMapper());
    }

    /** Sends one event for real to one instance, through the deliveries' http component, and shows the answer. */
    @BindToRegistry(lazy = true)
    public EventTester eventTester(MappingsInForce inForce, MappingPreview preview,
                                   RequestCompression compression, FailureDescriptions failures,
                                   @PropertyInject("launchdarkly.user-agent") String userAgent,
                                   @PropertyInject("launchdarkly.metric-import.user-agent") String metricImportUserAgent,
                                   Ticker ticker, CamelContext context) {
        return new EventTester(() -> inForce.version().instances().all(), preview, context.createProducerTemplate(), compression, failures,
                new EventTester.UserAgents(userAgent, metricImportUserAgent), new ObjectMapper(), ticker);
    }

    /**
     * Answers as LaunchDarkly's events API for the destinations without a client-side ID or access token, and records
     * what it got.
     */
    @BindToRegistry(lazy = true)
    public LaunchDarklyStandIn launchDarklyStandIn(DestinationInstances instances,
                                                   @PropertyInject("launchdarkly.stand-in.record-file") String recordFile,
                                                   @PropertyInject("launchdarkly.stand-in.remembered-payload-ids")
                                                   int rememberedPayloadIds,
                                                   @PropertyInject("launchdarkly.stand-in.payload-id-retention-hours")
                                                   long payloadIdRetentionHours,
                                                   @PropertyInject("launchdarkly.stand-in.access-token")
                                                   String accessToken,
                                                   Clock clock) {
        return new LaunchDarklyStandIn(instances.destinations().stream().anyMatch(EventsEndpoint::isStandIn),
                Path.of(recordFile), new ObjectMapper(), clock, rememberedPayloadIds,
                Duration.ofHours(payloadIdRetentionHours), System::nanoTime, accessToken);
    }
}
