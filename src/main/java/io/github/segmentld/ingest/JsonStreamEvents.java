package io.github.segmentld.ingest;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.model.BatchEnvelope;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.model.RejectedRecords;

/**
 * JSON that is not line-delimited, read one value at a time: either the items of a top-level array, or documents one
 * after the other (a single event, a batch object). The batch array of a batch object is streamed item by item too,
 * so an array or a batch of any size fits in a small heap; the batch object's other top-level fields (context,
 * integrations) are merged into each of its events wherever they stand in the object, those after the batch array
 * read ahead by a {@link BatchObjectLookahead}. A value that is not an object is rejected and reported; a syntax error
 * ends the input, since a JSON parser cannot find its way back into broken JSON.
 */
final class JsonStreamEvents implements EventSource {

    private static final String BATCH = "batch";

    private final JsonParser parser;
    private final boolean insideArray;
    private final BatchObjectLookahead lookahead;
    private final ObjectMapper mapper;
    private final InputSource source;
    private final RejectedRecords rejected;
    private final Deque<SegmentEvent> pending = new ArrayDeque<>();
    /** The number of the top-level value being read: an item of the array, or a document. */
    private long value;
    /** The batch object whose batch array is being read, or null. */
    private OpenBatch batch;
    private boolean end;

    /**
     * @param insideArray true when the parser stands on the START_ARRAY of a top-level array, false to read root-level
     *                    documents
     * @param content     the same content again, for the lookahead of batch objects
     */
    JsonStreamEvents(JsonParser parser, boolean insideArray, FileContent content, ObjectMapper mapper,
                     InputSource source, RejectedRecords rejected) {
        this.parser = parser;
        this.insideArray = insideArray;
        this.lookahead = new BatchObjectLookahead(content, insideArray, mapper);
        this.mapper = mapper;
        this.source = source;
        this.rejected = rejected;
    }

    @Override
    public SegmentEvent next() throws IOException {
        if (!pending.isEmpty()) {
            return pending.poll();
        }
        if (batch != null) {
            readBatchItem();
            return pending.poll();
        }
        // counted before its first token is looked for, so that a break there is reported in it
        value++;
        JsonToken token = parser.nextToken();
        if (token == null || (insideArray && token == JsonToken.END_ARRAY)) {
            end = true;
            return null;
        }
        if (token == JsonToken.START_OBJECT) {
            readObject();
        } else {
            BatchEnvelope.expand(mapper.readTree(parser), value, pending, source, rejected);
        }
        return pending.poll();
    }

    @Override
    public boolean atEnd() {
        return end;
    }

    /** Reads an object field by field up to its end, or up to its batch array, whose items are then read one by one. */
    private void readObject() throws IOException {
        ObjectNode fields = mapper.createObjectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            if (parser.nextToken() == JsonToken.START_ARRAY && BATCH.equals(name)) {
                fields.setAll(lookahead.fieldsAfterBatchArray(value));
                NewerFormatException.refuseNewer(fields, source.positionUnit() + " " + value);
                batch = new OpenBatch(BatchEnvelope.of(fields), BatchEnvelope.destinationOf(fields));
                return;
            }
            fields.set(name, mapper.readTree(parser));
        }
        BatchEnvelope.expand(fields, value, pending, source, rejected);
    }

    private void readBatchItem() throws IOException {
        batch.item++;
        if (parser.nextToken() == JsonToken.END_ARRAY) {
            batch = null;
            // the batch object's fields after its batch array were read ahead
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                parser.nextToken();
                parser.skipChildren();
            }
            return;
        }
        batch.envelope.addItem(mapper.readTree(parser), batch.item, value, batch.destination, pending, source,
                rejected);
    }

    @Override
    public InputSource source() {
        return source;
    }

    @Override
    public String location() {
        JsonLocation at = parser.currentLocation();
        return source.positionUnit() + " " + value + (batch == null ? "" : ", batch item " + batch.item)
                + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ", byte " + at.getByteOffset() + ")";
    }

    @Override
    public void close() throws IOException {
        try (lookahead) {
            parser.close();
        }
    }

    /** A batch object being read: its shared part, and the number of the batch item being read. */
    private static final class OpenBatch {

        final BatchEnvelope envelope;
        final String destination;
        long item;

        OpenBatch(BatchEnvelope envelope, String destination) {
            this.envelope = envelope;
            this.destination = destination;
        }
    }
}
