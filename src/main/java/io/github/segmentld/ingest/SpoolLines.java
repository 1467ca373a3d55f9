package io.github.segmentld.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.store.WorkFolderFormat;

/**
 * The format of a spool segment: one line per request, a Segment batch object that names its format version and the
 * sender ({@code {"formatVersion": 1, "source": "web", "batch": [...]}}, {@link WorkFolderFormat#SPOOL_LINE}), so that
 * the file route reads a segment like any dropped file. Segments are named {@code http-<UTC time>-<sequence>.ndjson},
 * which sorts them by age.
 */
final class SpoolLines {

    static final String SEGMENT_PREFIX = "http-";
    static final String SEGMENT_SUFFIX = ".ndjson";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] START = ("{\"" + WorkFolderFormat.FIELD + "\":" + WorkFolderFormat.SPOOL_LINE.version()
            + ",\"source\":").getBytes(StandardCharsets.UTF_8);
    private static final byte[] BATCH = ",\"batch\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] END = "]}\n".getBytes(StandardCharsets.UTF_8);

    private SpoolLines() {
    }

    /** The line of one request's events, ending with its newline; sized exactly, so written without a copy. */
    static byte[] line(String source, List<AcceptedEvents.Event> events) {
        byte[] sourceJson;
        try {
            sourceJson = MAPPER.writeValueAsBytes(source);
        } catch (IOException inMemory) {
            throw new UncheckedIOException(inMemory);
        }
        int length = START.length + sourceJson.length + BATCH.length + Math.max(0, events.size() - 1) + END.length;
        for (AcceptedEvents.Event event : events) {
            length += event.json().length;
        }
        byte[] line = new byte[length];
        int at = put(START, line, 0);
        at = put(sourceJson, line, at);
        at = put(BATCH, line, at);
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                line[at++] = ',';
            }
            at = put(events.get(i).json(), line, at);
        }
        put(END, line, at);
        return line;
    }

    private static int put(byte[] part, byte[] line, int at) {
        System.arraycopy(part, 0, line, at, part.length);
        return at + part.length;
    }

    /**
     * The messageIds in a segment, as keys of {@link RecentMessageIds}, in the order written; a line that cannot be
     * read (cut by a crash) is skipped.
     */
    static List<String> messageIdsIn(Path segment) throws IOException {
        List<String> keys = new ArrayList<>();
        try (BufferedReader lines = Files.newBufferedReader(segment, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode request;
                try {
                    request = MAPPER.readTree(line);
                } catch (IOException unreadable) {
                    continue;
                }
                String source = request.path("source").asText();
                for (JsonNode event : request.path("batch")) {
                    if (event.hasNonNull("messageId")) {
                        keys.add(RecentMessageIds.key(source, event.get("messageId").asText()));
                    }
                }
            }
        }
        return keys;
    }
}
