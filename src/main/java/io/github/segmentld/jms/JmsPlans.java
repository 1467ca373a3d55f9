package io.github.segmentld.jms;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.segmentld.store.StateDatabase;

/**
 * The JMS source's planned chunks, in the state database (tables {@code jms_chunk} and {@code jms_planned_message}):
 * a chunk's messages are recorded, in their order, before the chunk is processed, so that the broker's redelivery of
 * them (after a crash or a lost connection) is grouped into the same chunk, with the same payload IDs, however the
 * broker hands them out again; and a chunk is marked settled before its messages are acknowledged, so that a message
 * of it delivered again is acknowledged without being processed again. The ledger's retention prunes them.
 */
public class JmsPlans {

    /** Where a message delivered again was planned. */
    public record Planned(String chunkId, int position, int messages, long plannedAt, boolean settled) {
    }

    /** SQLite's limit on the parameters of one statement is far above this. */
    private static final int LOOKUP_BATCH = 500;

    private final StateDatabase database;
    private final Clock clock;

    public JmsPlans(StateDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** The plans that hold any of these messages of the queue, by message ID. */
    public Map<String, Planned> lookUp(String queue, Collection<String> messageIds) {
        Map<String, Planned> found = new HashMap<>();
        List<String> ids = List.copyOf(messageIds);
        for (int from = 0; from < ids.size(); from += LOOKUP_BATCH) {
            List<String> part = ids.subList(from, Math.min(ids.size(), from + LOOKUP_BATCH));
            database.read(c -> {
                lookUp(c, queue, part, found);
                return null;
            });
        }
        return found;
    }

    private static void lookUp(Connection c, String queue, List<String> ids, Map<String, Planned> found)
            throws SQLException {
        String marks = "?,".repeat(ids.size());
        try (PreparedStatement sql = c.prepareStatement("SELECT m.message_id, m.chunk_id, m.position, k.messages,"
                + " k.planned_at, k.settled_at FROM jms_planned_message m JOIN jms_chunk k ON k.chunk_id = m.chunk_id"
                + " WHERE m.queue = ? AND m.message_id IN (" + marks.substring(0, marks.length() - 1) + ")")) {
            sql.setString(1, queue);
            for (int i = 0; i < ids.size(); i++) {
                sql.setString(i + 2, ids.get(i));
            }
            try (ResultSet rows = sql.executeQuery()) {
                while (rows.next()) {
                    rows.getLong(6);
                    boolean settled = !rows.wasNull();
                    found.put(rows.getString(1), new Planned(rows.getString(2), rows.getInt(3), rows.getInt(4),
                            rows.getLong(5), settled));
                }
            }
        }
    }

    /**
     * Records a chunk's messages, in their order, and returns once that is on disk. A message planned before in
     * another chunk (whose other messages did not come back) is planned in this one from now on.
     */
    public void plan(String queue, String chunkId, List<String> messageIds, long plannedAt) {
        database.write(c -> {
            try (PreparedStatement chunk = c.prepareStatement("INSERT OR REPLACE INTO jms_chunk"
                    + " (chunk_id, queue, messages, planned_at, settled_at) VALUES (?, ?, ?, ?, NULL)")) {
                chunk.setString(1, chunkId);
                chunk.setString(2, queue);
                chunk.setInt(3, messageIds.size());
                chunk.setLong(4, plannedAt);
                chunk.executeUpdate();
            }
            try (PreparedStatement message = c.prepareStatement("INSERT OR REPLACE INTO jms_planned_message"
                    + " (queue, message_id, chunk_id, position) VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < messageIds.size(); i++) {
                    message.setString(1, queue);
                    message.setString(2, messageIds.get(i));
                    message.setString(3, chunkId);
                    message.setInt(4, i + 1);
                    message.addBatch();
                }
                message.executeBatch();
            }
            return null;
        });
    }

    /**
     * Marks a chunk settled with the next commit, without waiting: losing the mark in a crash costs a chunk processed
     * again, whose settled parts the ledger skips and whose batches LaunchDarkly drops by their payload IDs.
     */
    public void settledLater(String chunkId) {
        long now = clock.millis();
        database.writeLater(c -> {
            try (PreparedStatement sql = c.prepareStatement(
                    "UPDATE jms_chunk SET settled_at = ? WHERE chunk_id = ?")) {
                sql.setLong(1, now);
                sql.setString(2, chunkId);
                return sql.executeUpdate();
            }
        });
    }
}
