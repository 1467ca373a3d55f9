package io.github.segmentld.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.github.segmentld.LogCapture;
import io.github.segmentld.TestInbox;
import io.github.segmentld.store.DeliveryLedger.Outcome;
import io.github.segmentld.store.StateDatabase.Work;
import io.github.segmentld.time.Ticker;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.logging.log4j.Level;
import io.github.segmentld.store.ParkedBatches.Parked;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class StateDatabaseTest {

    @TempDir
    Path dir;

    private StateDatabase open(Path file) {
        StateDatabase database = new StateDatabase(file, Clock.systemUTC());
        database.start();
        return database;
    }

    private static Parked parked(String payloadId, String destination, int bytes) {
        return new Parked(payloadId, destination, 3, new byte[bytes], 1000, 1, 2000, "LaunchDarkly answered 503");
    }

    @Test
    void concurrentWritersShareCommitsAndEachSeesItsOwnOutcome() throws Exception {
        StateDatabase database = open(dir.resolve("state.db"));
        DeliveryLedger ledger = new DeliveryLedger(database, Clock.systemUTC(), Duration.ofDays(1));
        ExecutorService writers = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            int writer = w;
            done.add(writers.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    ledger.settleChunk("input-" + writer + "#" + i,
                            new DeliveryLedger.RejectionFileLength(dir.resolve("rejected.ndjson"), i));
                }
                return null;
            }));
        }
        for (Future<?> writer : done) {
            writer.get();
        }
        writers.shutdown();

        assertThat(ledger.unsettledChunk("input-7#49")).isFalse();
        assertThat(ledger.unsettledChunk("input-8#0")).isTrue();
        database.stop();
        StateDatabase reopened = open(dir.resolve("state.db"));
        assertThat(new DeliveryLedger(reopened, Clock.systemUTC(), Duration.ofDays(1)).unsettledChunk("input-0#0")).isFalse();
        reopened.stop();
    }

    @Test
    void aQueueIsNeverParkedOverItsLimitAndItsDepthFollowsEveryChange() {
        StateDatabase database = open(dir.resolve("state.db"));
        ParkedBatches queue = new ParkedBatches(database, Clock.systemUTC());

        assertThat(queue.park(parked("a", "staging", 400), 1000)).isTrue();
        assertThat(queue.park(parked("b", "staging", 400), 1000)).isTrue();
        assertThat(queue.park(parked("c", "staging", 400), 1000)).as("over the limit").isFalse();
        assertThat(queue.park(parked("a", "staging", 500), 1000)).as("a parked batch is rescheduled").isTrue();
        assertThat(queue.park(parked("d", "production", 400), 1000)).as("another destination").isTrue();
        assertThat(queue.depths().get("staging")).isEqualTo(new ParkedBatches.Depth(2, 6, 900, 1000));

        queue.remove("b", "staging", Outcome.DELIVERED, 3);
        assertThat(queue.depths().get("staging")).isEqualTo(new ParkedBatches.Depth(1, 3, 500, 1000));
        assertThat(queue.load("b")).isNull();
        assertThat(queue.due("staging", 10)).containsExactly("a");
        database.stop();
    }

    @Test
    void aDamagedDatabaseIsMovedAsideWithAWarningAndWhatCanBeReadIsKept() throws Exception {
        Path file = dir.resolve("state.db");
        StateDatabase database = open(file);
        ParkedBatches queue = new ParkedBatches(database, Clock.systemUTC());
        for (int i = 0; i < 40; i++) {
            queue.park(parked("batch-" + i, "staging", 2000), Long.MAX_VALUE);
        }
        database.stop();
        // A bit flipped at the end of the file: the last pages no longer hold what SQLite wrote.
        try (RandomAccessFile damaged = new RandomAccessFile(file.toFile(), "rw")) {
            for (long at = damaged.length() - 3000; at < damaged.length(); at += 7) {
                damaged.seek(at);
                damaged.write(0x5A);
            }
        }

        try (LogCapture log = new LogCapture(StateDatabaseFile.class)) {
            StateDatabase reopened = open(file);
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).startsWith("WARN State database " + file)
                    .contains("is damaged").contains("moved aside"));
            ParkedBatches salvaged = new ParkedBatches(reopened, Clock.systemUTC());
            assertThat(salvaged.park(parked("after", "staging", 10), Long.MAX_VALUE)).isTrue();
            assertThat(salvaged.depths().get("staging").batches()).isPositive();
            reopened.stop();
        }
        assertThat(TestInbox.list(dir)).anySatisfy(aside -> assertThat(aside.getFileName().toString())
                .startsWith("state.db.damaged-"));
    }

    @Test
    void aFileThatIsNotADatabaseNeverStopsTheStart() throws Exception {
        Path file = dir.resolve("state.db");
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 'n', 'o', 't', ' ', 'S', 'Q', 'L'});

        try (LogCapture log = new LogCapture(StateDatabaseFile.class)) {
            StateDatabase database = open(file);
            assertThat(new DeliveryLedger(database, Clock.systemUTC(), Duration.ofDays(1)).unsettledBatch("x")).isTrue();
            database.stop();
            assertThat(log.lines()).anySatisfy(line -> assertThat(line).contains(file.toString()).contains("damaged"));
        }
    }

    @Test
    void aSalvageThatACrashCutShortIsDoneAgain() throws Exception {
        Path file = dir.resolve("state.db");
        Files.write(file, new byte[] {'n', 'o', 't', ' ', 'S', 'Q', 'L'});
        // what a salvage interrupted by kill -9 leaves beside the damaged file, which is still in its place
        Files.write(dir.resolve("state.db.salvaged"), new byte[] {1, 2, 3});

        StateDatabase database = open(file);
        assertThat(new DeliveryLedger(database, Clock.systemUTC(), Duration.ofDays(1)).unsettledBatch("x")).isTrue();
        database.stop();

        assertThat(dir.resolve("state.db.salvaged")).doesNotExist();
        assertThat(TestInbox.list(dir)).anySatisfy(aside -> assertThat(aside.getFileName().toString())
                .startsWith("state.db.damaged-"));
    }

    private static Work<Integer> remember(String signature) {
        return c -> {
            try (PreparedStatement sql = c.prepareStatement(
                    "INSERT INTO webhook_signature (signature, accepted_at) VALUES (?, 1)")) {
                sql.setString(1, signature);
                return sql.executeUpdate();
            }
        };
    }

    private static List<String> remembered(StateDatabase database) {
        return database.read(c -> {
            List<String> signatures = new ArrayList<>();
            try (Statement sql = c.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT signature FROM webhook_signature ORDER BY signature")) {
                while (rows.next()) {
                    signatures.add(rows.getString(1));
                }
            }
            return signatures;
        });
    }

    @Test
    @Timeout(60)
    void anErrorThrownInsideAWriteFailsThatWriteAloneAndTheWriterGoesOn() {
        StateDatabase database = open(dir.resolve("state.db"));
        StateDatabaseHealthCheck health = new StateDatabaseHealthCheck(database);
        health.setCamelContext(new DefaultCamelContext());

        try (LogCapture log = new LogCapture(StateDatabase.class.getName(), Level.ERROR)) {
            assertThatThrownBy(() -> database.write(c -> {
                remember("before the defect").apply(c);
                throw new AssertionError("a defect");
            })).isInstanceOf(StateUnavailableException.class).hasRootCauseInstanceOf(AssertionError.class);
            assertThat(log.lines()).singleElement().asString().contains("java.lang.AssertionError: a defect");
        }
        assertThat(database.writerFailures()).isEqualTo(1);
        assertThat(health.call().getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(health.call().getMessage())
                .hasValue("the last transaction failed: java.lang.AssertionError: a defect");

        assertThat(database.write(remember("after the defect"))).isEqualTo(1);

        assertThat(remembered(database)).as("the failed write rolled back, the next one committed")
                .containsExactly("after the defect");
        assertThat(health.call().getState()).isEqualTo(HealthCheck.State.UP);
        database.stop();
    }

    @Test
    @Timeout(60)
    void aWriterThatDoesNotAnswerMakesAWriteFailAfterTheTimeoutAndDropsIt() throws Exception {
        StateDatabase database = new StateDatabase(dir.resolve("state.db"), Clock.systemUTC(), Ticker.SYSTEM,
                Duration.ofMillis(300));
        database.start();
        StateDatabaseHealthCheck health = new StateDatabaseHealthCheck(database);
        health.setCamelContext(new DefaultCamelContext());
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        database.writeLater(c -> {
            stuck.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new SQLException(e);
            }
            return remember("the stuck write").apply(c);
        });
        stuck.await();

        assertThatThrownBy(() -> database.write(remember("waited too long")))
                .isInstanceOf(StateUnavailableException.class)
                .hasMessage("the state database " + dir.resolve("state.db") + " did not commit a write within 300 ms");
        assertThat(health.call().getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(health.call().getMessage()).hasValueSatisfying(message ->
                assertThat(message).startsWith("the writer has been on one transaction for"));

        release.countDown();
        assertThat(database.write(remember("after the stall"))).isEqualTo(1);
        assertThat(remembered(database)).as("the write that timed out before the writer took it never commits")
                .containsExactly("after the stall", "the stuck write");
        assertThat(health.call().getState()).isEqualTo(HealthCheck.State.UP);
        database.stop();
    }
}
