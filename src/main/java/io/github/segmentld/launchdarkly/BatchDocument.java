package io.github.segmentld.launchdarkly;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.mapping.LaunchDarklyEvent;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.store.WorkFolderFormat;

/**
 * A batch as a JSON document: {@code launchDarklyEvents} (what is posted), {@code batch} (the Segment events it was
 * made from, each once, so that the document is also a Segment batch object the inbox reads back), and in the retry
 * queues {@code sources} and {@code mappings} (for each LaunchDarkly event, the index of its Segment event and the
 * mapping that made it). Dead letters are such documents; the retry queues keep them deflated, with their format
 * version ({@link WorkFolderFormat#PARKED_BATCH}) first.
 */
public final class BatchDocument {

    static final String LAUNCHDARKLY_EVENTS = "launchDarklyEvents";
    static final String SEGMENT_EVENTS = "batch";
    private static final String SOURCES = "sources";
    private static final String MAPPINGS = "mappings";

    /** A document of a newer format version than this release reads: not damaged, but not this release's to send. */
    static final class NewerDocumentException extends IOException {

        NewerDocumentException(String message) {
            super(message);
        }
    }

    private BatchDocument() {
    }

    /** Adds the batch's events to {@code document}. */
    public static void write(LaunchDarklyBatch batch, ObjectNode document, boolean withSources) {
        ArrayNode sent = document.putArray(LAUNCHDARKLY_EVENTS);
        ArrayNode segmentEvents = document.putArray(SEGMENT_EVENTS);
        ArrayNode sources = withSources ? document.putArray(SOURCES) : null;
        ArrayNode mappings = withSources ? document.putArray(MAPPINGS) : null;
        Map<SegmentEvent, Integer> index = new IdentityHashMap<>();
        for (LaunchDarklyEvent event : batch.events()) {
            sent.add(event.json());
            Integer source = index.get(event.segmentEvent());
            if (source == null) {
                source = index.size();
                index.put(event.segmentEvent(), source);
                segmentEvents.add(event.segmentEvent().json());
            }
            if (sources != null) {
                sources.add(source);
                mappings.add(event.mapping());
            }
        }
    }

    /** The batch's events as a deflated document, for a retry queue. */
    static byte[] deflate(LaunchDarklyBatch batch, ObjectMapper mapper) {
        ObjectNode document = mapper.createObjectNode();
        document.put(WorkFolderFormat.FIELD, WorkFolderFormat.PARKED_BATCH.version());
        write(batch, document, true);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (OutputStream out = new DeflaterOutputStream(bytes, deflater)) {
            mapper.writeValue(out, document);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a batch document", e);
        } finally {
            deflater.end();
        }
        return bytes.toByteArray();
    }

    /**
     * The batch a deflated document holds.
     *
     * @throws NewerDocumentException when a newer release wrote it
     * @throws IOException            when the document is damaged
     */
    static LaunchDarklyBatch inflate(byte[] deflated, String payloadId, EventsEndpoint destination,
                                     LaunchDarklyBatch.Retry retry, ObjectMapper mapper) throws IOException {
        JsonNode document;
        try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(deflated))) {
            document = mapper.readTree(in);
        }
        String newer = document == null ? null : WorkFolderFormat.PARKED_BATCH.refusal(document);
        if (newer != null) {
            throw new NewerDocumentException(newer);
        }
        try {
            return batchOf(document, payloadId, destination, retry);
        } catch (RuntimeException malformed) {
            throw new IOException("not a batch document: " + malformed.getMessage(), malformed);
        }
    }

    private static LaunchDarklyBatch batchOf(JsonNode document, String payloadId, EventsEndpoint destination,
                                             LaunchDarklyBatch.Retry retry) {
        JsonNode sent = document.path(LAUNCHDARKLY_EVENTS);
        JsonNode segmentEvents = document.path(SEGMENT_EVENTS);
        JsonNode sources = document.path(SOURCES);
        JsonNode mappings = document.path(MAPPINGS);
        if (!sent.isArray() || !segmentEvents.isArray() || sources.size() != sent.size()) {
            throw new IllegalArgumentException("its arrays do not match");
        }
        List<SegmentEvent> origins = new ArrayList<>(segmentEvents.size());
        for (JsonNode event : segmentEvents) {
            origins.add(new SegmentEvent((ObjectNode) event, origins.size() + 1L, destination.name()));
        }
        List<LaunchDarklyEvent> events = new ArrayList<>(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            // documents parked before mappings were kept have none
            String mapping = mappings.path(i).isTextual() ? mappings.get(i).asText() : null;
            events.add(new LaunchDarklyEvent((ObjectNode) sent.get(i), origins.get(sources.get(i).asInt()), mapping));
        }
        return new LaunchDarklyBatch(payloadId, destination, events, retry);
    }
}
