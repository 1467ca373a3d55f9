package io.github.segmentld;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.github.segmentld.launchdarkly.DestinationCircuits;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.launchdarkly.LaunchDarklyStandIn;
import io.github.segmentld.launchdarkly.RetryQueue;
import io.github.segmentld.launchdarkly.SettingsCheck;
import io.github.segmentld.launchdarkly.StandInEndpoints;
import io.github.segmentld.mapping.InsertFunction;
import io.github.segmentld.mapping.InsertFunctions;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.preview.MappingPreview;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The destination instances and their mappings: the version in force (read from the mappings file, or one instance
 * set by the {@code launchdarkly.*} keys; an instance without a client-side ID or access token gets the embedded
 * stand-in, where this configuration allows it), its reload while running, the preview and the health check that
 * follow it, and the check that the instances' insert functions find their routes. Beans are made when first needed
 * ({@code lazy}); their {@code @PropertyInject} parameters are keys documented in {@code application.properties}.
 */
@Configuration
public class MappingsConfiguration {

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

    /**
     * The mappings version in force: the one read at start, until a reload replaces it ({@link MappingsReload}). Each
     * version's insert functions are compiled as it is read, and run on one pool for all versions; a reload whose
     * function names a route that is not there is refused (at start, {@link AppConfiguration#configure} checks that once
     * the routes are loaded).
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

    /** An insert function whose route is not there stops the start, rather than reject every event. */
    static void checkRoutes(InsertFunctions functions, String extraRoutes) {
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
