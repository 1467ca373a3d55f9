package io.github.segmentld.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the durable file operations leave on disk (their syncs are traced by FolderSyncTraceTest). */
class DurableFilesTest {

    @TempDir
    Path dir;

    @Test
    void aFileIsWrittenWholeIntoFoldersMadeForItReplacingOneOfItsNameWithNoTemporaryLeft() throws IOException {
        Path target = dir.resolve("a/b/letter.json");
        DurableFiles.write(target, "first".getBytes(StandardCharsets.UTF_8));
        DurableFiles.write(target, "second".getBytes(StandardCharsets.UTF_8));

        assertThat(Files.readString(target)).isEqualTo("second");
        assertThat(names(target.getParent())).containsExactly("letter.json");
    }

    @Test
    void aPageOfFilesIsMovedIntoAFolderUnderTheirNamesAndAnEmptyPageMovesNothing() throws IOException {
        Path from = Files.createDirectories(dir.resolve("dead-letter"));
        Path into = Files.createDirectories(dir.resolve("inbox"));
        Path one = Files.writeString(from.resolve("p-1.json"), "one");
        Path two = Files.writeString(from.resolve("p-2.json"), "two");
        Files.writeString(from.resolve("p-3.json"), "three");

        DurableFiles.moveInto(List.of(one, two), into);
        DurableFiles.moveInto(List.of(), into);

        assertThat(names(into)).containsExactly("p-1.json", "p-2.json");
        assertThat(Files.readString(into.resolve("p-2.json"))).isEqualTo("two");
        assertThat(names(from)).containsExactly("p-3.json");
    }

    @Test
    void foldersAreMadeOnceWhetherOrNotTheyExist() throws IOException {
        Path nested = dir.resolve("x/y/z");
        assertThat(DurableFiles.createDirectories(nested)).isEqualTo(nested);
        DurableFiles.createDirectories(nested);
        assertThat(nested).isDirectory();
        assertThat(names(dir.resolve("x"))).containsExactly("y");
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}
