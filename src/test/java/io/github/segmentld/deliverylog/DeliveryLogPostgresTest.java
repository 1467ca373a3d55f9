package io.github.segmentld.deliverylog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.model.EventChunk;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery log on a real PostgreSQL (started from Maven artifacts, on 127.0.0.1 and a port of its own), as
 * instances side by side share it: the same Flyway migrations, the same writes, searches and overview.
 */
class DeliveryLogPostgresTest extends DeliveryLogTestSupport {

    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @BeforeEach
    void emptyDatabase() throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement sql = connection.createStatement()) {
            sql.execute("DROP SCHEMA public CASCADE");
            sql.execute("CREATE SCHEMA public");
        }
    }

    @Override
    DeliveryLogDatabase.Settings databaseSettings() {
        return new DeliveryLogDatabase.Settings(postgres.getJdbcUrl("postgres", "postgres"), Path.of("unused"),
                "postgres", "postgres");
    }

    @Test
    void aBatchIsFoundWithItsRequestsAndOutcome() throws SQLException {
        DeliveryLog log = start(false, 1 << 20, 0);
        EventChunk sent = chunk(track("m-1", "user-1"), track("m-2", "user-2"));
        log.posting("[{\"kind\":\"custom\"},{\"kind\":\"custom\",\"key\":\"posted\"}]".getBytes(), batch("p-1", sent),
                sent);
        log.attempt(batch("p-1", sent), clock.millis(), 503, 40, "LaunchDarkly answered 503", "busy");
        log.attempt(batch("p-1", sent), clock.millis() + 1000, 202, 12, null, null);

        JsonNode second = await().atMost(Duration.ofSeconds(5)).until(() -> event("m-2"),
                found -> found != null && found.get("outcome").asText().equals("delivered"));
        assertThat(second.get("launchDarklyEvent").get("key").asText()).isEqualTo("posted");
        assertThat(second.get("payloadId").asText()).isEqualTo("p-1");
        assertThat(second.get("attempts")).extracting(attempt -> attempt.get("status").asInt())
                .containsExactly(503, 202);
        assertThat(second.get("attempts").get(0).get("responseBody").asText()).isEqualTo("busy");
        assertThat(events("user-1")).extracting(event -> event.get("messageId").asText()).containsExactly("m-1");
    }

    @Test
    void theOverviewAndTheRetentionWorkAsOnSqlite() throws SQLException {
        DeliveryLog log = start(false, 1 << 20, 0);
        EventChunk old = chunk(track("m-old", "user-1"));
        post(log, batch("p-old", old), old);
        clock.advance(Duration.ofDays(15));
        EventChunk chunk = chunk(track("m-new", "user-1"), "{\"type\":\"page\",\"messageId\":\"m-page\"}");
        post(log, batch("p-new", chunk(track("m-new", "user-1"))), chunk);
        log.settled(chunk, new ConvertedChunk(), PRESETS);
        log.deadLettered(batch("p-new", chunk), "LaunchDarkly answered 400");

        JsonNode current = await().atMost(Duration.ofSeconds(5)).until(() -> overview.overview("1h").get("current"),
                funnel -> funnel.path("received").asLong() == 2
                        && funnel.path("destinations").path("default").path("Track Event").has("deadLettered"));
        assertThat(current.get("destinations").get("default").get("Track Event").get("deadLettered").asLong())
                .isEqualTo(1);
        assertThat(current.get("filtered").get("no_matching_mapping").asLong()).isEqualTo(1);

        log.prune();
        await().atMost(Duration.ofSeconds(5)).until(() -> event("m-old") == null);
        assertThat(event("m-new").get("outcome").asText()).isEqualTo("dead_lettered");
        assertThat(event("m-page").get("reason").asText()).isEqualTo("no_matching_mapping");
    }

    @Test
    void theTimelineAndTheServiceLatencyAreCountedAsOnSqlite() throws SQLException {
        DeliveryLog log = start(false, 1 << 20, 0);
        long readAt = clock.millis();
        EventChunk sent = chunkReadAt(readAt, track("m-1", "user-1"), track("m-2", "user-1"));
        post(log, batch("p-1", sent), sent);
        log.attempt(batch("p-1", sent), readAt + 200, 202, 50, null, null);
        clock.advance(Duration.ofMinutes(2));
        EventChunk refused = chunk(track("m-3", "user-1"));
        post(log, batch("p-2", refused), refused);
        log.deadLettered(batch("p-2", refused), "LaunchDarkly answered 400");
        log.settled(chunk("{\"type\":\"page\",\"messageId\":\"m-page\"}"), new ConvertedChunk(), PRESETS);

        List<String> buckets = await().atMost(Duration.ofSeconds(5)).until(() -> buckets(timeline.timeline("10m")),
                counted -> counted.contains("2026-11-01T10:02:00Z 0 0 1 1"));
        assertThat(buckets).hasSize(11).contains("2026-11-01T10:00:00Z 2 0 0 0")
                .filteredOn(bucket -> !bucket.endsWith(" 0 0 0 0")).hasSize(2);
        assertThat(overview.overview("10m").get("latency")).hasToString(
                "{\"events\":2,\"p50Ms\":250,\"p95Ms\":250,\"p99Ms\":250}");
    }

    @Test
    void aLogOverItsSizeForgetsItsOldestRecords() throws SQLException {
        long maxBytes = 256 * 1024;
        DeliveryLog log = start(false, 16 << 20, maxBytes);
        // random text, which PostgreSQL cannot compress away, so the rows' stored size is what was written
        Random random = new Random(11);
        for (int i = 0; i < 400; i++) {
            String padding = random.ints(2000, 'a', 'z' + 1)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            EventChunk chunk = chunk("{\"type\":\"track\",\"event\":\"Test Event\",\"messageId\":\"m-" + i
                    + "\",\"userId\":\"user-1\",\"properties\":{\"padding\":\"" + padding + "\"}}");
            post(log, batch("p-" + i, chunk), chunk);
            clock.advance(Duration.ofMinutes(1));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> event("m-399") != null);
        assertThat(payloadBytes()).isGreaterThan(maxBytes);

        log.prune();
        await().atMost(Duration.ofSeconds(10)).until(() -> event("m-0") == null);
        assertThat(event("m-399")).isNotNull();
        assertThat(events("user-1").size()).isBetween(1, 399);
        assertThat(payloadBytes()).isLessThan(maxBytes);
    }

    /** What the kept batches' JSON takes as stored. */
    private static long payloadBytes() throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement sql = connection.createStatement();
             ResultSet row = sql.executeQuery("SELECT SUM(pg_column_size(payload)) FROM logged_payload")) {
            row.next();
            return row.getLong(1);
        }
    }
}
