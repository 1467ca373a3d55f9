package io.github.segmentld.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.github.segmentld.model.BatchEnvelope;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.model.RejectedRecords;

/**
 * Newline-delimited JSON: one event or one Segment batch object per line. A line that is not valid JSON, not an
 * object, or too long is rejected and reported; the rest of the input goes on.
 */
final class LineDelimitedEvents implements EventSource {

    private final InputStream in;
    private final int maxLineBytes;
    private final LineReader lines;
    private final ObjectReader json;
    private final InputSource source;
    private final RejectedRecords rejected;
    private final Deque<SegmentEvent> pending = new ArrayDeque<>();
    private boolean end;

    LineDelimitedEvents(InputStream in, ObjectMapper mapper, int maxLineBytes, InputSource source,
                        RejectedRecords rejected) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.lines = new LineReader(in, maxLineBytes);
        this.json = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.source = source;
        this.rejected = rejected;
    }

    @Override
    public SegmentEvent next() throws IOException {
        if (pending.isEmpty()) {
            if (!lines.next()) {
                end = true;
                return null;
            }
            readLine();
        }
        return pending.poll();
    }

    @Override
    public boolean atEnd() {
        return end;
    }

    private void readLine() throws IOException {
        long number = lines.lineNumber();
        if (lines.truncated()) {
            rejected.reject(source, number, "line is longer than the limit of " + maxLineBytes + " bytes", excerpt());
            return;
        }
        int length = lines.length();
        if (isBlank(lines.bytes(), length)) {
            return;
        }
        JsonNode node;
        try {
            node = json.readTree(lines.bytes(), 0, length);
        } catch (JacksonException invalid) {
            rejected.reject(source, number, "invalid JSON: " + invalid.getOriginalMessage(), excerpt());
            return;
        }
        if (node.path("batch").isArray()) {
            NewerFormatException.refuseNewer(node, "line " + number);
        }
        BatchEnvelope.expand(node, number, pending, source, rejected);
    }

    private String excerpt() {
        int length = Math.min(lines.length(), BatchEnvelope.RAW_EXCERPT_CHARS);
        return new String(lines.bytes(), 0, length, StandardCharsets.UTF_8);
    }

    private static boolean isBlank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (!Character.isWhitespace(bytes[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public InputSource source() {
        return source;
    }

    /** The line being read. */
    @Override
    public String location() {
        return "line " + (lines.lineNumber() + 1);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
