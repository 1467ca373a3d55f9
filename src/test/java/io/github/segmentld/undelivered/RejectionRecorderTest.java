package io.github.segmentld.undelivered;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.github.segmentld.TestInbox;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.observe.PipelineMetrics;
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
}
