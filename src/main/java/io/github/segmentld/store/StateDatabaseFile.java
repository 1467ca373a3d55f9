package io.github.segmentld.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state database's file: opened with its integrity checked and its schema made, or, when it is damaged (SQLite
 * finds it corrupt, or not a database, or it fails the integrity check), moved aside with a warning that names it and
 * replaced by a new one holding every row that can still be read of it; a row that cannot is skipped with a warning
 * naming the table and its position. A file that cannot be opened for another reason (a full disk) is left as it is.
 */
final class StateDatabaseFile {

    private static final Logger LOG = LoggerFactory.getLogger(StateDatabaseFile.class);
    private static final DateTimeFormatter ASIDE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    private static final int SCHEMA_VERSION = 1;
    private static final String[] SCHEMA = {
        // The outcome of each batch, by payload ID: delivered, parked, dead_lettered or split.
        """
        CREATE TABLE IF NOT EXISTS batch_outcome (
          payload_id TEXT PRIMARY KEY, destination TEXT NOT NULL, outcome TEXT NOT NULL, events INTEGER NOT NULL,
          recorded_at INTEGER NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS batch_outcome_age ON batch_outcome (recorded_at)",
        // The chunks of inputs whose every batch has an outcome and whose rejections are written.
        "CREATE TABLE IF NOT EXISTS settled_chunk (chunk_key TEXT PRIMARY KEY, settled_at INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS settled_chunk_age ON settled_chunk (settled_at)",
        // How much of each rejection file belongs to settled chunks; the rest is cut off at start.
        """
        CREATE TABLE IF NOT EXISTS rejection_file (
          path TEXT PRIMARY KEY, committed_bytes INTEGER NOT NULL, updated_at INTEGER NOT NULL)""",
        // The retry queues: batches that failed with a recoverable answer, with their events and their schedule.
        """
        CREATE TABLE IF NOT EXISTS parked_batch (
          payload_id TEXT PRIMARY KEY, destination TEXT NOT NULL, events INTEGER NOT NULL, bytes INTEGER NOT NULL,
          document BLOB NOT NULL, first_failed_at INTEGER NOT NULL, attempts INTEGER NOT NULL,
          next_attempt_at INTEGER NOT NULL, last_failure TEXT)""",
        "CREATE INDEX IF NOT EXISTS parked_batch_due ON parked_batch (destination, next_attempt_at)",
        "CREATE INDEX IF NOT EXISTS parked_batch_age ON parked_batch (destination, first_failed_at)",
        // With the retry queues shared on Kafka: each parked batch's partition of the topic, which says who sends it.
        "CREATE TABLE IF NOT EXISTS parked_partition (payload_id TEXT PRIMARY KEY, partition INTEGER NOT NULL)",
        // The size of each retry queue, kept with every change to it, and counted anew at each start.
        """
        CREATE TABLE IF NOT EXISTS queue_depth (
          destination TEXT PRIMARY KEY, batches INTEGER NOT NULL, events INTEGER NOT NULL, bytes INTEGER NOT NULL)""",
        // The signatures of webhook deliveries accepted on their signature alone, so that a replay is not accepted.
        "CREATE TABLE IF NOT EXISTS webhook_signature (signature TEXT PRIMARY KEY, accepted_at INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS webhook_signature_age ON webhook_signature (accepted_at)",
        "PRAGMA user_version = " + SCHEMA_VERSION,
    };
    private static final String[] COUNT_QUEUES = {
        "DELETE FROM queue_depth",
        """
        INSERT INTO queue_depth (destination, batches, events, bytes)
          SELECT destination, COUNT(*), SUM(events), SUM(bytes) FROM parked_batch GROUP BY destination""",
    };
    private static final String[] TABLES =
        {"batch_outcome", "settled_chunk", "rejection_file", "parked_batch", "parked_partition", "webhook_signature"};
    private static final String[] JOURNAL_SUFFIXES = {"", "-wal", "-shm"};

    private final Path file;
    private final Clock clock;

    StateDatabaseFile(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /** The writer's connection: the file checked, its schema made, a damaged file replaced by what can be salvaged. */
    Connection openForWriting() throws IOException, SQLException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try {
            return openChecked(file);
        } catch (SQLException damaged) {
            if (!isDamage(damaged)) {
                throw StateUnavailableException.of(file, damaged);
            }
            replaceDamaged(damaged);
            return openChecked(file);
        }
    }

    Connection openForReading() throws SQLException {
        return open(file);
    }

    /** Whether SQLite found the file damaged, rather than the disk full or the file out of reach. */
    private static boolean isDamage(SQLException failure) {
        if (failure instanceof SQLiteException sqlite) {
            int primary = sqlite.getResultCode().code & 0xff;
            return primary == SQLiteErrorCode.SQLITE_CORRUPT.code || primary == SQLiteErrorCode.SQLITE_NOTADB.code;
        }
        return true;
    }

    private static Connection open(Path path) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + path.toAbsolutePath());
        try (Statement sql = connection.createStatement()) {
            sql.execute("PRAGMA busy_timeout = 10000");
            sql.execute("PRAGMA journal_mode = WAL");
            sql.execute("PRAGMA synchronous = FULL");
        }
        return connection;
    }

    /** Opens the database, checks its integrity and creates what is missing of the schema. */
    private static Connection openChecked(Path path) throws SQLException {
        Connection connection = open(path);
        try (Statement sql = connection.createStatement()) {
            try (ResultSet check = sql.executeQuery("PRAGMA quick_check")) {
                String result = check.next() ? check.getString(1) : "no answer";
                if (!"ok".equalsIgnoreCase(result)) {
                    throw new SQLiteException("integrity check: " + result, SQLiteErrorCode.SQLITE_CORRUPT);
                }
            }
            for (String statement : SCHEMA) {
                sql.execute(statement);
            }
            for (String statement : COUNT_QUEUES) {
                sql.execute(statement);
            }
            return connection;
        } catch (SQLException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /**
     * Builds a new database beside the damaged one from every row that can still be read of it, and only then puts it
     * in the damaged one's place: a crash on the way leaves the damaged file where it was, to be salvaged again.
     */
    private void replaceDamaged(SQLException damage) throws IOException, SQLException {
        Path aside = file.resolveSibling(file.getFileName() + ".damaged-" + ASIDE_TIME.format(clock.instant()));
        Path salvaged = file.resolveSibling(file.getFileName() + ".salvaged");
        LOG.warn("State database {} is damaged ({}): moved aside to {} and replaced by a new one holding what can still"
                + " be read from it", file, damage.getMessage(), aside.getFileName());
        for (String suffix : JOURNAL_SUFFIXES) {
            Files.deleteIfExists(salvaged.resolveSibling(salvaged.getFileName() + suffix));
        }
        try (Connection into = openChecked(salvaged)) {
            salvage(into);
        }
        moveWithJournal(file, aside);
        moveWithJournal(salvaged, file);
    }

    private static void moveWithJournal(Path from, Path to) throws IOException {
        for (String suffix : JOURNAL_SUFFIXES) {
            Path part = from.resolveSibling(from.getFileName() + suffix);
            if (Files.exists(part)) {
                // synced at once: commits into the salvaged database must not revert to the damaged one on a power cut
                DurableFiles.move(part, to.resolveSibling(to.getFileName() + suffix));
            }
        }
    }

    /** Copies every row that can still be read from the damaged database into a new one. */
    private void salvage(Connection into) throws SQLException {
        Connection from;
        try {
            from = DriverManager.getConnection("jdbc:sqlite:file:" + file.toAbsolutePath() + "?mode=ro");
        } catch (SQLException unreadable) {
            LOG.warn("Nothing can be read from the damaged state database {}: {}", file, unreadable.getMessage());
            return;
        }
        try (from; Statement sql = into.createStatement()) {
            sql.execute("BEGIN");
            for (String table : TABLES) {
                salvageTable(from, into, table);
            }
            for (String statement : COUNT_QUEUES) {
                sql.execute(statement);
            }
            sql.execute("COMMIT");
        }
    }

    private void salvageTable(Connection from, Connection into, String table) {
        long copied = 0;
        long rowId = 0;
        try (Statement select = from.createStatement();
             ResultSet rows = select.executeQuery("SELECT rowid, * FROM " + table + " ORDER BY rowid")) {
            ResultSetMetaData columns = rows.getMetaData();
            StringBuilder insert = new StringBuilder("INSERT OR REPLACE INTO " + table + " (");
            for (int c = 2; c <= columns.getColumnCount(); c++) {
                insert.append(c > 2 ? ", " : "").append(columns.getColumnName(c));
            }
            insert.append(") VALUES (").append("?, ".repeat(columns.getColumnCount() - 2)).append("?)");
            try (PreparedStatement insertRow = into.prepareStatement(insert.toString())) {
                while (rows.next()) {
                    rowId = rows.getLong(1);
                    for (int c = 2; c <= columns.getColumnCount(); c++) {
                        insertRow.setObject(c - 1, rows.getObject(c));
                    }
                    insertRow.executeUpdate();
                    copied++;
                }
            }
            LOG.warn("Copied {} rows of table {} from the damaged state database {}", copied, table, file.getFileName());
        } catch (SQLException e) {
            LOG.warn("Table {} of the damaged state database {}: {} rows copied, the rest skipped from row {} on: {}",
                    table, file, copied, rowId + 1, e.getMessage());
        }
    }

    static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing is best effort
            }
        }
    }
}
