package io.github.segmentld.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What became of each batch (by payload ID) and of each chunk of input, kept in the {@link StateDatabase}. An input
 * read again after a crash skips the chunks that are settled (every batch has an outcome and the rejections are
 * written) and, in the others, the batches that have an outcome: nothing is sent, parked or dead-lettered twice, and
 * no rejection is recorded twice. A batch is recorded as delivered only after LaunchDarkly answered 2xx.
 */
public class DeliveryLedger {

    /** What became of a batch. */
    public enum Outcome {
        /** LaunchDarkly answered 2xx. */
        DELIVERED,
        /** Written to its destination's retry queue, which now owns it. */
        PARKED,
        /** Written to the dead-letter folder. */
        DEAD_LETTERED,
        /** Too large (413): its halves were delivered on their own, under payload IDs of their own. */
        SPLIT;

        String column() {
            return name().toLowerCase();
        }
    }

    /** How much of a rejection file belongs to settled chunks. */
    public record RejectionFileLength(Path file, long bytes) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLedger.class);

    private final StateDatabase database;
    private final Clock clock;
    private final Duration retention;

    /** @param retention how long outcomes are kept: longer than any input may wait in the inbox to be read again */
    public DeliveryLedger(StateDatabase database, Clock clock, Duration retention) {
        this.database = database;
        this.clock = clock;
        this.retention = retention;
    }

    public boolean unsettledBatch(String payloadId) {
        return !database.read(c -> exists(c, "SELECT 1 FROM batch_outcome WHERE payload_id = ?", payloadId));
    }

    public boolean unsettledChunk(String chunkKey) {
        return !database.read(c -> exists(c, "SELECT 1 FROM settled_chunk WHERE chunk_key = ?", chunkKey));
    }

    /** Whether any chunk of the input {@code inputId} is settled: its chunk keys are {@code inputId#index}. */
    public boolean anySettledChunkOf(String inputId) {
        // a range over the primary key's index: '$' is the character after '#'
        return database.read(c -> {
            try (PreparedStatement sql = c.prepareStatement(
                    "SELECT 1 FROM settled_chunk WHERE chunk_key >= ? AND chunk_key < ? LIMIT 1")) {
                sql.setString(1, inputId + "#");
                sql.setString(2, inputId + "$");
                try (ResultSet rows = sql.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }

    /** Records an outcome with the next commit, without waiting for it. */
    public void recordLater(String payloadId, String destination, Outcome outcome, int events) {
        long now = clock.millis();
        database.writeLater(c -> {
            record(c, payloadId, destination, outcome, events, now);
            return null;
        });
    }

    /** Records an outcome inside a transaction of the caller's. */
    static void record(Connection c, String payloadId, String destination, Outcome outcome, int events, long now)
            throws SQLException {
        try (PreparedStatement sql = c.prepareStatement("INSERT OR REPLACE INTO batch_outcome"
                + " (payload_id, destination, outcome, events, recorded_at) VALUES (?, ?, ?, ?, ?)")) {
            sql.setString(1, payloadId);
            sql.setString(2, destination);
            sql.setString(3, outcome.column());
            sql.setInt(4, events);
            sql.setLong(5, now);
            sql.executeUpdate();
        }
    }

    /**
     * Marks a chunk settled, together with the length its rejection file has now that the chunk's rejections are in
     * it, and returns once that is on disk: the records cannot be cut off at the next start any more.
     */
    public void settleChunk(String chunkKey, RejectionFileLength rejections) {
        long now = clock.millis();
        database.write(c -> {
            settle(c, chunkKey, now);
            recordRejectionFile(c, rejections, now);
            return null;
        });
    }

    /**
     * Marks a chunk without rejections settled, with the next commit and without waiting for it. Losing it in a crash
     * costs nothing but work: an input committed meanwhile is not read again, and in one that is, the chunk's batches
     * are skipped by their own outcomes or sent again under their payload IDs, which LaunchDarkly drops.
     */
    public void settleChunkLater(String chunkKey) {
        long now = clock.millis();
        database.writeLater(c -> {
            settle(c, chunkKey, now);
            return null;
        });
    }

    private static void settle(Connection c, String chunkKey, long now) throws SQLException {
        try (PreparedStatement sql = c.prepareStatement(
                "INSERT OR REPLACE INTO settled_chunk (chunk_key, settled_at) VALUES (?, ?)")) {
            sql.setString(1, chunkKey);
            sql.setLong(2, now);
            sql.executeUpdate();
        }
    }

    /** Records the length of a rejection file after records that belong to no chunk (refused HTTP events). */
    public void recordRejectionFile(RejectionFileLength rejections) {
        long now = clock.millis();
        database.write(c -> {
            recordRejectionFile(c, rejections, now);
            return null;
        });
    }

    private static void recordRejectionFile(Connection c, RejectionFileLength rejections, long now) throws SQLException {
        try (PreparedStatement sql = c.prepareStatement("INSERT OR REPLACE INTO rejection_file"
                + " (path, committed_bytes, updated_at) VALUES (?, ?, ?)")) {
            sql.setString(1, rejections.file().toAbsolutePath().toString());
            sql.setLong(2, rejections.bytes());
            sql.setLong(3, now);
            sql.executeUpdate();
        }
    }

    /** The committed length of each rejection file written while the ledger's retention lasts. */
    public Map<Path, Long> rejectionFileLengths() {
        return database.read(c -> {
            Map<Path, Long> lengths = new LinkedHashMap<>();
            try (PreparedStatement sql = c.prepareStatement("SELECT path, committed_bytes FROM rejection_file");
                 ResultSet rows = sql.executeQuery()) {
                while (rows.next()) {
                    lengths.put(Path.of(rows.getString(1)), rows.getLong(2));
                }
            }
            return lengths;
        });
    }

    /**
     * Forgets outcomes, the JMS source's planned chunks and accepted webhook signatures older than the retention; the
     * retry queues are not touched.
     */
    public void prune() {
        long before = clock.millis() - retention.toMillis();
        int removed = database.write(c -> {
            int rows = 0;
            for (String sql : new String[] {
                "DELETE FROM batch_outcome WHERE recorded_at < ?"
                        + " AND payload_id NOT IN (SELECT payload_id FROM parked_batch)",
                "DELETE FROM settled_chunk WHERE settled_at < ?",
                "DELETE FROM rejection_file WHERE updated_at < ?",
                "DELETE FROM jms_chunk WHERE planned_at < ?",
                "DELETE FROM webhook_signature WHERE accepted_at < ?"}) {
                try (PreparedStatement delete = c.prepareStatement(sql)) {
                    delete.setLong(1, before);
                    rows += delete.executeUpdate();
                }
            }
            return rows;
        });
        if (removed > 0) {
            LOG.debug("Forgot {} ledger records older than {}", removed, retention);
        }
    }

    private static boolean exists(Connection c, String query, String key) throws SQLException {
        try (PreparedStatement sql = c.prepareStatement(query)) {
            sql.setString(1, key);
            try (ResultSet rows = sql.executeQuery()) {
                return rows.next();
            }
        }
    }
}
