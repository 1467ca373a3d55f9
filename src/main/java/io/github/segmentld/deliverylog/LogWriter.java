package io.github.segmentld.deliverylog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The delivery log writer's connection and statements: each commit writes a run of entries in one transaction. */
final class LogWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    /** The share of the logged time span forgotten, oldest first, at each step while the log is over its size. */
    private static final int OVER_SIZE_STEP_PERCENT = 10;
    private static final int MAX_OVER_SIZE_STEPS = 50;
    /** The rows' stored size: each value's pg_column_size plus PostgreSQL's row header and fixed-width columns. */
    private static final String POSTGRESQL_STORED_BYTES = "SELECT"
            + " (SELECT COALESCE(SUM(pg_column_size(event_index) + COALESCE(pg_column_size(details), 0)"
            + " + COALESCE(pg_column_size(counts), 0) + COALESCE(pg_column_size(input), 0)"
            + " + COALESCE(pg_column_size(payload_id), 0) + COALESCE(pg_column_size(reason), 0) + 100), 0)"
            + " FROM logged_group)"
            + " + (SELECT COALESCE(SUM(pg_column_size(payload) + pg_column_size(payload_id) + 32), 0)"
            + " FROM logged_payload)"
            + " + (SELECT COALESCE(SUM(COALESCE(pg_column_size(error), 0) + COALESCE(pg_column_size(response_body), 0)"
            + " + pg_column_size(payload_id) + 60), 0) FROM logged_attempt)";

    private final Connection connection;
    private final boolean sqlite;
    private final PreparedStatement insertGroup;
    private final PreparedStatement insertBatch;
    private final PreparedStatement insertPayload;
    private final PreparedStatement insertHalf;
    private final PreparedStatement updateOutcome;
    private final PreparedStatement updateDelivered;
    private final PreparedStatement insertAttempt;
    private boolean vacuum;

    LogWriter(Connection connection, boolean sqlite) throws SQLException {
        this.connection = connection;
        this.sqlite = sqlite;
        connection.setAutoCommit(false);
        insertGroup = connection.prepareStatement("INSERT INTO logged_group (kind, destination, events, created_at,"
                + " outcome, outcome_at, input, event_index, details, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        // A batch logged again (its input read again after a crash) is left as it was; the half of a split batch,
        // known by its payload ID since the split, gets its events.
        insertBatch = connection.prepareStatement("INSERT INTO logged_group (kind, payload_id, destination, events,"
                + " created_at, outcome, outcome_at, input, event_index, counts, read_at)"
                + " VALUES ('batch', ?, ?, ?, ?, 'sending', ?, ?, ?, ?, ?)"
                + " ON CONFLICT (payload_id) DO UPDATE SET events = excluded.events, input = excluded.input,"
                + " event_index = excluded.event_index, counts = excluded.counts WHERE logged_group.event_index = ''");
        insertPayload = connection.prepareStatement("INSERT INTO logged_payload (payload_id, created_at, payload)"
                + " VALUES (?, ?, ?) ON CONFLICT (payload_id) DO NOTHING");
        // A half's events were read with its parent's.
        insertHalf = connection.prepareStatement("INSERT INTO logged_group (kind, payload_id, destination,"
                + " parent_payload_id, events, created_at, outcome, outcome_at, event_index, read_at)"
                + " SELECT 'batch', ?, destination, payload_id, 0, ?, 'sending', ?, '', read_at FROM logged_group"
                + " WHERE payload_id = ? ON CONFLICT (payload_id) DO NOTHING");
        updateOutcome = connection.prepareStatement(
                "UPDATE logged_group SET outcome = ?, reason = ?, outcome_at = ? WHERE payload_id = ?");
        updateDelivered = connection.prepareStatement("UPDATE logged_group SET outcome = 'delivered', reason = NULL,"
                + " outcome_at = ?, delivered_at = ? WHERE payload_id = ?");
        insertAttempt = connection.prepareStatement("INSERT INTO logged_attempt (payload_id, attempted_at, status,"
                + " latency_ms, error, response_body) VALUES (?, ?, ?, ?, ?, ?)");
    }

    /** Writes the entries in one transaction, or none of them. */
    void commit(List<DeliveryLog.Entry> entries) throws SQLException {
        try {
            for (DeliveryLog.Entry entry : entries) {
                entry.writeTo(this);
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
        if (vacuum) {
            vacuum = false;
            giveSpaceBack();
        }
    }

    void group(LoggedGroup group) throws SQLException {
        if (LoggedGroup.BATCH.equals(group.kind())) {
            insertBatch.setString(1, group.payloadId());
            insertBatch.setString(2, group.destination());
            insertBatch.setInt(3, group.events());
            insertBatch.setLong(4, group.createdAt());
            insertBatch.setLong(5, group.createdAt());
            insertBatch.setString(6, group.input());
            insertBatch.setString(7, group.eventIndex());
            insertBatch.setString(8, group.counts());
            if (group.readAt() == null) {
                insertBatch.setNull(9, Types.BIGINT);
            } else {
                insertBatch.setLong(9, group.readAt());
            }
            insertBatch.executeUpdate();
            if (group.payload() != null) {
                insertPayload.setString(1, group.payloadId());
                insertPayload.setLong(2, group.createdAt());
                insertPayload.setString(3, group.payload());
                insertPayload.executeUpdate();
            }
            return;
        }
        insertGroup.setString(1, group.kind());
        insertGroup.setString(2, group.destination());
        insertGroup.setInt(3, group.events());
        insertGroup.setLong(4, group.createdAt());
        insertGroup.setString(5, group.kind());
        insertGroup.setLong(6, group.createdAt());
        insertGroup.setString(7, group.input());
        insertGroup.setString(8, group.eventIndex());
        insertGroup.setString(9, group.details());
        insertGroup.setString(10, group.counts());
        insertGroup.executeUpdate();
    }

    /** A batch split in halves: each half is known by its payload ID before its events are logged. */
    void split(String payloadId, List<String> halves, long now) throws SQLException {
        outcome(payloadId, "split", "413: too large for LaunchDarkly, split in two", now);
        for (String half : halves) {
            insertHalf.setString(1, half);
            insertHalf.setLong(2, now);
            insertHalf.setLong(3, now);
            insertHalf.setString(4, payloadId);
            insertHalf.executeUpdate();
        }
    }

    void outcome(String payloadId, String outcome, String reason, long now) throws SQLException {
        updateOutcome.setString(1, outcome);
        updateOutcome.setString(2, reason);
        updateOutcome.setLong(3, now);
        updateOutcome.setString(4, payloadId);
        updateOutcome.executeUpdate();
    }

    void delivered(String payloadId, long at) throws SQLException {
        updateDelivered.setLong(1, at);
        updateDelivered.setLong(2, at);
        updateDelivered.setString(3, payloadId);
        updateDelivered.executeUpdate();
    }

    void attempt(String payloadId, long at, Integer status, long latencyMillis, String error, String responseBody)
            throws SQLException {
        insertAttempt.setString(1, payloadId);
        insertAttempt.setLong(2, at);
        if (status == null) {
            insertAttempt.setNull(3, Types.INTEGER);
        } else {
            insertAttempt.setInt(3, status);
        }
        insertAttempt.setLong(4, latencyMillis);
        insertAttempt.setString(5, error);
        insertAttempt.setString(6, responseBody);
        insertAttempt.executeUpdate();
    }

    /** Forgets what was logged before the cutoff, then the oldest while the log holds more than maxBytes. */
    void prune(long cutoff, long maxBytes) throws SQLException {
        int forgotten = forget(cutoff);
        if (maxBytes > 0 && usedBytes() > maxBytes) {
            int steps = 0;
            Long oldestKept;
            while (steps < MAX_OVER_SIZE_STEPS && usedBytes() > maxBytes
                    && (oldestKept = oldestKeptAfterForgetting()) != null) {
                forgotten += forget(oldestKept);
                steps++;
            }
            LOG.info("The delivery log was over delivery-log.max-bytes ({} bytes): its oldest records were forgotten,"
                    + " {} rows in all", maxBytes, forgotten);
        }
        vacuum = sqlite && forgotten > 0;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("Closing the delivery log's connection: {}", e.getMessage());
        }
    }

    /** Forgets the groups, payloads and attempts logged before the time; returns how many rows went. */
    private int forget(long before) throws SQLException {
        return delete("DELETE FROM logged_group WHERE created_at < ?", before)
                + delete("DELETE FROM logged_payload WHERE created_at < ?", before)
                + delete("DELETE FROM logged_attempt WHERE attempted_at < ?", before);
    }

    private int delete(String statement, long before) throws SQLException {
        try (PreparedStatement sql = connection.prepareStatement(statement)) {
            sql.setLong(1, before);
            return sql.executeUpdate();
        }
    }

    /**
     * The bytes the log holds. SQLite: the file's pages, free pages left out. PostgreSQL: its rows as stored
     * (compressed values included, read from their TOAST pointers without reading the values), since the tables' disk
     * size does not shrink when rows go: autovacuum makes their space reusable, so the disk follows the rows' size.
     */
    private long usedBytes() throws SQLException {
        try (Statement sql = connection.createStatement()) {
            if (sqlite) {
                long pageSize = pragma(sql, "page_size");
                return (pragma(sql, "page_count") - pragma(sql, "freelist_count")) * pageSize;
            }
            try (ResultSet row = sql.executeQuery(POSTGRESQL_STORED_BYTES)) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** The time below which the oldest step of the log lies; null when it is empty. */
    private Long oldestKeptAfterForgetting() throws SQLException {
        try (Statement sql = connection.createStatement(); ResultSet row = sql.executeQuery(
                "SELECT MIN(created_at), MAX(created_at) FROM logged_group")) {
            if (!row.next() || row.getObject(1) == null) {
                return null;
            }
            long oldest = row.getLong(1);
            long newest = row.getLong(2);
            return oldest + Math.max(1, (newest - oldest) * OVER_SIZE_STEP_PERCENT / 100);
        }
    }

    private static long pragma(Statement sql, String name) throws SQLException {
        try (ResultSet row = sql.executeQuery("PRAGMA " + name)) {
            return row.next() ? row.getLong(1) : 0;
        }
    }

    /** Returns the free pages of an SQLite file to the file system (the file was made with incremental vacuum). */
    private void giveSpaceBack() {
        try (Statement sql = connection.createStatement()) {
            sql.execute("PRAGMA incremental_vacuum");
            connection.commit();
            // the pages leave the file once the write-ahead log is written back
            sql.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            LOG.warn("The delivery log could not give space back: {}", e.getMessage());
        }
    }
}
