package io.github.segmentld.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.ChildApplication;
import io.github.segmentld.Json;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The built jar ({@code target/<artifact>-<version>.jar}), run as an operator runs it: {@code java -jar} in a folder
 * of its own holding an {@code application.properties} that sets the ports, with the delivery log on PostgreSQL. The
 * JDBC drivers and Flyway's database support are found through META-INF/services, which a fat jar must merge.
 */
class RunnableJarIT {

    private static final Path JAR = Path.of(System.getProperty("jar.file"));
    private static final String VERSION = System.getProperty("project.version");

    private static EmbeddedPostgres postgres;
    private static Path folder;
    private static int serverPort;

    @BeforeAll
    static void startPostgresAndWriteSettings() throws IOException {
        postgres = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
        folder = Files.createDirectories(Path.of("target", "jar-it", UUID.randomUUID().toString())).toAbsolutePath();
        serverPort = Loopback.freePort();
        Files.writeString(folder.resolve("application.properties"), String.join("\n",
                "camel.server.port = " + serverPort,
                "camel.management.port = " + Loopback.freePort(),
                "inbox.poll-delay-ms = 100",
                "inbox.stable-for-ms = 100",
                "delivery-log.jdbc-url = " + postgres.getJdbcUrl("postgres", "postgres"),
                "delivery-log.user = postgres",
                "delivery-log.password = postgres",
                ""));
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @Test
    void theSamplesAreDeliveredToTheStandInAndLoggedInPostgres() throws Exception {
        Process application = java(List.of(), "application.log");
        try {
            Path inbox = Files.createDirectories(folder.resolve("work/inbox"));
            for (Path sample : TestInbox.list(Path.of("samples"))) {
                // written aside and renamed, as an operator's copy should be
                Path part = inbox.resolve(sample.getFileName() + ".part");
                Files.copy(sample, part);
                Files.move(part, inbox.resolve(sample.getFileName()));
            }

            Path record = folder.resolve("work/stand-in/received.ndjson");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.exists(record) && TestInbox.lines(record).size() == 3);
            List<String> payloadIds = new ArrayList<>();
            int events = 0;
            for (String line : TestInbox.lines(record)) {
                JsonNode batch = Json.MAPPER.readTree(line);
                payloadIds.add(batch.path("payloadId").asText());
                events += batch.path("events").size();
            }
            assertThat(events).isEqualTo(6);

            // the log's writer commits within about a second of the delivery
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> deliveredBatches().size() == 3);
            assertThat(deliveredBatches()).containsExactlyInAnyOrderElementsOf(payloadIds);
            assertThat(TestInbox.list(folder.resolve("work/done"))).extracting(path -> path.getFileName().toString())
                    .containsExactlyInAnyOrderElementsOf(TestInbox.list(Path.of("samples")).stream()
                            .map(path -> path.getFileName().toString()).toList());
        } finally {
            ChildApplication.kill(application);
        }
    }

    @Test
    void versionPrintsTheRelease() throws Exception {
        Process version = java(List.of("--version"), "version.out");
        assertThat(version.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(version.exitValue()).isZero();
        assertThat(Files.readString(folder.resolve("version.out")).strip())
                .isEqualTo("segment-launchdarkly-camel " + VERSION);
    }

    @Test
    void previewShowsWhatAnEventBecomesUnderTheFolderSettings() throws Exception {
        Process preview = java(List.of("--preview", Path.of("samples/checkout-batch.json").toAbsolutePath().toString()),
                "preview.out");
        assertThat(preview.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(preview.exitValue()).isZero();
        JsonNode shown = Json.MAPPER.readTree(folder.resolve("preview.out").toFile());
        assertThat(shown.get(0).path("event").path("messageId").asText()).isEqualTo("sample-8");
        // the stand-in's URL carries the port of the folder's application.properties
        assertThat(shown.get(0).path("destinations").get(0).path("url").asText())
                .isEqualTo("http://127.0.0.1:" + serverPort + "/events/bulk/stand-in-default");
    }

    private static Process java(List<String> arguments, String output) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
                JAR.toAbsolutePath().toString()));
        command.addAll(arguments);
        return new ProcessBuilder(command).directory(folder.toFile())
                .redirectOutput(folder.resolve(output).toFile())
                .redirectError(folder.resolve(output + ".err").toFile())
                .start();
    }

    private static List<String> deliveredBatches() throws SQLException {
        List<String> payloadIds = new ArrayList<>();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement sql = connection.createStatement()) {
            try (ResultSet tables = connection.getMetaData().getTables(null, "public", "logged_group", null)) {
                if (!tables.next()) {
                    return payloadIds;
                }
            }
            try (ResultSet rows = sql.executeQuery(
                    "SELECT payload_id FROM logged_group WHERE kind = 'batch' AND outcome = 'delivered'")) {
                while (rows.next()) {
                    payloadIds.add(rows.getString(1));
                }
            }
        }
        return payloadIds;
    }
}
