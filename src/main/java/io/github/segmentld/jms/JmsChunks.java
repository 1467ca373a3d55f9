package io.github.segmentld.jms;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.ingest.RecordChunks;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.ObjectMessage;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;

/**
 * Reads the messages of a chunk of a queue ({@link JmsQueueSource} groups them, {@link JmsPlans} keeps the grouping)
 * into chunks of Segment events, as the Kafka source reads its records ({@link RecordChunks}): a message holds one
 * event, a JSON array of events or a Segment batch object, optionally gzipped, at most {@code jms.max-message-bytes}. A
 * message that is none of these (a poison message) is rejected with its message ID, and acknowledged with its chunk.
 */
public class JmsChunks {

    /**
     * One message of a chunk: its ID and its body, a String (a TextMessage), bytes (a BytesMessage), or null with
     * {@code unreadable} saying why (another type of message, or too large).
     */
    public record Body(String messageId, Object content, String unreadable) {

        /** The message's body, read on its session's thread; {@code id} is its message ID, or one made for it. */
        static Body of(Message message, String id, int maxMessageBytes) throws JMSException {
            if (message instanceof TextMessage text) {
                return new Body(id, text.getText(), null);
            }
            if (message instanceof BytesMessage bytes) {
                long length = bytes.getBodyLength();
                if (length > maxMessageBytes) {
                    return new Body(id, null, "the message is larger than jms.max-message-bytes (" + maxMessageBytes
                            + ")");
                }
                byte[] content = new byte[(int) length];
                bytes.readBytes(content);
                return new Body(id, content, null);
            }
            String type = message instanceof MapMessage ? "MapMessage" : message instanceof ObjectMessage
                    ? "ObjectMessage" : message instanceof StreamMessage ? "StreamMessage" : "Message without a body";
            return new Body(id, null, "a " + type + ": the source reads text and bytes messages");
        }
    }

    /**
     * A chunk of a queue's messages, not read yet.
     *
     * @param chunkId   identifies the chunk across redeliveries: its payload IDs are derived from it
     * @param plannedAt when it was first planned, the time given to events without a readable timestamp
     * @param planned   whether its plan is recorded already (a chunk regrouped from messages delivered again)
     */
    public record Cut(String queue, String chunkId, long plannedAt, List<Body> messages, boolean planned) {

        /**
         * A chunk of messages not planned yet, identified by its queue and its messages' IDs in order: the same
         * messages in the same order, the same chunk ID.
         */
        static Cut of(String queue, List<Body> messages, long now) {
            StringBuilder ids = new StringBuilder(queue);
            messages.forEach(message -> ids.append('\n').append(message.messageId()));
            return new Cut(queue, UUID.nameUUIDFromBytes(ids.toString().getBytes(StandardCharsets.UTF_8)).toString(),
                    now, messages, false);
        }

        public List<String> messageIds() {
            return messages.stream().map(Body::messageId).toList();
        }

        /** The chunk's plan, as {@link JmsPlans} records it. */
        JmsPlans.Plan plan() {
            return new JmsPlans.Plan(chunkId, messageIds(), plannedAt, false);
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
