package io.github.segmentld.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.ingest.NewerFormatException;
import io.github.segmentld.kafka.KafkaChunks.Cut;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.SegmentEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The chunks of a partition, on a mock consumer: polls pipelined (the next poll's chunks handed out while the earlier
 * ones settle), commits in offset order with the plan of every chunk in flight, and bounds that a crash, a rebalance
 * or polls of other sizes do not move; and what a chunk's records are read into.
 */
class KafkaChunksTest {

    private static final String TOPIC = "segment-events";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final String PLAN = "segment-launchdarkly chunks ending at ";

    private final KafkaChunks chunks = new KafkaChunks(new ObjectMapper(), 4, 1024);
    private MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
    /** The chunks handed to the pipeline and not settled yet, by partition and offsets ("0:4-7"). */
    private final Map<String, Consumer<Throwable>> inFlight = new LinkedHashMap<>();
    private final List<String> handed = new ArrayList<>();

    private static String id(Cut cut) {
        return cut.partition().partition() + ":" + cut.start() + "-" + cut.end();
    }

    /** A loop (an instance's consumer) that owns P0 and P1, with at most {@code concurrency} chunks in flight. */
    private KafkaChunkLoop loop(int concurrency) {
        return loop(concurrency, Map.of());
    }

    /** A loop that is given P0 and P1 with these offsets committed (by an instance before). */
    private KafkaChunkLoop loop(int concurrency, Map<TopicPartition, OffsetAndMetadata> committed) {
        KafkaChunkLoop loop = new KafkaChunkLoop(consumer, List.of(TOPIC), chunks.chunkSize(), concurrency, 0, 0,
                (cut, settled) -> {
                    handed.add(id(cut));
                    inFlight.put(id(cut), settled);
                });
        loop.subscribe();
        // (the mock forgets what was committed when subscribed to)
        consumer.commitSync(committed);
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.rebalance(List.of(P0, P1));
        return loop;
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition partition, long offset, byte[] value) {
        return new ConsumerRecord<>(TOPIC, partition.partition(), offset, 1_700_000_000_000L + offset,
                TimestampType.CREATE_TIME, 0, value.length, null, value, new org.apache.kafka.common.header.internals
                .RecordHeaders(), java.util.Optional.empty());
    }

    private static byte[] event(TopicPartition partition, long offset) {
        return ("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u-" + partition.partition() + "-" + offset
                + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** The broker has records {@code from} to {@code to} of a partition for the next poll. */
    private void arrive(TopicPartition partition, long from, long to) {
        for (long offset = from; offset <= to; offset++) {
            consumer.addRecord(record(partition, offset, event(partition, offset)));
        }
    }

    private void settle(String chunk) {
        inFlight.remove(chunk).accept(null);
    }

    private OffsetAndMetadata committed(TopicPartition partition) {
        return consumer.committed(Set.of(partition)).get(partition);
    }

    private static Cut cut(List<ConsumerRecord<byte[], byte[]>> records) {
        return new Cut(P0, records.get(0).offset(), records.get(records.size() - 1).offset(), records);
    }

    @Test
    void theNextPollsChunksAreHandedOutWhileTheEarlierOnesSettleAndCommitsGoInOffsetOrder() {
        KafkaChunkLoop loop = loop(4);
        arrive(P0, 0, 7);
        loop.step();
        assertThat(handed).containsExactly("0:0-3", "0:4-7");
        assertThat(committed(P0)).as("the plan, committed before the chunks are handed out")
                .isEqualTo(new OffsetAndMetadata(0, PLAN + "3,7"));

        arrive(P0, 8, 10);
        arrive(P1, 0, 1);
        loop.step();
        assertThat(handed).as("the next poll's chunks, while the first ones are in flight")
                .containsExactly("0:0-3", "0:4-7", "0:8-10", "1:0-1");
        assertThat(committed(P0)).as("the plan lists the ends of every chunk in flight")
                .isEqualTo(new OffsetAndMetadata(0, PLAN + "3,7,10"));

        settle("0:4-7");
        loop.step();
        assertThat(committed(P0)).as("a chunk settled before the chunks ahead of it waits for them")
                .isEqualTo(new OffsetAndMetadata(0, PLAN + "3,7,10"));
        settle("0:0-3");
        loop.step();
        assertThat(committed(P0)).isEqualTo(new OffsetAndMetadata(8, PLAN + "10"));
        settle("0:8-10");
        settle("1:0-1");
        loop.step();
        assertThat(committed(P0)).isEqualTo(new OffsetAndMetadata(11, ""));
        assertThat(committed(P1)).isEqualTo(new OffsetAndMetadata(2, ""));
    }

    @Test
    void atTheBoundThePartitionsArePausedAndPolledUntilAChunkSettles() {
        KafkaChunkLoop loop = loop(2);
        arrive(P0, 0, 11);
        loop.step();
        assertThat(handed).containsExactly("0:0-3", "0:4-7");
        assertThat(committed(P0).metadata()).as("planned, waiting to be handed out").isEqualTo(PLAN + "3,7,11");
        arrive(P0, 12, 15);
        loop.step();
        assertThat(consumer.paused()).containsExactlyInAnyOrder(P0, P1);
        assertThat(handed).hasSize(2);

        settle("0:0-3");
        loop.step();
        assertThat(handed).containsExactly("0:0-3", "0:4-7", "0:8-11");
        loop.step();
        assertThat(handed).as("paused again: two in flight").hasSize(3);
        settle("0:4-7");
        loop.step();
        assertThat(handed).containsExactly("0:0-3", "0:4-7", "0:8-11", "0:12-15");
    }

    @Test
    void aPartitionReadAgainAfterACrashMidPipelineIsCutAtTheSameOffsetsWhateverThePollsHold() {
        KafkaChunkLoop first = loop(4);
        arrive(P0, 0, 9);
        first.step();
        arrive(P0, 10, 13);
        first.step();
        settle("0:4-7");
        settle("0:0-3");
        first.step();
        assertThat(committed(P0)).isEqualTo(new OffsetAndMetadata(8, PLAN + "9,13"));

        // kill -9 with 8-9 and 10-13 in flight: the next owner reads from the committed offset, in polls of other sizes
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(P0, P1));
        consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
        handed.clear();
        inFlight.clear();
        KafkaChunkLoop next = loop(4, committed);
        arrive(P0, 8, 12);
        next.step();
        assertThat(handed).as("a poll that stops inside a planned chunk leaves it whole").containsExactly("0:8-9");
        arrive(P0, 13, 13);
        next.step();
        arrive(P0, 14, 18);
        next.step();
        assertThat(handed).containsExactly("0:8-9", "0:10-13", "0:14-17", "0:18-18");
        assertThat(committed(P0)).isEqualTo(new OffsetAndMetadata(8, PLAN + "9,13,17,18"));
    }

    @Test
    void aPollOfOtherSizesIsCutWhereThePlanSaysAndThenEveryChunkSize() {
        KafkaChunkLoop loop = loop(8);
        arrive(P0, 0, 2);
        loop.step();
        arrive(P0, 3, 12);
        loop.step();
        arrive(P0, 13, 13);
        loop.step();
        assertThat(handed).containsExactly("0:0-2", "0:3-6", "0:7-10", "0:11-12", "0:13-13");
        assertThat(committed(P0)).isEqualTo(new OffsetAndMetadata(0, PLAN + "2,6,10,12,13"));
    }

    @Test
    void aPlanHoldsNoMoreChunksThanTheBrokerTakesInAnOffsetsMetadataWhileItsFirstChunkTakesLong() {
        // offsets of 19 digits: the longest ends a plan can list
        long base = 1_000_000_000_000_000_000L;
        KafkaChunkLoop loop = loop(4, Map.of(P0, new OffsetAndMetadata(base)));
        arrive(P0, base, base + 3);
        loop.step();
        String first = "0:" + base + "-" + (base + 3);
        for (long from = base + 4; from < base + 4 * PartitionPlan.MAX_PLANNED; from += 4) {
            arrive(P0, from, from + 3);
            loop.step();
            settle(handed.get(handed.size() - 1));
        }
        long rest = base + 4 * PartitionPlan.MAX_PLANNED;
        arrive(P0, rest, rest + 3);
        loop.step();
        loop.step();
        assertThat(handed).as("no chunk cut past the plan's limit").hasSize(PartitionPlan.MAX_PLANNED);
        OffsetAndMetadata plan = committed(P0);
        assertThat(plan.offset()).isEqualTo(base);
        assertThat(plan.metadata().split(",")).hasSize(PartitionPlan.MAX_PLANNED);
        assertThat(plan.metadata().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
        assertThat(consumer.paused()).contains(P0);
        assertThat(consumer.position(P0)).as("the records not cut, read again later").isEqualTo(rest);

        settle(first);
        loop.step();
        assertThat(consumer.paused()).doesNotContain(P0);
        assertThat(handed.get(handed.size() - 1)).isEqualTo("0:" + rest + "-" + (rest + 3));
        assertThat(committed(P0)).isEqualTo(new OffsetAndMetadata(rest, PLAN + (rest + 3)));
    }

    @Test
    void aChunkThatCannotBeSettledHasItsPartitionReadAgainFromItsFirstUnsettledChunk() {
        KafkaChunkLoop loop = loop(4);
        arrive(P0, 0, 11);
        arrive(P1, 0, 1);
        loop.step();
        settle("0:0-3");
        inFlight.remove("0:4-7").accept(new IllegalStateException("the state database fails"));
        settle("1:0-1");
        loop.step();
        assertThat(consumer.position(P0)).as("waits for its chunks in flight").isEqualTo(12);
        settle("0:8-11");
        loop.step();
        assertThat(committed(P0)).isEqualTo(new OffsetAndMetadata(4, PLAN + "7,11"));
        assertThat(committed(P1)).isEqualTo(new OffsetAndMetadata(2, ""));

        arrive(P0, 4, 13);
        loop.step();
        assertThat(handed).as("read again from offset 4, cut at the same offsets (the ledger skips 8-11)")
                .containsExactly("0:0-3", "0:4-7", "0:8-11", "1:0-1", "0:4-7", "0:8-11", "0:12-13");
    }

    @Test
    void aPartitionTakenAwayCommitsWhatSettledAndItsNextOwnerReadsTheRest() {
        KafkaChunkLoop loop = loop(4);
        arrive(P0, 0, 11);
        loop.step();
        settle("0:0-3");
        settle("0:8-11");
        consumer.rebalance(List.of(P1));
        settle("0:4-7");
        arrive(P1, 0, 3);
        loop.step();
        assertThat(handed).containsExactly("0:0-3", "0:4-7", "0:8-11", "1:0-3");

        // given back (the mock tells what is committed only for a partition assigned)
        consumer.rebalance(List.of(P0, P1));
        assertThat(committed(P0)).as("what settled in offset order when it was taken away, the rest planned")
                .isEqualTo(new OffsetAndMetadata(4, PLAN + "7,11"));
        assertThat(consumer.position(P0)).isEqualTo(4);
    }

    @Test
    void aPartitionAssignedIsReadFromItsCommittedOffsetWithTheChunksItsPlanGives() {
        KafkaChunkLoop loop = loop(4, Map.of(P0, new OffsetAndMetadata(10, PLAN + "12")));
        assertThat(consumer.position(P0)).isEqualTo(10);
        arrive(P0, 10, 16);
        loop.step();
        assertThat(handed).containsExactly("0:10-12", "0:13-16");
    }

    @Test
    void arraysBatchObjectsAndGzipAreReadAndAPoisonRecordIsRejectedWithItsOffset() throws IOException {
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
            out.write("{\"batch\":[{\"type\":\"track\",\"event\":\"G\",\"userId\":\"g\"}],\"context\":{\"ip\":\"1.2.3.4\"}}"
                    .getBytes(StandardCharsets.UTF_8));
        }
        Cut cut = cut(List.of(
                record(P0, 0, "[{\"type\":\"identify\",\"userId\":\"a\"},{\"type\":\"alias\",\"userId\":\"b\"}]"
                        .getBytes(StandardCharsets.UTF_8)),
                record(P0, 1, "not json at all".getBytes(StandardCharsets.UTF_8)),
                record(P0, 2, gzipped.toByteArray()),
                record(P0, 3, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3})));
        EventChunk chunk = chunks.read(cut).next();
        assertThat(chunk.events()).extracting(SegmentEvent::position).containsExactly(0L, 0L, 2L);
        assertThat(chunk.events().get(2).json().get("context").get("ip").asText()).isEqualTo("1.2.3.4");
        assertThat(chunk.rejections()).extracting(Rejection::position).containsExactly(1L, 3L);
        assertThat(chunk.source().name()).isEqualTo("kafka segment-events-0 offsets 0-3");
        assertThat(chunk.rejections().get(0).reason()).startsWith("invalid JSON");
        assertThat(chunk.rejections().get(1).reason()).startsWith("a broken gzip record");
    }

    @Test
    void aDeadLetterOfANewerReleaseIsNotRejectedButFailsThePollToBeReadAgain() {
        Cut cut = cut(List.of(
                record(P0, 0, ("{\"formatVersion\":1,\"deadLetter\":{\"destination\":\"default\"},\"batch\":[{\"type\":"
                        + "\"track\",\"event\":\"E\",\"userId\":\"v1\"}]}").getBytes(StandardCharsets.UTF_8)),
                record(P0, 1, ("{\"formatVersion\":2,\"deadLetter\":{\"destination\":\"default\"},\"batch\":[{\"type\":"
                        + "\"track\",\"event\":\"E\",\"userId\":\"v2\"}]}").getBytes(StandardCharsets.UTF_8))));

        assertThatThrownBy(() -> chunks.read(cut).next())
                .isInstanceOf(UncheckedIOException.class).cause().isInstanceOf(NewerFormatException.class)
                .hasMessageStartingWith("the batch object at kafka segment-events-0 offsets 0-1 offset 1 was written by a"
                        + " newer release: dead letter format version 2, this release reads up to version 1");
    }

    @Test
    void aRecordOfMoreEventsThanAChunkHoldsIsReadAsSeveralChunksNumberedTheSameOnEveryRead() {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < 9; i++) {
            array.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"big-").append(i)
                    .append("\"}");
        }
        List<ConsumerRecord<byte[], byte[]>> records = List.of(record(P0, 0, array.append("]").toString().getBytes(StandardCharsets.UTF_8)),
                record(P0, 1, "[]".getBytes(StandardCharsets.UTF_8)),
                record(P0, 2, "{\"type\":\"track\",".getBytes(StandardCharsets.UTF_8)),
                record(P0, 3, "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"last\"}"
                        .getBytes(StandardCharsets.UTF_8)));
        Cut cut = cut(records);

        List<EventChunk> read = new ArrayList<>();
        chunks.read(cut).forEachRemaining(read::add);
        assertThat(read).extracting(chunk -> chunk.events().size()).containsExactly(4, 4, 2);
        assertThat(read).extracting(EventChunk::getKey).containsExactly("kafka|segment-events|0|0-3#0",
                "kafka|segment-events|0|0-3#1", "kafka|segment-events|0|0-3#2");
        assertThat(read.get(2).events()).extracting(event -> event.json().get("userId").asText())
                .containsExactly("big-8", "last");
        assertThat(read.get(2).rejections()).extracting(Rejection::position).containsExactly(2L);
        assertThat(read.get(0).rejections()).isEmpty();

        List<String> again = new ArrayList<>();
        chunks.read(cut).forEachRemaining(chunk -> again.add(chunk.getKey() + " "
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
        EventChunk chunk = chunks.read(cut(List.of(record(P0, 0, gzipped.toByteArray()))))
                .next();
        assertThat(chunk.events()).isEmpty();
        assertThat(chunk.rejections().get(0).reason())
                .isEqualTo("the record decompresses to more than kafka.max-record-bytes (1024)");
    }
}
