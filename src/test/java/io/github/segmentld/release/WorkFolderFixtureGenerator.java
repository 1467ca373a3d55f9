package io.github.segmentld.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.CountingStandIn;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the work folder fixture of {@code src/test/resources/upgrade/work-<release>/} with the application as it is
 * built: not a test, run by hand when a release is made, with
 * {@code ./mvnw -q test -Dtest=WorkFolderFixtureGenerator -Dfixture.release=<release>}.
 * <p>
 * The application runs in a JVM of its own, in a folder of its own with the default (relative) work folder, as the
 * quick start runs it, against three destinations: production accepts, staging answers 500 (its batches are parked,
 * then its circuit opens and later ones are parked at once), sandbox answers 400 (dead letters). A request to the
 * HTTP source leaves a refused event (a rejection record) and a spool segment that does not roll; a second file is
 * killed with production's answer to its second chunk held, so its first chunk is settled and the rest is not.
 */
@EnabledIfSystemProperty(named = "fixture.release", matches = ".+")
class WorkFolderFixtureGenerator {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String WRITE_KEY = "fixture-write-key";

    private final HttpClient client = HttpClient.newHttpClient();
    private final int port = Loopback.freePort();

    @Test
    void writeFixture() throws Exception {
        String release = System.getProperty("fixture.release");
        TestInbox folder = TestInbox.create("fixture");
        Path work = folder.work().resolve("work");
        try (CountingStandIn launchDarkly = new CountingStandIn()) {
            launchDarkly.answer("staging-id", 500);
            launchDarkly.answer("sandbox-id", 400);
            Process application = ChildApplication.start(folder, settings(folder, launchDarkly), "fixture-run.log");
            try {
                // an event without identity is refused and answered 200: a rejection record, and the route is up
                await().atMost(PATIENCE).ignoreException(ConnectException.class)
                        .until(() -> send("/v1/track", "{\"event\":\"No identity\"}") == 200);

                drop(work, "settled.ndjson", TestInbox.trackLines(1, 12));
                await().atMost(PATIENCE).until(() -> Files.exists(work.resolve("done/settled.ndjson")));

                assertThat(send("/v1/batch", """
                        {"batch":[{"type":"track","userId":"h1","event":"E","messageId":"m-h1"},\
                        {"type":"track","userId":"h2","event":"E","messageId":"m-h2"},\
                        {"type":"identify","userId":"h3","anonymousId":"anon-h3","messageId":"m-h3"}]}""")).isEqualTo(200);

                launchDarkly.holdAfter("production", 1);
                long settledBefore = settledChunks(work);
                drop(work, "half-settled.ndjson", TestInbox.trackLines(101, 106));
                await().atMost(PATIENCE).until(() -> launchDarkly.held("production") > 0
                        && settledChunks(work) > settledBefore);
            } finally {
                ChildApplication.kill(application);
            }
        }
        checkpoint(work.resolve("state/delivery.db"));
        checkpoint(work.resolve("state/delivery-log.db"));
        Path fixture = Path.of("src/test/resources/upgrade/work-" + release);
        replace(fixture, work);
    }

    private Properties settings(TestInbox folder, CountingStandIn launchDarkly) {
        Properties settings = new Properties();
        settings.setProperty("launchdarkly.mappings-file",
                UpgradeFromFixtureTest.threeDestinations(folder, launchDarkly).toString());
        settings.setProperty("launchdarkly.settings-check.enabled", "false");
        settings.setProperty("pipeline.chunk-size", "2");
        settings.setProperty("pipeline.concurrency", "1");
        settings.setProperty("inbox.poll-delay-ms", "100");
        settings.setProperty("inbox.stable-for-ms", "100");
        // parked at the first failure and due at once; once staging's circuit opens, its queue is not drained and
        // later batches are parked until the circuit closes, an hour on: due and not yet due batches
        settings.setProperty("launchdarkly.delivery.inline-redeliveries", "0");
        settings.setProperty("launchdarkly.delivery.initial-delay-ms", "100");
        settings.setProperty("launchdarkly.delivery.max-delay-ms", "100");
        settings.setProperty("launchdarkly.circuit.open-ms", "3600000");
        settings.setProperty("spool.max-segment-age-ms", "3600000");
        settings.setProperty("http.enabled", "true");
        settings.setProperty("http.write-keys", WRITE_KEY);
        settings.setProperty("camel.server.enabled", "true");
        settings.setProperty("camel.server.port", Integer.toString(port));
        settings.setProperty("camel.management.enabled", "false");
        settings.setProperty("camel.metrics.enabled", "false");
        return settings;
    }

    private int send(String path, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static void drop(Path work, String name, String content) throws IOException {
        Path inbox = Files.createDirectories(work.resolve("inbox"));
        Path hidden = Files.writeString(inbox.resolve("." + name + ".writing"), content);
        Files.move(hidden, inbox.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static long settledChunks(Path work) throws Exception {
        try (Connection connection = DriverManager.getConnection(
                "jdbc:sqlite:file:" + work.resolve("state/delivery.db").toAbsolutePath() + "?mode=ro");
             Statement sql = connection.createStatement();
             ResultSet count = sql.executeQuery("SELECT COUNT(*) FROM settled_chunk")) {
            return count.next() ? count.getLong(1) : 0;
        }
    }

    /** Folds the write-ahead log into the file (SQLite removes it when its last connection closes). */
    private static void checkpoint(Path database) throws Exception {
        if (!Files.exists(database)) {
            return;
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath());
             Statement sql = connection.createStatement()) {
            sql.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        assertThat(database.resolveSibling(database.getFileName() + "-wal")).doesNotExist();
    }

    private static void replace(Path fixture, Path work) throws IOException {
        if (Files.exists(fixture)) {
            try (Stream<Path> old = Files.walk(fixture)) {
                old.sorted(Comparator.reverseOrder()).filter(p -> !p.getFileName().toString().equals("README.txt"))
                        .forEach(WorkFolderFixtureGenerator::delete);
            }
        }
        try (Stream<Path> files = Files.walk(work)) {
            for (Path from : (Iterable<Path>) files::iterator) {
                Path to = fixture.resolve(work.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void delete(Path path) {
        try {
            if (!Files.isDirectory(path) || Files.list(path).findAny().isEmpty()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
