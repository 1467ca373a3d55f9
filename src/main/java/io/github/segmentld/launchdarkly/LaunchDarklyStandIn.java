package io.github.segmentld.launchdarkly;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.support.GZIPHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for LaunchDarkly's events API, served by the application itself when an instance has no client-side
 * ID or access token: its bulk endpoint ({@code /events/bulk/{client-side ID}}) and its metric import API
 * ({@code /v2/event-data-import/{project}/{environment}}). It reads plain and gzipped requests, records each batch it
 * accepts as one line of its record file ({@code {"receivedAt", "clientSideId" or "projectKey" and "environmentKey",
 * "payloadId", "events"}}) and logs a one-line summary. Like LaunchDarkly, it ignores a payload ID it has accepted lately
 * ({@link RecentPayloadIds}); on the import path it answers as LaunchDarkly documents: 401 without the expected access
 * token, 406 without {@code X-LaunchDarkly-Event-Schema: 4}, 400 for anything but an array of custom events.
 */
public class LaunchDarklyStandIn {

    private static final Logger LOG = LoggerFactory.getLogger(LaunchDarklyStandIn.class);

    /** The stand-in's answer on the import path: its status and JSON body (empty for 202). */
    public record Answer(int status, String body) {

        static Answer refused(int status, String message) {
            return new Answer(status, "{\"code\":\"" + (status == 401 ? "unauthorized" : "invalid_request")
                    + "\",\"message\":\"" + message + "\"}");
        }
    }

    private static final Answer ACCEPTED = new Answer(202, "");

    private final boolean enabled;
    private final Path recordFile;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final RecentPayloadIds accepted;
    private final byte[] accessToken;

    /**
     * @param enabled     whether the stand-in routes are started (when an instance has no credential)
     * @param remembered  how many payload IDs, and for how long, a batch posted again is recognised by
     * @param nanoTime    the monotonic clock the IDs' ages are measured on
     * @param accessToken the access token the import path expects
     */
    public LaunchDarklyStandIn(boolean enabled, Path recordFile, ObjectMapper mapper, Clock clock, int remembered,
                               Duration retention, LongSupplier nanoTime, String accessToken) {
        this.enabled = enabled;
        this.recordFile = recordFile;
        this.mapper = mapper;
        this.clock = clock;
        this.accepted = new RecentPayloadIds(remembered, retention, nanoTime);
        this.accessToken = accessToken.getBytes(StandardCharsets.UTF_8);
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** @param contentEncoding {@code gzip} for a gzipped body (as the deliveries post by default), else none */
    public void receive(@Body byte[] body, @Header("Content-Encoding") String contentEncoding,
                        @Header("X-LaunchDarkly-Payload-ID") String payloadId,
                        @Header("clientSideId") String clientSideId) throws IOException {
        JsonNode events = mapper.readTree(GZIPHelper.uncompressGzip(contentEncoding, new ByteArrayInputStream(body)));
        ObjectNode record = mapper.createObjectNode();
        record.put("clientSideId", clientSideId);
        record(record, payloadId, events, clientSideId);
    }

    /** A batch posted to the metric import API of a project's environment. */
    public Answer receiveImport(@Body byte[] body, @Header("Content-Encoding") String contentEncoding,
                                @Header("X-LaunchDarkly-Payload-ID") String payloadId,
                                @Header("Authorization") String authorization,
                                @Header("X-LaunchDarkly-Event-Schema") String schema,
                                @Header("projectKey") String projectKey,
                                @Header("environmentKey") String environmentKey) throws IOException {
        String where = "metric import " + projectKey + "/" + environmentKey;
        if (authorization == null
                || !MessageDigest.isEqual(accessToken, authorization.getBytes(StandardCharsets.UTF_8))) {
            LOG.warn("LaunchDarkly stand-in: a request to the {} without the expected access token; answered 401", where);
            return Answer.refused(401, "the access token is not valid, or lacks the importEventData action");
        }
        if (!"4".equals(schema)) {
            return Answer.refused(406, "X-LaunchDarkly-Event-Schema must be 4");
        }
        JsonNode events;
        try {
            events = mapper.readTree(GZIPHelper.uncompressGzip(contentEncoding, new ByteArrayInputStream(body)));
        } catch (IOException e) {
            return Answer.refused(400, "the body is not JSON");
        }
        if (events == null || !events.isArray()) {
            return Answer.refused(400, "the body must be a JSON array of custom events");
        }
        for (JsonNode event : events) {
            if (!"custom".equals(event.path("kind").asText())) {
                return Answer.refused(400, "every event must be of kind custom");
            }
        }
        ObjectNode record = mapper.createObjectNode();
        record.put("projectKey", projectKey);
        record.put("environmentKey", environmentKey);
        record(record, payloadId, events, where);
        return ACCEPTED;
    }

    /** @param record the start of the record: where the batch was posted */
    private void record(ObjectNode record, String payloadId, JsonNode events, String where) throws IOException {
        if (payloadId != null && !accepted.accept(payloadId)) {
            LOG.info("LaunchDarkly stand-in: payload {} was already accepted; ignored, as LaunchDarkly does", payloadId);
            return;
        }
        Map<String, Integer> kinds = new TreeMap<>();
        events.forEach(event -> kinds.merge(event.path("kind").asText("?"), 1, Integer::sum));
        ObjectNode line = mapper.createObjectNode();
        line.put("receivedAt", clock.instant().toString());
        line.setAll(record);
        line.put("payloadId", payloadId);
        line.set("events", events);
        synchronized (this) {
            Files.createDirectories(recordFile.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(recordFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.write(mapper.writeValueAsBytes(line));
                out.write('\n');
            }
        }
        LOG.info("LaunchDarkly stand-in received payload {} for {}: {} events {} -> {}", payloadId, where,
                events.size(), kinds, recordFile);
    }
}
