package io.github.segmentld.kafka;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.ingest.RecordChunks;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the records of a chunk a Kafka partition was cut into ({@link PartitionPlan} cuts them, at bounds that survive
 * a crash and a rebalance) into chunks of Segment events, as the pipeline takes them ({@link RecordChunks}: at most
 * {@code pipeline.chunk-size} events each, memory bounded by the chunks in flight and one record,
 * {@code kafka.max-record-bytes}). A poison record is rejected with its topic, partition and offset, and skipped: never
 * read again.
 */
public class KafkaChunks {

    private final RecordChunks records;

    public KafkaChunks(ObjectMapper mapper, int chunkSize, int maxRecordBytes) {
        this.records = new RecordChunks(mapper, chunkSize, maxRecordBytes, "record", "kafka.max-record-bytes");
    }

    /** Records (at most) per chunk a partition is cut into: {@code pipeline.chunk-size}, as events per chunk. */
    public int chunkSize() {
        return records.chunkSize();
    }

    /**
     * A chunk's records, not read yet: each is read into its chunk of events ({@link #read}) only when the pipeline
     * takes it, so that what a poll holds in memory is its records, not all of their events at once.
     */
    public record Cut(TopicPartition partition, long start, long end, List<ConsumerRecord<byte[], byte[]>> records) {
    }

    /**
     * The chunks of events a cut's records hold, numbered from 0 within the cut (the same on every re-read), as
     * {@link RecordChunks#read} reads them.
     */
    public Iterator<EventChunk> read(Cut cut) {
        TopicPartition partition = cut.partition();
        List<ConsumerRecord<byte[], byte[]>> polled = cut.records();
        long receivedAt = polled.isEmpty() ? 0 : polled.get(0).timestamp();
        InputSource source = new InputSource("kafka " + partition + " offsets " + cut.start() + "-" + cut.end(),
                "kafka|" + partition.topic() + "|" + partition.partition() + "|" + cut.start() + "-" + cut.end(),
                "offset", receivedAt);
        List<RecordChunks.Record> values = new ArrayList<>(polled.size());
        polled.forEach(record -> values.add(new RecordChunks.Record(record.offset(), null, record.value())));
        return records.read(source, values);
    }
}
