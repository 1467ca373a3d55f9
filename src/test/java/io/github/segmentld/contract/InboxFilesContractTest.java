package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.LogCapture;
import io.github.segmentld.TestInbox;
import io.github.segmentld.ingest.FileChunks;
import io.github.segmentld.undelivered.FailedInputRecorder;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/**
 * Files that are awkward for the inbox (empty, broken off, symbolic links, names with line breaks), dropped into the
 * running application; what reaches the LaunchDarkly stand-in is counted event by event.
 */
class InboxFilesContractTest extends ContractTestSupport {

    private static String event(int n) {
        return "{\"type\":\"track\",\"userId\":\"u" + n + "\",\"event\":\"E\",\"timestamp\":\"2024-01-01T00:00:00Z\"}";
    }

    private static String lines(int from, int to) {
        StringBuilder lines = new StringBuilder();
        for (int n = from; n <= to; n++) {
            lines.append(event(n)).append('\n');
        }
        return lines.toString();
    }

    /** The events of the batches LaunchDarkly accepted, each payload ID counted once. */
    private static int acceptedEvents() {
        return LAUNCHDARKLY.accepted().values().stream().mapToInt(JsonNode::size).sum();
    }

    /** Waits until the named file has left the inbox for the failed folder, and returns its reason file. */
    private Path awaitFailed(String name) {
        Path reason = inbox.failed().resolve(name + ".reason.txt");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(reason)
                && Files.exists(inbox.failed().resolve(name), LinkOption.NOFOLLOW_LINKS)
                && !Files.exists(inbox.inbox().resolve(name), LinkOption.NOFOLLOW_LINKS));
        return reason;
    }

    @Test
    void emptyFilesAreCommittedAtOnceAndHoldUpNothing() {
        for (int n = 1; n <= 10; n++) {
            inbox.drop("empty-" + n + ".ndjson", new byte[0]);
        }
        inbox.drop("events.ndjson", lines(1, 3));

        for (int n = 1; n <= 10; n++) {
            inbox.awaitDone("empty-" + n + ".ndjson");
        }
        inbox.awaitDone("events.ndjson");
        assertThat(acceptedEvents()).isEqualTo(3);
        assertThat(TestInbox.list(inbox.failed())).isEmpty();
    }

    @Test
    void aGzipCutOffDeliversEveryEventBeforeTheCutThenFailsAndIsNotSentTwice() throws IOException {
        inbox.drop("segment-logs.gz", gzipCutAfter(lines(1, 1421), lines(1422, 2000)));

        Path reason = awaitFailed("segment-logs.gz");
        assertThat(acceptedEvents()).isEqualTo(1421);
        assertThat(Files.readString(reason)).contains("after 1421 events").contains("line 1422")
                .contains("Unexpected end of ZLIB input stream");

        // dropped again as it is: the chunks settled before the break are skipped
        int requests = LAUNCHDARKLY.requests().size();
        Files.delete(reason);
        Files.move(inbox.failed().resolve("segment-logs.gz"), inbox.inbox().resolve("segment-logs.gz"));
        awaitFailed("segment-logs.gz");
        assertThat(LAUNCHDARKLY.requests()).hasSize(requests);
        assertThat(acceptedEvents()).isEqualTo(1421);
    }

    @Test
    void aJsonArrayWithASyntaxErrorDeliversTheItemsBeforeItThenFails() throws IOException {
        StringBuilder array = new StringBuilder("[\n");
        for (int n = 1; n <= 100; n++) {
            array.append(event(n)).append(",\n");
        }
        array.append("{\"type\": }\n]\n");

        inbox.drop("export.json", array.toString());

        Path reason = awaitFailed("export.json");
        assertThat(acceptedEvents()).isEqualTo(100);
        assertThat(Files.readString(reason)).contains("after 100 events").contains("item 101").contains("line 102");
    }

    @Test
    void aSymbolicLinkIsNotReadButMovedToTheFailedFolder() throws IOException {
        String secret = "root:SECRET-7f3a9c:0:0";
        Path original = Files.writeString(inbox.work().resolve("secret.txt"), secret + "\n");
        Files.createDirectories(inbox.inbox());
        Files.createSymbolicLink(inbox.inbox().resolve("stolen.ndjson"), original);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> !Files.exists(inbox.inbox().resolve("stolen.ndjson"), LinkOption.NOFOLLOW_LINKS));

        Path reason = inbox.failed().resolve("stolen.ndjson.reason.txt");
        assertThat(reason).exists();
        assertThat(Files.readString(reason)).contains("symbolic link").contains("not followed");
        assertThat(Files.isSymbolicLink(inbox.failed().resolve("stolen.ndjson"))).isTrue();
        assertThat(filesContaining(secret)).containsExactly(original);
        assertThat(LAUNCHDARKLY.requests()).isEmpty();
    }

    @Test
    void aLineBreakInAFileNameCannotForgeALogLine() throws IOException {
        String good = "good\nFORGED INFO all is well.ndjson";
        String bad = "bad\nFORGED ERROR nothing happened.json";
        List<String> logged = new ArrayList<>();
        try (LogCapture route = new LogCapture("ingest-file", Level.INFO);
             LogCapture reader = new LogCapture(FileChunks.class.getName(), Level.INFO);
             LogCapture failures = new LogCapture(FailedInputRecorder.class)) {
            inbox.drop(good, lines(1, 2));
            inbox.drop(bad, "[" + event(3) + ", {\"type\": }]");
            inbox.awaitDone(good);
            awaitFailed(bad);
            Stream.of(route, reader, failures).forEach(capture -> logged.addAll(capture.lines()));
        }

        assertThat(logged).anyMatch(line -> line.contains("good\\nFORGED INFO all is well.ndjson"))
                .anyMatch(line -> line.startsWith("ERROR") && line.contains("bad\\nFORGED ERROR"));
        assertThat(logged.stream().flatMap(String::lines)).noneMatch(line -> line.startsWith("FORGED"));
        assertThat(Files.readString(inbox.failed().resolve(bad + ".reason.txt")).lines())
                .noneMatch(line -> line.startsWith("FORGED"));
        assertThat(acceptedEvents()).isEqualTo(3);
    }

    /** Gzip of {@code readable}, then of {@code lost}, cut off where the compressed {@code readable} ends. */
    static byte[] gzipCutAfter(String readable, String lost) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, true)) {
            gzip.write(readable.getBytes(StandardCharsets.UTF_8));
            // a sync flush: what is written so far can be decompressed without what follows
            gzip.flush();
            int cut = bytes.size();
            gzip.write(lost.getBytes(StandardCharsets.UTF_8));
            gzip.finish();
            return Arrays.copyOf(bytes.toByteArray(), cut);
        }
    }

    /** The regular files under the work folder that contain {@code text} (symbolic links are not followed). */
    private List<Path> filesContaining(String text) throws IOException {
        try (Stream<Path> files = Files.walk(inbox.work())) {
            return files.filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                    .filter(file -> contains(file, text)).toList();
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            byte[] needle = text.getBytes(StandardCharsets.UTF_8);
            byte[] content = Files.readAllBytes(file);
            for (int i = 0; i + needle.length <= content.length; i++) {
                if (Arrays.equals(content, i, i + needle.length, needle, 0, needle.length)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
