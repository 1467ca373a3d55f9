package io.github.segmentld.deliverylog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import com.fasterxml.jackson.databind.JsonNode;

/** The rejected events the delivery log holds for a time range, newest group first, each with its detail. */
final class RejectedEvents {

    /** Takes one rejected event: its line, and its detail (the message, and what was sent when it is kept). */
    @FunctionalInterface
    interface Visitor {
        void accept(EventLine line, JsonNode detail);
    }

    private RejectedEvents() {
    }

    /** Each rejected event logged after {@code after} and at or before {@code until}. */
    static void each(Connection connection, long after, long until, Visitor visitor) throws SQLException {
        try (PreparedStatement sql = connection.prepareStatement("SELECT event_index, details FROM logged_group"
                + " WHERE kind = 'rejected' AND created_at > ? AND created_at <= ? ORDER BY id DESC")) {
            sql.setLong(1, after);
            sql.setLong(2, until);
            try (ResultSet groups = sql.executeQuery()) {
                while (groups.next()) {
                    EventLine[] lines = EventLine.parseAll(groups.getString(1));
                    JsonNode details = StoredJson.read(groups.getString(2));
                    for (int i = 0; i < lines.length; i++) {
                        visitor.accept(lines[i], details.path(i));
                    }
                }
            }
        }
    }
}
