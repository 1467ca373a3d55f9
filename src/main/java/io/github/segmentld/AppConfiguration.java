package io.github.segmentld;

import java.io.File;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.ingest.FailedInputRecorder;
import io.github.segmentld.ingest.SegmentFileReader;
import io.github.segmentld.ingest.Spool;
import io.github.segmentld.ingest.TrackingApiReader;
import io.github.segmentld.ingest.WebhookSignature;
import io.github.segmentld.ingest.WriteKeys;
import io.github.segmentld.launchdarkly.AliasUserTransformer;
import io.github.segmentld.launchdarkly.DeadLetterRecorder;
import io.github.segmentld.launchdarkly.DeliveredBatches;
import io.github.segmentld.launchdarkly.LaunchDarklyBatcher;
import io.github.segmentld.launchdarkly.LaunchDarklyDestination;
import io.github.segmentld.launchdarkly.LaunchDarklyStandIn;
import io.github.segmentld.launchdarkly.RedeliveryLogger;
import io.github.segmentld.launchdarkly.RetryAfterPolicy;
import io.github.segmentld.launchdarkly.TrackEventTransformer;
import io.github.segmentld.mapping.MappingMatcher;
import io.github.segmentld.mapping.Presets;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.observe.RejectionRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the beans the routes call, from the keys of {@code application.properties} (each key is documented there).
 */
@Configuration
public class AppConfiguration implements CamelConfiguration {

    /** The client-side ID the embedded stand-in answers to. */
    private static final String STAND_IN_CLIENT_SIDE_ID = "local-stand-in";

    private static final Logger LOG = LoggerFactory.getLogger(AppConfiguration.class);
    private static final String METRICS_REGISTRY = "metricsRegistry";

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        Registry registry = context.getRegistry();
        Clock clock = Clock.systemUTC();
        ObjectMapper mapper = new ObjectMapper();

        PipelineMetrics metrics = new PipelineMetrics(meterRegistry(registry));
        RejectionRecorder rejections =
                new RejectionRecorder(Path.of(required(properties, "store.rejected-dir")), mapper, metrics, clock);
        registry.bind("pipelineMetrics", metrics);
        registry.bind("rejectionRecorder", rejections);
        registry.bind("segmentFileReader", new SegmentFileReader(mapper,
                integer(properties, "pipeline.chunk-size"),
                integer(properties, "inbox.max-line-bytes"),
                Duration.ofSeconds(integer(properties, "inbox.progress-interval-seconds")),
                rejections));
        registry.bind("failedInputRecorder", new FailedInputRecorder(
                Path.of(required(properties, "inbox.dir")), required(properties, "inbox.failed-dir"), clock));
        registry.bind("mappingMatcher", new MappingMatcher(Presets.ALL, metrics));
        configureHttpSources(context, properties, metrics, rejections, clock);
        registry.bind("trackEventTransformer", new TrackEventTransformer());
        registry.bind("aliasUserTransformer", new AliasUserTransformer());

        boolean standIn = optional(properties, "launchdarkly.client-side-id").isBlank();
        LaunchDarklyDestination destination = destination(properties, standIn);
        registry.bind("launchDarklyBatcher", new LaunchDarklyBatcher(destination));
        registry.bind("retryAfterPolicy", new RetryAfterPolicy(
                longValue(properties, "launchdarkly.delivery.max-retry-after-ms"), clock));
        registry.bind("redeliveryLogger", new RedeliveryLogger(metrics));
        registry.bind("deadLetterRecorder", new DeadLetterRecorder(mapper, metrics, clock));
        registry.bind("deliveredBatches", new DeliveredBatches(
                new File(required(properties, "store.delivered-batches-file")),
                integer(properties, "store.delivered-batches-cache-size"),
                longValue(properties, "store.delivered-batches-max-file-bytes")));
        registry.bind("launchDarklyStandIn", new LaunchDarklyStandIn(standIn,
                Path.of(required(properties, "launchdarkly.stand-in.record-file")), mapper, clock));
    }

    private static void configureHttpSources(CamelContext context, PropertiesComponent properties,
                                             PipelineMetrics metrics, RejectionRecorder rejections, Clock clock)
            throws Exception {
        Registry registry = context.getRegistry();
        Spool spool = new Spool(Path.of(required(properties, "spool.dir")), Path.of(required(properties, "inbox.dir")),
                longValue(properties, "spool.max-segment-bytes"), longValue(properties, "spool.max-segment-age-ms"),
                longValue(properties, "spool.max-backlog-bytes"), integer(properties, "spool.retry-after-seconds"),
                metrics, clock);
        context.addService(spool);
        registry.bind("spool", spool);
        registry.bind("trackingApiReader", new TrackingApiReader(
                integer(properties, "http.max-request-bytes"), integer(properties, "http.max-event-bytes"),
                integer(properties, "http.max-batch-events"), integer(properties, "http.max-nesting-depth"),
                integer(properties, "http.max-string-length"), rejections::refused,
                MemoryIdempotentRepository.memoryIdempotentRepository(integer(properties, "http.recent-message-ids")),
                metrics, clock));
        registry.bind("writeKeys", new WriteKeys(optional(properties, "http.write-keys"),
                Boolean.parseBoolean(optional(properties, "http.auth-enabled"))));
        registry.bind("webhookSignature", new WebhookSignature(optional(properties, "http.webhook-secret")));
    }

    private static LaunchDarklyDestination destination(PropertiesComponent properties, boolean standIn) {
        String name = required(properties, "launchdarkly.destination-name");
        if (!standIn) {
            LaunchDarklyDestination destination = LaunchDarklyDestination.of(name,
                    optional(properties, "launchdarkly.client-side-id").strip(),
                    optional(properties, "launchdarkly.events-host"),
                    optional(properties, "launchdarkly.events-base-url"));
            LOG.info("LaunchDarkly destination {}: events go to {}", destination,
                    destination.eventsUrl().replace(destination.clientSideId(), destination.maskedClientSideId()));
            return destination;
        }
        if (Boolean.parseBoolean(optional(properties, "launchdarkly.require-client-side-id"))) {
            throw new IllegalStateException("No LaunchDarkly client-side ID: set the environment variable"
                    + " LD_CLIENT_SIDE_ID (or launchdarkly.client-side-id). This profile does not fall back to the"
                    + " local stand-in.");
        }
        if (!Boolean.parseBoolean(optional(properties, "camel.server.enabled"))) {
            throw new IllegalStateException("No LaunchDarkly client-side ID, and camel.server.enabled is false: the"
                    + " embedded LaunchDarkly stand-in needs the HTTP server. Set LD_CLIENT_SIDE_ID, or enable the server.");
        }
        String base = "http://127.0.0.1:" + required(properties, "camel.server.port");
        LOG.warn("No LaunchDarkly client-side ID configured: events go to the embedded LaunchDarkly stand-in at {},"
                + " which records them to {}", base, optional(properties, "launchdarkly.stand-in.record-file"));
        return LaunchDarklyDestination.of(name, STAND_IN_CLIENT_SIDE_ID, null, base);
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
