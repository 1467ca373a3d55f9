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

    private final Connection connection;
    private final boolean sqlite;
    private final PreparedStatement insertEvent;
    private final PreparedStatement insertBatch;
    private final PreparedStatement updateOutcome;
    private final PreparedStatement updateDelivered;
    private final PreparedStatement insertAttempt;
    private int pendingEvents;
    private boolean vacuum;

    LogWriter(Connection connection, boolean sqlite) throws SQLException {
        this.connection = connection;
        this.sqlite = sqlite;
        connection.setAutoCommit(false);
        insertEvent = connection.prepareStatement("INSERT INTO logged_event (event_key, logged_at, received_at, input,"
                + " position, message_id, user_id, anonymous_id, event_type, event_name, destination, mapping, outcome,"
                + " reason, detail, payload_id, segment_event, launchdarkly_event)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_key) DO NOTHING");
        insertBatch = connection.prepareStatement("INSERT INTO logged_batch (payload_id, destination,"
                + " parent_payload_id, events, created_at, outcome, outcome_at) VALUES (?, ?, ?, ?, ?, 'sending', ?)"
                + " ON CONFLICT (payload_id) DO UPDATE SET"
                + " parent_payload_id = COALESCE(logged_batch.parent_payload_id, excluded.parent_payload_id)");
        updateOutcome = connection.prepareStatement(
                "UPDATE logged_batch SET outcome = ?, reason = ?, outcome_at = ? WHERE payload_id = ?");
        updateDelivered = connection.prepareStatement("UPDATE logged_batch SET outcome = 'delivered', reason = NULL,"
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
            flushEvents();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            pendingEvents = 0;
            insertEvent.clearBatch();
            connection.rollback();
            throw e;
        }
        if (vacuum) {
            vacuum = false;
            giveSpaceBack();
        }
    }

    void event(LoggedEvent row) throws SQLException {
        insertEvent.setString(1, row.eventKey());
        insertEvent.setLong(2, row.loggedAt());
        insertEvent.setLong(3, row.receivedAt());
        insertEvent.setString(4, row.input());
        insertEvent.setString(5, row.position());
        insertEvent.setString(6, row.messageId());
        insertEvent.setString(7, row.userId());
        insertEvent.setString(8, row.anonymousId());
        insertEvent.setString(9, row.eventType());
        insertEvent.setString(10, row.eventName());
        insertEvent.setString(11, row.destination());
        insertEvent.setString(12, row.mapping());
        insertEvent.setString(13, row.outcome());
        insertEvent.setString(14, row.reason());
        insertEvent.setString(15, row.detail());
        insertEvent.setString(16, row.payloadId());
        insertEvent.setString(17, row.segmentEvent());
        insertEvent.setString(18, row.launchDarklyEvent());
        insertEvent.addBatch();
        if (++pendingEvents >= 1000) {
            flushEvents();
        }
    }

    void batch(String payloadId, String destination, String parentPayloadId, int events, long now)
            throws SQLException {
        insertBatch.setString(1, payloadId);
        insertBatch.setString(2, destination);
        insertBatch.setString(3, parentPayloadId);
        insertBatch.setInt(4, events);
        insertBatch.setLong(5, now);
        insertBatch.setLong(6, now);
        insertBatch.executeUpdate();
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

    /** Forgets what was logged before the cutoff, then (SQLite) the oldest events while the file is over maxBytes. */
    void prune(long cutoff, long maxBytes) throws SQLException {
        flushEvents();
        int forgotten = delete("DELETE FROM logged_event WHERE logged_at < ?", cutoff)
                + delete("DELETE FROM logged_attempt WHERE attempted_at < ?", cutoff)
                + delete("DELETE FROM logged_batch WHERE created_at < ?", cutoff);
        if (sqlite && maxBytes > 0) {
            for (int step = 0; step < 100 / OVER_SIZE_STEP_PERCENT && usedBytes() > maxBytes; step++) {
                Long oldestKept = oldestKeptAfterForgetting();
                if (oldestKept == null) {
                    break;
                }
                LOG.info("The delivery log is over delivery-log.max-bytes ({} bytes): forgetting the oldest {}% of the time it spans",
                        maxBytes, OVER_SIZE_STEP_PERCENT);
                forgotten += delete("DELETE FROM logged_event WHERE logged_at < ?", oldestKept)
                        + delete("DELETE FROM logged_attempt WHERE attempted_at < ?", oldestKept)
                        + delete("DELETE FROM logged_batch WHERE created_at < ?", oldestKept);
            }
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

    private void flushEvents() throws SQLException {
        if (pendingEvents > 0) {
            insertEvent.executeBatch();
            pendingEvents = 0;
        }
    }

    private int delete(String statement, long before) throws SQLException {
        try (PreparedStatement sql = connection.prepareStatement(statement)) {
            sql.setLong(1, before);
            return sql.executeUpdate();
        }
    }

    /** The bytes the file's pages hold, free pages left out. */
    private long usedBytes() throws SQLException {
        try (Statement sql = connection.createStatement()) {
            long pageSize = pragma(sql, "page_size");
            return (pragma(sql, "page_count") - pragma(sql, "freelist_count")) * pageSize;
        }
    }

    /** The logged_at time below which the oldest step of events lies; null when there are none. */
    private Long oldestKeptAfterForgetting() throws SQLException {
        try (Statement sql = connection.createStatement(); ResultSet row = sql.executeQuery(
                "SELECT MIN(logged_at), MAX(logged_at) FROM logged_event")) {
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
        } catch (SQLException e) {
            LOG.warn("The delivery log could not give space back: {}", e.getMessage());
        }
    }
}
