package io.github.segmentld.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.CountingStandIn;
import io.github.segmentld.TestInbox;
import io.github.segmentld.store.StateDatabase;
import io.github.segmentld.store.StateSchema;
import org.junit.jupiter.api.Test;

/**
 * A work folder whose state database a newer release has migrated further: the application refuses to start, says
 * which versions, and changes nothing in the folder.
 */
class NewerWorkFolderRefusedTest {

    @Test
    void refusesToStartAndLeavesTheFolderAsItWas() throws Exception {
        TestInbox folder = TestInbox.create("newer-work-folder");
        Path work = folder.work().resolve("work");
        UpgradeFromFixtureTest.copy(UpgradeFromFixtureTest.FIXTURE, work);
        Path database = work.resolve("state/delivery.db");
        StateDatabase state = new StateDatabase(database, Clock.systemUTC());
        state.start();
        state.stop();
        // what a release with two more migrations leaves in the history
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath());
             Statement sql = connection.createStatement()) {
            for (int version = StateSchema.VERSION + 1; version <= StateSchema.VERSION + 2; version++) {
                sql.execute("INSERT INTO state_schema_history (installed_rank, version, description, type, script,"
                        + " checksum, installed_by, execution_time, success) VALUES (" + (version + 10) + ", '"
                        + version + "', 'later', 'SQL', 'V" + version + "__later.sql', 0, '', 1, 1)");
            }
        }
        Map<String, String> before = snapshot(work);

        Process application;
        try (CountingStandIn launchDarkly = new CountingStandIn()) {
            application = ChildApplication.start(folder, UpgradeFromFixtureTest.settings(folder, launchDarkly),
                    "refused-run.log");
            try {
                assertThat(application.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                ChildApplication.kill(application);
            }
            assertThat(launchDarkly.requests()).isZero();
        }

        assertThat(application.exitValue()).isEqualTo(65);
        assertThat(Files.readString(folder.work().resolve("refused-run.log"))).contains("work/state/delivery.db is at"
                + " schema version " + (StateSchema.VERSION + 2) + ", written by a newer release; this release reads"
                + " up to version " + StateSchema.VERSION + ".");
        assertThat(snapshot(work)).isEqualTo(before);
    }

    /** Every file of the folder with its length, modification time and content digest. */
    private static Map<String, String> snapshot(Path work) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(work)) {
            for (Path file : (Iterable<Path>) all::iterator) {
                String key = work.relativize(file).toString();
                files.put(key, Files.isDirectory(file) ? "folder"
                        : Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis() + " "
                        + java.util.Arrays.hashCode(Files.readAllBytes(file)));
            }
        }
        return files;
    }
}
