package io.github.segmentld.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.TestInbox;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.observe.PipelineMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file route takes a spool segment's events from memory: the same chunks as a read of the segment from disk. */
class HeldSegmentsTest {

    private static final int CHUNK_SIZE = 4;

    @TempDir
    Path dir;

    private final SegmentRequestReader requests = new SegmentRequestReader(512_000, 32_768, 2500, 64, 32_768,
            Clock.systemUTC());

    private Spool spool(HeldSegments held) {
        return new Spool(new Spool.Settings(dir.resolve("spool"), dir.resolve("inbox"), dir.resolve("done"),
                Long.MAX_VALUE, 600_000, Long.MAX_VALUE, 0, 30, 1000, 1 << 20), held, refused -> { },
                new PipelineMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
    }

    private static SegmentFileReader reader(HeldSegments held) {
        return new SegmentFileReader(new ObjectMapper(), CHUNK_SIZE, 1 << 20, Duration.ofMinutes(1),
                new InputIdentities(legacyId -> false), held);
    }

    /** Posts the requests through the Tracking API's reader into the spool and stops it: one segment in the inbox. */
    private File spooled(HeldSegments held, String... bodies) throws Exception {
        Spool spool = spool(held);
        spool.start();
        for (String body : bodies) {
            TrackingApiRequest request = requests.read("/v1/batch", body.getBytes(StandardCharsets.UTF_8));
            spool.append(requests.acceptedEvents(request, "web"));
        }
        spool.stop();
        List<Path> segments = TestInbox.list(dir.resolve("inbox"));
        assertThat(segments).hasSize(1);
        return segments.get(0).toFile();
    }

    private static List<EventChunk> chunks(SegmentFileReader reader, File file) throws IOException {
        List<EventChunk> chunks = new ArrayList<>();
        try (FileChunks read = reader.read(file)) {
            read.forEachRemaining(chunks::add);
            read.requireReadToTheEnd();
        }
        return chunks;
    }

    private static void assertSameChunks(List<EventChunk> fromMemory, List<EventChunk> fromDisk) {
        assertThat(fromMemory).hasSameSizeAs(fromDisk);
        for (int i = 0; i < fromDisk.size(); i++) {
            EventChunk memory = fromMemory.get(i);
            EventChunk disk = fromDisk.get(i);
            assertThat(memory.source()).isEqualTo(disk.source());
            assertThat(memory.index()).isEqualTo(disk.index());
            assertThat(memory.getKey()).isEqualTo(disk.getKey());
            assertThat(memory.events()).isEqualTo(disk.events());
            assertThat(memory.rejections()).isEqualTo(disk.rejections());
        }
    }

    private static final String[] REQUESTS = {
        "{\"batch\":[{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u1\",\"messageId\":\"m1\","
            + "\"timestamp\":\"2024-05-01T12:00:00.123Z\",\"properties\":{\"revenue\":12.5,\"quantity\":3,"
            + "\"big\":123456789012345678901234567890,\"tiny\":1.0E-7,\"name\":\"caf\\u00e9 \\u2603 \\ud83d\\ude00\","
            + "\"nested\":{\"list\":[1,\"two\",null,true,{\"x\":[]}]}}},"
            + "{\"type\":\"identify\",\"anonymousId\":\"a1\",\"traits\":{\"email\":\"a@example.com\"}},"
            + "{\"type\":\"track\",\"userId\":\"u2\"},"
            + "{\"type\":\"page\",\"userId\":\"u3\",\"messageId\":\"m3\",\"sentAt\":\"2024-05-01T12:00:01Z\"}],"
            + "\"context\":{\"library\":{\"name\":\"analytics-java\"},\"ip\":\"203.0.113.9\"},"
            + "\"integrations\":{\"All\":true},\"sentAt\":\"2024-05-01T12:00:02.000Z\"}",
        "{\"batch\":[{\"type\":\"alias\",\"userId\":\"u4\",\"previousId\":\"a1\",\"messageId\":\"m4\"},"
            + "{\"type\":\"group\",\"userId\":\"u4\",\"groupId\":\"g1\",\"context\":{\"ip\":\"198.51.100.1\"}},"
            + "{\"type\":\"screen\",\"userId\":\"u5\",\"name\":\"Home\",\"timestamp\":1714564800000}],"
            + "\"context\":{\"locale\":\"en-US\"}}",
        "{\"batch\":[{\"type\":\"track\",\"event\":\"Signup\",\"userId\":\"u6\",\"messageId\":\"m1\"}]}",
    };

    @Test
    void theChunksTakenFromMemoryAreThoseReadFromTheSegmentFile() throws Exception {
        HeldSegments held = new HeldSegments(1 << 20);
        File segment = spooled(held, REQUESTS);

        List<EventChunk> fromMemory = chunks(reader(held), segment);
        List<EventChunk> fromDisk = chunks(reader(HeldSegments.NONE), segment);

        assertThat(fromDisk).hasSize(2); // 4 + 2: a chunk takes events of two lines
        assertThat(fromDisk.stream().mapToInt(c -> c.events().size()).sum()).as("a refusal and a duplicate left out").isEqualTo(6);
        assertSameChunks(fromMemory, fromDisk);
        assertThat(held.take(segment.toPath(), segment.length())).as("taken once: a read again is from disk").isNull();
    }

    @Test
    void aNumberBeyondADoublesRangeWrittenAsTextMakesTheSegmentReadFromDisk() throws Exception {
        HeldSegments held = new HeldSegments(1 << 20);
        File segment = spooled(held, REQUESTS[0], "{\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\","
                + "\"properties\":{\"huge\":1e999}}]}");

        assertThat(held.take(segment.toPath(), segment.length())).isNull();
        List<EventChunk> chunks = chunks(reader(held), segment);
        List<SegmentEvent> events = chunks.get(chunks.size() - 1).events();
        assertThat(events.get(events.size() - 1).json().path("properties").path("huge").textValue())
                .isEqualTo("Infinity");
    }

    @Test
    void aSegmentPastTheLimitIsReadFromDiskWithTheSameChunks() throws Exception {
        HeldSegments held = new HeldSegments(200);
        File segment = spooled(held, REQUESTS);

        assertThat(held.take(segment.toPath(), segment.length())).isNull();
        assertSameChunks(chunks(reader(held), segment), chunks(reader(HeldSegments.NONE), segment));
    }

    @Test
    void aSegmentChangedOnDiskSinceItWasRolledIsReadFromDisk() throws Exception {
        HeldSegments held = new HeldSegments(1 << 20);
        File segment = spooled(held, REQUESTS);
        Files.writeString(segment.toPath(), "{\"type\":\"track\",\"event\":\"Other\",\"userId\":\"u9\"}\n");

        List<EventChunk> chunks = chunks(reader(held), segment);

        assertThat(chunks).singleElement().satisfies(c -> assertThat(c.events()).singleElement()
                .satisfies(e -> assertThat(e.json().path("event").asText()).isEqualTo("Other")));
    }
}
