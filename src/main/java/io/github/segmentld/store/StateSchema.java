package io.github.segmentld.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.Flyway;

/**
 * The versions of the state database's schema: the Flyway migrations of {@code db/state}, numbered 1, 2, 3..., each
 * release reading every version up to its own {@link #VERSION}. Release 0.1.0 wrote version 1 without a schema
 * history (its {@code PRAGMA user_version} says 1); such a database is adopted as it is.
 * <p>
 * A database written by a newer release is refused before anything is written: Flyway would ignore the migrations it
 * does not know and go on, and this release would then write rows into tables whose meaning it does not know.
 */
public final class StateSchema {

    /** The schema version this release writes and reads up to: that of the last migration of {@code db/state}. */
    public static final int VERSION = 2;

    static final String HISTORY_TABLE = "state_schema_history";

    private StateSchema() {
    }

    /**
     * The schema version of a database file, read without writing anything to it or beside it: 0 when there is no
     * file or no schema yet.
     */
    public static int versionOf(Path file) throws SQLException {
        if (!Files.exists(file)) {
            return 0;
        }
        // immutable: no lock taken, no -shm made; a -wal left by a kill is not read, so it is opened read-only instead
        String mode = Files.exists(walOf(file)) ? "mode=ro" : "immutable=1";
        String url = "jdbc:sqlite:file:" + file.toAbsolutePath() + "?" + mode;
        try (Connection connection = DriverManager.getConnection(url)) {
            return versionOf(connection);
        }
    }

    /**
     * @throws NewerStateException when the file was written by a newer release; a file SQLite cannot read passes, to
     *                             be salvaged as a damaged one
     */
    public static void refuseNewer(Path file) {
        int version;
        try {
            version = versionOf(file);
        } catch (SQLException unreadable) {
            return;
        }
        if (version > VERSION) {
            throw new NewerStateException(file, version);
        }
    }

    /** Brings the database of an open connection to {@link #VERSION}; a database at it already costs one query. */
    static void migrate(Connection connection, Path file) throws SQLException {
        int version = versionOf(connection);
        if (version > VERSION) {
            throw new NewerStateException(file, version);
        }
        if (version == VERSION && hasHistory(connection)) {
            return;
        }
        Flyway.configure()
                .dataSource("jdbc:sqlite:" + file.toAbsolutePath(), null, null)
                .locations("classpath:db/state")
                .table(HISTORY_TABLE)
                // a database of 0.1.0, without history, gets a baseline below version 1, so that version 1 runs over it
                // and creates whatever a crash during its first start left out
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .loggers("slf4j")
                .load()
                .migrate();
    }

    private static int versionOf(Connection connection) throws SQLException {
        try (Statement sql = connection.createStatement()) {
            if (hasHistory(connection)) {
                int highest = 0;
                try (ResultSet versions = sql.executeQuery(
                        "SELECT version FROM " + HISTORY_TABLE + " WHERE success = 1 AND version IS NOT NULL")) {
                    while (versions.next()) {
                        highest = Math.max(highest, wholeVersion(versions.getString(1)));
                    }
                }
                return highest;
            }
            try (ResultSet userVersion = sql.executeQuery("PRAGMA user_version")) {
                return userVersion.next() ? userVersion.getInt(1) : 0;
            }
        }
    }

    /** A version's whole number: a later release may number a migration 2.1, which is newer than 2 all the same. */
    private static int wholeVersion(String version) {
        String whole = version.split("\\.", 2)[0];
        int value = Integer.parseInt(whole);
        return whole.length() < version.length() ? value + 1 : value;
    }

    private static boolean hasHistory(Connection connection) throws SQLException {
        try (Statement sql = connection.createStatement();
             ResultSet table = sql.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '"
                     + HISTORY_TABLE + "'")) {
            return table.next();
        }
    }

    private static Path walOf(Path file) {
        return file.resolveSibling(file.getFileName() + "-wal");
    }
}
