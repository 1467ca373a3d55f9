package io.github.segmentld.observe;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.ingest.InputSource;
import io.github.segmentld.ingest.SkippedRecords;
import io.github.segmentld.launchdarkly.TransformedEvents;
import io.github.segmentld.mapping.MappedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what cannot be delivered because of its content (never retried): unreadable records of an input, events
 * the HTTP source refused, and events that fail an action's validation, with Segment's error text. Records go to
 * {@code <dir>/rejected-<day>.ndjson}, one JSON object per line: {@code time}, {@code input}, {@code position},
 * {@code reason}, and either the {@code event} or the {@code raw} text. They are buffered, and flushed by the file
 * route before it commits the input they came from.
 */
public class RejectionRecorder implements SkippedRecords {

    private static final Logger LOG = LoggerFactory.getLogger(RejectionRecorder.class);
    private static final int LOGGED_IN_FULL = 100;
    private static final int LOG_EVERY = 1000;

    private final Path dir;
    private final ObjectMapper mapper;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final AtomicLong recorded = new AtomicLong();
    private LocalDate day;
    private OutputStream out;

    public RejectionRecorder(Path dir, ObjectMapper mapper, PipelineMetrics metrics, Clock clock) {
        this.dir = dir;
        this.mapper = mapper;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void skipped(InputSource source, long position, String reason, String raw) {
        writeRaw(source, position, reason, raw, "unreadable_record");
    }

    /**
     * Records an event the HTTP source refused (no user identity, a track without event, too large...); written out
     * at once, since no file commit follows.
     */
    public void refused(InputSource source, long position, String reason, String raw) {
        writeRaw(source, position, reason, raw, "refused_by_api");
        try {
            flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a rejection record to " + dir, e);
        }
    }

    /** Records the events an action's validation turned down. */
    public void invalid(TransformedEvents transformed) {
        for (TransformedEvents.Invalid invalid : transformed.invalid()) {
            MappedEvent mapped = invalid.event();
            ObjectNode record = record(mapped.chunk().source(), mapped.event().position(), invalid.reason());
            record.put("destination", mapped.mapping().destination());
            record.put("mapping", mapped.mapping().name());
            record.set("event", mapped.event().json());
            write(record, "validation");
            metrics.invalid(mapped.mapping().destination(), mapped.mapping().name());
        }
    }

    private void writeRaw(InputSource source, long position, String reason, String raw, String kind) {
        ObjectNode record = record(source, position, reason);
        record.put("raw", raw);
        write(record, kind);
    }

    private ObjectNode record(InputSource source, long position, String reason) {
        ObjectNode record = mapper.createObjectNode();
        record.put("time", Instant.now(clock).toString());
        record.put("input", source.name());
        record.put("position", source.positionUnit() + " " + position);
        record.put("reason", reason);
        return record;
    }

    private void write(JsonNode record, String kind) {
        metrics.rejected(kind);
        long n = recorded.incrementAndGet();
        if (n <= LOGGED_IN_FULL || n % LOG_EVERY == 0) {
            LOG.warn("Rejected {} of {}: {} ({} rejections so far, recorded in {})", record.get("position").asText(),
                    record.get("input").asText(), record.get("reason").asText(), n, dir);
        }
        try {
            byte[] line = mapper.writeValueAsBytes(record);
            synchronized (this) {
                OutputStream target = outputFor(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
                target.write(line);
                target.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a rejection record to " + dir, e);
        }
    }

    /** Writes the buffered records out; the file route calls it before it commits an input. */
    public synchronized void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    private OutputStream outputFor(LocalDate today) throws IOException {
        if (!today.equals(day)) {
            if (out != null) {
                out.close();
            }
            Files.createDirectories(dir);
            out = new BufferedOutputStream(Files.newOutputStream(dir.resolve("rejected-" + today + ".ndjson"),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND));
            day = today;
        }
        return out;
    }
}
