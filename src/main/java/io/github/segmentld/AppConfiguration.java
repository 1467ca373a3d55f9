package io.github.segmentld;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.actions.AliasUser;
import io.github.segmentld.actions.IdentifyContext;
import io.github.segmentld.actions.TrackEvent;
import io.github.segmentld.alerts.AlertChannels;
import io.github.segmentld.alerts.AlertEvaluator;
import io.github.segmentld.config.AlertRulesFile;
import io.github.segmentld.config.AlertRulesFile.AlertRules;
import io.github.segmentld.config.DestinationInstance;
import io.github.segmentld.config.DestinationInstances;
import io.github.segmentld.config.FileVersion;
import io.github.segmentld.config.MappingsFile;
import io.github.segmentld.config.MappingsInForce;
import io.github.segmentld.config.MappingsVersion;
import io.github.segmentld.ingest.ReadinessGate;
import io.github.segmentld.launchdarkly.DestinationCircuits;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.launchdarkly.LaunchDarklyStandIn;
import io.github.segmentld.launchdarkly.RetryQueue;
import io.github.segmentld.launchdarkly.SettingsCheck;
import io.github.segmentld.launchdarkly.StandInEndpoints;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.mapping.InsertFunction;
import io.github.segmentld.mapping.InsertFunctions;
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
 * client-side ID or access token gets the embedded stand-in), loading the routes of {@code routes.extra-dir} and checking that the
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
    @PropertyInject("launchdarkly.stand-in.access-token")
    private String standInAccessToken;
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

    /**
     * The mappings version in force: the one read at start, until a reload replaces it ({@link MappingsReload}). Each
     * version's insert functions are compiled as it is read, and run on one pool for all versions; a reload whose
     * function names a route that is not there is refused (at start, {@link #configure} checks that once the routes
     * are loaded).
     */
    @BindToRegistry(lazy = true)
    public MappingsInForce mappingsInForce(CamelContext context, PipelineMetrics metrics, Clock clock,
                                           @PropertyInject("insert-functions.threads") int threads) {
        AtomicReference<ExecutorService> pool = new AtomicReference<>();
        return new MappingsInForce(mappingsVersion(context, standIns(), clock), instances -> {
            List<InsertFunction> functions = instances.insertFunctions();
            if (functions.isEmpty()) {
                return InsertFunctions.NONE;
            }
            InsertFunctions compiled = InsertFunctions.compile(context, functions, threads,
                    pool.updateAndGet(made -> made != null ? made : InsertFunctions.pool(context, threads)));
            if (context.isStarted()) {
                checkRoutes(compiled, ExtraRoutes.folder(context));
            }
            return compiled;
        }, metrics);
    }

    /**
     * The destination instances read at start, which the beans made once from them begin with ({@link MappingsReload}
     * keeps those up to date).
     */
    @BindToRegistry(lazy = true)
    public DestinationInstances destinationInstances(MappingsInForce inForce) {
        return inForce.version().instances();
    }

    @BindToRegistry(lazy = true)
    public MappingPreview mappingPreview(MappingsInForce inForce, Clock clock) {
        return new MappingPreview(() -> {
            MappingsInForce.Pinned pinned = inForce.pinned();
            return new MappingPreview.InForce(pinned.version().instances().all(), pinned.functions());
        }, new ObjectMapper(), clock);
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
     * @param standIns the endpoint of an enabled instance that has no client-side ID or access token
     */
    static List<DestinationInstance> destinationInstances(CamelContext context, StandInEndpoints standIns) {
        return mappingsVersion(context, standIns, Clock.systemUTC()).instances().all();
    }

    /** The destination instances as {@link #destinationInstances} reads them, with the file's digest. */
    static MappingsVersion mappingsVersion(CamelContext context, StandInEndpoints standIns, Clock clock) {
        PropertiesComponent properties = context.getPropertiesComponent();
        MappingsFile mappingsFile = new MappingsFile(context::resolvePropertyPlaceholders, standIns);
        String file = optional(properties, MappingsFile.KEY);
        if (!file.isEmpty()) {
            FileVersion read = MappingsFile.file(Path.of(file));
            return new MappingsVersion(new DestinationInstances(mappingsFile.read(read)), read, clock.instant());
        }
        return new MappingsVersion(new DestinationInstances(List.of(mappingsFile.single(
                optional(properties, "launchdarkly.destination-name"), optional(properties, "launchdarkly.client-side-id"),
                optional(properties, "launchdarkly.events-host"), optional(properties, "launchdarkly.events-base-url")))),
                null, clock.instant());
    }

    /**
     * Reads the mappings file and the alert rules file again on demand, or every
     * {@code launchdarkly.mappings-reload-interval-ms} when either changed.
     */
    @BindToRegistry(lazy = true)
    public MappingsReload mappingsReload(CamelContext context, MappingsInForce inForce, AlertRules alertRules,
                                         DestinationCircuits circuits, RetryQueue retryQueue,
                                         SettingsCheck settingsCheck, AlertEvaluator alertEvaluator,
                                         AlertChannels alertChannels, LaunchDarklyStandIn standIn,
                                         @PropertyInject("alerts.file") String alertsFile,
                                         PipelineMetrics metrics, Clock clock) {
        String mappingsFile = optional(context.getPropertiesComponent(), MappingsFile.KEY);
        MappingsFile reader = new MappingsFile(context::resolvePropertyPlaceholders, standIns());
        MappingsReload.Sources sources = new MappingsReload.Sources(
                mappingsFile.isEmpty() ? null : Path.of(mappingsFile), reader::read,
                alertsFile.isBlank() ? null : Path.of(alertsFile),
                new AlertRulesFile(context::resolvePropertyPlaceholders), standIn.isEnabled(), settingsCheckEnabled);
        return new MappingsReload(sources, alertRules.digest(), inForce, new MappingsReload.Targets(circuits,
                retryQueue, settingsCheck, alertEvaluator, alertChannels), context, metrics, clock);
    }

    /** The mappings version in force and the last reload, in the management server's health details. */
    @BindToRegistry(lazy = true)
    public MappingsHealthCheck mappingsHealthCheck(MappingsInForce inForce, MappingsReload reload) {
        return new MappingsHealthCheck(inForce, reload);
    }

    /** The embedded stand-in, when this configuration allows it, as the endpoint of an instance without a credential. */
    private StandInEndpoints standIns() {
        StandInEndpoints standIn = StandInEndpoints.at("http://127.0.0.1:" + serverPort, standInAccessToken);
        return new StandInEndpoints() {
            @Override
            public EventsEndpoint clientSide(String instance) {
                allowStandIn(instance, "client-side ID", "the environment variable LD_CLIENT_SIDE_ID, or client-side-id"
                        + " in the mappings file");
                return standIn.clientSide(instance);
            }

            @Override
            public EventsEndpoint metricImport(String instance, String projectKey, String environmentKey) {
                allowStandIn(instance, "access token", "access-token in the mappings file, from the environment:"
                        + " \"{{env:LD_IMPORT_TOKEN}}\"");
                return standIn.metricImport(instance, projectKey, environmentKey);
            }
        };
    }

    /** @param where where the credential is given, for the message that refuses the stand-in */
    private void allowStandIn(String instance, String credential, String where) {
        if (requireClientSideId) {
            throw new IllegalStateException("No LaunchDarkly " + credential + " for destination '" + instance + "':"
                    + " give one (" + where + "). This profile does not fall back to the embedded LaunchDarkly"
                    + " stand-in.");
        }
        if (!serverEnabled) {
            throw new IllegalStateException("No LaunchDarkly " + credential + " for destination '" + instance + "', and"
                    + " camel.server.enabled is false: the embedded LaunchDarkly stand-in needs the HTTP server. Give"
                    + " one (" + where + "), or enable the server.");
        }
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
