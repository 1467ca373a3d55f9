package io.github.segmentld.undelivered;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.github.segmentld.TestInbox;
import io.github.segmentld.ingest.FailingChannel;
import io.github.segmentld.ingest.SegmentRequestReader;
import io.github.segmentld.ingest.Spool;
import io.github.segmentld.ingest.TrackingApiRequest;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.release.UpgradeFixture;
import io.github.segmentld.store.DeliveryLedger;
import io.github.segmentld.store.StateDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A chunk's rejections are recorded once: with its settlement, and cut off again if the settlement did not happen. */
class RejectionRecorderTest {

    @TempDir
    Path dir;

    private final InputSource input = new InputSource("events.ndjson", "events.ndjson|10|1", "line", 0);

    private EventChunk chunkWithOneBadLine(int index) {
        return new EventChunk(input, index, List.of(), List.of(Rejection.unreadable(input, index * 10 + 1,
                "invalid JSON", "not json")));
    }

    @Test
    void recordsOfAChunkWhoseSettlementACrashInterruptedAreCutOffAtStart() throws Exception {
        StateDatabase database = new StateDatabase(dir.resolve("state.db"), Clock.systemUTC());
        database.start();
        DeliveryLedger ledger = new DeliveryLedger(database, Clock.systemUTC(), Duration.ofDays(1));
        RejectionRecorder recorder = new RejectionRecorder(dir.resolve("rejected"), ledger, new ObjectMapper(),
                new PipelineMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
        recorder.start();
        recorder.settle(chunkWithOneBadLine(0), new ConvertedChunk());
        recorder.stop();
        Path file = TestInbox.list(dir.resolve("rejected")).get(0);
        List<String> settled = TestInbox.lines(file);
        assertThat(settled).singleElement().asString().contains("\"position\":\"line 1\"");
        assertThat(ledger.unsettledChunk("events.ndjson|10|1#0")).isFalse();
        // The records of the next chunk reached the file, then the process died before its settlement was recorded.
        Files.writeString(file, "{\"position\":\"line 11\"}\n{\"posit", StandardOpenOption.APPEND);

        RejectionRecorder restarted = new RejectionRecorder(dir.resolve("rejected"), ledger, new ObjectMapper(),
                new PipelineMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
        restarted.start();
        assertThat(TestInbox.lines(file)).isEqualTo(settled);

        restarted.settle(chunkWithOneBadLine(1), new ConvertedChunk());
        assertThat(TestInbox.lines(file)).hasSize(2).last().asString().contains("\"position\":\"line 11\"");
        restarted.stop();
        database.stop();
    }

    @Test
    void aRecordIsWrittenWithItsFormatVersionFirstAfterTheUnversionedRecordsOfRelease010() throws Exception {
        Path dayFile = dir.resolve("rejected/rejected-2026-12-06.ndjson");
        Files.createDirectories(dayFile.getParent());
        Files.copy(UpgradeFixture.FOLDER.resolve("rejected/rejected-2026-12-06.ndjson"), dayFile);
        List<String> written010 = TestInbox.lines(dayFile);
        Clock clock = Clock.fixed(Instant.parse("2026-12-06T23:00:00Z"), ZoneOffset.UTC);
        StateDatabase database = new StateDatabase(dir.resolve("state.db"), clock);
        database.start();
        RejectionRecorder recorder = new RejectionRecorder(dir.resolve("rejected"),
                new DeliveryLedger(database, clock, Duration.ofDays(1)), new ObjectMapper(),
                new PipelineMetrics(new SimpleMeterRegistry()), clock);
        recorder.start();

        recorder.settle(chunkWithOneBadLine(0), new ConvertedChunk());

        recorder.stop();
        database.stop();
        assertThat(TestInbox.lines(dayFile)).hasSize(2).startsWith(written010.get(0)).last().isEqualTo(
                "{\"formatVersion\":1,\"time\":\"2026-12-06T23:00:00Z\",\"input\":\"events.ndjson\",\"position\":"
                        + "\"line 1\",\"reason\":\"invalid JSON\",\"raw\":\"not json\"}");
    }

    @Test
    void theEventsOneRequestHadRefusedCostOneSyncAndOneCommitWhateverTheirNumber() throws Exception {
        AtomicInteger commits = new AtomicInteger();
        StateDatabase database = new StateDatabase(dir.resolve("state.db"), Clock.systemUTC()) {
            @Override
            public <T> T write(Work<T> work) {
                commits.incrementAndGet();
                return super.write(work);
            }
        };
        database.start();
        DeliveryLedger ledger = new DeliveryLedger(database, Clock.systemUTC(), Duration.ofDays(1));
        AtomicInteger syncs = new AtomicInteger();
        PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry());
        RejectionRecorder recorder = new RejectionRecorder(dir.resolve("rejected"), ledger, new ObjectMapper(), metrics,
                Clock.systemUTC()) {
            @Override
            FileChannel openDayFile(Path path) throws IOException {
                FailingChannel channel = new FailingChannel(super.openDayFile(path));
                channel.onForce(syncs::incrementAndGet);
                return channel;
            }
        };
        recorder.start();
        Spool spool = new Spool(new Spool.Settings(dir.resolve("spool"), dir.resolve("inbox"), dir.resolve("done"),
                Long.MAX_VALUE, 600_000, Long.MAX_VALUE, 0, 30, 1000, 1 << 20), recorder::refuse, metrics,
                Clock.systemUTC());
        spool.start();
        SegmentRequestReader reader = new SegmentRequestReader(1 << 24, 32 * 1024, 5000, 100, 1 << 20, Clock.systemUTC());
        StringBuilder body = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 2500; i++) {
            body.append("{\"type\":\"track\",\"event\":\"Anonymous\",\"messageId\":\"bad-").append(i).append("\"},");
        }
        body.append("{\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"u1\",\"messageId\":\"good\"}]}");
        int syncsBefore = syncs.get();
        int commitsBefore = commits.get();

        TrackingApiRequest request = reader.read("/v1/batch", body.toString().getBytes(StandardCharsets.UTF_8));
        spool.append(reader.acceptedEvents(request, "web"));

        assertThat(syncs.get() - syncsBefore).as("syncs of the rejection file").isEqualTo(1);
        assertThat(commits.get() - commitsBefore).as("commits of the state database").isEqualTo(1);
        List<String> recorded = TestInbox.lines(TestInbox.list(dir.resolve("rejected")).get(0));
        assertThat(recorded).hasSize(2500).allMatch(line -> line.contains("\"reason\":\"the event has neither userId"
                + " nor anonymousId\""));
        assertThat(recorded.get(2499)).contains("\"position\":\"item 2500\"", "bad-2499");
        spool.stop();
        assertThat(TestInbox.lines(TestInbox.list(dir.resolve("inbox")).get(0))).singleElement().asString()
                .contains("\"messageId\":\"good\"").doesNotContain("bad-");
        recorder.stop();
        database.stop();
    }
}
