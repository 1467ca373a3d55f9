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
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
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
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the records of one Kafka poll into chunks of Segment events whose bounds survive a crash and a rebalance, so
 * that a chunk read again, by this instance or another, carries the same payload IDs and LaunchDarkly drops what it
 * already has. Before the chunks are processed, each partition's committed offset is set to where they start, with
 * their end offsets as the commit's metadata (the plan); once every chunk is settled, the offset after them is
 * committed. An instance that takes a partition over finds the plan with the committed offset and cuts the records it
 * reads again at the same offsets; records past the plan are cut every {@code pipeline.chunk-size}. A cut's records
 * are read as the pipeline takes them, into chunks of at most {@code pipeline.chunk-size} events, so that memory is
 * bounded by the chunks in flight and one record ({@code kafka.max-record-bytes}), whatever the records hold.
 * <p>
 * A record holds one event, a JSON array of events, or a Segment batch object, optionally gzipped. A record that is
 * none of these (a poison record) is rejected with its topic, partition and offset, and skipped: never read again. A
 * batch object a newer release wrote (a dead letter it replayed, in a format version this release does not read) is
 * not rejected: its poll fails and is read again, until an instance of that release reads it.
 */
public class KafkaChunks {

    /** The exchange property that holds the poll's plan while its chunks are processed. */
    public static final String ROUND = "kafkaRound";
    private static final String PLAN = "segment-launchdarkly chunks ending at ";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaChunks.class);

    private final ObjectMapper mapper;
    private final int chunkSize;
    private final int maxRecordBytes;

    public KafkaChunks(ObjectMapper mapper, int chunkSize, int maxRecordBytes) {
        this.mapper = mapper;
        this.chunkSize = chunkSize;
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * One poll's chunks and what to commit.
     *
     * @param started where each partition's chunks start, with their plan: committed before they are processed
     * @param settled where each partition goes on once they are settled (with what is left of a plan, if any)
     */
    public record Round(Consumer<?, ?> consumer, List<Cut> chunks, Map<TopicPartition, OffsetAndMetadata> started,
                       Map<TopicPartition, OffsetAndMetadata> settled) {
    }

    /**
     * A chunk's records, not read yet: each is read into its chunk of events ({@link #read}) only when the pipeline
     * takes it, so that what a poll holds in memory is its records, not all of their events at once.
     */
    public record Cut(TopicPartition partition, long start, long end, List<Exchange> records) {
    }

    /** Plans the poll's chunks and commits the plan; records a planned chunk still misses are read again next poll. */
    public Round plan(List<Exchange> records) {
        Consumer<?, ?> consumer = null;
        Map<TopicPartition, List<Exchange>> byPartition = new LinkedHashMap<>();
        for (Exchange record : records) {
            KafkaRecordHandles.Handle handle = handle(record);
            consumer = handle.consumer();
            byPartition.computeIfAbsent(handle.partition(), partition -> new ArrayList<>()).add(record);
        }
        if (consumer == null) {
            return new Round(null, List.of(), Map.of(), Map.of());
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(byPartition.keySet()));
        List<Cut> chunks = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> started = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> settled = new HashMap<>();
        for (Map.Entry<TopicPartition, List<Exchange>> entry : byPartition.entrySet()) {
            TopicPartition partition = entry.getKey();
            OffsetAndMetadata done = committed.get(partition);
            List<Exchange> read = entry.getValue();
            // Records below the committed offset are settled: after a rebalance a consumer may still read from where
            // it was before, behind the partition's owner in between, and its plan must not take the offset back.
            if (done != null && read.removeIf(record -> handle(record).offset() < done.offset()) && read.isEmpty()) {
                consumer.seek(partition, done.offset());
                continue;
            }
            cut(consumer, partition, read, done, chunks, started, settled);
        }
        try {
            consumer.commitSync(started);
        } catch (RebalanceInProgressException | CommitFailedException rebalancing) {
            // Not one chunk is processed without its plan: this poll is read again, by whoever owns it next.
            Set<TopicPartition> assigned = consumer.assignment();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> start : started.entrySet()) {
                if (assigned.contains(start.getKey())) {
                    consumer.seek(start.getKey(), start.getValue().offset());
                }
            }
            LOG.info("Kafka: the group rebalances; partitions {} are read again after it", started.keySet());
            return new Round(consumer, List.of(), Map.of(), Map.of());
        }
        return new Round(consumer, chunks, started, settled);
    }

    /**
     * Cuts one partition's records of the poll into chunks: at the ends its committed plan gives, then every
     * chunk-size records. Adds the chunks, and where the partition's chunks start (with the plan of them all) and
     * where it goes on after them.
     */
    private void cut(Consumer<?, ?> consumer, TopicPartition partition, List<Exchange> read, OffsetAndMetadata committed,
                     List<Cut> chunks, Map<TopicPartition, OffsetAndMetadata> started,
                     Map<TopicPartition, OffsetAndMetadata> settled) {
        read.sort((a, b) -> Long.compare(handle(a).offset(), handle(b).offset()));
        long first = handle(read.get(0)).offset();
        long last = handle(read.get(read.size() - 1)).offset();
        Deque<Long> planned = planOf(committed, first);
        List<Long> ends = new ArrayList<>();
        int taken = 0;
        long start = first;
        while (taken < read.size()) {
            long end;
            if (!planned.isEmpty()) {
                end = planned.peekFirst();
                if (end > last) {
                    // the poll stopped inside a planned chunk: it is read again, whole, by the next poll
                    consumer.seek(partition, start);
                    break;
                }
                planned.removeFirst();
            } else {
                end = handle(read.get(Math.min(read.size(), taken + chunkSize) - 1)).offset();
            }
            List<Exchange> part = new ArrayList<>();
            while (taken < read.size() && handle(read.get(taken)).offset() <= end) {
                part.add(read.get(taken++));
            }
            chunks.add(new Cut(partition, start, end, part));
            ends.add(end);
            start = end + 1;
        }
        List<Long> whole = new ArrayList<>(ends);
        whole.addAll(planned);
        started.put(partition, new OffsetAndMetadata(first, planText(whole)));
        settled.put(partition, new OffsetAndMetadata(start, planned.isEmpty() ? "" : planText(new ArrayList<>(planned))));
    }

    /** Every chunk of the round is settled: the partitions go on after them. */
    public void commit(@ExchangeProperty(ROUND) Round round) {
        if (round.consumer() == null || round.settled().isEmpty()) {
            return;
        }
        try {
            round.consumer().commitSync(round.settled());
        } catch (RebalanceInProgressException | CommitFailedException rebalancing) {
            // The chunks are settled; their partitions' next owner reads them again from the committed plan, with
            // the same payload IDs, which LaunchDarkly drops.
            LOG.info("Kafka: the group rebalances; the settled chunks of {} are read again by their next owner",
                    round.settled().keySet());
        }
    }

    /**
     * A chunk of the round could not be settled (its storage failed): each partition is read again from where the
     * round started, and the same chunks are planned (those settled before are skipped by the ledger).
     */
    public void rewind(@ExchangeProperty(ROUND) Round round) {
        if (round == null || round.consumer() == null) {
            return;
        }
        // a partition taken away by a rebalance meanwhile is read again by its new owner, from the committed plan
        Set<TopicPartition> assigned = round.consumer().assignment();
        round.started().forEach((partition, offset) -> {
            if (assigned.contains(partition)) {
                round.consumer().seek(partition, offset.offset());
            }
        });
        LOG.warn("Kafka: the chunks of partitions {} are read again from their start", round.started().keySet());
    }

    private Deque<Long> planOf(OffsetAndMetadata committed, long first) {
        Deque<Long> ends = new ArrayDeque<>();
        if (committed == null || committed.metadata() == null || !committed.metadata().startsWith(PLAN)) {
            return ends;
        }
        for (String end : committed.metadata().substring(PLAN.length()).split(",")) {
            long offset = Long.parseLong(end.strip());
            // chunks wholly before what is left of the partition (records deleted by retention) are gone
            if (offset >= first) {
                ends.add(offset);
            }
        }
        return ends;
    }

    private static String planText(List<Long> ends) {
        StringBuilder text = new StringBuilder(PLAN);
        for (int i = 0; i < ends.size(); i++) {
            text.append(i == 0 ? "" : ",").append(ends.get(i));
        }
        return text.toString();
    }

    /**
     * The chunks of events a cut's records hold, read a record at a time as the pipeline takes them: at most
     * chunkSize events each, so that a record holding a large array or batch object makes several chunks (numbered
     * from 0 within the cut, the same on every re-read) rather than one without bound. A record that holds no event is
     * rejected, with the chunk it falls in.
     */
    public Iterator<EventChunk> read(Cut cut) {
        TopicPartition partition = cut.partition();
        List<Exchange> records = cut.records();
        long receivedAt = records.isEmpty() ? 0
                : records.get(0).getMessage().getHeader(KafkaConstants.TIMESTAMP, 0L, Long.class);
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

    private void readRecord(Exchange record, InputSource source, Deque<SegmentEvent> events,
                            List<Rejection> rejections) {
        RejectedRecords rejected = (input, position, reason, raw)
                -> rejections.add(Rejection.unreadable(input, position, reason, raw));
        long offset = handle(record).offset();
        try {
            JsonNode value = mapper.readTree(content(record.getMessage().getBody(byte[].class)));
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

    private static String excerpt(Exchange record) {
        byte[] value = record.getMessage().getBody(byte[].class);
        return value == null ? "" : BatchEnvelope.abbreviate(new String(Arrays.copyOf(value,
                Math.min(value.length, BatchEnvelope.RAW_EXCERPT_CHARS)), StandardCharsets.UTF_8));
    }

    private static KafkaRecordHandles.Handle handle(Exchange record) {
        return record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaRecordHandles.Handle.class);
    }
}
