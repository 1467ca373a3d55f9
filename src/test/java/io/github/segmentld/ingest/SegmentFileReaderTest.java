package io.github.segmentld.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.SegmentEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentFileReaderTest {

    @TempDir
    Path dir;

    private final List<String> skipped = new ArrayList<>();
    private SegmentFileReader reader = readerWith(500, 1024 * 1024);

    private SegmentFileReader readerWith(int chunkSize, int maxLineBytes) {
        return new SegmentFileReader(new ObjectMapper(), chunkSize, maxLineBytes, Duration.ofMinutes(1),
                new InputIdentities(legacyId -> false));
    }

    private File file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content).toFile();
    }

    private File gzip(String name, String content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return Files.write(dir.resolve(name), bytes.toByteArray()).toFile();
    }

    private List<EventChunk> chunks(File file) throws IOException {
        List<EventChunk> chunks = new ArrayList<>();
        FileChunks it = reader.read(file);
        it.forEachRemaining(chunks::add);
        it.requireReadToTheEnd();
        // what the reader skipped travels with the chunk it was read into
        chunks.forEach(chunk -> chunk.rejections().forEach(r -> skipped.add(r.source().name() + " "
                + r.source().positionUnit() + " " + r.position() + ": " + r.reason())));
        return chunks;
    }

    private List<String> messageIds(File file) throws IOException {
        return chunks(file).stream().flatMap(c -> c.events().stream())
                .map(e -> e.json().path("messageId").asText()).toList();
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static String event(int n) {
        return "{\"type\":\"track\",\"messageId\":\"m" + n + "\",\"userId\":\"u\",\"event\":\"E\"}";
    }

    @Test
    void readsNewlineDelimitedJsonWithLineNumbers() throws IOException {
        File file = file("events.ndjson", event(1) + "\n\n" + event(2) + "\r\n" + event(3));

        List<EventChunk> chunks = chunks(file);

        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).events()).extracting(SegmentEvent::position).containsExactly(1L, 3L, 4L);
        assertThat(chunks.get(0).source().positionUnit()).isEqualTo("line");
        assertThat(skipped).isEmpty();
    }

    @Test
    void skippedRecordsCloseAChunkAsEventsDoSoNoneHoldsMoreThanItsSize() throws IOException {
        reader = readerWith(100, 1024 * 1024);
        File file = file("garbage.ndjson", "not json\n".repeat(1_050) + event(1) + "\n");

        List<EventChunk> chunks = chunks(file);

        assertThat(chunks).extracting(chunk -> chunk.rejections().size()).containsExactly(100, 100, 100, 100, 100,
                100, 100, 100, 100, 100, 50);
        assertThat(chunks.get(10).events()).hasSize(1);
    }

    @Test
    void aBadLineIsReportedWithItsNumberAndTheRestIsRead() throws IOException {
        File file = file("events.jsonl", event(1) + "\n{\"type\": broken\n[1,2]\n" + event(4) + "\n");

        assertThat(messageIds(file)).containsExactly("m1", "m4");
        assertThat(skipped).hasSize(2);
        assertThat(skipped.get(0)).startsWith("events.jsonl line 2: invalid JSON: ");
        assertThat(skipped.get(1)).isEqualTo("events.jsonl line 3: not a JSON object");
    }

    @Test
    void twoObjectsOnOneLineAreABadLine() throws IOException {
        File file = file("events.ndjson", event(1) + event(2) + "\n" + event(3));

        assertThat(messageIds(file)).containsExactly("m3");
        assertThat(skipped).singleElement().asString().startsWith("events.ndjson line 1: invalid JSON");
    }

    @Test
    void anOverlongLineIsSkippedWithoutBufferingIt() throws IOException {
        reader = readerWith(500, 100);
        String longLine = "{\"type\":\"track\",\"pad\":\"" + "x".repeat(500) + "\"}";
        File file = file("events.ndjson", event(1) + "\n" + longLine + "\n" + event(3));

        assertThat(messageIds(file)).containsExactly("m1", "m3");
        assertThat(skipped).containsExactly("events.ndjson line 2: line is longer than the limit of 100 bytes");
    }

    @Test
    void readsASingleEventOnOneLine() throws IOException {
        assertThat(messageIds(file("event.json", event(7)))).containsExactly("m7");
    }

    @Test
    void readsAPrettyPrintedSingleEvent() throws IOException {
        File file = file("event.json", "{\n  \"type\": \"identify\",\n  \"messageId\": \"p1\",\n  \"userId\": \"u\"\n}\n");

        assertThat(messageIds(file)).containsExactly("p1");
        assertThat(chunks(file).get(0).source().positionUnit()).isEqualTo("document");
    }

    @Test
    void readsAJsonArrayItemByItem() throws IOException {
        File file = file("events.json", "[\n" + event(1) + ",\n 42,\n" + event(3) + "\n]");

        List<EventChunk> chunks = chunks(file);

        assertThat(chunks.get(0).events()).extracting(e -> e.json().get("messageId").asText()).containsExactly("m1", "m3");
        assertThat(chunks.get(0).events()).extracting(SegmentEvent::position).containsExactly(1L, 3L);
        assertThat(skipped).containsExactly("events.json item 2: not a JSON object");
    }

    @Test
    void aBatchObjectMergesItsContextAndIntegrationsIntoEachEvent() throws IOException {
        File file = file("batch.json", """
                {
                  "batch": [
                    {"type": "track", "messageId": "b1", "event": "E", "context": {"ip": "10.0.0.1"}},
                    {"type": "track", "messageId": "b2", "event": "E", "integrations": {"LaunchDarkly": false}}
                  ],
                  "context": {"ip": "0.0.0.0", "library": {"name": "analytics-java"}},
                  "integrations": {"All": false, "LaunchDarkly": true},
                  "sentAt": "2024-01-01T00:00:00Z"
                }
                """);

        List<SegmentEvent> events = chunks(file).get(0).events();

        assertThat(events).hasSize(2);
        assertThat(events.get(0).json().get("context").toString())
                .isEqualTo("{\"ip\":\"10.0.0.1\",\"library\":{\"name\":\"analytics-java\"}}");
        assertThat(events.get(0).json().get("integrations").toString()).isEqualTo("{\"All\":false,\"LaunchDarkly\":true}");
        assertThat(events.get(1).json().get("integrations").toString()).isEqualTo("{\"All\":false,\"LaunchDarkly\":false}");
    }

    @Test
    void aBatchObjectWhoseContextComesAfterItsBatchArrayIsMergedTheSame() throws IOException {
        String batchFirst = """
                {
                  "batch": [
                    {"type": "track", "messageId": "b1", "event": "E", "context": {"ip": "10.0.0.1"}},
                    {"type": "track", "messageId": "b2", "event": "E", "integrations": {"LaunchDarkly": false}}
                  ],
                  "context": {"ip": "0.0.0.0", "library": {"name": "analytics-java"}},
                  "integrations": {"All": false, "LaunchDarkly": true},
                  "sentAt": "2024-01-01T00:00:00Z"
                }
                """;

        for (File file : List.of(file("after.json", batchFirst), gzip("after.json.gz", batchFirst))) {
            List<SegmentEvent> events = chunks(file).get(0).events();

            assertThat(events).extracting(e -> e.json().toString()).containsExactly(
                    "{\"type\":\"track\",\"messageId\":\"b1\",\"event\":\"E\",\"context\":{\"ip\":\"10.0.0.1\","
                            + "\"library\":{\"name\":\"analytics-java\"}},\"integrations\":{\"All\":false,\"LaunchDarkly\":true}}",
                    "{\"type\":\"track\",\"messageId\":\"b2\",\"event\":\"E\",\"integrations\":{\"All\":false,"
                            + "\"LaunchDarkly\":false},\"context\":{\"ip\":\"0.0.0.0\",\"library\":{\"name\":\"analytics-java\"}}}");
            assertThat(events).extracting(SegmentEvent::position).containsExactly(1L, 1L);
        }
        assertThat(skipped).isEmpty();
    }

    @Test
    void aCompactBatchObjectLongerThanTheLineLimitIsReadAsADocument() throws IOException {
        reader = readerWith(500, 100);
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 1; i <= 2000; i++) {
            batch.append(i > 1 ? "," : "").append(event(i));
        }
        batch.append("],\"context\":{\"ip\":\"0.0.0.0\"}}");

        List<EventChunk> chunks = chunks(file("compact.json", batch.toString()));

        assertThat(chunks).extracting(c -> c.events().size()).containsExactly(500, 500, 500, 500);
        assertThat(chunks.get(3).events().get(499).json().toString())
                .isEqualTo("{\"type\":\"track\",\"messageId\":\"m2000\",\"userId\":\"u\",\"event\":\"E\","
                        + "\"context\":{\"ip\":\"0.0.0.0\"}}");
        assertThat(skipped).isEmpty();
    }

    @Test
    void batchObjectsOnNdjsonLinesAreExpanded() throws IOException {
        File file = file("batches.ndjson", "{\"batch\":[" + event(1) + "," + event(2) + "]}\n" + event(3));

        assertThat(messageIds(file)).containsExactly("m1", "m2", "m3");
    }

    @Test
    void readsGzippedNdjsonWhateverTheName() throws IOException {
        String content = event(1) + "\n" + event(2) + "\n";

        assertThat(messageIds(gzip("part-0001.gz", content))).containsExactly("m1", "m2");
        assertThat(messageIds(gzip("events.ndjson.gz", content))).containsExactly("m1", "m2");
    }

    @Test
    void readsAGzippedJsonArrayAndBatchObject() throws IOException {
        assertThat(messageIds(gzip("array.json.gz", "[" + event(1) + "," + event(2) + "]"))).containsExactly("m1", "m2");
        assertThat(messageIds(gzip("batch.json.gz", "{\n\"batch\": [" + event(3) + "]\n}"))).containsExactly("m3");
    }

    @Test
    void skipsAByteOrderMark() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] all = concat(bom, ("[" + event(1) + "]").getBytes(StandardCharsets.UTF_8));

        assertThat(messageIds(Files.write(dir.resolve("bom.json"), all).toFile())).containsExactly("m1");
        byte[] batch = ("{\n\"batch\": [" + event(2) + "],\n\"context\": {\"ip\": \"0.0.0.0\"}\n}")
                .getBytes(StandardCharsets.UTF_8);
        List<EventChunk> chunks = chunks(Files.write(dir.resolve("bom-batch.json"), concat(bom, batch)).toFile());
        assertThat(chunks.get(0).events()).singleElement()
                .extracting(e -> e.json().path("context").toString()).isEqualTo("{\"ip\":\"0.0.0.0\"}");
    }

    @Test
    void splitsIntoBoundedChunksNumberedFromZero() throws IOException {
        reader = readerWith(2, 1024);
        StringBuilder content = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            content.append(event(i)).append('\n');
        }

        List<EventChunk> chunks = chunks(file("five.ndjson", content.toString()));

        assertThat(chunks).extracting(EventChunk::index).containsExactly(0, 1, 2);
        assertThat(chunks).extracting(c -> c.events().size()).containsExactly(2, 2, 1);
    }

    @Test
    void theInputIdIsTheSameForTheSameFileAndChangesWithItsContent() throws IOException {
        File file = file("same.ndjson", event(1));
        String first = chunks(file).get(0).source().id();
        String again = chunks(file).get(0).source().id();
        Files.writeString(file.toPath(), event(1) + "\n" + event(2));

        assertThat(again).isEqualTo(first);
        assertThat(chunks(file).get(0).source().id()).isNotEqualTo(first);
    }

    @Test
    void anEmptyFileHasNoEvents() throws IOException {
        assertThat(chunks(file("empty.json", "  \n"))).isEmpty();
    }

    @Test
    void contentThatIsNotSegmentJsonIsUnreadable() throws IOException {
        File file = file("report.csv", "type,userId\ntrack,u1\n");

        assertThatThrownBy(() -> reader.read(file))
                .isInstanceOf(UnreadableInputException.class)
                .hasMessage("not Segment JSON: the content starts with 't', expected '{' or '['");
    }

    @Test
    void aGzipCutOffEndsItsChunksAtTheCutWithEveryEventBeforeIt() throws IOException {
        reader = readerWith(100, 1024);
        StringBuilder readable = new StringBuilder();
        for (int i = 1; i <= 250; i++) {
            readable.append(event(i)).append('\n');
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GZIPOutputStream gz = new GZIPOutputStream(bytes, true);
        gz.write(readable.toString().getBytes(StandardCharsets.UTF_8));
        // a sync flush: what is written so far can be decompressed without what follows, which is cut off
        gz.flush();
        File cut = Files.write(dir.resolve("cut.gz"), bytes.toByteArray()).toFile();

        FileChunks chunks = reader.read(cut);
        List<EventChunk> read = new ArrayList<>();
        chunks.forEachRemaining(read::add);

        assertThat(read).extracting(c -> c.events().size()).containsExactly(100, 100, 50);
        assertThatThrownBy(chunks::requireReadToTheEnd).isInstanceOf(UnreadableInputException.class)
                .hasMessage("broken off after 250 events, at line 251: Unexpected end of ZLIB input stream");
    }

    @Test
    void aBrokenJsonArrayEndsItsChunksAtTheBreak() throws IOException {
        File file = file("broken.json", "[" + event(1) + ",\n 7,\n" + event(3) + ",\n {\"type\": }]");

        FileChunks chunks = reader.read(file);
        List<EventChunk> read = new ArrayList<>();
        chunks.forEachRemaining(read::add);

        assertThat(read).singleElement().extracting(c -> c.events().size()).isEqualTo(2);
        assertThat(read.get(0).rejections()).extracting(Rejection::reason).containsExactly("not a JSON object");
        assertThatThrownBy(chunks::requireReadToTheEnd).isInstanceOf(UnreadableInputException.class)
                .hasMessageStartingWith("broken off after 2 events, at item 4 (line 4, column 12, byte ")
                .hasMessageContaining("Unexpected character ('}'");
    }

    @Test
    void aBatchObjectCutOffInItsBatchArrayDeliversTheItemsBeforeTheCut() throws IOException {
        File file = file("cut-batch.json", "{\"context\": {\"ip\": \"0.0.0.0\"},\n \"batch\": [\n" + event(1) + ",\n"
                + event(2) + ",\n {\"type\": \"tr");

        FileChunks chunks = reader.read(file);
        List<EventChunk> read = new ArrayList<>();
        chunks.forEachRemaining(read::add);

        assertThat(read).singleElement().extracting(c -> c.events().size()).isEqualTo(2);
        assertThat(read.get(0).events().get(1).json().path("context").toString()).isEqualTo("{\"ip\":\"0.0.0.0\"}");
        assertThatThrownBy(chunks::requireReadToTheEnd).isInstanceOf(UnreadableInputException.class)
                .hasMessageStartingWith("broken off after 2 events, at document 1, batch item 3 (line 5, ");
    }

    @Test
    void aBatchObjectWhoseFieldsAfterItsBatchArrayCannotBeReadDeliversNothing() throws IOException {
        File file = file("cut-context.json", "{\"batch\": [\n" + event(1) + "\n],\n \"context\": {\"ip\": ");

        FileChunks chunks = reader.read(file);

        assertThat(chunks.hasNext()).isFalse();
        assertThatThrownBy(chunks::requireReadToTheEnd).isInstanceOf(UnreadableInputException.class)
                .hasMessageStartingWith("broken off after 0 events, at document 1 (")
                .hasMessageEndingWith("the fields after the batch array cannot be read (line 4, column 20, byte 93):"
                        + " Unexpected end-of-input within/between Object entries");
    }

    @Test
    void aSymbolicLinkIsNotRead() throws IOException {
        Path target = Files.writeString(dir.resolve("elsewhere.ndjson"), event(1));
        File link = Files.createSymbolicLink(dir.resolve("link.ndjson"), target).toFile();

        assertThatThrownBy(() -> reader.read(link)).isInstanceOf(UnreadableInputException.class)
                .hasMessage("a symbolic link (to " + target + "), which is not followed: only files in the inbox"
                        + " itself are read");
    }
}
