package io.github.segmentld.kafka;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.ingest.NewerFormatException;
import io.github.segmentld.model.BatchEnvelope;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.RejectedRecords;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.SegmentEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the records of a chunk a Kafka partition was cut into ({@link PartitionPlan} cuts them, at bounds that survive
 * a crash and a rebalance) into chunks of Segment events, as the pipeline takes them: at most
 * {@code pipeline.chunk-size} events each, so that memory is bounded by the chunks in flight and one record
 * ({@code kafka.max-record-bytes}), whatever the records hold.
 * <p>
 * A record holds one event, a JSON array of events, or a Segment batch object, optionally gzipped. A record that is
 * none of these (a poison record) is rejected with its topic, partition and offset, and skipped: never read again. A
 * batch object a newer release wrote (a dead letter it replayed, in a format version this release does not read) is
 * not rejected: its chunk fails and is read again, until an instance of that release reads it.
 */
public class KafkaChunks {

    private final ObjectMapper mapper;
    private final int chunkSize;
    private final int maxRecordBytes;

    public KafkaChunks(ObjectMapper mapper, int chunkSize, int maxRecordBytes) {
        this.mapper = mapper;
        this.chunkSize = chunkSize;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** Records (at most) per chunk a partition is cut into: {@code pipeline.chunk-size}, as events per chunk. */
    public int chunkSize() {
        return chunkSize;
    }

    /**
     * A chunk's records, not read yet: each is read into its chunk of events ({@link #read}) only when the pipeline
     * takes it, so that what a poll holds in memory is its records, not all of their events at once.
     */
    public record Cut(TopicPartition partition, long start, long end, List<ConsumerRecord<byte[], byte[]>> records) {
    }

    /**
     * The chunks of events a cut's records hold, read a record at a time as the pipeline takes them: at most
     * chunkSize events each, so that a record holding a large array or batch object makes several chunks (numbered
     * from 0 within the cut, the same on every re-read) rather than one without bound. A record that holds no event is
     * rejected, with the chunk it falls in.
     */
    public Iterator<EventChunk> read(Cut cut) {
        TopicPartition partition = cut.partition();
        List<ConsumerRecord<byte[], byte[]>> records = cut.records();
        long receivedAt = records.isEmpty() ? 0 : records.get(0).timestamp();
        InputSource source = new InputSource("kafka " + partition + " offsets " + cut.start() + "-" + cut.end(),
                "kafka|" + partition.topic() + "|" + partition.partition() + "|" + cut.start() + "-" + cut.end(),
                "offset", receivedAt);
        return new Iterator<>() {
            private final Deque<SegmentEvent> pending = new ArrayDeque<>();
            private final List<Rejection> rejections = new ArrayList<>();
            private int nextRecord;
            private int index;
            private boolean done;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public EventChunk next() {
                if (done) {
                    throw new NoSuchElementException();
                }
                while (pending.size() < chunkSize && nextRecord < records.size()) {
                    readRecord(records.get(nextRecord++), source, pending, rejections);
                }
                List<SegmentEvent> events = new ArrayList<>(Math.min(chunkSize, pending.size()));
                while (events.size() < chunkSize && !pending.isEmpty()) {
                    events.add(pending.poll());
                }
                EventChunk chunk = new EventChunk(source, index++, events, rejections);
                rejections.clear();
                done = pending.isEmpty() && nextRecord == records.size();
                return chunk;
            }
        };
    }

    private void readRecord(ConsumerRecord<byte[], byte[]> record, InputSource source, Deque<SegmentEvent> events,
                            List<Rejection> rejections) {
        RejectedRecords rejected = (input, position, reason, raw)
                -> rejections.add(Rejection.unreadable(input, position, reason, raw));
        long offset = record.offset();
        try {
            JsonNode value = mapper.readTree(content(record.value()));
            if (value == null) {
                rejected.reject(source, offset, "an empty record", "");
                return;
            }
            for (JsonNode item : value.isArray() ? value : List.of(value)) {
                if (item.path("batch").isArray()) {
                    NewerFormatException.refuseNewer(item, source.name() + " offset " + offset);
                }
                BatchEnvelope.expand(item, offset, events, source, rejected);
            }
        } catch (NewerFormatException newer) {
            // not rejected, which would drop it: the poll fails and is read again, until a newer release reads it
            throw new UncheckedIOException(newer);
        } catch (JacksonException invalid) {
            rejected.reject(source, offset, "invalid JSON: " + invalid.getOriginalMessage(), excerpt(record));
        } catch (IOException unreadable) {
            rejected.reject(source, offset, unreadable.getMessage(), excerpt(record));
        }
    }

    /** The record's value, decompressed when it is gzipped, at most maxRecordBytes. */
    private byte[] content(byte[] value) throws IOException {
        if (value == null) {
            return new byte[0];
        }
        if (value.length < 2 || (value[0] & 0xff) != 0x1f || (value[1] & 0xff) != 0x8b) {
            if (value.length > maxRecordBytes) {
                throw new IOException("the record is larger than kafka.max-record-bytes (" + maxRecordBytes + ")");
            }
            return value;
        }
        byte[] content;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(value))) {
            content = in.readNBytes(maxRecordBytes + 1);
        } catch (IOException broken) {
            throw new IOException("a broken gzip record: " + broken.getMessage(), broken);
        }
        if (content.length > maxRecordBytes) {
            throw new IOException("the record decompresses to more than kafka.max-record-bytes (" + maxRecordBytes
                    + ")");
        }
        return content;
    }

    private static String excerpt(ConsumerRecord<byte[], byte[]> record) {
        byte[] value = record.value();
        return value == null ? "" : BatchEnvelope.abbreviate(new String(Arrays.copyOf(value,
                Math.min(value.length, BatchEnvelope.RAW_EXCERPT_CHARS)), StandardCharsets.UTF_8));
    }
}
