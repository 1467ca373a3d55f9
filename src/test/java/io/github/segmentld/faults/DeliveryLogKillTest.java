package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * kill -9 while the delivery log is being written, then a restart: the log is neither damaged nor recreated, no batch
 * appears in it twice though its input is read again, and it goes on recording; every event still reaches
 * LaunchDarkly once.
 */
class DeliveryLogKillTest extends ChildApplicationTestSupport {

    private static final int EVENTS = 20_000;

    private final TestInbox inbox = TestInbox.create("delivery-log-kill");

    private Path log() {
        return inbox.work().resolve("state/delivery-log.db");
    }

    /** The events of the batches in the log, read as the application writes it; 0 while it cannot be read. */
    private long loggedBatchEvents() {
        if (!Files.exists(log())) {
            return 0;
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:file:" + log() + "?mode=ro");
             Statement sql = connection.createStatement();
             ResultSet count = sql.executeQuery("SELECT COALESCE(SUM(events), 0) FROM logged_group"
                     + " WHERE kind = 'batch'")) {
            return count.getLong(1);
        } catch (SQLException busy) {
            return 0;
        }
    }

    @Test
    void aLogKilledMidWriteOpensSoundAndRecordsNoBatchTwice() throws Exception {
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            events.append("{\"type\":\"track\",\"userId\":\"u-").append(i).append("\",\"event\":\"E\",\"timestamp\":0}\n");
        }
        Path file = Files.writeString(inbox.work().resolve("events.ndjson"), events, StandardCharsets.UTF_8);
        Properties settings = inbox.properties(launchDarkly.baseUrl());
        settings.setProperty("pipeline.chunk-size", "100");
        // half the batches answered, the next held: killed while the log records them, before the file is settled
        launchDarkly.holdAfter("", EVENTS / 100 / 2);
        inbox.drop(file);
        application = ChildApplication.start(inbox, settings, "first.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> launchDarkly.held("") > 0
                && loggedBatchEvents() >= EVENTS / 4);
        ChildApplication.kill(application);
        launchDarkly.release();
        assertThat(Files.exists(inbox.done().resolve("events.ndjson"))).as("killed before the file was settled").isFalse();

        application = ChildApplication.start(inbox, settings, "second.log");
        await().atMost(Duration.ofSeconds(90)).until(() -> launchDarkly.acceptedUsers("test-client-id") == EVENTS);
        assertThat(launchDarkly.doubled()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> loggedUsers().size() >= EVENTS * 9 / 10);

        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:file:" + log() + "?mode=ro");
             Statement sql = connection.createStatement()) {
            try (ResultSet check = sql.executeQuery("PRAGMA integrity_check")) {
                assertThat(check.getString(1)).isEqualTo("ok");
            }
            try (ResultSet twice = sql.executeQuery("SELECT COUNT(*) FROM (SELECT payload_id FROM logged_group"
                    + " WHERE payload_id IS NOT NULL GROUP BY payload_id HAVING COUNT(*) > 1)")) {
                assertThat(twice.getLong(1)).isZero();
            }
        }
        try (var files = Files.list(log().getParent())) {
            assertThat(files.map(path -> path.getFileName().toString())).noneMatch(name -> name.contains("damaged"));
        }
        assertThat(Files.readString(inbox.work().resolve("second.log"))).doesNotContain("is damaged");
    }

    /** The users of the events in the log's batches. */
    private Set<String> loggedUsers() throws SQLException, IOException {
        Set<String> users = new HashSet<>();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:file:" + log() + "?mode=ro");
             Statement sql = connection.createStatement();
             ResultSet groups = sql.executeQuery("SELECT event_index FROM logged_group WHERE kind = 'batch'")) {
            while (groups.next()) {
                for (String line : groups.getString(1).split("\n")) {
                    if (!line.isEmpty()) {
                        users.add(line.split("\t", -1)[1]);
                    }
                }
            }
        }
        return users;
    }
}
