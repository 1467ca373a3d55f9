package io.github.segmentld;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.actions.AliasUser;
import io.github.segmentld.actions.IdentifyContext;
import io.github.segmentld.actions.TrackEvent;
import io.github.segmentld.config.DestinationInstance;
import io.github.segmentld.config.DestinationInstances;
import io.github.segmentld.config.MappingsFile;
import io.github.segmentld.ingest.ReadinessGate;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.launchdarkly.SettingsCheck;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.mapping.InsertFunction;
import io.github.segmentld.mapping.InsertFunctions;
import io.github.segmentld.mapping.MappingMatcher;
import io.github.segmentld.mapping.MappingSpan;
import io.github.segmentld.observe.DeliveryRates;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.observe.Release;
import io.github.segmentld.observe.ReleaseHealthCheck;
import io.github.segmentld.observe.Watchdog;
import io.github.segmentld.preview.MappingPreview;
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
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's beans and what the start does beyond wiring: reading the destination instances (an instance without a
 * client-side ID gets the embedded stand-in), loading the routes of {@code routes.extra-dir} and checking that the
 * instances' insert functions compile and find their routes, checking their settings, and the watchdog in front of
 * the HTTP source.
 * Beans are made when first needed ({@code lazy}), so each is made after those it takes; each is named after its
 * method, and its {@code @PropertyInject} parameters are keys documented in {@code application.properties}.
 * {@link IngestConfiguration}, {@link StoreConfiguration} and {@link DeliveryConfiguration} make the others.
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
    @PropertyInject("launchdarkly.require-client-side-id")
    private boolean requireClientSideId;
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

    @BindToRegistry(lazy = true)
    public DestinationInstances destinationInstances(CamelContext context) {
        return new DestinationInstances(destinationInstances(context, this::standInEndpoint));
    }

    @BindToRegistry(lazy = true)
    public MappingMatcher mappingMatcher(DestinationInstances instances, InsertFunctions insertFunctions,
                                         PipelineMetrics metrics) {
        return new MappingMatcher(instances.mappings(), instances.consentRules(), insertFunctions, metrics);
    }

    /** The instances' insert functions, their expressions compiled. */
    @BindToRegistry(lazy = true)
    public InsertFunctions insertFunctions(CamelContext context, DestinationInstances instances,
                                           @PropertyInject("insert-functions.threads") int threads) {
        return InsertFunctions.compile(context, instances.insertFunctions(), threads);
    }

    @BindToRegistry(lazy = true)
    public MappingPreview mappingPreview(DestinationInstances instances, InsertFunctions insertFunctions, Clock clock) {
        return new MappingPreview(instances.all(), insertFunctions, new ObjectMapper(), clock);
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
        InsertFunctions functions = context.getRegistry().lookupByNameAndType("insertFunctions", InsertFunctions.class);
        if (!functions.isEmpty()) {
            // the bundled routes and those of routes.extra-dir are all loaded by then
            beforeRoutesStart(context, starting -> checkRoutes(functions, ExtraRoutes.folder(starting)));
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

    /**
     * The destination instances: those of the mappings file named by {@code launchdarkly.mappings-file}, or else one
     * instance with the presets, set by the {@code launchdarkly.*} keys.
     *
     * @param withoutClientSideId the endpoint of an enabled instance that has no client-side ID
     */
    static List<DestinationInstance> destinationInstances(CamelContext context,
                                                          Function<String, EventsEndpoint> withoutClientSideId) {
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

    /** The embedded stand-in, when this configuration allows it, as the endpoint of an instance without an ID. */
    private EventsEndpoint standInEndpoint(String name) {
        if (requireClientSideId) {
            throw new IllegalStateException("No LaunchDarkly client-side ID for destination '" + name + "': give one"
                    + " (the environment variable LD_CLIENT_SIDE_ID, or client-side-id in the mappings file). This"
                    + " profile does not fall back to the embedded LaunchDarkly stand-in.");
        }
        if (!serverEnabled) {
            throw new IllegalStateException("No LaunchDarkly client-side ID for destination '" + name + "', and"
                    + " camel.server.enabled is false: the embedded LaunchDarkly stand-in needs the HTTP server. Set"
                    + " LD_CLIENT_SIDE_ID, or enable the server.");
        }
        return EventsEndpoint.standIn(name, "http://127.0.0.1:" + serverPort);
    }

    private static void logInstance(DestinationInstance instance) {
        EventsEndpoint endpoint = instance.endpoint();
        String mappings = String.join(", ", instance.mappings().stream()
                .map(mapping -> mapping.enabled() ? mapping.name() : mapping.name() + " (disabled)").toList())
                + (instance.insertFunction() == null ? "" : "; before them, the insert function "
                + instance.insertFunction().describe());
        if (endpoint.isStandIn()) {
            LOG.warn("Destination '{}' has no LaunchDarkly client-side ID: its events go to the embedded LaunchDarkly"
                    + " stand-in at {}, which records them. Mappings: {}", instance.name(), endpoint.eventsUrl(), mappings);
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
                throw new IllegalStateException("Destination '" + result.destination().name() + "': "
                        + result.message() + ". To start without this check (offline), set"
                        + " launchdarkly.settings-check.enabled=false.");
            }
        }
    }

    /** An insert function whose route is not there stops the start, rather than reject every event. */
    private static void checkRoutes(InsertFunctions functions, String extraRoutes) {
        List<InsertFunction> missing = functions.withoutRoute();
        if (!missing.isEmpty()) {
            InsertFunction function = missing.get(0);
            throw new IllegalStateException("Destination '" + function.destination() + "': insert-function direct: "
                    + function.code() + " names no route: none reads from " + function.endpointUri() + ". Put it in a"
                    + " YAML file of the folder of " + ExtraRoutes.SETTING + " ("
                    + (extraRoutes.isEmpty() ? "not set" : extraRoutes) + ").");
        }
    }

    private static String optional(PropertiesComponent properties, String key) {
        return properties.resolveProperty(key).orElse("").strip();
    }
}
