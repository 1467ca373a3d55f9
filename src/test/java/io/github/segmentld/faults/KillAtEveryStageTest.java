package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.ChildApplication;
import io.github.segmentld.CountingStandIn;
import io.github.segmentld.Json;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kill -9 while batches are being parked, drained from the retry queue, or dead-lettered, then a restart: every event
 * reaches LaunchDarkly, none under two payload IDs, and no batch is dead-lettered twice.
 */
class KillAtEveryStageTest {

    private static final int EVENTS = 20_000;

    private int chunkSize = 100;
    private final Properties adjusted = new Properties();

    private final CountingStandIn launchDarkly = new CountingStandIn();
    private final TestInbox inbox = TestInbox.create("kill-at-every-stage");
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process process : processes) {
            ChildApplication.kill(process);
        }
        launchDarkly.close();
    }

    private Process start(String log) {
        Properties settings = inbox.properties(launchDarkly.baseUrl());
        settings.setProperty("pipeline.chunk-size", Integer.toString(chunkSize));
        settings.putAll(adjusted);
        Process process = ChildApplication.start(inbox, settings, log);
        processes.add(process);
        return process;
    }

    private int batches() {
        return EVENTS / chunkSize;
    }

    private void dropEvents() throws IOException {
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            events.append("{\"type\":\"track\",\"userId\":\"u-").append(i).append("\",\"event\":\"E\",\"timestamp\":0}\n");
        }
        Path file = Files.writeString(inbox.work().resolve("events.ndjson"), events, StandardCharsets.UTF_8);
        inbox.drop(file);
    }

    private boolean committed() {
        return Files.exists(inbox.done().resolve("events.ndjson"));
    }

    /** The batches in the retry queue, read from the state database as the application writes it. */
    private int parked() throws SQLException {
        Path database = inbox.work().resolve("state/delivery.db");
        if (!Files.exists(database)) {
            return 0;
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:file:" + database + "?mode=ro");
             Statement sql = connection.createStatement();
             ResultSet count = sql.executeQuery("SELECT COUNT(*) FROM parked_batch")) {
            return count.getInt(1);
        } catch (SQLException busy) {
            return 0;
        }
    }

    private void assertEveryEventDeliveredOnce() {
        await().atMost(Duration.ofSeconds(90)).until(() -> launchDarkly.acceptedUsers("test-client-id") == EVENTS);
        assertThat(launchDarkly.doubled()).isEmpty();
    }

    @Test
    void killedWhileParking() throws Exception {
        launchDarkly.answer(503);
        // every batch tried three times, then parked (no circuit parks them without a request): after a quarter of
        // them, the next attempts are held, so the file cannot be settled when the node is killed
        adjusted.setProperty("launchdarkly.circuit.minimum-calls", "1000");
        adjusted.setProperty("launchdarkly.circuit.window-calls", "1000");
        launchDarkly.holdAfter("", 3L * batches() / 4);
        dropEvents();
        Process first = start("first.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> launchDarkly.held("") > 0 && parked() > 0);
        ChildApplication.kill(first);
        launchDarkly.release();
        assertThat(committed()).as("killed before the file was settled").isFalse();

        start("second.log");
        await().atMost(Duration.ofSeconds(60)).until(this::committed);
        assertThat(parked()).isEqualTo(batches());
        launchDarkly.answer(202);

        assertEveryEventDeliveredOnce();
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();
    }

    @Test
    void killedWhileDrainingTheRetryQueue() throws Exception {
        launchDarkly.answer(503);
        dropEvents();
        Process first = start("first.log");
        await().atMost(Duration.ofSeconds(60)).until(this::committed);
        // a quarter of the parked batches drained, the next accepted and their answers held
        launchDarkly.holdAfter("", batches() / 4);
        launchDarkly.answer(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> launchDarkly.held("") > 0);
        ChildApplication.kill(first);
        launchDarkly.release();
        assertThat(launchDarkly.acceptedUsers("test-client-id")).as("killed in the middle of the drain").isLessThan(EVENTS);

        start("second.log");

        assertEveryEventDeliveredOnce();
        await().atMost(Duration.ofSeconds(10)).until(() -> parked() == 0);
    }

    @Test
    void killedWhileDeadLetteringThenTheDeadLettersReplayedOnce() throws Exception {
        // fewer, larger batches: each dead letter is replayed as a file of its own
        chunkSize = 500;
        launchDarkly.answer(400);
        // a quarter of the batches dead-lettered, the next answers held
        launchDarkly.holdAfter("", batches() / 4);
        dropEvents();
        Process first = start("first.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> launchDarkly.held("") > 0
                && !TestInbox.list(inbox.deadLetters()).isEmpty());
        ChildApplication.kill(first);
        launchDarkly.release();
        assertThat(committed()).isFalse();

        start("second.log");
        await().atMost(Duration.ofSeconds(60)).until(this::committed);
        List<Path> deadLetters = TestInbox.list(inbox.deadLetters());
        assertThat(deadLetters).as("one dead letter per batch").hasSize(batches());
        Set<String> users = new HashSet<>();
        for (Path deadLetter : deadLetters) {
            for (JsonNode event : Json.MAPPER.readTree(deadLetter.toFile()).path("batch")) {
                assertThat(users.add(event.path("userId").asText())).as("an event in two dead letters").isTrue();
            }
        }
        assertThat(users).hasSize(EVENTS);

        launchDarkly.answer(202);
        for (Path deadLetter : deadLetters) {
            Files.move(deadLetter, inbox.inbox().resolve(deadLetter.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        }

        assertEveryEventDeliveredOnce();
    }
}
