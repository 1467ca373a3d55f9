package io.github.segmentld.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.CountingStandIn;
import io.github.segmentld.Json;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import io.github.segmentld.store.StateSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The work folder release 0.1.0 left ({@code src/test/resources/upgrade/work-0.1.0}, see its README.txt), opened by
 * the application as it is built, in a JVM of its own with the work folder in its working directory, as it was written:
 * every event is delivered exactly once, nothing is parked or dead-lettered again, what was delivered is not sent again,
 * the dead letters stay and can be replayed, and the state database is under versioned migrations.
 */
class UpgradeFromFixtureTest {

    static final Path FIXTURE = UpgradeFixture.FOLDER;
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String HALF_SETTLED = "b50792b814867c3113c35def09e1b6065aebaee8bb0f656e4f685d8f0241ec5b";

    private final CountingStandIn launchDarkly = new CountingStandIn();
    private final TestInbox folder = TestInbox.create("upgrade");
    private final Path work = folder.work().resolve("work");
    private Process application;

    @AfterEach
    void stop() throws InterruptedException {
        if (application != null) {
            ChildApplication.kill(application);
        }
        launchDarkly.close();
    }

    @Test
    void everyEventOfTheFolderIsDeliveredOnceAndNothingIsParkedOrDeadLetteredAgain() throws Exception {
        copy(FIXTURE, work);
        asIfStoppedAnHourAgo(work.resolve("state/delivery.db"));
        Map<String, byte[]> deadLetters = contents(work.resolve("dead-letter"));
        application = ChildApplication.start(folder, settings(folder, launchDarkly), "upgrade-run.log");

        Set<String> unsettled = Set.of("u101", "u102", "u105", "u106", "h1", "h2", "h3");
        Set<String> parked = users(IntStream.rangeClosed(1, 12), "u103", "u104");
        await().atMost(PATIENCE).until(() -> launchDarkly.acceptedUsers("staging-id") >= 21
                && launchDarkly.acceptedUsers("prod-id") >= 7 && launchDarkly.acceptedUsers("sandbox-id") >= 7
                && TestInbox.list(work.resolve("inbox")).isEmpty() && TestInbox.list(work.resolve("spool")).isEmpty()
                && count("parked_batch") == 0 && settledOfHalfSettledFile() == 3);

        // production: what it had not been answered for; sandbox: the same, its dead letters not sent
        assertThat(launchDarkly.acceptedUserIds("prod-id")).isEqualTo(unsettled);
        assertThat(launchDarkly.acceptedUserIds("sandbox-id")).isEqualTo(unsettled);
        // staging: its 7 parked batches from the queue, and the rest once
        Set<String> staging = new HashSet<>(parked);
        staging.addAll(unsettled);
        assertThat(launchDarkly.acceptedUserIds("staging-id")).isEqualTo(staging);
        assertThat(launchDarkly.doubled()).isEmpty();
        assertThat(launchDarkly.repeatedPayloads()).isZero();
        assertThat(TestInbox.list(work.resolve("failed"))).isEmpty();

        // nothing dead-lettered or parked again: the dead letters are the same 7 files, byte for byte
        assertThat(contents(work.resolve("dead-letter"))).containsOnlyKeys(deadLetters.keySet());
        deadLetters.forEach((name, bytes) ->
                assertThat(work.resolve("dead-letter").resolve(name)).hasBinaryContent(bytes));
        // 0.1.0's 7 outcomes each, and 4 batches of the unsettled events (chunks 0 and 2, the spool's 3 events)
        assertThat(outcomes()).containsOnly(Map.entry("production/delivered", 7 + 4L),
                Map.entry("staging/delivered", 7 + 4L), Map.entry("sandbox/dead_lettered", 7L),
                Map.entry("sandbox/delivered", 4L));
        // a database with a history of its own: the 0.1.0 file is adopted as it was, then version 1 over it, and the
        // versions after it
        assertThat(history()).containsExactly("0:<< Flyway Baseline >>", "1:state", "2:jms plans");
        assertThat(StateSchema.versionOf(work.resolve("state/delivery.db"))).isEqualTo(StateSchema.VERSION);

        // the rejection record of 0.1.0 reads as a rejection record
        List<String> rejections = TestInbox.lines(only(work.resolve("rejected")));
        assertThat(rejections).hasSize(1);
        assertThat(Json.MAPPER.readTree(rejections.get(0)).path("reason").asText())
                .isEqualTo("the event has neither userId nor anonymousId");

        // a dead letter of 0.1.0 replays: moved into the inbox, its events go to its destination alone
        String replayed = "024f3904-5d82-3a7f-9ea7-7e117550f170.json";
        Files.move(work.resolve("dead-letter").resolve(replayed), work.resolve("inbox").resolve(replayed),
                StandardCopyOption.ATOMIC_MOVE);
        await().atMost(PATIENCE).until(() -> Files.exists(work.resolve("done").resolve(replayed)));
        Set<String> sandbox = new HashSet<>(unsettled);
        sandbox.addAll(Set.of("u103", "u104"));
        assertThat(launchDarkly.acceptedUserIds("sandbox-id")).isEqualTo(sandbox);
        assertThat(launchDarkly.acceptedUserIds("staging-id")).isEqualTo(staging);
        assertThat(launchDarkly.acceptedUserIds("prod-id")).isEqualTo(unsettled);
    }

    /**
     * Moves every time the state database holds back by as much as puts the last parked batch's next attempt a
     * second ago: the folder opened an hour after 0.1.0 stopped, whatever this machine's clock says of the day the
     * fixture was written. Ages and the order of due times stay as they were.
     */
    static void asIfStoppedAnHourAgo(Path database) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath());
             Statement sql = connection.createStatement()) {
            long shift;
            try (ResultSet last = sql.executeQuery("SELECT MAX(next_attempt_at) FROM parked_batch")) {
                shift = System.currentTimeMillis() - 1000 - (last.next() ? last.getLong(1) : 0);
            }
            for (String column : List.of("batch_outcome.recorded_at", "settled_chunk.settled_at",
                    "rejection_file.updated_at", "parked_batch.first_failed_at", "parked_batch.next_attempt_at",
                    "webhook_signature.accepted_at")) {
                String[] tableAndColumn = column.split("\\.");
                sql.execute("UPDATE " + tableAndColumn[0] + " SET " + tableAndColumn[1] + " = " + tableAndColumn[1]
                        + " + " + shift);
            }
        }
    }

    /** The fixture's destinations, production, staging and sandbox, each posting to its route of the stand-in. */
    static Path threeDestinations(TestInbox folder, CountingStandIn launchDarkly) {
        return folder.mappingsFile("""
                destinations:
                  - name: production
                    client-side-id: prod-id
                    events-base-url: %s
                  - name: staging
                    client-side-id: staging-id
                    events-base-url: %s
                  - name: sandbox
                    client-side-id: sandbox-id
                    events-base-url: %s
                """.formatted(launchDarkly.baseUrl("production"), launchDarkly.baseUrl("staging"),
                launchDarkly.baseUrl("sandbox")));
    }

    /** The settings of the fixture's run, with every destination accepting, the work folder the default one. */
    static Properties settings(TestInbox folder, CountingStandIn launchDarkly) {
        Properties settings = new Properties();
        settings.setProperty("launchdarkly.mappings-file", threeDestinations(folder, launchDarkly).toString());
        settings.setProperty("launchdarkly.settings-check.enabled", "false");
        settings.setProperty("pipeline.chunk-size", "2");
        settings.setProperty("inbox.poll-delay-ms", "100");
        settings.setProperty("inbox.stable-for-ms", "100");
        settings.setProperty("retry-queue.poll-interval-ms", "100");
        settings.setProperty("spool.max-segment-age-ms", "100");
        settings.setProperty("http.enabled", "true");
        settings.setProperty("http.write-keys", "upgrade-write-key");
        settings.setProperty("camel.server.enabled", "true");
        settings.setProperty("camel.server.port", Integer.toString(Loopback.freePort()));
        settings.setProperty("camel.management.enabled", "false");
        settings.setProperty("camel.metrics.enabled", "false");
        return settings;
    }

    /** How many chunks of inbox/half-settled.ndjson are settled (its identity is the digest of its content). */
    private long settledOfHalfSettledFile() throws Exception {
        return query("SELECT COUNT(*) FROM settled_chunk WHERE chunk_key LIKE 'sha256:" + HALF_SETTLED + "#%'",
                rows -> rows.getLong(1)).get(0);
    }

    private long count(String table) throws Exception {
        return query("SELECT COUNT(*) FROM " + table, rows -> rows.getLong(1)).get(0);
    }

    private Map<String, Long> outcomes() throws Exception {
        Map<String, Long> outcomes = new TreeMap<>();
        query("SELECT destination || '/' || outcome, COUNT(*) FROM batch_outcome GROUP BY 1",
                rows -> outcomes.put(rows.getString(1), rows.getLong(2)));
        return outcomes;
    }

    private List<String> history() throws Exception {
        return query("SELECT version || ':' || description FROM state_schema_history ORDER BY installed_rank",
                rows -> rows.getString(1));
    }

    private interface Row<T> {
        T read(ResultSet rows) throws Exception;
    }

    private <T> List<T> query(String select, Row<T> row) throws Exception {
        List<T> values = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(
                "jdbc:sqlite:file:" + work.resolve("state/delivery.db").toAbsolutePath() + "?mode=ro");
             Statement sql = connection.createStatement(); ResultSet rows = sql.executeQuery(select)) {
            while (rows.next()) {
                values.add(row.read(rows));
            }
        }
        return values;
    }

    private static Set<String> users(IntStream numbers, String... more) {
        Set<String> users = numbers.mapToObj(n -> "u" + n).collect(Collectors.toSet());
        users.addAll(List.of(more));
        return users;
    }

    private static Path only(Path dir) {
        List<Path> files = TestInbox.list(dir);
        assertThat(files).hasSize(1);
        return files.get(0);
    }

    static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> contents = new TreeMap<>();
        for (Path file : TestInbox.list(dir)) {
            contents.put(file.getFileName().toString(), Files.readAllBytes(file));
        }
        return contents;
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!file.getFileName().toString().equals("README.txt")) {
                    Files.copy(file, target);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
