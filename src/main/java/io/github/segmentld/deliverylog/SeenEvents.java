package io.github.segmentld.deliverylog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The events a replay has taken so far, so that it takes each once: an event rejected again after an earlier replay
 * is in the log twice. Kept by their SHA-256 in a throw-away SQLite file rather than in memory, so that a replay's
 * memory stays the same whatever the number of events it selects; the file is deleted when closed.
 */
final class SeenEvents implements AutoCloseable {

    private final Path file;
    private final Connection connection;
    private final PreparedStatement insert;
    private final MessageDigest sha256;

    SeenEvents() throws IOException {
        file = Files.createTempFile("replay-seen-", ".db");
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement sql = connection.createStatement()) {
                // thrown away after the replay: nothing to keep through a crash
                sql.execute("PRAGMA journal_mode = OFF");
                sql.execute("PRAGMA synchronous = OFF");
                sql.execute("CREATE TABLE seen (digest BLOB PRIMARY KEY) WITHOUT ROWID");
            }
            connection.setAutoCommit(false);
            insert = connection.prepareStatement("INSERT OR IGNORE INTO seen (digest) VALUES (?)");
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (SQLException e) {
            close();
            throw new IOException("cannot make the replay's list of events in " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Whether the event is seen for the first time (and from now on, seen). */
    boolean firstTime(String event) throws IOException {
        try {
            insert.setBytes(1, sha256.digest(event.getBytes(StandardCharsets.UTF_8)));
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IOException("cannot note an event of the replay in " + file, e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            throw new IOException("cannot close " + file, e);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
