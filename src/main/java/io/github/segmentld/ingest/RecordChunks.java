package io.github.segmentld.ingest;

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
import io.github.segmentld.model.BatchEnvelope;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.RejectedRecords;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.SegmentEvent;

/**
 * Reads the records of a broker (the values of Kafka records, the bodies of JMS messages) into chunks of Segment
 * events, as the pipeline takes them: at most {@code pipeline.chunk-size} events each, so that memory is bounded by the
 * chunks in flight and one record, whatever the records hold.
 * <p>
 * A record holds one event, a JSON array of events, or a Segment batch object (its context and integrations merged
 * into its events), optionally gzipped. A record that is none of these (a poison record) is rejected with its
 * position, and skipped. A batch object a newer release wrote (a dead letter it replayed, in a format version this
 * release does not read) is not rejected: reading fails, so that the record is read again, until an instance of that
 * release reads it.
 */
public final class RecordChunks {

    /**
     * One record of an input.
     *
     * @param position   where it is in its input (a Kafka offset, a message's number in its chunk)
     * @param id         what names it in a rejection's reason besides its position (a JMS message ID), or null
     * @param value      its bytes, possibly gzipped; null for none
     * @param unreadable why it cannot be read at all (a JMS message of a type without text or bytes), or null
     */
    public record Record(long position, String id, byte[] value, String unreadable) {

        public Record(long position, String id, byte[] value) {
            this(position, id, value, null);
        }
    }

    private final ObjectMapper mapper;
    private final int chunkSize;
    private final int maxRecordBytes;
    private final String noun;
    private final String limitSetting;

    /**
     * @param noun         what a record is called in a rejection's reason ("record", "message")
     * @param limitSetting the setting of {@code maxRecordBytes}, named in a rejection's reason
     */
    public RecordChunks(ObjectMapper mapper, int chunkSize, int maxRecordBytes, String noun, String limitSetting) {
        this.mapper = mapper;
        this.chunkSize = chunkSize;
        this.maxRecordBytes = maxRecordBytes;
        this.noun = noun;
        this.limitSetting = limitSetting;
    }

    /** The most events a chunk holds: {@code pipeline.chunk-size}. */
    public int chunkSize() {
        return chunkSize;
    }

    /**
     * The chunks of events the records hold, read a record at a time as the pipeline takes them: at most chunkSize
     * events each, so that a record holding a large array or batch object makes several chunks (numbered from 0
     * within the input, the same on every re-read) rather than one without bound. A record that holds no event is
     * rejected, with the chunk it falls in.
     */
    public Iterator<EventChunk> read(InputSource source, List<Record> records) {
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

    private void readRecord(Record record, InputSource source, Deque<SegmentEvent> events, List<Rejection> rejections) {
        String named = record.id() == null ? "" : source.positionUnit() + " " + record.id() + ": ";
        RejectedRecords rejected = (input, position, reason, raw)
                -> rejections.add(Rejection.unreadable(input, position, named + reason, raw));
        long position = record.position();
        if (record.unreadable() != null) {
            rejected.reject(source, position, record.unreadable(), "");
            return;
        }
        try {
            JsonNode value = mapper.readTree(content(record.value()));
            if (value == null) {
                rejected.reject(source, position, "an empty " + noun, "");
                return;
            }
            for (JsonNode item : value.isArray() ? value : List.of(value)) {
                if (item.path("batch").isArray()) {
                    NewerFormatException.refuseNewer(item, source.name() + " " + source.positionUnit() + " "
                            + position);
                }
                BatchEnvelope.expand(item, position, events, source, rejected);
            }
        } catch (NewerFormatException newer) {
            // not rejected, which would drop it: reading fails and the record is read again, until a newer release
            // reads it
            throw new UncheckedIOException(newer);
        } catch (JacksonException invalid) {
            rejected.reject(source, position, "invalid JSON: " + invalid.getOriginalMessage(), excerpt(record));
        } catch (IOException unreadable) {
            rejected.reject(source, position, unreadable.getMessage(), excerpt(record));
        }
    }

    /** The record's value, decompressed when it is gzipped, at most maxRecordBytes. */
    private byte[] content(byte[] value) throws IOException {
        if (value == null) {
            return new byte[0];
        }
        if (value.length < 2 || (value[0] & 0xff) != 0x1f || (value[1] & 0xff) != 0x8b) {
            if (value.length > maxRecordBytes) {
                throw new IOException("the " + noun + " is larger than " + limitSetting + " (" + maxRecordBytes + ")");
            }
            return value;
        }
        byte[] content;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(value))) {
            content = in.readNBytes(maxRecordBytes + 1);
        } catch (IOException broken) {
            throw new IOException("a broken gzip " + noun + ": " + broken.getMessage(), broken);
        }
        if (content.length > maxRecordBytes) {
            throw new IOException("the " + noun + " decompresses to more than " + limitSetting + " (" + maxRecordBytes
                    + ")");
        }
        return content;
    }

    private static String excerpt(Record record) {
        byte[] value = record.value();
        return value == null ? "" : BatchEnvelope.abbreviate(new String(Arrays.copyOf(value,
                Math.min(value.length, BatchEnvelope.RAW_EXCERPT_CHARS)), StandardCharsets.UTF_8));
    }
}
