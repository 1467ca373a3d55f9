package io.github.segmentld.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.segmentld.store.DeliveryLedger.Outcome;

/**
 * The retry queues of the destination instances, as rows of the {@link StateDatabase}: each parked batch with its
 * payload ID, its events (a JSON document) and its schedule. Parking a batch and recording its outcome as parked are
 * one transaction, and so are taking it out of the queue and recording its final outcome.
 */
public class ParkedBatches {

    /** A batch in a retry queue. */
    public record Parked(String payloadId, String destination, int events, byte[] document, long firstFailedAt,
                         int attempts, long nextAttemptAt, String lastFailure) {
    }

    /** The size of one destination's queue. */
    public record Depth(long batches, long events, long bytes, long oldestFirstFailedAt) {

        public static final Depth EMPTY = new Depth(0, 0, 0, 0);
    }

    private final StateDatabase database;
    private final Clock clock;

    public ParkedBatches(StateDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /**
     * Parks the batch, or updates its schedule when it is parked already, and returns once it is on disk; false (and
     * nothing written) when a batch new to the queue would take the queue over {@code maxBytes}. The check and the
     * write are one transaction, so concurrent batches cannot take a queue over its limit together.
     */
    public boolean park(Parked batch, long maxBytes) {
        long now = clock.millis();
        return database.write(c -> {
            Size before = sizeOf(c, batch.payloadId());
            if (before == null && depthBytes(c, batch.destination()) + batch.document().length > maxBytes) {
                return false;
            }
            try (PreparedStatement sql = c.prepareStatement("INSERT OR REPLACE INTO parked_batch (payload_id, destination,"
                    + " events, bytes, document, first_failed_at, attempts, next_attempt_at, last_failure)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                sql.setString(1, batch.payloadId());
                sql.setString(2, batch.destination());
                sql.setInt(3, batch.events());
                sql.setLong(4, batch.document().length);
                sql.setBytes(5, batch.document());
                sql.setLong(6, batch.firstFailedAt());
                sql.setInt(7, batch.attempts());
                sql.setLong(8, batch.nextAttemptAt());
                sql.setString(9, batch.lastFailure());
                sql.executeUpdate();
            }
            Size after = new Size(batch.events(), batch.document().length);
            addToDepth(c, batch.destination(), before == null ? 1 : 0,
                    after.events() - (before == null ? 0 : before.events()),
                    after.bytes() - (before == null ? 0 : before.bytes()));
            DeliveryLedger.record(c, batch.payloadId(), batch.destination(), Outcome.PARKED, batch.events(), now);
            return true;
        });
    }

    /** Moves the next attempt of a parked batch without counting an attempt (its destination was not called). */
    public void postponeLater(String payloadId, long nextAttemptAt) {
        database.writeLater(c -> {
            try (PreparedStatement sql = c.prepareStatement(
                    "UPDATE parked_batch SET next_attempt_at = ? WHERE payload_id = ?")) {
                sql.setLong(1, nextAttemptAt);
                sql.setString(2, payloadId);
                return sql.executeUpdate();
            }
        });
    }

    /**
     * Takes a batch out of its queue with its final outcome, and returns once that is on disk, so that the queue's
     * next look at what is due cannot pick the batch again.
     */
    public void remove(String payloadId, String destination, Outcome outcome, int events) {
        long now = clock.millis();
        database.write(c -> {
            Size size = sizeOf(c, payloadId);
            if (size != null) {
                try (PreparedStatement sql = c.prepareStatement("DELETE FROM parked_batch WHERE payload_id = ?")) {
                    sql.setString(1, payloadId);
                    sql.executeUpdate();
                }
                addToDepth(c, destination, -1, -size.events(), -size.bytes());
            }
            DeliveryLedger.record(c, payloadId, destination, outcome, events, now);
            return null;
        });
    }

    /** Makes every batch of a destination's queue due now (the destination is back). */
    public void wakeUpLater(String destination) {
        long now = clock.millis();
        database.writeLater(c -> {
            try (PreparedStatement sql = c.prepareStatement(
                    "UPDATE parked_batch SET next_attempt_at = ? WHERE destination = ? AND next_attempt_at > ?")) {
                sql.setLong(1, now);
                sql.setString(2, destination);
                sql.setLong(3, now);
                return sql.executeUpdate();
            }
        });
    }

    /** The payload IDs of a destination's batches that are due, the longest due first. */
    public List<String> due(String destination, int limit) {
        long now = clock.millis();
        return database.read(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement sql = c.prepareStatement("SELECT payload_id FROM parked_batch"
                    + " WHERE destination = ? AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?")) {
                sql.setString(1, destination);
                sql.setLong(2, now);
                sql.setInt(3, limit);
                try (ResultSet rows = sql.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
            }
            return ids;
        });
    }

    /** A parked batch, or null when it is no longer parked. */
    public Parked load(String payloadId) {
        return database.read(c -> {
            try (PreparedStatement sql = c.prepareStatement("SELECT destination, events, document, first_failed_at,"
                    + " attempts, next_attempt_at, last_failure FROM parked_batch WHERE payload_id = ?")) {
                sql.setString(1, payloadId);
                try (ResultSet row = sql.executeQuery()) {
                    if (!row.next()) {
                        return null;
                    }
                    return new Parked(payloadId, row.getString(1), row.getInt(2), row.getBytes(3), row.getLong(4),
                            row.getInt(5), row.getLong(6), row.getString(7));
                }
            }
        });
    }

    /** The depth of every destination's queue. */
    public Map<String, Depth> depths() {
        return database.read(ParkedBatches::depths);
    }

    private static Map<String, Depth> depths(Connection c) throws SQLException {
        Map<String, Depth> depths = new HashMap<>();
        try (PreparedStatement sql = c.prepareStatement("SELECT destination, batches, events, bytes,"
                + " (SELECT MIN(first_failed_at) FROM parked_batch p WHERE p.destination = q.destination)"
                + " FROM queue_depth q WHERE batches > 0");
             ResultSet rows = sql.executeQuery()) {
            while (rows.next()) {
                depths.put(rows.getString(1), new Depth(rows.getLong(2), rows.getLong(3), rows.getLong(4), rows.getLong(5)));
            }
        }
        return depths;
    }

    private record Size(int events, long bytes) {
    }

    private static Size sizeOf(Connection c, String payloadId) throws SQLException {
        try (PreparedStatement sql = c.prepareStatement("SELECT events, bytes FROM parked_batch WHERE payload_id = ?")) {
            sql.setString(1, payloadId);
            try (ResultSet row = sql.executeQuery()) {
                return row.next() ? new Size(row.getInt(1), row.getLong(2)) : null;
            }
        }
    }

    private static long depthBytes(Connection c, String destination) throws SQLException {
        try (PreparedStatement sql = c.prepareStatement("SELECT bytes FROM queue_depth WHERE destination = ?")) {
            sql.setString(1, destination);
            try (ResultSet row = sql.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        }
    }

    private static void addToDepth(Connection c, String destination, long batches, long events, long bytes)
            throws SQLException {
        try (PreparedStatement sql = c.prepareStatement("INSERT INTO queue_depth (destination, batches, events, bytes)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (destination) DO UPDATE SET batches = batches + excluded.batches,"
                + " events = events + excluded.events, bytes = bytes + excluded.bytes")) {
            sql.setString(1, destination);
            sql.setLong(2, batches);
            sql.setLong(3, events);
            sql.setLong(4, bytes);
            sql.executeUpdate();
        }
    }
}
