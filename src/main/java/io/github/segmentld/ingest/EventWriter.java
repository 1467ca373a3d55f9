package io.github.segmentld.ingest;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes an accepted event back to JSON, and tells whether the JSON reads back as the event as parsed, so that the
 * spool may hold the event in memory: not when a number beyond a double's range (1e999) was written as the string
 * "Infinity" ("-Infinity", "NaN"). The writer notes such a number as it writes it, so no pass over the JSON looks
 * for one.
 */
final class EventWriter {

    /** The event's JSON, and whether it reads back as the event. */
    record Written(byte[] json, boolean readsBackAlike) {
    }

    private final ObjectMapper mapper;

    EventWriter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    Written write(ObjectNode event) {
        // as ObjectMapper.writeValueAsBytes does, its buffers given back for the next event
        BufferRecycler buffers = mapper.getFactory()._getBufferRecycler();
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(buffers)) {
            NonFiniteNumbers generator = new NonFiniteNumbers(mapper.createGenerator(bytes, JsonEncoding.UTF8));
            mapper.writeValue(generator, event);
            generator.close();
            Written written = new Written(bytes.toByteArray(), !generator.written);
            bytes.release();
            return written;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an event back to JSON", e);
        } finally {
            buffers.releaseToPool();
        }
    }

    /** Notes a number written that JSON has no number for. */
    private static final class NonFiniteNumbers extends JsonGeneratorDelegate {

        private boolean written;

        NonFiniteNumbers(JsonGenerator generator) {
            super(generator, false);
        }

        @Override
        public void writeNumber(double v) throws IOException {
            written |= !Double.isFinite(v);
            super.writeNumber(v);
        }

        @Override
        public void writeNumber(float v) throws IOException {
            written |= !Float.isFinite(v);
            super.writeNumber(v);
        }
    }
}
