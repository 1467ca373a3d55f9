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
 * The state database's file: opened with its integrity checked and its schema migrated ({@link StateSchema}), or,
 * when it is damaged (SQLite finds it corrupt, or not a database, or it fails the integrity check), moved aside with a
 * warning that names it and replaced by a new one holding every row that can still be read of it; a row that cannot
 * is skipped with a warning naming the table and its position. A file that cannot be opened for another reason (a full disk) is left as it is.
 */
final class StateDatabaseFile {

    private static final Logger LOG = LoggerFactory.getLogger(StateDatabaseFile.class);
    private static final DateTimeFormatter ASIDE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

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

    /**
     * The writer's connection: the file checked, its schema brought to this release's version, a damaged file replaced
     * by what can be salvaged.
     *
     * @throws NewerStateException when a newer release wrote the file, which is then left as it is
     */
    Connection openForWriting() throws IOException, SQLException {
        StateSchema.refuseNewer(file);
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

    /** Opens the database, checks its integrity and migrates its schema to this release's version. */
    private static Connection openChecked(Path path) throws SQLException {
        Connection connection = open(path);
        try (Statement sql = connection.createStatement()) {
            try (ResultSet check = sql.executeQuery("PRAGMA quick_check")) {
                String result = check.next() ? check.getString(1) : "no answer";
                if (!"ok".equalsIgnoreCase(result)) {
                    throw new SQLiteException("integrity check: " + result, SQLiteErrorCode.SQLITE_CORRUPT);
                }
            }
            StateSchema.migrate(connection, path);
            for (String statement : COUNT_QUEUES) {
                sql.execute(statement);
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
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
