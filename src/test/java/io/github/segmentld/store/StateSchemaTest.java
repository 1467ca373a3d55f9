package io.github.segmentld.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state database's schema versions: migrated from nothing or from 0.1.0, a newer one refused untouched. */
class StateSchemaTest {

    @TempDir
    Path dir;

    @Test
    void aNewFileIsMigratedToTheLatestVersion() throws Exception {
        Path file = dir.resolve("delivery.db");
        open(file);
        assertThat(rows(file, "SELECT version || ':' || description FROM state_schema_history ORDER BY installed_rank"))
                .containsExactly("1:state", "2:jms plans");
        assertThat(rows(file, "PRAGMA user_version")).containsExactly("2");
        assertThat(StateSchema.versionOf(file)).isEqualTo(StateSchema.VERSION);
    }

    @Test
    void theLastMigrationIsTheVersionThisReleaseReadsUpTo() throws IOException, URISyntaxException {
        Path migrations = Path.of(StateSchema.class.getResource("/db/state").toURI());
        try (Stream<Path> files = Files.list(migrations)) {
            assertThat(files.map(f -> f.getFileName().toString())
                    .mapToInt(name -> Integer.parseInt(name.substring(1, name.indexOf("__")))).max())
                    .hasValue(StateSchema.VERSION);
        }
    }

    @Test
    void aFileWhoseFirstStartWasCutShortGetsTheTablesItMisses() throws Exception {
        Path file = dir.resolve("delivery.db");
        execute(file, "CREATE TABLE batch_outcome (payload_id TEXT PRIMARY KEY, destination TEXT NOT NULL,"
                + " outcome TEXT NOT NULL, events INTEGER NOT NULL, recorded_at INTEGER NOT NULL)",
                "INSERT INTO batch_outcome VALUES ('p1', 'default', 'delivered', 2, 0)");
        open(file);
        assertThat(rows(file, "SELECT payload_id FROM batch_outcome")).containsExactly("p1");
        assertThat(rows(file, "SELECT COUNT(*) FROM parked_batch")).containsExactly("0");
        assertThat(StateSchema.versionOf(file)).isEqualTo(StateSchema.VERSION);
    }

    @Test
    void aFileAtAVersionAboveThisReleasesIsRefusedAndLeftAsItIs() throws Exception {
        Path file = dir.resolve("delivery.db");
        open(file);
        execute(file, "INSERT INTO state_schema_history (installed_rank, version, description, type, script, checksum,"
                + " installed_by, execution_time, success) VALUES (9, '2.1', 'later', 'SQL', 'V2_1__later.sql', 0, '',"
                + " 1, 1)");
        assertRefusedUntouched(file, "is at schema version 3, written by a newer release; this release reads up to"
                + " version 2");
    }

    @Test
    void aFileWithoutHistoryWhoseUserVersionIsAboveThisReleasesIsRefused() throws Exception {
        Path file = dir.resolve("delivery.db");
        execute(file, "CREATE TABLE batch_outcome (payload_id TEXT PRIMARY KEY)", "PRAGMA user_version = 3");
        assertRefusedUntouched(file, "is at schema version 3, written by a newer release");
    }

    private void assertRefusedUntouched(Path file, String message) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long modified = Files.getLastModifiedTime(file).toMillis();
        List<Path> before = list();
        StateDatabase state = new StateDatabase(file, Clock.systemUTC());
        assertThatThrownBy(state::start).isInstanceOf(NewerStateException.class).hasMessageContaining(message);
        assertThat(file).hasBinaryContent(bytes);
        assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(modified);
        assertThat(list()).isEqualTo(before);
    }

    private List<Path> list() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private static void open(Path file) {
        StateDatabase state = new StateDatabase(file, Clock.systemUTC());
        state.start();
        state.stop();
    }

    private static void execute(Path file, String... statements) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement sql = connection.createStatement()) {
            for (String statement : statements) {
                sql.execute(statement);
            }
        }
    }

    private static List<String> rows(Path file, String query) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement sql = connection.createStatement(); ResultSet result = sql.executeQuery(query)) {
            while (result.next()) {
                rows.add(result.getString(1));
            }
        }
        return rows;
    }
}
