package io.github.segmentld.deliverylog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.model.EventChunk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delivery page's chart: the window's events delivered, failed and filtered per minute, or per hour. */
class DeliveryTimelineTest extends DeliveryLogTestSupport {

    @TempDir
    Path dir;

    @Override
    DeliveryLogDatabase.Settings databaseSettings() {
        return new DeliveryLogDatabase.Settings("", dir.resolve("log.db"), null, null);
    }

    /**
     * 10:00:00 one event delivered (before the 10-minute window); 10:10:00 two delivered; 10:11:30 one dead-lettered and
     * one filtered; 10:13:30 three parked in the retry queue and one still being sent. Now is 10:13:30.
     */
    private void logTheMorning() throws SQLException {
        DeliveryLog log = start(false, 1 << 20, 0);
        deliver(log, "p-early", chunk(track("m-0", "u")));
        clock.advance(Duration.ofMinutes(10));
        deliver(log, "p-1", chunk(track("m-1", "u"), track("m-2", "u")));
        clock.advance(Duration.ofSeconds(90));
        EventChunk refused = chunk(track("m-3", "u"));
        post(log, batch("p-2", refused), refused);
        log.deadLettered(batch("p-2", refused), "LaunchDarkly answered 400");
        log.settled(chunk("{\"type\":\"page\",\"messageId\":\"m-4\",\"userId\":\"u\"}"), new ConvertedChunk(), PRESETS);
        clock.advance(Duration.ofMinutes(2));
        EventChunk held = chunk(track("m-5", "u"), track("m-6", "u"), track("m-7", "u"));
        log.parked(batch("p-3", held), null, held);
        EventChunk sending = chunk(track("m-8", "u"));
        post(log, batch("p-4", sending), sending);
        await().atMost(Duration.ofSeconds(5)).until(() -> event("m-8") != null && event("m-4") != null
                && "dead_lettered".equals(event("m-3").path("outcome").asText())
                && "delivered".equals(event("m-1").path("outcome").asText()));
    }

    private void deliver(DeliveryLog log, String payloadId, EventChunk chunk) {
        post(log, batch(payloadId, chunk), chunk);
        log.attempt(batch(payloadId, chunk), clock.millis(), 202, 10, null, null);
    }

    @Test
    void aShortWindowIsCountedPerMinuteOfTheClock() throws SQLException {
        logTheMorning();

        JsonNode answer = timeline.timeline("10m");
        assertThat(answer.get("window").asText()).isEqualTo("10m");
        assertThat(answer.get("from").asText()).isEqualTo("2026-11-01T10:03:30Z");
        assertThat(answer.get("to").asText()).isEqualTo("2026-11-01T10:13:30Z");
        assertThat(answer.get("bucketSeconds").asLong()).isEqualTo(60);
        // 10:03 (from its 31st second) to 10:13 (to its 30th): every minute, those without events too
        assertThat(buckets(answer)).containsExactly(
                "2026-11-01T10:03:00Z 0 0 0 0", "2026-11-01T10:04:00Z 0 0 0 0", "2026-11-01T10:05:00Z 0 0 0 0",
                "2026-11-01T10:06:00Z 0 0 0 0", "2026-11-01T10:07:00Z 0 0 0 0", "2026-11-01T10:08:00Z 0 0 0 0",
                "2026-11-01T10:09:00Z 0 0 0 0", "2026-11-01T10:10:00Z 2 0 0 0", "2026-11-01T10:11:00Z 0 0 1 1",
                "2026-11-01T10:12:00Z 0 0 0 0", "2026-11-01T10:13:00Z 0 3 0 0");
    }

    @Test
    void aWindowOverSixHoursIsCountedPerHour() throws SQLException {
        logTheMorning();

        JsonNode answer = timeline.timeline("24h");
        assertThat(answer.get("bucketSeconds").asLong()).isEqualTo(3600);
        List<String> buckets = buckets(answer);
        // yesterday 10:00 (from 10:13:31) to today 10:00 (up to 10:13:30)
        assertThat(buckets).hasSize(25);
        assertThat(buckets.get(0)).isEqualTo("2026-10-31T10:00:00Z 0 0 0 0");
        assertThat(buckets.get(24)).isEqualTo("2026-11-01T10:00:00Z 3 3 1 1");
        assertThat(buckets.subList(0, 24)).allMatch(bucket -> bucket.endsWith(" 0 0 0 0"));
    }

    @Test
    void theCountQueryFindsTheWindowThroughTheCreatedAtIndex() throws SQLException {
        logTheMorning();
        try (Connection connection = database.connectForReading();
             PreparedStatement sql = connection.prepareStatement("EXPLAIN QUERY PLAN "
                     + DeliveryTimeline.countQuery(60_000))) {
            sql.setLong(1, clock.millis() - Duration.ofHours(1).toMillis());
            sql.setLong(2, clock.millis());
            ResultSet plan = sql.executeQuery();
            StringBuilder steps = new StringBuilder();
            while (plan.next()) {
                steps.append(plan.getString("detail")).append('\n');
            }
            assertThat(steps.toString()).contains("USING INDEX logged_group_created_at");
        }
    }

    @Test
    void aWindowItDoesNotKnowIsRefused() {
        start(false, 1 << 20, 0);
        assertThatThrownBy(() -> timeline.timeline("2h")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("window must be one of 10m, 1h, 24h, 7d, 14d");
    }
}
