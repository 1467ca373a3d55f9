package io.github.segmentld.deliverylog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.launchdarkly.LaunchDarklyBatch;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.release.UpgradeFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overview's two times of delivered events: the service's latency, from when it read them to LaunchDarkly's answer,
 * and apart, the events' age, from their own receivedAt.
 */
class DeliveryLatencyTest extends DeliveryLogTestSupport {

    private static final String MONTH_AGO = "2026-10-01T10:00:00Z";
    private static final long A_MONTH = Duration.between(Instant.parse(MONTH_AGO),
            Instant.parse("2026-11-01T10:00:00Z")).toMillis();

    @TempDir
    Path dir;

    @Override
    DeliveryLogDatabase.Settings databaseSettings() {
        return new DeliveryLogDatabase.Settings("", dir.resolve("log.db"), null, null);
    }

    private static String backfilled(String messageId) {
        return "{\"type\":\"track\",\"event\":\"Test Event\",\"messageId\":\"" + messageId + "\",\"userId\":\"u\","
                + "\"receivedAt\":\"" + MONTH_AGO + "\"}";
    }

    @Test
    void aBackfillOfMonthOldEventsHasASmallServiceLatencyAndALargeAge() throws SQLException {
        DeliveryLog log = start(false, 1 << 20, 0);
        long readAt = clock.millis();
        EventChunk chunk = chunkReadAt(readAt, backfilled("m-1"), backfilled("m-2"));
        post(log, batch("p-1", chunk), chunk);
        // requested 700 ms after the read, answered 300 ms later
        log.attempt(batch("p-1", chunk), readAt + 700, 202, 300, null, null);

        JsonNode answered = await().atMost(Duration.ofSeconds(5)).until(() -> overview.overview("1h"),
                answer -> answer.path("latency").path("events").asLong() == 2);
        assertThat(answered.get("latency")).hasToString(
                "{\"events\":2,\"p50Ms\":1000,\"p95Ms\":1000,\"p99Ms\":1000}");
        long age = A_MONTH + 1000;
        assertThat(answered.get("eventAge")).hasToString(
                "{\"events\":2,\"p50Ms\":" + age + ",\"p95Ms\":" + age + ",\"p99Ms\":" + age + "}");
    }

    @Test
    void theHalvesOfASplitBatchAreTimedFromTheReadOfTheirParent() throws SQLException {
        DeliveryLog log = start(false, 1 << 20, 0);
        long readAt = clock.millis();
        EventChunk chunk = chunkReadAt(readAt, backfilled("m-1"), backfilled("m-2"));
        LaunchDarklyBatch whole = batch("p-1", chunk);
        post(log, whole, chunk);
        log.split(whole);
        // the halves are sent again from the retry queue, where the chunk is no longer known
        LaunchDarklyBatch first = whole.halves().get(0);
        LaunchDarklyBatch second = whole.halves().get(1);
        log.posting(new byte[] {'[', ']'}, first, null);
        log.posting(new byte[] {'[', ']'}, second, null);
        log.attempt(first, readAt + 4000, 202, 1000, null, null);
        log.attempt(second, readAt + 9000, 202, 1000, null, null);

        JsonNode answered = await().atMost(Duration.ofSeconds(5)).until(() -> overview.overview("1h"),
                answer -> answer.path("latency").path("events").asLong() == 2);
        assertThat(answered.get("latency")).hasToString(
                "{\"events\":2,\"p50Ms\":5000,\"p95Ms\":10000,\"p99Ms\":10000}");
        assertThat(answered.get("eventAge").get("p99Ms").asLong()).isEqualTo(A_MONTH + 10_000);
    }

    /**
     * The delivery log the previous release wrote (the upgrade fixture's, schema version 1) is moved to version 2 in
     * place: its delivered batches have an age but, their read unknown, no service latency; new batches have both.
     */
    @Test
    void aLogOfThePreviousReleaseIsMigratedAndItsBatchesHaveAnAgeButNoServiceLatency() throws Exception {
        Files.copy(UpgradeFixture.FOLDER.resolve("state/delivery-log.db"), dir.resolve("log.db"));
        // just after the fixture's last record, 2026-12-06T22:54:32Z
        clock.advance(Duration.between(clock.instant(), Instant.ofEpochMilli(1_796_597_672_181L + 60_000)));
        DeliveryLog log = start(false, 1 << 20, 0);
        assertThat(history()).containsExactly("1:delivery log", "2:read at");

        JsonNode before = overview.overview("1h");
        assertThat(before.get("latency")).hasToString("{\"events\":0}");
        // 7 batches of 2 events delivered to production
        assertThat(before.get("eventAge").get("events").asLong()).isEqualTo(14);
        assertThat(before.get("eventAge").get("p50Ms").asLong()).isBetween(0L, 5_000L);
        assertThat(sum(timeline.timeline("1h"), "delivered")).isEqualTo(14);
        assertThat(sum(timeline.timeline("1h"), "retryPending")).isEqualTo(14);
        assertThat(sum(timeline.timeline("1h"), "deadLettered")).isEqualTo(14);

        long readAt = clock.millis();
        EventChunk chunk = chunkReadAt(readAt, backfilled("m-new"));
        post(log, batch("p-new", chunk), chunk);
        log.attempt(batch("p-new", chunk), readAt + 100, 202, 150, null, null);
        JsonNode after = await().atMost(Duration.ofSeconds(5)).until(() -> overview.overview("1h"),
                answer -> answer.path("latency").path("events").asLong() == 1);
        assertThat(after.get("latency")).hasToString(
                "{\"events\":1,\"p50Ms\":250,\"p95Ms\":250,\"p99Ms\":250}");
        assertThat(after.get("eventAge").get("events").asLong()).isEqualTo(15);
    }

    private static long sum(JsonNode timeline, String outcome) {
        long sum = 0;
        for (JsonNode bucket : timeline.get("buckets")) {
            sum += bucket.get(outcome).asLong();
        }
        return sum;
    }

    private List<String> history() throws SQLException {
        List<String> versions = new ArrayList<>();
        try (Connection connection = database.connectForReading(); Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT version, description FROM delivery_log_schema_history"
                     + " WHERE success ORDER BY installed_rank")) {
            while (rows.next()) {
                versions.add(rows.getString(1) + ":" + rows.getString(2));
            }
        }
        return versions;
    }
}
