package io.github.segmentld.launchdarkly;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * A local stand-in for LaunchDarkly's bulk events API, served by the application itself when no client-side ID is
 * configured: it reads plain and gzipped requests, records each batch it receives as one line of its record file
 * ({@code {"receivedAt", "clientSideId", "payloadId", "events"}}) and logs a one-line summary. Like LaunchDarkly, it
 * ignores a payload ID it has accepted lately ({@link RecentPayloadIds}).
 */
public class LaunchDarklyStandIn {

    private static final Logger LOG = LoggerFactory.getLogger(LaunchDarklyStandIn.class);

    private final boolean enabled;
    private final Path recordFile;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final RecentPayloadIds accepted;

    /**
     * @param enabled whether the stand-in route is started (when no client-side ID is configured)
     * @param remembered how many payload IDs, and for how long, a batch posted again is recognised by
     * @param nanoTime the monotonic clock the IDs' ages are measured on
     */
    public LaunchDarklyStandIn(boolean enabled, Path recordFile, ObjectMapper mapper, Clock clock, int remembered,
                               Duration retention, LongSupplier nanoTime) {
        this.enabled = enabled;
        this.recordFile = recordFile;
        this.mapper = mapper;
        this.clock = clock;
        this.accepted = new RecentPayloadIds(remembered, retention, nanoTime);
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** @param contentEncoding {@code gzip} for a gzipped body (as the deliveries post by default), else none */
    public void receive(@Body byte[] body, @Header("Content-Encoding") String contentEncoding,
                        @Header("X-LaunchDarkly-Payload-ID") String payloadId,
                        @Header("clientSideId") String clientSideId) throws IOException {
        JsonNode events = mapper.readTree(GZIPHelper.uncompressGzip(contentEncoding, new ByteArrayInputStream(body)));
        if (payloadId != null && !accepted.accept(payloadId)) {
            LOG.info("LaunchDarkly stand-in: payload {} was already accepted; ignored, as LaunchDarkly does", payloadId);
            return;
        }
        Map<String, Integer> kinds = new TreeMap<>();
        events.forEach(event -> kinds.merge(event.path("kind").asText("?"), 1, Integer::sum));
        ObjectNode record = mapper.createObjectNode();
        record.put("receivedAt", clock.instant().toString());
        record.put("clientSideId", clientSideId);
        record.put("payloadId", payloadId);
        record.set("events", events);
        synchronized (this) {
            Files.createDirectories(recordFile.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(recordFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.write(mapper.writeValueAsBytes(record));
                out.write('\n');
            }
        }
        LOG.info("LaunchDarkly stand-in received payload {} for {}: {} events {} -> {}", payloadId, clientSideId,
                events.size(), kinds, recordFile);
    }
}
