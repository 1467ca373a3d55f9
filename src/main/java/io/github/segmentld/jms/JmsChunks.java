package io.github.segmentld.jms;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.ingest.RecordChunks;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;

/**
 * Reads the messages of a chunk of a queue ({@link JmsChunkLoop} groups them, {@link JmsPlans} keeps the grouping) into
 * chunks of Segment events, as the Kafka source reads its records ({@link RecordChunks}): a message holds one event, a
 * JSON array of events or a Segment batch object, optionally gzipped, at most {@code jms.max-message-bytes}. A message
 * that is none of these (a poison message) is rejected with its message ID, and acknowledged with its chunk.
 */
public class JmsChunks {

    /**
     * One message of a chunk: its ID and its body, a String (a TextMessage), bytes (a BytesMessage), or null with
     * {@code unreadable} saying why (another type of message).
     */
    public record Body(String messageId, Object content, String unreadable) {
    }

    /**
     * A chunk of a queue's messages, not read yet.
     *
     * @param chunkId   identifies the chunk across redeliveries: its payload IDs are derived from it
     * @param plannedAt when it was first planned, the time given to events without a readable timestamp
     * @param planned   whether its plan is recorded already (a chunk regrouped from messages delivered again)
     */
    public record Cut(String queue, String chunkId, long plannedAt, List<Body> messages, boolean planned) {

        public List<String> messageIds() {
            return messages.stream().map(Body::messageId).toList();
        }
    }

    private final RecordChunks records;

    public JmsChunks(ObjectMapper mapper, int chunkSize, int maxMessageBytes) {
        this.records = new RecordChunks(mapper, chunkSize, maxMessageBytes, "message", "jms.max-message-bytes");
    }

    /** Messages (at most) per chunk: {@code pipeline.chunk-size}, as events per chunk. */
    public int chunkSize() {
        return records.chunkSize();
    }

    /**
     * The chunks of events a cut's messages hold, numbered from 0 within the cut (the same on every redelivery), each
     * message's events and rejections at its position in the cut, from 1.
     */
    public Iterator<EventChunk> read(Cut cut) {
        InputSource source = new InputSource("jms queue " + cut.queue() + " chunk " + cut.chunkId() + " ("
                + cut.messages().size() + " messages)", "jms|" + cut.queue() + "|" + cut.chunkId(), "message",
                cut.plannedAt());
        List<RecordChunks.Record> values = new ArrayList<>(cut.messages().size());
        int position = 0;
        for (Body body : cut.messages()) {
            Object content = body.content();
            byte[] bytes = content instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : (byte[]) content;
            values.add(new RecordChunks.Record(++position, body.messageId(), bytes, body.unreadable()));
        }
        return records.read(source, values);
    }
}
