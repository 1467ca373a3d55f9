package io.github.segmentld.ingest;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON that is not line-delimited, read one value at a time: either the items of a top-level array (streamed, so an
 * array of any size fits in a small heap), or pretty-printed documents one after the other (a single event or a batch
 * object; each document is read whole). A value that is not an object is skipped and reported; a syntax error ends
 * the input, since a JSON parser cannot find its way back into broken JSON.
 */
final class JsonStreamEvents implements EventSource {

    private final JsonParser parser;
    private final boolean insideArray;
    private final ObjectMapper mapper;
    private final InputSource source;
    private final SkippedRecords skipped;
    private final Deque<SegmentEvent> pending = new ArrayDeque<>();
    private long item;

    /**
     * @param insideArray true when the parser stands on the START_ARRAY of a top-level array, false to read root-level
     *                    documents
     */
    JsonStreamEvents(JsonParser parser, boolean insideArray, ObjectMapper mapper, InputSource source, SkippedRecords skipped) {
        this.parser = parser;
        this.insideArray = insideArray;
        this.mapper = mapper;
        this.source = source;
        this.skipped = skipped;
    }

    @Override
    public SegmentEvent next() throws IOException {
        while (pending.isEmpty()) {
            JsonToken token = parser.nextToken();
            if (token == null || (insideArray && token == JsonToken.END_ARRAY)) {
                return null;
            }
            item++;
            JsonNode node = mapper.readTree(parser);
            BatchEnvelope.expand(node, item, pending, source, skipped);
        }
        return pending.poll();
    }

    @Override
    public InputSource source() {
        return source;
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
