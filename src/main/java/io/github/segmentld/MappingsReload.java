package io.github.segmentld;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.github.segmentld.launchdarkly.RetryQueue;
import io.github.segmentld.launchdarkly.RetryQueueRoutes;
import io.github.segmentld.launchdarkly.SettingsCheck;
import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the mappings file ({@code launchdarkly.mappings-file}) and the alert rules file ({@code alerts.file}) again
 * while the application runs, on {@code POST /launchdarkly/mappings/reload} or when {@link #poll} sees either file's
 * digest change. Both are read and checked whole, exactly as at start (same checks, same messages); a valid pair is put
 * in force between chunks ({@link MappingsInForce}), each destination instance it adds or enables getting its circuit,
 * retry queue and health entry first. Anything invalid is refused: logged at ERROR with the message the start would
 * stop on, counted, shown in health, and the version in force stays. Without a mappings file the one instance of the
 * {@code launchdarkly.*} keys stays as it started (properties are read at start only); the alert rules still reload.
 */
public class MappingsReload {

    private static final Logger LOG = LoggerFactory.getLogger(MappingsReload.class);

    /**
     * Where the files are, and how they are read and checked as at start.
     *
     * @param mappingsFile     the mappings file; null when the {@code launchdarkly.*} keys set the one instance
     * @param readMappings     reads and checks the mappings file's content, as at start
     * @param alertsFile       the alert rules file; null when there are no rules
     * @param standInServing   whether the embedded stand-in was started (an instance without a credential was
     *                         configured at start)
     * @param checkCredentials whether a new or changed client-side ID is checked with LaunchDarkly first
     *                         ({@code launchdarkly.settings-check.enabled})
     */
    public record Sources(Path mappingsFile, Function<FileVersion, List<DestinationInstance>> readMappings,
                          Path alertsFile, AlertRulesFile readAlerts, boolean standInServing,
                          boolean checkCredentials) {
    }

    /** What a reload changes beside the mappings themselves. */
    public record Targets(DestinationCircuits circuits, RetryQueue retryQueue, SettingsCheck settingsCheck,
                          AlertEvaluator alertEvaluator, AlertChannels alertChannels) {
    }

    /**
     * The last reload: applied, or refused with why.
     *
     * @param error the message that refused it; null when it was applied
     */
    public record Outcome(boolean applied, Instant at, String error) {
    }

    private final Sources sources;
    private final MappingsInForce inForce;
    private final Targets targets;
    private final CamelContext context;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();
    private volatile String alertsDigest;
    private volatile Outcome last;
    /** The files' digests as the last reload read them, which {@link #poll} compares the files with. */
    private String seen;
    /** The files' digests at the last poll. */
    private String changed;

    /** @param alertsDigest the digest of the alert rules file read at start; null without one */
    public MappingsReload(Sources sources, String alertsDigest, MappingsInForce inForce, Targets targets,
                          CamelContext context, PipelineMetrics metrics, Clock clock) {
        this.sources = sources;
        this.alertsDigest = alertsDigest;
        this.inForce = inForce;
        this.targets = targets;
        this.context = context;
        this.metrics = metrics;
        this.clock = clock;
        this.seen = inForce.version().digest() + " " + alertsDigest;
    }

    /** A file read once, or why it could not be read. */
    private record Read(FileVersion file, IllegalStateException error) {

        static Read of(Path path, Function<Path, FileVersion> reader) {
            try {
                return new Read(path == null ? null : reader.apply(path), null);
            } catch (IllegalStateException e) {
                return new Read(null, e);
            }
        }

        String digest() {
            return file == null ? null : file.digest();
        }
    }

    /**
     * Reloads when either file's content differs from what the last reload (or the start) read, and has stayed so
     * since the last poll: a file an editor is still writing is not refused half-written.
     */
    public synchronized void poll() {
        Read mappings = Read.of(sources.mappingsFile(), MappingsFile::file);
        Read alerts = Read.of(sources.alertsFile(), AlertRulesFile::file);
        String now = mappings.digest() + " " + alerts.digest();
        if (now.equals(seen) || !now.equals(changed)) {
            changed = now;
            return;
        }
        reload(mappings, alerts);
    }

    /** Reads both files and puts them in force, or refuses them; the answer of the reload endpoint. */
    public synchronized Outcome reload() {
        return reload(Read.of(sources.mappingsFile(), MappingsFile::file),
                Read.of(sources.alertsFile(), AlertRulesFile::file));
    }

    private Outcome reload(Read mappings, Read alerts) {
        seen = mappings.digest() + " " + alerts.digest();
        Instant now = clock.instant();
        try {
            if (mappings.error() != null) {
                throw mappings.error();
            }
            MappingsVersion version = mappings.file() == null ? inForce.version() : new MappingsVersion(
                    new DestinationInstances(sources.readMappings().apply(mappings.file())), mappings.file(), now);
            if (alerts.error() != null) {
                throw alerts.error();
            }
            AlertRules rules = alerts.file() == null ? AlertRules.NONE
                    : sources.readAlerts().read(alerts.file(), version.instances().all());
            checkStandIn(version.instances());
            checkCredentials(version.instances());
            apply(inForce.prepare(version), rules);
            alertsDigest = alerts.digest();
            last = new Outcome(true, now, null);
            LOG.info("Mappings reloaded: {} in force ({} destination instances enabled: {}), alert rules {}",
                    shortDigest(version.digest()), version.instances().enabled().size(),
                    String.join(", ", version.instances().enabled().stream().map(DestinationInstance::name).toList()),
                    shortDigest(alertsDigest));
        } catch (IllegalStateException refused) {
            last = new Outcome(false, now, refused.getMessage());
            LOG.error("{} (reload refused: the mappings in force, {}, stay)", refused.getMessage(),
                    shortDigest(inForce.version().digest()));
        }
        metrics.mappingsReload(last.applied());
        return last;
    }

    /** The embedded stand-in's routes start only when an instance without a credential is configured at start. */
    private void checkStandIn(DestinationInstances instances) {
        if (sources.standInServing()) {
            return;
        }
        for (DestinationInstance instance : instances.enabled()) {
            if (instance.endpoint().isStandIn()) {
                throw new IllegalStateException("Destination '" + instance.name() + "' has no LaunchDarkly "
                        + instance.endpoint().credentialName() + ": its events would go to the embedded LaunchDarkly"
                        + " stand-in, which is started only when such a destination is configured at start. Adding"
                        + " one requires a restart.");
            }
        }
    }

    /** The settings check of the start, for the client-side IDs that are new or changed. */
    private void checkCredentials(DestinationInstances instances) {
        if (!sources.checkCredentials()) {
            return;
        }
        Map<String, EventsEndpoint> before = inForce.version().instances().destinations().stream()
                .collect(Collectors.toMap(EventsEndpoint::name, endpoint -> endpoint));
        for (EventsEndpoint endpoint : instances.destinations()) {
            if (!endpoint.equals(before.get(endpoint.name()))) {
                SettingsCheck.Result result = targets.settingsCheck().check(endpoint);
                if (result.outcome() == SettingsCheck.Outcome.INVALID) {
                    throw new IllegalStateException(AppConfiguration.refusal(result));
                }
            }
        }
    }

    /**
     * Gives the instances added or enabled their circuit, retry queue and its route, then puts the version in force;
     * the retry-queue routes of the instances removed or disabled are stopped, their parked batches left on disk.
     */
    private void apply(MappingsInForce.Pinned version, AlertRules rules) {
        List<EventsEndpoint> enabled = version.version().instances().destinations();
        Set<String> before = new HashSet<>(targets.retryQueue().destinations());
        enabled.forEach(targets.circuits()::add);
        targets.retryQueue().destinations(enabled);
        for (EventsEndpoint destination : enabled) {
            if (!before.contains(destination.name())) {
                RetryQueueRoutes.start(context, destination.name());
            }
        }
        targets.settingsCheck().destinations(enabled);
        targets.alertChannels().replace(rules.channels());
        targets.alertEvaluator().replace(rules.rules(), rules.channels(),
                enabled.stream().map(EventsEndpoint::name).toList());
        inForce.put(version);
        before.removeAll(targets.retryQueue().destinations());
        for (String removed : before) {
            try {
                RetryQueueRoutes.stop(context, removed);
            } catch (Exception e) {
                LOG.warn("The retry-queue route of destination '{}', no longer configured, could not be stopped: {}",
                        removed, e.toString());
            }
        }
    }

    public Outcome last() {
        return last;
    }

    /** The digest of the alert rules file in force; null without one. */
    public String alertsDigest() {
        return alertsDigest;
    }

    /** Reloads, and answers how it went: 200 when applied, 422 when refused. */
    public String reloadJson(Exchange exchange) {
        Outcome outcome = reload();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, outcome.applied() ? 200 : 422);
        ObjectNode answer = mapper.createObjectNode();
        answer.put("outcome", outcome.applied() ? "applied" : "refused");
        answer.put("error", outcome.error());
        MappingsVersion version = inForce.version();
        answer.put("digest", version.digest());
        answer.put("loadedAt", version.loadedAt().toString());
        answer.put("alertsDigest", alertsDigest);
        return answer.toPrettyString();
    }

    static String shortDigest(String digest) {
        return digest == null ? "(no file)" : "sha256:" + digest.substring(0, 12);
    }
}
