package io.github.segmentld.deliverylog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery log's database: by default an SQLite file of its own (embedded, nothing to install, readable beside
 * the writer in WAL mode), or a shared PostgreSQL named by a JDBC URL. Its schema is made and moved forward by the
 * versioned Flyway migrations of {@code db/delivery-log/sqlite} or {@code db/delivery-log/postgresql}.
 * <p>
 * The log is a record for people, never a condition of delivery: an SQLite file that is damaged or is not a database
 * is moved aside with a warning naming both files, and a new one is created.
 */
public class DeliveryLogDatabase {

    /** Where the database is and how to reach it. */
    public record Settings(String jdbcUrl, Path file, String user, String password) {

        /** The JDBC URL: the one given, else the SQLite file's. */
        public String url() {
            return jdbcUrl == null || jdbcUrl.isBlank() ? "jdbc:sqlite:" + file : jdbcUrl.strip();
        }

        boolean isSqlite() {
            return url().startsWith("jdbc:sqlite:");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLogDatabase.class);
    private static final DateTimeFormatter ASIDE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    private final Settings settings;
    private final Clock clock;

    public DeliveryLogDatabase(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public boolean isSqlite() {
        return settings.isSqlite();
    }

    /** A connection for a report: it never creates the SQLite file, which is the writer's to make with its schema. */
    public Connection connectForReading() throws SQLException {
        if (isGone()) {
            throw new SQLException("the delivery log " + settings.file() + " is not there (yet)");
        }
        return connect();
    }

    /** Whether the log's SQLite file has been deleted (never, for a database on a server). */
    public boolean isGone() {
        return isSqlite() && !Files.exists(settings.file());
    }

    /** Where the log is, as logs may show it (a server's URL without its credentials). */
    public String location() {
        return isSqlite() ? settings.file().toString() : settings.url().replaceAll("\\?.*", "");
    }

    /** Brings the schema up to date, recreating a damaged SQLite file first. */
    public void migrate() throws SQLException {
        if (isSqlite()) {
            try {
                prepareSqliteFile();
            } catch (SQLException e) {
                if (!isDamage(e)) {
                    throw e;
                }
                recreate(e);
                prepareSqliteFile();
            }
        }
        Flyway.configure()
                .dataSource(settings.url(), settings.user(), settings.password())
                .locations("classpath:db/delivery-log/" + (isSqlite() ? "sqlite" : "postgresql"))
                .table("delivery_log_schema_history")
                .loggers("slf4j")
                .load()
                .migrate();
    }

    /** A new connection, with the settings the log's writer and readers use. */
    public Connection connect() throws SQLException {
        Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
        if (isSqlite()) {
            try (Statement sql = connection.createStatement()) {
                // WAL: readers beside the writer. NORMAL: a kill -9 loses nothing committed; a power cut may lose the
                // last commits, which the log may afford (the state database, not this, keeps events safe).
                sql.execute("PRAGMA journal_mode = WAL");
                sql.execute("PRAGMA synchronous = NORMAL");
                sql.execute("PRAGMA busy_timeout = 5000");
            }
        }
        return connection;
    }

    /**
     * Moves a damaged SQLite file aside (with its WAL and shared-memory files) so that a new one is created.
     *
     * @param cause what showed the damage
     */
    public void recreate(Exception cause) {
        String suffix = ".damaged-" + ASIDE_TIME.format(clock.instant());
        Path file = settings.file();
        LOG.warn("The delivery log {} is damaged ({}): it is moved to {} and a new one is created; delivery goes on",
                file, cause.getMessage(), file.getFileName() + suffix);
        try {
            for (String part : new String[] {"", "-wal", "-shm"}) {
                Path path = Path.of(file + part);
                if (Files.exists(path)) {
                    Files.move(path, Path.of(file + part + suffix), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot move the delivery log {} aside ({}); it is deleted instead", file, e.getMessage());
            try {
                for (String part : new String[] {"", "-wal", "-shm"}) {
                    Files.deleteIfExists(Path.of(file + part));
                }
            } catch (IOException again) {
                LOG.warn("Cannot delete the delivery log {} either: {}", file, again.getMessage());
            }
        }
    }

    /** Whether SQLite found the file damaged or not a database, as opposed to, say, a full disk. */
    public static boolean isDamage(SQLException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("SQLITE_CORRUPT") || message.contains("SQLITE_NOTADB")
                || message.contains("malformed") || message.contains("not a database");
    }

    /**
     * Creates the file's folder, sets incremental vacuum (possible only before the first table) so that pruning can
     * give space back, and checks that an existing file is a sound database.
     */
    private void prepareSqliteFile() throws SQLException {
        try {
            Path parent = settings.file().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new SQLException("cannot create the folder of " + settings.file() + ": " + e.getMessage(), e);
        }
        try (Connection connection = connect(); Statement sql = connection.createStatement()) {
            sql.execute("PRAGMA auto_vacuum = INCREMENTAL");
            try (ResultSet check = sql.executeQuery("PRAGMA quick_check")) {
                String result = check.next() ? check.getString(1) : "no answer";
                if (!"ok".equals(result)) {
                    throw new SQLException("SQLITE_CORRUPT: " + result);
                }
            }
        }
    }
}
