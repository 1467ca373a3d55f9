package io.github.segmentld.jms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.store.StateDatabase;

/**
 * The JMS source's chunks not known to be acknowledged, in the state database (table {@code jms_chunk}): a chunk's
 * messages are recorded, in their order, before the chunk is processed, so that the broker's redelivery of them (after
 * a crash or a lost connection) is grouped into the same chunk, with the same payload IDs, however the broker hands
 * them out again; a chunk is marked settled before its messages are acknowledged, so that a message of it delivered
 * again (the acknowledgement lost) is acknowledged without being processed again; and it is forgotten once the broker
 * has the acknowledgement.
 * So the table holds the chunks in flight and what a crash left; the ledger's retention prunes what is never forgotten.
 */
public class JmsPlans {

    /** A planned chunk: its messages' IDs in order, when it was planned, and whether it is settled. */
    public record Plan(String chunkId, List<String> messageIds, long plannedAt, boolean settled) {
    }

    private static final TypeReference<List<String>> IDS = new TypeReference<>() {
    };

    private final StateDatabase database;
    private final ObjectMapper mapper = new ObjectMapper();

    public JmsPlans(StateDatabase database) {
        this.database = database;
    }

    /** The chunks of the queue not known to be acknowledged. */
    public List<Plan> load(String queue) {
        return database.read(c -> {
            List<Plan> plans = new ArrayList<>();
            try (PreparedStatement sql = c.prepareStatement("SELECT chunk_id, message_ids, planned_at, settled_at"
                    + " FROM jms_chunk WHERE queue = ? ORDER BY planned_at")) {
                sql.setString(1, queue);
                try (ResultSet rows = sql.executeQuery()) {
                    while (rows.next()) {
                        String chunkId = rows.getString(1);
                        List<String> ids = ids(rows.getString(2));
                        long plannedAt = rows.getLong(3);
                        rows.getLong(4);
                        plans.add(new Plan(chunkId, ids, plannedAt, !rows.wasNull()));
                    }
                }
            }
            return plans;
        });
    }

    /** Records a chunk's messages, in their order, and returns once that is on disk. */
    public void plan(String queue, Plan plan) {
        replan(queue, null, plan);
    }

    /**
     * Records a chunk made of the messages of one planned before that did not all come back, and forgets that one, in
     * one transaction; returns once that is on disk.
     */
    public void replan(String queue, String replaced, Plan plan) {
        String ids = json(plan.messageIds());
        database.write(c -> {
            if (replaced != null) {
                forget(c, replaced);
            }
            try (PreparedStatement sql = c.prepareStatement("INSERT OR REPLACE INTO jms_chunk"
                    + " (chunk_id, queue, message_ids, planned_at, settled_at) VALUES (?, ?, ?, ?, NULL)")) {
                sql.setString(1, plan.chunkId());
                sql.setString(2, queue);
                sql.setString(3, ids);
                sql.setLong(4, plan.plannedAt());
                return sql.executeUpdate();
            }
        });
    }

    /**
     * Marks a chunk settled and returns once that is on disk: from then on its messages may be acknowledged, and its
     * messages, if the broker delivers them again, are acknowledged without being processed.
     */
    public void settle(String chunkId, long settledAt) {
        database.write(c -> {
            try (PreparedStatement sql = c.prepareStatement(
                    "UPDATE jms_chunk SET settled_at = ? WHERE chunk_id = ?")) {
                sql.setLong(1, settledAt);
                sql.setString(2, chunkId);
                return sql.executeUpdate();
            }
        });
    }

    /** Forgets an acknowledged chunk with the next commit, not waiting: one left behind is pruned with the ledger. */
    public void forgetLater(String chunkId) {
        database.writeLater(c -> forget(c, chunkId));
    }

    private static int forget(Connection c, String chunkId) throws SQLException {
        try (PreparedStatement sql = c.prepareStatement("DELETE FROM jms_chunk WHERE chunk_id = ?")) {
            sql.setString(1, chunkId);
            return sql.executeUpdate();
        }
    }

    private String json(List<String> ids) {
        try {
            return mapper.writeValueAsString(ids);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> ids(String json) throws SQLException {
        try {
            return mapper.readValue(json, IDS);
        } catch (IOException e) {
            throw new SQLException("a JMS plan whose message IDs cannot be read: " + e.getMessage(), e);
        }
    }
}
