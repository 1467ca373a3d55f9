package io.github.segmentld.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoneRetentionTest {

    @TempDir
    Path done;

    private Path file(String name, int bytes) throws Exception {
        return Files.write(done.resolve(name), new byte[bytes]);
    }

    private static java.util.List<String> names(Path dir) {
        return TestInbox.list(dir).stream().map(p -> p.getFileName().toString()).toList();
    }

    @Test
    void filesGoWhenTheFolderIsOverItsSizeTheFirstInFirst() throws Exception {
        file("a.ndjson", 400);
        Thread.sleep(20);
        file("b.ndjson", 400);
        Thread.sleep(20);
        file("c.ndjson", 400);

        new DoneRetention(done, Duration.ofDays(7), 1000, 0, Clock.systemUTC()).enforce();

        assertThat(names(done)).hasSize(2).doesNotContain("a.ndjson");
    }

    @Test
    void filesGoWhenTheyAreOlderThanTheRetentionCountedFromWhenTheyCameIn() throws Exception {
        Path exported = file("old-export.ndjson", 10);
        Files.setLastModifiedTime(exported, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

        new DoneRetention(done, Duration.ofDays(7), Long.MAX_VALUE, 0, Clock.systemUTC()).enforce();
        assertThat(names(done)).as("it came into the folder just now").containsExactly("old-export.ndjson");

        new DoneRetention(done, Duration.ofDays(7), Long.MAX_VALUE, 0, Clock.offset(Clock.systemUTC(),
                Duration.ofDays(8))).enforce();
        assertThat(names(done)).isEmpty();
    }

    @Test
    void whateverTheirAgeFilesGoWhileTheDiskIsShortOfSpace() throws Exception {
        file("a.ndjson", 10);
        file("b.ndjson", 10);

        new DoneRetention(done, Duration.ofDays(7), Long.MAX_VALUE, Long.MAX_VALUE, Clock.systemUTC()).enforce();

        assertThat(names(done)).isEmpty();
    }
}
