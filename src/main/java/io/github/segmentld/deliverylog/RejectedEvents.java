package io.github.segmentld.deliverylog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import com.fasterxml.jackson.databind.JsonNode;

/** The rejected events the delivery log holds for a time range, each with its detail. */
final class RejectedEvents {

    /**
     * Takes one rejected event: its line, and its detail (the message, and what was sent when it is kept).
     *
     * @param <E> what it may throw, which ends the iteration
     */
    @FunctionalInterface
    interface Visitor<E extends Exception> {
        /** @param group the log's row of the rejections, numbered in the order they were recorded */
        void accept(long group, EventLine line, JsonNode detail) throws E;
    }

    private RejectedEvents() {
    }

    /** Each rejected event logged after {@code after} and at or before {@code until}, newest group first. */
    static <E extends Exception> void each(Connection connection, long after, long until, Visitor<E> visitor)
            throws SQLException, E {
        each(connection, after, until, "DESC", visitor);
    }

    /**
     * Each rejected event logged after {@code after} and at or before {@code until}, oldest first: what is logged
     * later comes last, so that it changes nothing of what came before it.
     */
    static <E extends Exception> void eachOldestFirst(Connection connection, long after, long until,
                                                      Visitor<E> visitor) throws SQLException, E {
        each(connection, after, until, "ASC", visitor);
    }

    private static <E extends Exception> void each(Connection connection, long after, long until, String order,
                                                   Visitor<E> visitor) throws SQLException, E {
        try (PreparedStatement sql = connection.prepareStatement("SELECT id, event_index, details FROM logged_group"
                + " WHERE kind = 'rejected' AND created_at > ? AND created_at <= ? ORDER BY id " + order)) {
            sql.setLong(1, after);
            sql.setLong(2, until);
            try (ResultSet groups = sql.executeQuery()) {
                while (groups.next()) {
                    long group = groups.getLong(1);
                    EventLine[] lines = EventLine.parseAll(groups.getString(2));
                    JsonNode details = StoredJson.read(groups.getString(3));
                    for (int i = 0; i < lines.length; i++) {
                        visitor.accept(group, lines[i], details.path(i));
                    }
                }
            }
        }
    }
}
