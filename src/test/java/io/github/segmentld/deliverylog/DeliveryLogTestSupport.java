package io.github.segmentld.deliverylog;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.Json;
import io.github.segmentld.MutableClock;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.launchdarkly.FailureDescriptions;
import io.github.segmentld.launchdarkly.LaunchDarklyBatch;
import io.github.segmentld.mapping.LaunchDarklyEvent;
import io.github.segmentld.mapping.MappingMatcher;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.observe.PipelineMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;

/** A delivery log on a database a test class chooses, and what its tests hand it and ask it. */
abstract class DeliveryLogTestSupport {

    static final EventsEndpoint DESTINATION = EventsEndpoint.of("default", "client-id", null, "http://127.0.0.1:1");

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-01T10:00:00Z"));
    /** What the chunks of the tests are mapped by: the presets of one instance. */
    static final MappingMatcher PRESETS = new MappingMatcher(Actions.presets("default"),
            new PipelineMetrics(new SimpleMeterRegistry()));

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<DeliveryLog> started = new ArrayList<>();
    DeliveryLogDatabase database;
    DeliveryLogQueries queries;
    DeliveryOverview overview;
    DeliveryTimeline timeline;

    /** Where the log of a test is. */
    abstract DeliveryLogDatabase.Settings databaseSettings();

    @AfterEach
    void stop() {
        started.forEach(DeliveryLog::stop);
    }

    DeliveryLog start(boolean redact, long maxPendingBytes, long maxBytes) {
        database = new DeliveryLogDatabase(databaseSettings(), clock);
        Redaction redaction = new Redaction(redact);
        PipelineMetrics metrics = new PipelineMetrics(registry);
        DeliveryLog log = new DeliveryLog(new DeliveryLog.Settings(true, maxPendingBytes, Duration.ofDays(14),
                maxBytes), database, redaction,
                new FailureDescriptions(Duration.ofSeconds(1), Duration.ofSeconds(1)), metrics, clock);
        log.start();
        started.add(log);
        queries = new DeliveryLogQueries(database, redaction);
        overview = new DeliveryOverview(database, clock);
        timeline = new DeliveryTimeline(database, clock);
        return log;
    }

    static EventChunk chunk(String... events) {
        return chunkReadAt(System.currentTimeMillis(), events);
    }

    /** A chunk the service read at the time (epoch milliseconds). */
    static EventChunk chunkReadAt(long readAt, String... events) {
        List<SegmentEvent> read = new ArrayList<>();
        for (String event : events) {
            read.add(new SegmentEvent((ObjectNode) Json.parse(event), read.size() + 1));
        }
        return new EventChunk(new InputSource("events.ndjson", "events-id", "line", 0), 0, read, List.of(), readAt);
    }

    /** A batch of the chunk's events, each "converted" into a custom event carrying the user and the properties. */
    static LaunchDarklyBatch batch(String payloadId, EventChunk chunk) {
        List<LaunchDarklyEvent> events = new ArrayList<>();
        for (SegmentEvent event : chunk.events()) {
            ObjectNode custom = (ObjectNode) Json.parse("{\"kind\":\"custom\",\"key\":\"Test Event\"}");
            custom.putObject("contextKeys").put("user", event.json().path("userId").asText());
            custom.set("data", event.json().path("properties"));
            events.add(new LaunchDarklyEvent(custom, event, "Track Event"));
        }
        return new LaunchDarklyBatch(payloadId, DESTINATION, events);
    }

    /** Hands the log a batch as the post route does, with the JSON it is posted with. */
    static void post(DeliveryLog log, LaunchDarklyBatch batch, EventChunk chunk) {
        try {
            log.posting(Json.MAPPER.writeValueAsBytes(batch.payload()), batch, chunk);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String track(String messageId, String user) {
        return "{\"type\":\"track\",\"event\":\"Test Event\",\"messageId\":\"" + messageId + "\",\"userId\":\"" + user
                + "\",\"properties\":{\"email\":\"someone@example.com\"}}";
    }

    JsonNode events(String user) throws SQLException {
        return queries.search(null, user, null, null, null, null, null, null, "500", null).get("events");
    }

    JsonNode event(String messageId) throws SQLException {
        JsonNode found = queries.search(messageId, null, null, null, null, null, null, null, null, null).get("events");
        return found.isEmpty() ? null : found.get(0);
    }

    /** Each bucket as "at delivered retryPending deadLettered filtered". */
    static List<String> buckets(JsonNode answer) {
        List<String> buckets = new ArrayList<>();
        for (JsonNode bucket : answer.get("buckets")) {
            buckets.add(bucket.get("at").asText() + " " + bucket.get("delivered").asLong() + " "
                    + bucket.get("retryPending").asLong() + " " + bucket.get("deadLettered").asLong() + " "
                    + bucket.get("filtered").asLong());
        }
        return buckets;
    }
}
