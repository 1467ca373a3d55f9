package io.github.segmentld.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.model.EventChunk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dropped file's identity, as the reader gives it to the file's chunks. */
class InputIdentitiesTest {

    private static final FileTime MODIFIED = FileTime.fromMillis(1_700_000_000_000L);

    @TempDir
    Path dir;

    private final List<String> legacyIdsAsked = new ArrayList<>();

    private static String lines(String lastUser) {
        return "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\"}\n"
                + "{\"type\":\"track\",\"userId\":\"" + lastUser + "\",\"event\":\"E\"}\n";
    }

    private File file(Path folder, String name, String content) throws IOException {
        Path file = Files.writeString(Files.createDirectories(folder).resolve(name), content);
        Files.setLastModifiedTime(file, MODIFIED);
        return file.toFile();
    }

    /** The chunk keys the reader gives the file, with {@code legacyIdsRecorded} as the ledger's legacy records. */
    private List<String> chunkKeys(File file, String... legacyIdsRecorded) throws IOException {
        SegmentFileReader reader = new SegmentFileReader(new ObjectMapper(), 1, 1024, Duration.ofMinutes(1),
                new InputIdentities(legacyId -> {
                    legacyIdsAsked.add(legacyId);
                    return List.of(legacyIdsRecorded).contains(legacyId);
                }));
        List<String> keys = new ArrayList<>();
        try (FileChunks chunks = reader.read(file)) {
            chunks.forEachRemaining(chunk -> keys.add(chunk.getKey()));
        }
        return keys;
    }

    @Test
    void aCopyARenameAndATouchKeepTheChunkKeys() throws IOException {
        File original = file(dir.resolve("a"), "events.ndjson", lines("u2"));
        List<String> keys = chunkKeys(original);

        Path copy = Files.copy(original.toPath(), dir.resolve("copied.ndjson"));
        Path renamed = Files.move(original.toPath(), dir.resolve("renamed.ndjson"), StandardCopyOption.ATOMIC_MOVE);
        Files.setLastModifiedTime(renamed, FileTime.fromMillis(MODIFIED.toMillis() + 60_000));

        assertThat(keys).hasSize(2).allMatch(key -> key.matches("sha256:[0-9a-f]{64}#[01]"));
        assertThat(chunkKeys(copy.toFile())).isEqualTo(keys);
        assertThat(chunkKeys(renamed.toFile())).isEqualTo(keys);
    }

    @Test
    void filesOfTheSameNameLengthAndTimeThatDifferInTheirLastByteShareNoChunkKey() throws IOException {
        List<String> first = chunkKeys(file(dir.resolve("a"), "events.ndjson", lines("u2")));
        List<String> second = chunkKeys(file(dir.resolve("b"), "events.ndjson", lines("u3")));

        assertThat(first).hasSize(2);
        assertThat(second).hasSize(2).doesNotContainAnyElementsOf(first);
    }

    @Test
    void eachReplayOfAFileIsAnInputOfItsOwn() throws IOException {
        File original = file(dir, "events.ndjson", lines("u2"));
        String firstName = InputIdentities.replayName("events.ndjson", 1000);
        String secondName = InputIdentities.replayName(firstName, 2000);
        Path first = Files.copy(original.toPath(), dir.resolve(firstName));
        Path second = Files.copy(original.toPath(), dir.resolve(secondName));

        assertThat(firstName).isEqualTo("replay-1000-events.ndjson");
        assertThat(secondName).isEqualTo("replay-2000-events.ndjson");
        List<String> keys = chunkKeys(original);
        List<String> firstKeys = chunkKeys(first.toFile());
        assertThat(firstKeys).hasSize(2).doesNotContainAnyElementsOf(keys);
        assertThat(chunkKeys(second.toFile())).hasSize(2).doesNotContainAnyElementsOf(keys)
                .doesNotContainAnyElementsOf(firstKeys);
    }

    @Test
    void aFileWithRecordsUnderItsIdentityOfTheReleaseBeforeKeepsThatIdentity() throws IOException {
        File file = file(dir, "events.ndjson", lines("u2"));
        String legacyId = "events.ndjson|" + file.length() + "|" + MODIFIED.toMillis();

        assertThat(chunkKeys(file, legacyId)).containsExactly(legacyId + "#0", legacyId + "#1");
        assertThat(chunkKeys(file)).noneMatch(key -> key.startsWith(legacyId));
        assertThat(legacyIdsAsked).containsExactly(legacyId, legacyId);
    }
}
