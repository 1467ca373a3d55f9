package io.github.segmentld.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.release.UpgradeFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch objects the work folder holds for the inbox (spool lines, dead letters) name their format version: the
 * unversioned ones of release 0.1.0 (from the committed fixture) are read, this release writes version 1, and an
 * input holding a newer version is refused before any of its chunks is handed out.
 */
class InboxFormatVersionsTest {

    private static final Path FIXTURE = UpgradeFixture.FOLDER;
    private static final String DEAD_LETTER = "024f3904-5d82-3a7f-9ea7-7e117550f170.json";

    @TempDir
    Path dir;

    private final SegmentFileReader reader = new SegmentFileReader(new ObjectMapper(), 500, 1024 * 1024,
            Duration.ofMinutes(1), new InputIdentities(legacyId -> false));

    private static Path fixtureSpoolSegment() throws IOException {
        try (var segments = Files.list(FIXTURE.resolve("spool"))) {
            return segments.filter(f -> f.getFileName().toString().startsWith("http-")).findFirst().orElseThrow();
        }
    }

    private File copy(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content).toFile();
    }

    /** The chunks handed out, and then whether the input was read to its end. */
    private List<EventChunk> chunksHandedOut(FileChunks chunks) throws IOException {
        List<EventChunk> handedOut = new ArrayList<>();
        try (chunks) {
            chunks.forEachRemaining(handedOut::add);
        }
        return handedOut;
    }

    private static List<String> users(List<EventChunk> chunks) {
        return chunks.stream().flatMap(c -> c.events().stream()).map(e -> e.json().path("userId").asText()).toList();
    }

    @Test
    void aSpoolLineIsWrittenWithItsFormatVersionFirst() {
        byte[] line = SpoolLines.line("web", List.of(new AcceptedEvents.Event("m1", "track", "u1",
                "{\"type\":\"track\",\"userId\":\"u1\"}".getBytes(StandardCharsets.UTF_8))));

        assertThat(new String(line, StandardCharsets.UTF_8))
                .isEqualTo("{\"formatVersion\":1,\"source\":\"web\",\"batch\":[{\"type\":\"track\",\"userId\":\"u1\"}]}\n");
    }

    @Test
    void theUnversionedSpoolSegmentAndDeadLetterOfRelease010AreRead() throws IOException {
        Path segment = fixtureSpoolSegment();
        FileChunks spooled = reader.read(Files.copy(segment, dir.resolve(segment.getFileName())).toFile());
        assertThat(users(chunksHandedOut(spooled))).containsExactly("h1", "h2", "h3");
        spooled.requireReadToTheEnd();

        FileChunks deadLetter = reader.read(Files.copy(FIXTURE.resolve("dead-letter").resolve(DEAD_LETTER),
                dir.resolve(DEAD_LETTER)).toFile());
        List<EventChunk> chunks = chunksHandedOut(deadLetter);
        assertThat(users(chunks)).containsExactly("u103", "u104");
        assertThat(chunks.get(0).events()).extracting(SegmentEvent::destination).containsOnly("sandbox");
        deadLetter.requireReadToTheEnd();
    }

    @Test
    void aSpoolSegmentWithALineOfANewerVersionIsRefusedWithNoChunkHandedOut() throws IOException {
        String line = Files.readString(fixtureSpoolSegment()).strip();
        String current = "{\"formatVersion\":1," + line.substring(1);
        String newer = "{\"formatVersion\":2," + line.substring(1).replace("\"h", "\"n");
        File segment = copy("http-20261206T225430.658-0.ndjson", current + "\n" + newer + "\n");

        FileChunks chunks = reader.read(segment);

        // the first line's events share the chunk of the refused line: a newer release reads it whole
        assertThat(chunksHandedOut(chunks)).isEmpty();
        assertThatThrownBy(chunks::requireReadToTheEnd).isInstanceOf(NewerFormatException.class)
                .hasMessage("the batch object at line 2 was written by a newer release: spool line format version 2,"
                        + " this release reads up to version 1; the input is left unread from the chunk holding it on"
                        + " (all of it, when that is the first), for that release to read");
        assertThat(Files.readString(segment.toPath())).isEqualTo(current + "\n" + newer + "\n");
    }

    @Test
    void aDeadLetterOfANewerVersionIsRefusedOnOneLineAndStreamed() throws IOException {
        String letter = Files.readString(FIXTURE.resolve("dead-letter").resolve(DEAD_LETTER));
        File oneLine = copy("one-line.json", "{\"formatVersion\":3," + letter.substring(1));
        // over several lines, with the version after the batch array: read as a stream, the version read ahead
        File streamed = copy("streamed.json", letter.substring(0, letter.length() - 1).replace(",\"batch\":[",
                ",\n\"batch\":[\n") + ",\n\"formatVersion\":3}\n");

        for (File file : List.of(oneLine, streamed)) {
            FileChunks chunks = reader.read(file);
            assertThat(chunksHandedOut(chunks)).isEmpty();
            assertThatThrownBy(chunks::requireReadToTheEnd).isInstanceOf(NewerFormatException.class)
                    .hasMessageContaining("written by a newer release: dead letter format version 3, this release"
                            + " reads up to version 1");
        }
    }
}
