package io.github.segmentld;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

import io.github.segmentld.actions.Actions;
import io.github.segmentld.actions.AliasUser;
import io.github.segmentld.actions.IdentifyContext;
import io.github.segmentld.actions.TrackEvent;
import io.github.segmentld.config.DestinationInstance;
import io.github.segmentld.config.DestinationInstances;
import io.github.segmentld.config.MappingsInForce;
import io.github.segmentld.ingest.ReadinessGate;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.launchdarkly.SettingsCheck;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.mapping.InsertFunctions;
import io.github.segmentld.mapping.MappingSpan;
import io.github.segmentld.observe.DeliveryRates;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.observe.Release;
import io.github.segmentld.observe.ReleaseHealthCheck;
import io.github.segmentld.observe.Watchdog;
import io.github.segmentld.store.StateDatabase;
import io.github.segmentld.time.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.StartupListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's beans and what the start does beyond wiring: logging the destination instances, loading the routes of
 * {@code routes.extra-dir} and checking that the instances' insert functions find their routes, checking their
 * settings, and the watchdog in front of the HTTP source.
 * Beans are made when first needed ({@code lazy}), so each is made after those it takes; each is named after its
 * method, and its {@code @PropertyInject} parameters are keys documented in {@code application.properties}.
 * {@link MappingsConfiguration}, {@link IngestConfiguration}, {@link StoreConfiguration} and
 * {@link DeliveryConfiguration} make the others.
 */
@Configuration
public class AppConfiguration implements CamelConfiguration {

    static final String RELEASE_VERSION = "release.version";
    private static final Logger LOG = LoggerFactory.getLogger(AppConfiguration.class);
    private static final String METRICS_REGISTRY = "metricsRegistry";

    @PropertyInject("camel.server.enabled")
    private boolean serverEnabled;
    @PropertyInject("camel.server.port")
    private int serverPort;
    @PropertyInject("launchdarkly.settings-check.enabled")
    private boolean settingsCheckEnabled;
    @PropertyInject("inbox.dir")
    private String inboxDir;
    @PropertyInject("spool.retry-after-seconds")
    private int retryAfterSeconds;
    @PropertyInject("watchdog.exit-on-fatal")
    private boolean exitOnFatal;
    @PropertyInject("watchdog.stall-seconds")
    private long stallSeconds;

    /** The time of day: what is shown to people and stored. */
    @BindToRegistry(lazy = true)
    public Clock clock() {
        return Clock.systemUTC();
    }

    /** Monotonic time: what measures durations and deadlines. */
    @BindToRegistry(lazy = true)
    public Ticker ticker() {
        return Ticker.SYSTEM;
    }

    /** The pipeline's counters, on Camel's metrics registry when camel-micrometer made one. */
    @BindToRegistry(lazy = true)
    public PipelineMetrics pipelineMetrics(CamelContext context, DeliveryRates deliveryRates) {
        MeterRegistry registry = context.getRegistry().lookupByNameAndType(METRICS_REGISTRY, MeterRegistry.class);
        if (registry == null) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            context.getRegistry().bind(METRICS_REGISTRY, registry);
        }
        return new PipelineMetrics(registry, deliveryRates);
    }

    /** Delivery outcomes per minute, which the alert rules judge. */
    @BindToRegistry(lazy = true)
    public DeliveryRates deliveryRates(Clock clock) {
        return new DeliveryRates(clock);
    }

    /** Which release answers, in the management server's health details. */
    @BindToRegistry(lazy = true)
    public ReleaseHealthCheck releaseHealthCheck() {
        return new ReleaseHealthCheck(Release.current());
    }

    /** The router's split collects what the actions make of a chunk with it. */
    @BindToRegistry(lazy = true)
    public ConvertedChunk.Aggregation convertedChunks() {
        return new ConvertedChunk.Aggregation();
    }

    /** The span of a chunk's mapping, with tracing on. */
    @BindToRegistry(lazy = true)
    public MappingSpan mappingSpan() {
        return new MappingSpan();
    }

    /** The actions the router calls, one bean each. */
    @BindToRegistry(lazy = true)
    public TrackEvent trackEvent() {
        return Actions.TRACK_EVENT;
    }

    @BindToRegistry(lazy = true)
    public AliasUser aliasUser() {
        return Actions.ALIAS_USER;
    }

    @BindToRegistry(lazy = true)
    public IdentifyContext identifyContext() {
        return Actions.IDENTIFY_CONTEXT;
    }

    /** What must hold before anything is accepted: readable instances with known IDs, an open state database. */
    @Override
    public void configure(CamelContext context) throws Exception {
        // a value of the build, not a setting: it follows the running release into launchdarkly.user-agent, even
        // from a properties file copied from an earlier one
        context.getPropertiesComponent().addInitialProperty(RELEASE_VERSION, Release.current().version());
        ExchangeLogFields.install(context, System.getenv());
        DestinationInstances instances = context.getRegistry()
                .lookupByNameAndType("destinationInstances", DestinationInstances.class);
        instances.enabled().forEach(AppConfiguration::logInstance);
        ExtraRoutes.load(context);
        InsertFunctions functions = context.getRegistry().lookupByNameAndType("mappingsInForce", MappingsInForce.class)
                .insertFunctions();
        if (!functions.isEmpty()) {
            // the bundled routes and those of routes.extra-dir are all loaded by then
            beforeRoutesStart(context, starting -> MappingsConfiguration.checkRoutes(functions, ExtraRoutes.folder(starting)));
        }
        if (settingsCheckEnabled) {
            // the check's request needs a running context
            beforeRoutesStart(context, starting -> checkSettings(starting.getRegistry()
                    .lookupByNameAndType("settingsCheck", SettingsCheck.class)));
        }
        StateDatabase state = context.getRegistry().lookupByNameAndType("stateDatabase", StateDatabase.class);
        ReadinessGate gate = null;
        if (serverEnabled) {
            gate = new ReadinessGate(serverPort, retryAfterSeconds);
            context.getManagementStrategy().addEventNotifier(gate);
            context.addStartupListener(gate);
        }
        Watchdog watchdog = new Watchdog(Path.of(inboxDir), Duration.ofSeconds(stallSeconds), state::lastCommitAt,
                gate == null ? reason -> { } : gate::close, exitOnFatal,
                context.getRegistry().lookupByNameAndType("ticker", Ticker.class));
        context.getRegistry().bind("watchdog", watchdog);
        context.getManagementStrategy().addEventNotifier(watchdog.fatalErrors());
    }

    /** Runs a check once the context is starting, before any route: what it throws stops the start. */
    private static void beforeRoutesStart(CamelContext context, Consumer<CamelContext> check) throws Exception {
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarting(CamelContext starting, boolean alreadyStarted) {
                check.accept(starting);
            }

            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // checked before the routes start
            }
        });
    }

    private static void logInstance(DestinationInstance instance) {
        EventsEndpoint endpoint = instance.endpoint();
        String mappings = String.join(", ", instance.mappings().stream()
                .map(mapping -> mapping.enabled() ? mapping.name() : mapping.name() + " (disabled)").toList())
                + (instance.insertFunction() == null ? "" : "; before them, the insert function "
                + instance.insertFunction().describe());
        if (endpoint.isStandIn()) {
            LOG.warn("Destination '{}' has no LaunchDarkly {}: its events go to the embedded LaunchDarkly stand-in at {},"
                    + " which records them. Mappings: {}", instance.name(), endpoint.credentialName(),
                    endpoint.maskedEventsUrl(), mappings);
        } else {
            LOG.info("Destination {}: events go to {}. Mappings: {}", endpoint, endpoint.maskedEventsUrl(), mappings);
        }
    }

    /**
     * Checks the client-side IDs of the destinations on LaunchDarkly's own host (skipped when
     * {@code launchdarkly.settings-check.enabled} is false, for offline runs); an ID LaunchDarkly does not know stops
     * the start. The check stays available on demand.
     */
    private static void checkSettings(SettingsCheck check) {
        for (SettingsCheck.Result result : check.checkAll()) {
            if (result.outcome() == SettingsCheck.Outcome.INVALID) {
                throw new IllegalStateException(refusal(result));
            }
        }
    }

    /** Why an ID LaunchDarkly does not know stops the start (and a reload). */
    static String refusal(SettingsCheck.Result invalid) {
        return "Destination '" + invalid.destination().name() + "': " + invalid.message() + ". To start without this"
                + " check (offline), set launchdarkly.settings-check.enabled=false.";
    }
}
