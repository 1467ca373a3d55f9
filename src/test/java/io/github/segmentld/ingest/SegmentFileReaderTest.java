package io.github.segmentld.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentFileReaderTest {

    @TempDir
    Path dir;

    private final List<String> skipped = new ArrayList<>();
    private SegmentFileReader reader = readerWith(500, 1024 * 1024);

    private SegmentFileReader readerWith(int chunkSize, int maxLineBytes) {
        return new SegmentFileReader(new ObjectMapper(), chunkSize, maxLineBytes, Duration.ofMinutes(1));
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
        Iterator<EventChunk> it = reader.read(file);
        it.forEachRemaining(chunks::add);
        // what the reader skipped travels with the chunk it was read into
        chunks.forEach(chunk -> chunk.rejections().forEach(r -> skipped.add(r.source().name() + " "
                + r.source().positionUnit() + " " + r.position() + ": " + r.reason())));
        return chunks;
    }

    private List<String> messageIds(File file) throws IOException {
        return chunks(file).stream().flatMap(c -> c.events().stream())
                .map(e -> e.json().path("messageId").asText()).toList();
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
        byte[] body = ("[" + event(1) + "]").getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(bom, bom.length + body.length);
        System.arraycopy(body, 0, all, bom.length, body.length);

        assertThat(messageIds(Files.write(dir.resolve("bom.json"), all).toFile())).containsExactly("m1");
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
    void aTruncatedGzipFailsAfterTheEventsBeforeTheCut() throws IOException {
        reader = readerWith(100, 1024);
        StringBuilder content = new StringBuilder();
        for (int i = 1; i <= 50_000; i++) {
            content.append(event(i)).append('\n');
        }
        File whole = gzip("whole.gz", content.toString());
        byte[] bytes = Files.readAllBytes(whole.toPath());
        File cut = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(bytes, bytes.length / 2)).toFile();

        Iterator<EventChunk> chunks = reader.read(cut);
        int read = 0;
        try {
            while (chunks.hasNext()) {
                chunks.next();
                read++;
            }
        } catch (UncheckedIOException expected) {
            assertThat(expected.getCause()).isInstanceOf(UnreadableInputException.class)
                    .hasMessageStartingWith("unreadable after ");
        }
        assertThat(read).isBetween(1, 499);
    }

    @Test
    void aBrokenJsonArrayEndsTheFile() throws IOException {
        File file = file("broken.json", "[" + event(1) + ", {\"type\": }");

        Iterator<EventChunk> chunks = reader.read(file);

        assertThatThrownBy(chunks::hasNext).isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(UnreadableInputException.class);
    }
}
