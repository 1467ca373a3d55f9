package io.github.segmentld.ingest;

import java.io.Closeable;
import java.io.IOException;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A second pass over a JSON input, for the batch objects in it: the fields of a batch object that come after its
 * batch array (a client may write context and integrations last) must be known before its first event is read. The
 * lookahead reads them on a stream of its own, skipping the batch array token by token without building anything.
 * It only moves forward, opened at the first batch object, so each byte of the input is read at most twice.
 */
final class BatchObjectLookahead implements Closeable {

    private final FileContent content;
    private final boolean insideArray;
    private final ObjectMapper mapper;
    private JsonParser parser;
    /** The number of top-level values (items of the array, or documents) the parser has reached. */
    private long value;

    BatchObjectLookahead(FileContent content, boolean insideArray, ObjectMapper mapper) {
        this.content = content;
        this.insideArray = insideArray;
        this.mapper = mapper;
    }

    /**
     * The top-level fields after the first {@code "batch"} array of the batch object that is top-level value number
     * {@code number} (later than any asked before). When the input breaks off inside the batch array, nothing after
     * it can be read at all: there are no fields after it, and the first pass meets the same break.
     */
    ObjectNode fieldsAfterBatchArray(long number) throws IOException {
        moveTo(number);
        ObjectNode after = mapper.createObjectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            if (parser.nextToken() == JsonToken.START_ARRAY && "batch".equals(name)) {
                try {
                    parser.skipChildren();
                } catch (IOException brokenOffInTheBatchArray) {
                    return after;
                }
                return readRest(after);
            }
            parser.skipChildren();
        }
        return after;
    }

    private ObjectNode readRest(ObjectNode after) throws IOException {
        try {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                after.set(name, mapper.readTree(parser));
            }
            return after;
        } catch (IOException e) {
            JsonLocation at = parser.currentLocation();
            String message = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
            throw new UnreadableInputException("the fields after the batch array cannot be read (line " + at.getLineNr()
                    + ", column " + at.getColumnNr() + ", byte " + at.getByteOffset() + "): " + message, e);
        }
    }

    /** Moves the parser onto the first token of top-level value {@code number}. */
    private void moveTo(long number) throws IOException {
        if (parser == null) {
            parser = mapper.createParser(content.open());
            if (insideArray) {
                parser.nextToken();
            }
        }
        while (value < number) {
            if (value > 0) {
                parser.skipChildren();
            }
            parser.nextToken();
            value++;
        }
    }

    @Override
    public void close() throws IOException {
        if (parser != null) {
            parser.close();
        }
    }
}
