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
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the beans the routes call, from the keys of {@code application.properties} (each key is documented there).
 */
@Configuration
public class AppConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(AppConfiguration.class);
    private static final String METRICS_REGISTRY = "metricsRegistry";

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        Registry registry = context.getRegistry();
        Clock clock = registry.lookupByNameAndType("clock", Clock.class);
        ObjectMapper mapper = new ObjectMapper();

        PipelineMetrics metrics = new PipelineMetrics(meterRegistry(registry));
        Path inbox = Path.of(required(properties, "inbox.dir"));
        // Opened now: the routes' beans read it as they start. The context closes it when it stops.
        StateDatabase state = new StateDatabase(Path.of(required(properties, "store.ledger-file")), clock);
        state.start();
        context.addService(state, true, false);
        DeliveryLedger ledger = new DeliveryLedger(state, clock,
                Duration.ofHours(longValue(properties, "store.ledger-retention-hours")));
        ParkedBatches parkedBatches = new ParkedBatches(state, clock);
        RejectionRecorder rejections = new RejectionRecorder(Path.of(required(properties, "store.rejected-dir")),
                ledger, mapper, metrics, clock);
        context.addService(rejections, true, false);
        registry.bind("deliveryLedger", ledger);
        registry.bind("pipelineMetrics", metrics);
        registry.bind("rejectionRecorder", rejections);
        Path done = inbox.resolve(required(properties, "inbox.done-dir")).normalize();
        registry.bind("acceptedSignatures", new AcceptedSignatures(state, clock,
                Duration.ofHours(longValue(properties, "store.ledger-retention-hours"))));
        ReadinessGate gate = configureHttpSources(context, inbox, done, metrics, rejections, clock);
        Watchdog watchdog = new Watchdog(inbox, Duration.ofSeconds(longValue(properties, "watchdog.stall-seconds")),
                state::lastCommitAt, gate == null ? reason -> { } : gate::close,
                Boolean.parseBoolean(required(properties, "watchdog.exit-on-fatal")), clock);
        registry.bind("watchdog", watchdog);
        context.getManagementStrategy().addEventNotifier(watchdog.fatalErrors());

        List<DestinationInstance> instances =
                destinationInstances(context, name -> standInDestination(properties, name));
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
                Path.of(required(properties, "launchdarkly.stand-in.record-file")), mapper, clock));
    }

    /** The delivery to LaunchDarkly: circuits, redelivery in line, retry queues, outcomes, dead letters. */
    private static void configureDelivery(CamelContext context, List<LaunchDarklyDestination> destinations,
                                          DeliveryLedger ledger, ParkedBatches parkedBatches, PipelineMetrics metrics,
                                          ObjectMapper mapper, Clock clock) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        Registry registry = context.getRegistry();
        FailureDescriptions failures = registry.lookupByNameAndType("failureDescriptions", FailureDescriptions.class);
        DestinationCircuits circuits = new DestinationCircuits(destinations, new DestinationCircuits.Settings(
                integer(properties, "launchdarkly.circuit.failure-rate-percent"),
                integer(properties, "launchdarkly.circuit.minimum-calls"),
                integer(properties, "launchdarkly.circuit.window-calls"),
                Duration.ofMillis(longValue(properties, "launchdarkly.circuit.open-ms")),
                Duration.ofMillis(longValue(properties, "launchdarkly.delivery.max-retry-after-ms"))),
                clock, parkedBatches::wakeUpLater);
        RetryQueue retryQueue = new RetryQueue(parkedBatches, circuits, destinations, new RetryQueue.Schedule(
                Duration.ofMillis(longValue(properties, "launchdarkly.delivery.initial-delay-ms")),
                Double.parseDouble(required(properties, "launchdarkly.delivery.backoff-multiplier")),
                Duration.ofMillis(longValue(properties, "launchdarkly.delivery.max-delay-ms")),
                Duration.ofMillis(longValue(properties, "launchdarkly.delivery.max-retry-time-ms"))),
                longValue(properties, "retry-queue.max-bytes"), integer(properties, "retry-queue.drain-batches"),
                mapper, failures, metrics, clock);
        context.addService(retryQueue, true, false);
        registry.bind("destinationCircuits", circuits);
        registry.bind("inlineRedelivery", new InlineRedelivery(
                integer(properties, "launchdarkly.delivery.inline-redeliveries"), circuits));
        registry.bind("redeliveryLogger", new RedeliveryLogger(metrics, failures));
        registry.bind("retryQueue", retryQueue);
        registry.bind("deliveryOutcomes", new DeliveryOutcomes(ledger, parkedBatches, circuits, metrics));
        registry.bind("deadLetterRecorder", new DeadLetterRecorder(mapper, metrics, clock));
        registry.bind("destinationsHealthCheck", new DestinationsHealthCheck(circuits, retryQueue));
    }

    /** The HTTP sources; returns the gate in front of the HTTP server, or null when there is no server. */
    private static ReadinessGate configureHttpSources(CamelContext context, Path inbox, Path done, PipelineMetrics metrics,
                                                      RejectionRecorder rejections, Clock clock) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        Registry registry = context.getRegistry();
        Spool spool = new Spool(new Spool.Settings(Path.of(required(properties, "spool.dir")), inbox, done,
                longValue(properties, "spool.max-segment-bytes"), longValue(properties, "spool.max-segment-age-ms"),
                longValue(properties, "spool.max-backlog-bytes"), longValue(properties, "spool.min-free-bytes"),
                integer(properties, "spool.retry-after-seconds"), integer(properties, "http.recent-message-ids"),
                longValue(properties, "http.recent-message-ids-max-bytes")), metrics, clock);
        context.addService(spool);
        registry.bind("spool", spool);
        ReadinessGate gate = null;
        if (Boolean.parseBoolean(optional(properties, "camel.server.enabled"))) {
            gate = new ReadinessGate(integer(properties, "camel.server.port"),
                    integer(properties, "spool.retry-after-seconds"));
            context.getManagementStrategy().addEventNotifier(gate);
            context.addStartupListener(gate);
        }
        registry.bind("segmentRequestReader", new SegmentRequestReader(
                integer(properties, "http.max-request-bytes"), integer(properties, "http.max-event-bytes"),
                integer(properties, "http.max-batch-events"), integer(properties, "http.max-nesting-depth"),
                integer(properties, "http.max-string-length"), rejections, clock));
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
        String file = optional(properties, "launchdarkly.mappings-file").strip();
        if (!file.isEmpty()) {
            return mappingsFile.read(Path.of(file));
        }
        return List.of(mappingsFile.single(required(properties, "launchdarkly.destination-name"),
                optional(properties, "launchdarkly.client-side-id"), optional(properties, "launchdarkly.events-host"),
                optional(properties, "launchdarkly.events-base-url")));
    }

    /** The embedded stand-in, when this configuration allows it, as the destination of an instance without an ID. */
    private static LaunchDarklyDestination standInDestination(PropertiesComponent properties, String name) {
        if (Boolean.parseBoolean(optional(properties, "launchdarkly.require-client-side-id"))) {
            throw new IllegalStateException("No LaunchDarkly client-side ID for destination '" + name + "': give one"
                    + " (the environment variable LD_CLIENT_SIDE_ID, or client-side-id in the mappings file). This"
                    + " profile does not fall back to the embedded LaunchDarkly stand-in.");
        }
        if (!Boolean.parseBoolean(optional(properties, "camel.server.enabled"))) {
            throw new IllegalStateException("No LaunchDarkly client-side ID for destination '" + name + "', and"
                    + " camel.server.enabled is false: the embedded LaunchDarkly stand-in needs the HTTP server. Set"
                    + " LD_CLIENT_SIDE_ID, or enable the server.");
        }
        return LaunchDarklyDestination.standIn(name, "http://127.0.0.1:" + required(properties, "camel.server.port"));
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
    private static void checkSettings(CamelContext context, List<LaunchDarklyDestination> destinations, ObjectMapper mapper) {
        PropertiesComponent properties = context.getPropertiesComponent();
        SettingsCheck check = new SettingsCheck(destinations, required(properties, "launchdarkly.settings-check.url"),
                Duration.ofMillis(longValue(properties, "launchdarkly.settings-check.timeout-ms")), mapper);
        context.getRegistry().bind("settingsCheck", check);
        if (!Boolean.parseBoolean(optional(properties, "launchdarkly.settings-check.enabled"))) {
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

    private static MeterRegistry meterRegistry(Registry registry) {
        MeterRegistry existing = registry.lookupByNameAndType(METRICS_REGISTRY, MeterRegistry.class);
        if (existing != null) {
            return existing;
        }
        PrometheusMeterRegistry created = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.bind(METRICS_REGISTRY, created);
        return created;
    }

    private static String required(PropertiesComponent properties, String key) {
        return properties.resolveProperty(key)
                .filter(value -> !value.isBlank())
                .orElseThrow(() -> new IllegalStateException("Missing configuration key " + key));
    }

    private static String optional(PropertiesComponent properties, String key) {
        return properties.resolveProperty(key).orElse("");
    }

    private static int integer(PropertiesComponent properties, String key) {
        return (int) longValue(properties, key);
    }

    private static long longValue(PropertiesComponent properties, String key) {
        String value = required(properties, key);
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Configuration key " + key + " must be a whole number, was '" + value + "'");
        }
    }
}
