package io.github.segmentld;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.config.DestinationInstance;
import io.github.segmentld.config.MappingsFile;
import io.github.segmentld.ingest.ReadinessGate;
import io.github.segmentld.ingest.SegmentRequestReader;
import io.github.segmentld.ingest.Spool;
import io.github.segmentld.launchdarkly.DeliveryOutcomes;
import io.github.segmentld.launchdarkly.DestinationCircuits;
import io.github.segmentld.launchdarkly.DestinationsHealthCheck;
import io.github.segmentld.launchdarkly.FailureDescriptions;
import io.github.segmentld.launchdarkly.InlineRedelivery;
import io.github.segmentld.launchdarkly.LaunchDarklyBatcher;
import io.github.segmentld.launchdarkly.LaunchDarklyDestination;
import io.github.segmentld.launchdarkly.LaunchDarklyStandIn;
import io.github.segmentld.launchdarkly.RedeliveryLogger;
import io.github.segmentld.launchdarkly.RetryQueue;
import io.github.segmentld.launchdarkly.SettingsCheck;
import io.github.segmentld.mapping.MappingMatcher;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.observe.Watchdog;
import io.github.segmentld.preview.MappingPreview;
import io.github.segmentld.store.AcceptedSignatures;
import io.github.segmentld.store.DeliveryLedger;
import io.github.segmentld.store.ParkedBatches;
import io.github.segmentld.store.StateDatabase;
import io.github.segmentld.undelivered.DeadLetterRecorder;
import io.github.segmentld.undelivered.RejectionRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the beans whose making is more than settings: the state database and its stores, the destination instances
 * and their delivery services, the HTTP sources and the watchdog ({@link BeanConfiguration} makes the others). The
 * settings are injected by their keys, each documented in {@code application.properties}.
 */
@Configuration
public class AppConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(AppConfiguration.class);
    private static final String METRICS_REGISTRY = "metricsRegistry";

    @PropertyInject("camel.server.enabled")
    private boolean camelServerEnabled;
    @PropertyInject("camel.server.port")
    private int camelServerPort;
    @PropertyInject("http.max-batch-events")
    private int httpMaxBatchEvents;
    @PropertyInject("http.max-event-bytes")
    private int httpMaxEventBytes;
    @PropertyInject("http.max-nesting-depth")
    private int httpMaxNestingDepth;
    @PropertyInject("http.max-request-bytes")
    private int httpMaxRequestBytes;
    @PropertyInject("http.max-string-length")
    private int httpMaxStringLength;
    @PropertyInject("http.recent-message-ids")
    private int httpRecentMessageIds;
    @PropertyInject("http.recent-message-ids-max-bytes")
    private long httpRecentMessageIdsMaxBytes;
    @PropertyInject("inbox.dir")
    private String inboxDir;
    @PropertyInject("inbox.done-dir")
    private String inboxDoneDir;
    @PropertyInject("launchdarkly.circuit.failure-rate-percent")
    private int launchdarklyCircuitFailureRatePercent;
    @PropertyInject("launchdarkly.circuit.minimum-calls")
    private int launchdarklyCircuitMinimumCalls;
    @PropertyInject("launchdarkly.circuit.open-ms")
    private long launchdarklyCircuitOpenMs;
    @PropertyInject("launchdarkly.circuit.window-calls")
    private int launchdarklyCircuitWindowCalls;
    @PropertyInject("launchdarkly.delivery.backoff-multiplier")
    private double launchdarklyDeliveryBackoffMultiplier;
    @PropertyInject("launchdarkly.delivery.initial-delay-ms")
    private long launchdarklyDeliveryInitialDelayMs;
    @PropertyInject("launchdarkly.delivery.inline-redeliveries")
    private int launchdarklyDeliveryInlineRedeliveries;
    @PropertyInject("launchdarkly.delivery.max-delay-ms")
    private long launchdarklyDeliveryMaxDelayMs;
    @PropertyInject("launchdarkly.delivery.max-retry-after-ms")
    private long launchdarklyDeliveryMaxRetryAfterMs;
    @PropertyInject("launchdarkly.delivery.max-retry-time-ms")
    private long launchdarklyDeliveryMaxRetryTimeMs;
    @PropertyInject("launchdarkly.require-client-side-id")
    private boolean launchdarklyRequireClientSideId;
    @PropertyInject("launchdarkly.settings-check.enabled")
    private boolean launchdarklySettingsCheckEnabled;
    @PropertyInject("launchdarkly.settings-check.timeout-ms")
    private long launchdarklySettingsCheckTimeoutMs;
    @PropertyInject("launchdarkly.settings-check.url")
    private String launchdarklySettingsCheckUrl;
    @PropertyInject("launchdarkly.stand-in.record-file")
    private String launchdarklyStandInRecordFile;
    @PropertyInject("retry-queue.drain-batches")
    private int retryQueueDrainBatches;
    @PropertyInject("retry-queue.max-bytes")
    private long retryQueueMaxBytes;
    @PropertyInject("spool.dir")
    private String spoolDir;
    @PropertyInject("spool.max-backlog-bytes")
    private long spoolMaxBacklogBytes;
    @PropertyInject("spool.max-segment-age-ms")
    private long spoolMaxSegmentAgeMs;
    @PropertyInject("spool.max-segment-bytes")
    private long spoolMaxSegmentBytes;
    @PropertyInject("spool.min-free-bytes")
    private long spoolMinFreeBytes;
    @PropertyInject("spool.retry-after-seconds")
    private int spoolRetryAfterSeconds;
    @PropertyInject("store.ledger-file")
    private String storeLedgerFile;
    @PropertyInject("store.ledger-retention-hours")
    private long storeLedgerRetentionHours;
    @PropertyInject("store.rejected-dir")
    private String storeRejectedDir;
    @PropertyInject("watchdog.exit-on-fatal")
    private boolean watchdogExitOnFatal;
    @PropertyInject("watchdog.stall-seconds")
    private long watchdogStallSeconds;

    @Override
    public void configure(CamelContext context) throws Exception {
        Registry registry = context.getRegistry();
        Clock clock = registry.lookupByNameAndType("clock", Clock.class);
        ObjectMapper mapper = new ObjectMapper();

        PipelineMetrics metrics = new PipelineMetrics(meterRegistry(registry));
        Path inbox = Path.of(inboxDir);
        // Opened now: the routes' beans read it as they start. The context closes it when it stops.
        StateDatabase state = new StateDatabase(Path.of(storeLedgerFile), clock);
        state.start();
        context.addService(state, true, false);
        DeliveryLedger ledger = new DeliveryLedger(state, clock,
                Duration.ofHours(storeLedgerRetentionHours));
        ParkedBatches parkedBatches = new ParkedBatches(state, clock);
        RejectionRecorder rejections = new RejectionRecorder(Path.of(storeRejectedDir),
                ledger, mapper, metrics, clock);
        context.addService(rejections, true, false);
        registry.bind("deliveryLedger", ledger);
        registry.bind("pipelineMetrics", metrics);
        registry.bind("rejectionRecorder", rejections);
        Path done = inbox.resolve(inboxDoneDir).normalize();
        registry.bind("acceptedSignatures", new AcceptedSignatures(state, clock));
        ReadinessGate gate = configureHttpSources(context, inbox, done, metrics, rejections, clock);
        Watchdog watchdog = new Watchdog(inbox, Duration.ofSeconds(watchdogStallSeconds),
                state::lastCommitAt, gate == null ? reason -> { } : gate::close,
                watchdogExitOnFatal, clock);
        registry.bind("watchdog", watchdog);
        context.getManagementStrategy().addEventNotifier(watchdog.fatalErrors());

        List<DestinationInstance> instances =
                destinationInstances(context, this::standInDestination);
        List<DestinationInstance> enabled = instances.stream().filter(DestinationInstance::enabled).toList();
        List<LaunchDarklyDestination> destinations = enabled.stream().map(DestinationInstance::destination).toList();
        enabled.forEach(AppConfiguration::logInstance);
        checkSettings(context, destinations, mapper);

        registry.bind("mappingMatcher", new MappingMatcher(
                enabled.stream().flatMap(instance -> instance.mappings().stream()).toList(), metrics));
        registry.bind("mappingPreview", new MappingPreview(instances, mapper, clock));
        registry.bind("launchDarklyBatcher", new LaunchDarklyBatcher(destinations));
        configureDelivery(context, destinations, ledger, parkedBatches, metrics, mapper, clock);
        registry.bind("launchDarklyStandIn", new LaunchDarklyStandIn(
                destinations.stream().anyMatch(LaunchDarklyDestination::isStandIn),
                Path.of(launchdarklyStandInRecordFile), mapper, clock));
    }

    /** The delivery to LaunchDarkly: circuits, redelivery in line, retry queues, outcomes, dead letters. */
    private void configureDelivery(CamelContext context, List<LaunchDarklyDestination> destinations,
                                          DeliveryLedger ledger, ParkedBatches parkedBatches, PipelineMetrics metrics,
                                          ObjectMapper mapper, Clock clock) throws Exception {
        Registry registry = context.getRegistry();
        FailureDescriptions failures = registry.lookupByNameAndType("failureDescriptions", FailureDescriptions.class);
        DestinationCircuits circuits = new DestinationCircuits(destinations, new DestinationCircuits.Settings(
                launchdarklyCircuitFailureRatePercent,
                launchdarklyCircuitMinimumCalls,
                launchdarklyCircuitWindowCalls,
                Duration.ofMillis(launchdarklyCircuitOpenMs),
                Duration.ofMillis(launchdarklyDeliveryMaxRetryAfterMs)),
                clock, parkedBatches::wakeUpLater);
        RetryQueue retryQueue = new RetryQueue(parkedBatches, circuits, destinations, new RetryQueue.Schedule(
                Duration.ofMillis(launchdarklyDeliveryInitialDelayMs),
                launchdarklyDeliveryBackoffMultiplier,
                Duration.ofMillis(launchdarklyDeliveryMaxDelayMs),
                Duration.ofMillis(launchdarklyDeliveryMaxRetryTimeMs)),
                retryQueueMaxBytes, retryQueueDrainBatches,
                mapper, failures, metrics, clock);
        context.addService(retryQueue, true, false);
        registry.bind("destinationCircuits", circuits);
        registry.bind("inlineRedelivery", new InlineRedelivery(
                launchdarklyDeliveryInlineRedeliveries, circuits));
        registry.bind("redeliveryLogger", new RedeliveryLogger(metrics, failures));
        registry.bind("retryQueue", retryQueue);
        registry.bind("deliveryOutcomes", new DeliveryOutcomes(ledger, parkedBatches, circuits, metrics));
        registry.bind("deadLetterRecorder", new DeadLetterRecorder(mapper, metrics, clock));
        registry.bind("destinationsHealthCheck", new DestinationsHealthCheck(circuits, retryQueue));
    }

    /** The HTTP sources; returns the gate in front of the HTTP server, or null when there is no server. */
    private ReadinessGate configureHttpSources(CamelContext context, Path inbox, Path done, PipelineMetrics metrics,
                                                      RejectionRecorder rejections, Clock clock) throws Exception {
        Registry registry = context.getRegistry();
        Spool spool = new Spool(new Spool.Settings(Path.of(spoolDir), inbox, done,
                spoolMaxSegmentBytes, spoolMaxSegmentAgeMs,
                spoolMaxBacklogBytes, spoolMinFreeBytes,
                spoolRetryAfterSeconds, httpRecentMessageIds,
                httpRecentMessageIdsMaxBytes), metrics, clock);
        context.addService(spool);
        registry.bind("spool", spool);
        ReadinessGate gate = null;
        if (camelServerEnabled) {
            gate = new ReadinessGate(camelServerPort,
                    spoolRetryAfterSeconds);
            context.getManagementStrategy().addEventNotifier(gate);
            context.addStartupListener(gate);
        }
        registry.bind("segmentRequestReader", new SegmentRequestReader(
                httpMaxRequestBytes, httpMaxEventBytes,
                httpMaxBatchEvents, httpMaxNestingDepth,
                httpMaxStringLength, rejections, clock));
        return gate;
    }

    /**
     * The destination instances: those of the mappings file named by {@code launchdarkly.mappings-file}, or else one
     * instance with the presets, set by the {@code launchdarkly.*} keys.
     *
     * @param withoutClientSideId the destination of an enabled instance that has no client-side ID
     */
    static List<DestinationInstance> destinationInstances(CamelContext context,
                                                          Function<String, LaunchDarklyDestination> withoutClientSideId) {
        PropertiesComponent properties = context.getPropertiesComponent();
        MappingsFile mappingsFile = new MappingsFile(context::resolvePropertyPlaceholders, withoutClientSideId);
        String file = optional(properties, "launchdarkly.mappings-file");
        if (!file.isEmpty()) {
            return mappingsFile.read(Path.of(file));
        }
        return List.of(mappingsFile.single(optional(properties, "launchdarkly.destination-name"),
                optional(properties, "launchdarkly.client-side-id"), optional(properties, "launchdarkly.events-host"),
                optional(properties, "launchdarkly.events-base-url")));
    }

    /** The embedded stand-in, when this configuration allows it, as the destination of an instance without an ID. */
    private LaunchDarklyDestination standInDestination(String name) {
        if (launchdarklyRequireClientSideId) {
            throw new IllegalStateException("No LaunchDarkly client-side ID for destination '" + name + "': give one"
                    + " (the environment variable LD_CLIENT_SIDE_ID, or client-side-id in the mappings file). This"
                    + " profile does not fall back to the embedded LaunchDarkly stand-in.");
        }
        if (!camelServerEnabled) {
            throw new IllegalStateException("No LaunchDarkly client-side ID for destination '" + name + "', and"
                    + " camel.server.enabled is false: the embedded LaunchDarkly stand-in needs the HTTP server. Set"
                    + " LD_CLIENT_SIDE_ID, or enable the server.");
        }
        return LaunchDarklyDestination.standIn(name, "http://127.0.0.1:" + camelServerPort);
    }

    private static void logInstance(DestinationInstance instance) {
        LaunchDarklyDestination destination = instance.destination();
        String mappings = String.join(", ", instance.mappings().stream()
                .map(mapping -> mapping.enabled() ? mapping.name() : mapping.name() + " (disabled)").toList());
        if (destination.isStandIn()) {
            LOG.warn("Destination '{}' has no LaunchDarkly client-side ID: its events go to the embedded LaunchDarkly"
                    + " stand-in at {}, which records them. Mappings: {}", instance.name(), destination.eventsUrl(), mappings);
        } else {
            LOG.info("Destination {}: events go to {}. Mappings: {}", destination, destination.maskedEventsUrl(), mappings);
        }
    }

    /**
     * Checks the client-side IDs of the destinations on LaunchDarkly's own host, unless
     * {@code launchdarkly.settings-check.enabled} is false (offline runs); an ID LaunchDarkly does not know stops the
     * start. The check stays available on demand.
     */
    private void checkSettings(CamelContext context, List<LaunchDarklyDestination> destinations, ObjectMapper mapper) {
        SettingsCheck check = new SettingsCheck(destinations, launchdarklySettingsCheckUrl,
                Duration.ofMillis(launchdarklySettingsCheckTimeoutMs), mapper);
        context.getRegistry().bind("settingsCheck", check);
        if (!launchdarklySettingsCheckEnabled) {
            return;
        }
        for (SettingsCheck.Result result : check.checkAll()) {
            if (result.outcome() == SettingsCheck.Outcome.INVALID) {
                throw new IllegalStateException("Destination '" + result.destination().name() + "': "
                        + result.message() + ". To start without this check (offline), set"
                        + " launchdarkly.settings-check.enabled=false.");
            }
        }
    }

    private static String optional(PropertiesComponent properties, String key) {
        return properties.resolveProperty(key).orElse("").strip();
    }

    private static MeterRegistry meterRegistry(Registry registry) {
        MeterRegistry existing = registry.lookupByNameAndType(METRICS_REGISTRY, MeterRegistry.class);
        if (existing != null) {
            return existing;
        }
        PrometheusMeterRegistry created = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.bind(METRICS_REGISTRY, created);
        return created;
    }
}
