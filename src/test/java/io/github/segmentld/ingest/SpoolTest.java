package io.github.segmentld.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.github.segmentld.TestInbox;
import io.github.segmentld.observe.PipelineMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;

    private Spool spool(long maxSegmentBytes) {
        return new Spool(dir.resolve("spool"), dir.resolve("inbox"), maxSegmentBytes, 600_000, Long.MAX_VALUE, 30,
                new PipelineMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
    }

    private List<String> inboxLines() throws IOException {
        List<String> lines = new ArrayList<>();
        for (Path file : TestInbox.list(dir.resolve("inbox"))) {
            lines.addAll(Files.readAllLines(file));
        }
        return lines;
    }

    private static List<byte[]> events(String... ids) {
        List<byte[]> events = new ArrayList<>();
        for (String id : ids) {
            events.add(("{\"messageId\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        return events;
    }

    @Test
    void concurrentAppendsAllLandWholeAndAStopRollsTheSegmentIntoTheInbox() throws Exception {
        Spool spool = spool(Long.MAX_VALUE);
        spool.start();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int sender = t;
            done.add(senders.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    spool.append(events("s" + sender + "-" + i + "-a", "s" + sender + "-" + i + "-b"));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        senders.shutdown();
        assertThat(TestInbox.list(dir.resolve("inbox"))).isEmpty();

        spool.stop();

        List<String> lines = inboxLines();
        assertThat(lines).hasSize(800).doesNotHaveDuplicates().allMatch(l -> l.matches("\\{\"messageId\":\"s\\d-\\d+-[ab]\"}"));
        assertThat(TestInbox.list(dir.resolve("spool"))).isEmpty();
    }

    @Test
    void aFullSegmentRollsIntoTheInbox() throws Exception {
        Spool spool = spool(80);
        spool.start();

        spool.append(events("one", "two", "three", "four"));
        spool.append(events("five"));

        assertThat(TestInbox.list(dir.resolve("inbox"))).hasSize(1);
        assertThat(inboxLines()).hasSize(4);
        spool.stop();
        assertThat(inboxLines()).hasSize(5);
    }

    @Test
    void segmentsLeftByACrashAreMovedIntoTheInboxAtStart() throws Exception {
        Files.createDirectories(dir.resolve("spool"));
        Files.writeString(dir.resolve("spool/http-20240101T000000.000-0.ndjson"), "{\"messageId\":\"acknowledged\"}\n");

        spool(Long.MAX_VALUE).start();

        assertThat(inboxLines()).containsExactly("{\"messageId\":\"acknowledged\"}");
    }
}
