package io.github.segmentld.undelivered;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import io.github.segmentld.LogCapture;
import io.github.segmentld.MutableTicker;
import io.github.segmentld.ingest.UnreadableInputException;
import io.github.segmentld.store.StateUnavailableException;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An input that fails for a cause not its own is postponed, twice as long after each failure up to the limit, and
 * logged at most once a minute; it is forgotten once it settles, and only so many inputs are remembered.
 */
class FailedInputRecorderTest {

    @TempDir
    Path inbox;

    private final MutableTicker ticker = new MutableTicker();
    private final InputRetries retries = new InputRetries(Duration.ofSeconds(1), Duration.ofSeconds(4),
            Duration.ofMinutes(1), 2, ticker);
    private final DefaultCamelContext context = new DefaultCamelContext();
    private FailedInputRecorder recorder;

    @BeforeEach
    void makeRecorder() {
        recorder = new FailedInputRecorder(inbox.resolve("inbox"), "../failed", retries, Clock.systemUTC());
    }

    @AfterEach
    void closeContext() throws IOException {
        context.close();
    }

    @Test
    void aFileFailingForACauseNotItsOwnWaitsTwiceAsLongEachTimeUpToTheLimit() throws IOException {
        try (LogCapture logged = new LogCapture(FailedInputRecorder.class)) {
            for (int i = 0; i < 4; i++) {
                recorder.record(failure("a.ndjson"));
            }
            assertThat(logged.lines()).hasSize(1);
            assertThat(logged.lines().get(0)).contains("Cannot finish a.ndjson now: the state database is full")
                    .contains("read again in 1000 ms");
        }
        assertThat(retries.failed("a.ndjson")).isEqualTo(new InputRetries.Postponed(5, Duration.ofSeconds(4), false));

        assertThat(retries.accept(file("a.ndjson"))).isFalse();
        ticker.advance(Duration.ofMillis(3999));
        assertThat(retries.accept(file("a.ndjson"))).isFalse();
        ticker.advance(Duration.ofMillis(1));
        assertThat(retries.accept(file("a.ndjson"))).isTrue();
        assertThat(retries.accept(file("other.ndjson"))).isTrue();
    }

    @Test
    void aFileIsForgottenOnceItSettlesAndIsLoggedAgainAtItsNextFailure() throws IOException {
        try (LogCapture logged = new LogCapture(FailedInputRecorder.class)) {
            recorder.record(failure("a.ndjson"));
            recorder.record(failure("a.ndjson"));
            assertThat(logged.lines()).hasSize(1);

            retries.settled("a.ndjson");
            assertThat(retries.accept(file("a.ndjson"))).isTrue();
            recorder.record(failure("a.ndjson"));

            assertThat(logged.lines()).hasSize(2);
            assertThat(logged.lines().get(1)).contains("read again in 1000 ms (1 failures in a row");
        }
    }

    @Test
    void aFileMovedToTheFailedFolderIsForgotten() throws IOException {
        recorder.record(failure("a.ndjson"));
        assertThat(retries.accept(file("a.ndjson"))).isFalse();

        Exchange unreadable = exchange("a.ndjson",
                new UnreadableInputException("not Segment JSON"));
        recorder.record(unreadable);

        assertThat(unreadable.getProperty(FailedInputRecorder.INPUT_FOLDER)).isEqualTo("../failed");
        assertThat(inbox.resolve("failed/a.ndjson.reason.txt")).exists();
        assertThat(retries.accept(file("a.ndjson"))).isTrue();
        assertThat(retries.failed("a.ndjson").failures()).isEqualTo(1);
    }

    @Test
    void theOldestFileIsForgottenBeyondTheLimit() {
        retries.failed("a.ndjson");
        retries.failed("b.ndjson");
        retries.failed("c.ndjson");

        assertThat(retries.accept(file("a.ndjson"))).isTrue();
        assertThat(retries.accept(file("b.ndjson"))).isFalse();
        assertThat(retries.accept(file("c.ndjson"))).isFalse();
        assertThat(retries.failed("a.ndjson")).isEqualTo(new InputRetries.Postponed(1, Duration.ofSeconds(1), true));
    }

    @Test
    void onlyAnUnreadableInputIsAtFault() {
        assertThat(recorder.isInputAtFault(new IllegalStateException("a Kafka produce timed out"))).isFalse();
        assertThat(recorder.isInputAtFault(new NullPointerException("a defect"))).isFalse();
        assertThat(recorder.isInputAtFault(new RuntimeException("wrapped",
                new UnreadableInputException("broken gzip")))).isTrue();
    }

    private Exchange failure(String fileName) {
        return exchange(fileName, new StateUnavailableException("the state database is full", null));
    }

    private Exchange exchange(String fileName, Exception cause) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getIn().setHeader(Exchange.FILE_NAME, fileName);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, cause);
        return exchange;
    }

    private static GenericFile<Object> file(String name) {
        GenericFile<Object> file = new GenericFile<>();
        file.setRelativeFilePath(name);
        return file;
    }
}
