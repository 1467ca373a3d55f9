package io.github.segmentld.deliverylog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.LogCapture;
import io.github.segmentld.launchdarkly.LaunchDarklyBatch;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.model.EventChunk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delivery log on its own SQLite file. */
class DeliveryLogTest extends DeliveryLogTestSupport {

    @TempDir
    Path dir;

    @Override
    DeliveryLogDatabase.Settings databaseSettings() {
        return new DeliveryLogDatabase.Settings("", dir.resolve("log.db"), null, null);
    }

    @Test
    void redactedLogKeepsUserIdsAsHashesAndNoPropertiesOrTraits() throws SQLException, IOException {
        DeliveryLog log = start(true, 1 << 20, 0);
        EventChunk sent = chunk(track("m-1", "user-1"));
        post(log, batch("p-1", sent), sent);
        EventChunk page = chunk("{\"type\":\"page\",\"messageId\":\"m-2\",\"userId\":\"user-1\","
                + "\"properties\":{\"path\":\"/secret\"},\"context\":{\"traits\":{\"email\":\"a@b.c\"}}}");
        log.settled(page, new ConvertedChunk(), PRESETS);

        await().atMost(Duration.ofSeconds(5)).until(() -> events("user-1").size() == 2);
        JsonNode track = event("m-1");
        String hash = track.get("userId").asText();
        assertThat(hash).matches("sha256:[0-9a-f]{32}").isEqualTo(new Redaction(true).userId("user-1"));
        assertThat(track.get("launchDarklyEvent"))
                .isEqualTo(Json.parse("{\"kind\":\"custom\",\"key\":\"Test Event\",\"contextKeys\":{\"user\":\"" + hash
                        + "\"}}"));
        JsonNode filtered = event("m-2");
        assertThat(filtered.get("userId").asText()).isEqualTo(hash);
        assertThat(filtered.get("reason").asText()).isEqualTo("no_matching_mapping");
        assertThat(filtered.get("segmentEvent").isNull()).isTrue();
        for (String file : new String[] {"log.db", "log.db-wal"}) {
            assertThat(Files.readString(dir.resolve(file), StandardCharsets.ISO_8859_1))
                    .doesNotContain("user-1").doesNotContain("someone@example.com").doesNotContain("/secret");
        }
    }

    @Test
    void unredactedLogKeepsWhatWasSent() throws SQLException {
        DeliveryLog log = start(false, 1 << 20, 0);
        EventChunk sent = chunk(track("m-1", "user-1"));
        post(log, batch("p-1", sent), sent);
        log.attempt(batch("p-1", sent), clock.millis(), 202, 12, null, null);

        JsonNode track = await().atMost(Duration.ofSeconds(5)).until(() -> event("m-1"),
                found -> found != null && found.get("outcome").asText().equals("delivered"));
        assertThat(track.get("userId").asText()).isEqualTo("user-1");
        assertThat(track.get("launchDarklyEvent").get("data").get("email").asText()).isEqualTo("someone@example.com");
        assertThat(track.get("attempts").get(0).get("latencyMs").asLong()).isEqualTo(12);
    }

    @Test
    void recordsOlderThanTheRetentionAreForgotten() throws SQLException {
        DeliveryLog log = start(false, 1 << 20, 0);
        EventChunk old = chunk(track("m-old", "user-1"));
        post(log, batch("p-old", old), old);
        log.attempt(batch("p-old", old), clock.millis(), 202, 5, null, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> event("m-old") != null);
        clock.advance(Duration.ofDays(15));
        EventChunk recent = chunk(track("m-new", "user-1"));
        post(log, batch("p-new", recent), recent);

        log.prune();
        await().atMost(Duration.ofSeconds(5)).until(() -> event("m-old") == null);
        assertThat(event("m-new")).isNotNull();
        assertThat(events("user-1")).hasSize(1);
    }

    @Test
    void aLogOverItsSizeForgetsItsOldestRecordsAndGivesTheSpaceBack() throws Exception {
        long maxBytes = 256 * 1024;
        DeliveryLog log = start(false, 16 << 20, maxBytes);
        String padding = "x".repeat(2000);
        for (int i = 0; i < 400; i++) {
            EventChunk chunk = chunk("{\"type\":\"track\",\"event\":\"Test Event\",\"messageId\":\"m-" + i
                    + "\",\"userId\":\"user-1\",\"properties\":{\"padding\":\"" + padding + "\"}}");
            post(log, batch("p-" + i, chunk), chunk);
            clock.advance(Duration.ofMinutes(1));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> event("m-399") != null);
        long before = logBytes();
        assertThat(before).isGreaterThan(maxBytes);

        log.prune();
        await().atMost(Duration.ofSeconds(10)).until(() -> event("m-0") == null);
        await().atMost(Duration.ofSeconds(10)).until(() -> logBytes() < before);
        assertThat(event("m-399")).isNotNull();
        int kept = events("user-1").size();
        assertThat(kept).isBetween(1, 399);
        assertThat((long) kept * padding.length()).isLessThan(maxBytes);
    }

    @Test
    void aLogDeletedWhileRunningIsCreatedAgain() throws Exception {
        try (LogCapture warnings = new LogCapture(DeliveryLog.class)) {
            DeliveryLog log = start(false, 1 << 20, 0);
            EventChunk first = chunk(track("m-1", "user-1"));
            post(log, batch("p-1", first), first);
            await().atMost(Duration.ofSeconds(5)).until(() -> event("m-1") != null);
            for (String file : new String[] {"log.db", "log.db-wal", "log.db-shm"}) {
                Files.deleteIfExists(dir.resolve(file));
            }

            EventChunk second = chunk(track("m-2", "user-2"));
            post(log, batch("p-2", second), second);
            // between the new file and its tables, a search fails as the API's 503 says: read again
            await().atMost(Duration.ofSeconds(5)).ignoreExceptionsInstanceOf(SQLException.class)
                    .until(() -> Files.exists(dir.resolve("log.db")) && event("m-2") != null);
            assertThat(event("m-1")).isNull();
            assertThat(warnings.lines()).anyMatch(line -> line.contains("is gone; a new one is created"));
        }
    }

    @Test
    void aBatchHeldBackWithoutARequestIsFoundAndGetsItsJsonWhenPosted() throws SQLException {
        DeliveryLog log = start(false, 1 << 20, 0);
        EventChunk held = chunk(track("m-1", "user-1"));
        log.parked(batch("p-1", held), null, held);

        JsonNode parked = await().atMost(Duration.ofSeconds(5)).until(() -> event("m-1"), found -> found != null);
        assertThat(parked.get("outcome").asText()).isEqualTo("retry_pending");
        assertThat(parked.get("detail").asText()).isEqualTo("not sent: the destination's circuit is open");
        assertThat(parked.get("launchDarklyEvent").isNull()).isTrue();

        post(log, batch("p-1", held), null);
        log.attempt(batch("p-1", held), clock.millis(), 202, 9, null, null);
        JsonNode delivered = await().atMost(Duration.ofSeconds(5)).until(() -> event("m-1"),
                found -> found.get("outcome").asText().equals("delivered"));
        assertThat(delivered.get("launchDarklyEvent").get("key").asText()).isEqualTo("Test Event");
        assertThat(delivered.get("input").asText()).as("the first record of the batch stays").isEqualTo("events.ndjson");
    }

    /** The log's file and its write-ahead log. */
    private long logBytes() throws IOException {
        Path wal = dir.resolve("log.db-wal");
        return Files.size(dir.resolve("log.db")) + (Files.exists(wal) ? Files.size(wal) : 0);
    }

    @Test
    void aDamagedLogIsMovedAsideAndANewOneCreated() throws Exception {
        Files.writeString(dir.resolve("log.db"), "this is not an SQLite database, whatever its name says".repeat(100));
        try (LogCapture warnings = new LogCapture(DeliveryLogDatabase.class)) {
            DeliveryLog log = start(false, 1 << 20, 0);
            EventChunk sent = chunk(track("m-1", "user-1"));
            post(log, batch("p-1", sent), sent);

            await().atMost(Duration.ofSeconds(5)).until(() -> event("m-1") != null);
            assertThat(warnings.lines()).anyMatch(line -> line.contains("is damaged")
                    && line.contains("a new one is created"));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .anyMatch(name -> name.matches("log\\.db\\.damaged-\\d{8}T\\d{6}"));
        }
    }

    @Test
    void recordsBeyondThePendingBoundAreDroppedAndCountedNotWaitedFor() throws SQLException, IOException {
        // room for a batch of one event, not for one of four
        DeliveryLog log = start(false, 1500, 0);
        EventChunk four = chunk(track("m-1", "u"), track("m-2", "u"), track("m-3", "u"), track("m-4", "u"));
        post(log, batch("p-1", four), four);
        EventChunk one = chunk(track("m-5", "u"));
        post(log, batch("p-2", one), one);

        await().atMost(Duration.ofSeconds(5)).until(() -> event("m-5") != null);
        assertThat(events("u")).hasSize(1);
        assertThat(registry.get("delivery.log.records.dropped").counter().count()).isEqualTo(4);
    }

    @Test
    void everyKindOfEntryCountsAgainstThePendingBoundAndIsDroppedBeyondIt() throws SQLException {
        // a bound below what any entry holds: each one offered is beyond it
        DeliveryLog log = start(false, 100, 0);
        EventChunk two = chunk(track("m-1", "u"), track("m-2", "u"));
        LaunchDarklyBatch batch = batch("p-1", two);
        String[] kinds = {"posting", "settled", "refused", "split", "parked", "held back", "dead-lettered", "attempt",
            "prune"};
        Runnable[] offers = {
            () -> post(log, batch, two),
            () -> log.settled(chunk("{\"type\":\"page\",\"messageId\":\"m-3\",\"userId\":\"u\"}"),
                    new ConvertedChunk(), PRESETS),
            () -> log.refused(two.source(), 7, "no event name", "{}"),
            () -> log.split(batch),
            () -> log.parked(batch, new IOException("Connection refused"), two),
            () -> log.parked(batch, null, two),
            () -> log.deadLettered(batch, "LaunchDarkly answered 400"),
            () -> log.attempt(batch, clock.millis(), 202, 9, null, null),
            log::prune};
        // what each loses: the events of its groups (a settled chunk: the ones read, and the ones filtered), or the change
        int[] records = {2, 2, 1, 1, 1, 2, 1, 1, 1};
        double dropped = 0;
        for (int i = 0; i < offers.length; i++) {
            offers[i].run();
            dropped += records[i];
            assertThat(registry.get("delivery.log.records.dropped").counter().count()).as(kinds[i]).isEqualTo(dropped);
            assertThat(registry.get("delivery.log.pending.bytes").gauge().value()).as(kinds[i]).isZero();
        }
        assertThat(events("u")).isEmpty();
    }

    @Test
    void aRequestsAnswerCountsAgainstThePendingBoundByItsSize() throws SQLException {
        DeliveryLog log = start(false, 8_000, 0);
        EventChunk one = chunk(track("m-1", "u"));
        LaunchDarklyBatch batch = batch("p-1", one);
        post(log, batch, one);
        await().atMost(Duration.ofSeconds(5)).until(() -> event("m-1") != null
                && registry.get("delivery.log.pending.bytes").gauge().value() == 0);

        log.attempt(batch, clock.millis(), 503, 9, null, "x".repeat(5_000));
        assertThat(registry.get("delivery.log.records.dropped").counter().count()).isEqualTo(1);
        log.attempt(batch, clock.millis(), 202, 9, null, "accepted");
        JsonNode delivered = await().atMost(Duration.ofSeconds(5)).until(() -> event("m-1"),
                found -> found.get("outcome").asText().equals("delivered"));
        assertThat(delivered.get("attempts")).hasSize(1);
        assertThat(delivered.get("attempts").get(0).get("status").asInt()).isEqualTo(202);
        assertThat(registry.get("delivery.log.records.dropped").counter().count()).isEqualTo(1);
    }
}
