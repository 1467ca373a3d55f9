package io.github.segmentld.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.segmentld.store.DeliveryLedger.Outcome;

/**
 * The retry queues of the destination instances, as rows of the {@link StateDatabase}: each parked batch with its
 * payload ID, its events (a JSON document) and its schedule. Parking a batch and recording its outcome as parked are
 * one transaction, and so are taking it out of the queue and recording its final outcome.
 * <p>
 * Shared with other instances ({@link #shareThrough}), the rows are this instance's copy of the shared queues: a batch
 * is parked and taken out where every instance reads it first, then here; what the others park and take out comes in
 * through {@link #applyShared}; and this instance sends, and counts in its depths, only the batches of the partitions
 * it holds, while a queue's limit holds for the whole shared queue.
 */
public class ParkedBatches {

    /** Where the retry queues are shared with the other instances. */
    public interface Sharing {

        /** Stores the batch (new, or with a new schedule) for every instance, and returns its partition once stored. */
        int publish(Parked batch);

        /** Stores for every instance that the batch has left its queue, and returns once stored. */
        void publishRemoval(String payloadId);

        /** The partitions whose batches this instance sends: none until its copy has caught up with the others'. */
        Set<Integer> heldPartitions();
    }

    /** A change another instance made to the shared queues: a batch parked or rescheduled, or (batch null) removed. */
    public record SharedChange(String payloadId, int partition, Parked batch) {
    }

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
    private volatile Sharing sharing;

    public ParkedBatches(StateDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** Shares the queues through {@code sharing} from now on; the rows here become a copy of the shared queues. */
    public void shareThrough(Sharing sharing) {
        this.sharing = sharing;
    }

    /**
     * Parks the batch, or updates its schedule when it is parked already, and returns once it is on disk; false (and
     * nothing written) when a batch new to the queue would take the queue over {@code maxBytes}. The check and the
     * write are one transaction, so concurrent batches cannot take a queue over its limit together (shared, the check
     * is on this instance's copy, as up to date as the changes of the others it has read).
     */
    public boolean park(Parked batch, long maxBytes) {
        long now = clock.millis();
        Sharing shared = sharing;
        if (shared != null) {
            if (database.read(c -> wouldOverflow(c, batch, maxBytes))) {
                return false;
            }
            int partition = shared.publish(batch);
            return database.write(c -> {
                store(c, batch, partition);
                DeliveryLedger.record(c, batch.payloadId(), batch.destination(), Outcome.PARKED, batch.events(), now);
                return true;
            });
        }
        return database.write(c -> {
            if (wouldOverflow(c, batch, maxBytes)) {
                return false;
            }
            store(c, batch, null);
            DeliveryLedger.record(c, batch.payloadId(), batch.destination(), Outcome.PARKED, batch.events(), now);
            return true;
        });
    }

    private static boolean wouldOverflow(Connection c, Parked batch, long maxBytes) throws SQLException {
        return sizeOf(c, batch.payloadId()) == null
                && depthBytes(c, batch.destination()) + batch.document().length > maxBytes;
    }

    /** Writes the row of a batch (replacing an earlier one) and keeps its queue's depth; with its shared partition. */
    private static void store(Connection c, Parked batch, Integer partition) throws SQLException {
        Size before = sizeOf(c, batch.payloadId());
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
        if (partition != null) {
            try (PreparedStatement sql = c.prepareStatement(
                    "INSERT OR REPLACE INTO parked_partition (payload_id, partition) VALUES (?, ?)")) {
                sql.setString(1, batch.payloadId());
                sql.setInt(2, partition);
                sql.executeUpdate();
            }
        }
        addToDepth(c, batch.destination(), before == null ? 1 : 0,
                batch.events() - (before == null ? 0 : before.events()),
                batch.document().length - (before == null ? 0 : before.bytes()));
    }

    /** Deletes the row of a batch, if there is one, and keeps its queue's depth. */
    private static void delete(Connection c, String payloadId) throws SQLException {
        Size size = sizeOf(c, payloadId);
        for (String table : new String[] {"parked_batch", "parked_partition"}) {
            try (PreparedStatement sql = c.prepareStatement("DELETE FROM " + table + " WHERE payload_id = ?")) {
                sql.setString(1, payloadId);
                sql.executeUpdate();
            }
        }
        if (size != null) {
            addToDepth(c, size.destination(), -1, -size.events(), -size.bytes());
        }
    }

    /** Applies, in one transaction, what the other instances parked and took out of the shared queues. */
    public void applyShared(List<SharedChange> changes) {
        database.write(c -> {
            for (SharedChange change : changes) {
                if (change.batch() == null) {
                    delete(c, change.payloadId());
                } else {
                    store(c, change.batch(), change.partition());
                }
            }
            return null;
        });
    }

    /**
     * The batches of the queues that are not shared yet, in pages by payload ID, from after {@code afterPayloadId}
     * ("" for the first): what was parked here before the queues were shared, to be handed over.
     */
    public List<Parked> unshared(String afterPayloadId, int limit) {
        return database.read(c -> {
            List<Parked> page = new ArrayList<>();
            try (PreparedStatement sql = c.prepareStatement("SELECT payload_id, destination, events, document,"
                    + " first_failed_at, attempts, next_attempt_at, last_failure FROM parked_batch WHERE payload_id > ?"
                    + " AND payload_id NOT IN (SELECT payload_id FROM parked_partition) ORDER BY payload_id LIMIT ?")) {
                sql.setString(1, afterPayloadId);
                sql.setInt(2, limit);
                try (ResultSet row = sql.executeQuery()) {
                    while (row.next()) {
                        page.add(new Parked(row.getString(1), row.getString(2), row.getInt(3), row.getBytes(4),
                                row.getLong(5), row.getInt(6), row.getLong(7), row.getString(8)));
                    }
                }
            }
            return page;
        });
    }

    /** Forgets this instance's copy of the shared queues, to read it anew from the others. */
    public void forgetSharedCopy() {
        database.write(c -> {
            try (Statement sql = c.createStatement()) {
                sql.executeUpdate("DELETE FROM parked_batch");
                sql.executeUpdate("DELETE FROM parked_partition");
                sql.executeUpdate("DELETE FROM queue_depth");
            }
            return null;
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
        Sharing shared = sharing;
        if (shared != null) {
            shared.publishRemoval(payloadId);
        }
        database.write(c -> {
            delete(c, payloadId);
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

    /**
     * The payload IDs of a destination's batches that are due, the longest due first; shared, those of the partitions
     * this instance holds.
     */
    public List<String> due(String destination, int limit) {
        long now = clock.millis();
        Sharing shared = sharing;
        String heldPartitions = "";
        if (shared != null) {
            String partitions = heldPartitions(shared);
            if (partitions == null) {
                return List.of();
            }
            heldPartitions = " AND payload_id IN (SELECT payload_id FROM parked_partition WHERE partition IN ("
                    + partitions + "))";
        }
        String held = heldPartitions;
        return database.read(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement sql = c.prepareStatement("SELECT payload_id FROM parked_batch WHERE destination = ?"
                    + " AND next_attempt_at <= ?" + held + " ORDER BY next_attempt_at LIMIT ?")) {
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

    /**
     * The depth of every destination's queue; shared, of the batches this instance sends (those of the partitions it
     * holds), so that the instances' depths add up to the shared queue's and each queue's age is judged once.
     */
    public Map<String, Depth> depths() {
        Sharing shared = sharing;
        if (shared == null) {
            return database.read(ParkedBatches::depths);
        }
        String partitions = heldPartitions(shared);
        if (partitions == null) {
            return Map.of();
        }
        return database.read(c -> {
            Map<String, Depth> depths = new HashMap<>();
            try (PreparedStatement sql = c.prepareStatement("SELECT b.destination, COUNT(*), SUM(b.events),"
                    + " SUM(b.bytes), MIN(b.first_failed_at) FROM parked_batch b JOIN parked_partition p"
                    + " ON p.payload_id = b.payload_id WHERE p.partition IN (" + partitions + ") GROUP BY b.destination");
                 ResultSet rows = sql.executeQuery()) {
                while (rows.next()) {
                    depths.put(rows.getString(1), new Depth(rows.getLong(2), rows.getLong(3), rows.getLong(4),
                            rows.getLong(5)));
                }
            }
            return depths;
        });
    }

    /** The partitions this instance holds, as a list for SQL; null when it holds none (or has not caught up). */
    private static String heldPartitions(Sharing shared) {
        Set<Integer> partitions = shared.heldPartitions();
        return partitions.isEmpty() ? null
                : partitions.stream().map(String::valueOf).collect(Collectors.joining(", "));
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

    private record Size(String destination, int events, long bytes) {
    }

    private static Size sizeOf(Connection c, String payloadId) throws SQLException {
        try (PreparedStatement sql = c.prepareStatement(
                "SELECT destination, events, bytes FROM parked_batch WHERE payload_id = ?")) {
            sql.setString(1, payloadId);
            try (ResultSet row = sql.executeQuery()) {
                return row.next() ? new Size(row.getString(1), row.getInt(2), row.getLong(3)) : null;
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
