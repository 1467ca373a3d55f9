package io.github.segmentld.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.ingest.NewerFormatException;
import io.github.segmentld.kafka.KafkaChunks.Round;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.SegmentEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The chunks of a poll, on a mock consumer: bounds that a crash or a rebalance does not move. */
class KafkaChunksTest {

    private static final TopicPartition P0 = new TopicPartition("segment-events", 0);
    private static final TopicPartition P1 = new TopicPartition("segment-events", 1);

    private final CamelContext camel = new DefaultCamelContext();
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
    private final KafkaChunks chunks = new KafkaChunks(new ObjectMapper(), 4, 1024);

    @BeforeEach
    void assign() {
        consumer.assign(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    }

    private Exchange record(TopicPartition partition, long offset, byte[] value) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(value);
        exchange.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT,
                new KafkaRecordHandles.Handle(consumer, partition, offset));
        exchange.getMessage().setHeader(KafkaConstants.TIMESTAMP, 1_700_000_000_000L + offset);
        return exchange;
    }

    private List<Exchange> events(TopicPartition partition, long from, long to) {
        List<Exchange> records = new ArrayList<>();
        for (long offset = from; offset <= to; offset++) {
            records.add(record(partition, offset, ("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u-"
                    + partition.partition() + "-" + offset + "\"}").getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    private List<String> ids(Round round) {
        return round.chunks().stream().map(cut -> chunks.read(cut).next().source().id()).toList();
    }

    @Test
    void aPollIsCutIntoChunksWhosePlanIsCommittedBeforeAndTheirEndAfter() {
        List<Exchange> records = events(P0, 0, 9);
        records.addAll(events(P1, 0, 1));
        Round round = chunks.plan(records);
        assertThat(ids(round)).containsExactly("kafka|segment-events|0|0-3", "kafka|segment-events|0|4-7",
                "kafka|segment-events|0|8-9", "kafka|segment-events|1|0-1");
        assertThat(chunks.read(round.chunks().get(0)).next().events()).extracting(event -> event.json().get("userId").asText())
                .containsExactly("u-0-0", "u-0-1", "u-0-2", "u-0-3");
        assertThat(chunks.read(round.chunks().get(0)).next().source().receivedAt()).isEqualTo(1_700_000_000_000L);
        assertThat(consumer.committed(Set.of(P0)).get(P0))
                .isEqualTo(new OffsetAndMetadata(0, "segment-launchdarkly chunks ending at 3,7,9"));

        chunks.commit(round);
        assertThat(consumer.committed(Set.of(P0, P1))).containsEntry(P0, new OffsetAndMetadata(10, ""))
                .containsEntry(P1, new OffsetAndMetadata(2, ""));
    }

    @Test
    void aPartitionReadAgainAfterACrashIsCutAtTheSameOffsetsWhateverThePollHolds() {
        chunks.plan(events(P0, 0, 9));
        // crash: nothing settled; the next owner polls from offset 0, with more records behind
        Round again = chunks.plan(events(P0, 0, 13));
        assertThat(ids(again)).containsExactly("kafka|segment-events|0|0-3", "kafka|segment-events|0|4-7",
                "kafka|segment-events|0|8-9", "kafka|segment-events|0|10-13");
        assertThat(consumer.committed(Set.of(P0)).get(P0).metadata())
                .isEqualTo("segment-launchdarkly chunks ending at 3,7,9,13");
    }

    @Test
    void aPollThatStopsInsideAPlannedChunkLeavesItWholeForTheNext() {
        chunks.plan(events(P0, 0, 9));
        Round shorter = chunks.plan(events(P0, 0, 5));
        assertThat(ids(shorter)).containsExactly("kafka|segment-events|0|0-3");
        assertThat(consumer.position(P0)).as("read again from the planned chunk's start").isEqualTo(4);
        chunks.commit(shorter);
        assertThat(consumer.committed(Set.of(P0)).get(P0))
                .isEqualTo(new OffsetAndMetadata(4, "segment-launchdarkly chunks ending at 7,9"));
        Round next = chunks.plan(events(P0, 4, 11));
        assertThat(ids(next)).containsExactly("kafka|segment-events|0|4-7", "kafka|segment-events|0|8-9",
                "kafka|segment-events|0|10-11");
    }

    @Test
    void arraysBatchObjectsAndGzipAreReadAndAPoisonRecordIsRejectedWithItsOffset() throws IOException {
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
            out.write("{\"batch\":[{\"type\":\"track\",\"event\":\"G\",\"userId\":\"g\"}],\"context\":{\"ip\":\"1.2.3.4\"}}"
                    .getBytes(StandardCharsets.UTF_8));
        }
        Round round = chunks.plan(List.of(
                record(P0, 0, "[{\"type\":\"identify\",\"userId\":\"a\"},{\"type\":\"alias\",\"userId\":\"b\"}]"
                        .getBytes(StandardCharsets.UTF_8)),
                record(P0, 1, "not json at all".getBytes(StandardCharsets.UTF_8)),
                record(P0, 2, gzipped.toByteArray()),
                record(P0, 3, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3})));
        EventChunk chunk = chunks.read(round.chunks().get(0)).next();
        assertThat(chunk.events()).extracting(SegmentEvent::position).containsExactly(0L, 0L, 2L);
        assertThat(chunk.events().get(2).json().get("context").get("ip").asText()).isEqualTo("1.2.3.4");
        assertThat(chunk.rejections()).extracting(Rejection::position).containsExactly(1L, 3L);
        assertThat(chunk.source().name()).isEqualTo("kafka segment-events-0 offsets 0-3");
        assertThat(chunk.rejections().get(0).reason()).startsWith("invalid JSON");
        assertThat(chunk.rejections().get(1).reason()).startsWith("a broken gzip record");
    }

    @Test
    void aDeadLetterOfANewerReleaseIsNotRejectedButFailsThePollToBeReadAgain() {
        Round round = chunks.plan(List.of(
                record(P0, 0, ("{\"formatVersion\":1,\"deadLetter\":{\"destination\":\"default\"},\"batch\":[{\"type\":"
                        + "\"track\",\"event\":\"E\",\"userId\":\"v1\"}]}").getBytes(StandardCharsets.UTF_8)),
                record(P0, 1, ("{\"formatVersion\":2,\"deadLetter\":{\"destination\":\"default\"},\"batch\":[{\"type\":"
                        + "\"track\",\"event\":\"E\",\"userId\":\"v2\"}]}").getBytes(StandardCharsets.UTF_8))));

        assertThatThrownBy(() -> chunks.read(round.chunks().get(0)).next())
                .isInstanceOf(UncheckedIOException.class).cause().isInstanceOf(NewerFormatException.class)
                .hasMessageStartingWith("the batch object at kafka segment-events-0 offsets 0-1 offset 1 was written by a"
                        + " newer release: dead letter format version 2, this release reads up to version 1");
        assertThat(consumer.committed(Set.of(P0)).get(P0).offset()).as("nothing committed past it").isZero();
    }

    @Test
    void aRecordOfMoreEventsThanAChunkHoldsIsReadAsSeveralChunksNumberedTheSameOnEveryRead() {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < 9; i++) {
            array.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"big-").append(i)
                    .append("\"}");
        }
        List<Exchange> records = List.of(record(P0, 0, array.append("]").toString().getBytes(StandardCharsets.UTF_8)),
                record(P0, 1, "[]".getBytes(StandardCharsets.UTF_8)),
                record(P0, 2, "{\"type\":\"track\",".getBytes(StandardCharsets.UTF_8)),
                record(P0, 3, "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"last\"}"
                        .getBytes(StandardCharsets.UTF_8)));
        Round round = chunks.plan(records);
        assertThat(round.chunks()).hasSize(1);

        List<EventChunk> read = new ArrayList<>();
        chunks.read(round.chunks().get(0)).forEachRemaining(read::add);
        assertThat(read).extracting(chunk -> chunk.events().size()).containsExactly(4, 4, 2);
        assertThat(read).extracting(EventChunk::getKey).containsExactly("kafka|segment-events|0|0-3#0",
                "kafka|segment-events|0|0-3#1", "kafka|segment-events|0|0-3#2");
        assertThat(read.get(2).events()).extracting(event -> event.json().get("userId").asText())
                .containsExactly("big-8", "last");
        assertThat(read.get(2).rejections()).extracting(Rejection::position).containsExactly(2L);
        assertThat(read.get(0).rejections()).isEmpty();

        List<String> again = new ArrayList<>();
        chunks.read(round.chunks().get(0)).forEachRemaining(chunk -> again.add(chunk.getKey() + " "
                + chunk.events().get(0).json().get("userId").asText()));
        assertThat(again).containsExactly("kafka|segment-events|0|0-3#0 big-0", "kafka|segment-events|0|0-3#1 big-4",
                "kafka|segment-events|0|0-3#2 big-8");
    }

    @Test
    void aRecordLargerThanTheLimitOnceDecompressedIsRejected() throws IOException {
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
            out.write(("{\"type\":\"track\",\"event\":\"" + "x".repeat(5000) + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        EventChunk chunk = chunks.read(chunks.plan(List.of(record(P0, 0, gzipped.toByteArray()))).chunks().get(0))
                .next();
        assertThat(chunk.events()).isEmpty();
        assertThat(chunk.rejections().get(0).reason())
                .isEqualTo("the record decompresses to more than kafka.max-record-bytes (1024)");
    }

    @Test
    void recordsBelowTheCommittedOffsetAreSettledAndNeverTakeTheOffsetBack() {
        // another owner settled up to offset 10 while this consumer still read from offset 5
        consumer.commitSync(Map.of(P0, new OffsetAndMetadata(10, "")));
        Round behind = chunks.plan(events(P0, 5, 14));
        assertThat(ids(behind)).containsExactly("kafka|segment-events|0|10-13", "kafka|segment-events|0|14-14");
        assertThat(consumer.committed(Set.of(P0)).get(P0).offset()).isEqualTo(10);

        Round nothingNew = chunks.plan(events(P0, 2, 8));
        assertThat(nothingNew.chunks()).isEmpty();
        assertThat(consumer.position(P0)).as("read on from the committed offset").isEqualTo(10);
        assertThat(consumer.committed(Set.of(P0)).get(P0).offset()).isEqualTo(10);
    }
}
