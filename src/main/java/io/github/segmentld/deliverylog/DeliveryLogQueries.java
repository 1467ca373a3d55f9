package io.github.segmentld.deliverylog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;

/**
 * Reads the delivery log for its HTTP API: events found by messageId, user, event name, destination, mapping, outcome
 * and time, newest first, each with its whole story: the LaunchDarkly event it became, its batch's payload ID and
 * outcome, and each request for the batch with LaunchDarkly's answer.
 */
public class DeliveryLogQueries {

    /** The outcomes a search may ask for: those of an event row and, for a sent event, those of its batch. */
    public static final List<String> OUTCOMES = List.of("delivered", "sending", "retry_pending", "dead_lettered",
            "split", LoggedEvent.FILTERED, LoggedEvent.REJECTED);
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    /** An event's outcome: its own when it was not sent, else its batch's. */
    private static final String OUTCOME = "CASE WHEN e.outcome = 'sent' THEN COALESCE(b.outcome, 'sending')"
            + " ELSE e.outcome END";

    private final DeliveryLogDatabase database;
    private final Redaction redaction;
    private final ObjectMapper mapper = new ObjectMapper();

    public DeliveryLogQueries(DeliveryLogDatabase database, Redaction redaction) {
        this.database = database;
        this.redaction = redaction;
    }

    /**
     * Events matching every criterion given, newest first, with their stories.
     *
     * @param before the {@code next} of the page before, to page on; null for the first page
     * @throws IllegalArgumentException naming a criterion that is not understood
     */
    public ObjectNode search(@Header("messageId") String messageId, @Header("user") String user,
                             @Header("event") String eventName, @Header("destination") String destination,
                             @Header("mapping") String mapping, @Header("outcome") String outcome,
                             @Header("from") String from, @Header("to") String to,
                             @Header("limit") String limit, @Header("before") String before) throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> values = new ArrayList<>();
        condition(where, values, "e.message_id = ?", messageId);
        if (present(user)) {
            where.append(" AND (e.user_id = ? OR e.anonymous_id = ?)");
            values.add(redaction.userId(user.strip()));
            values.add(redaction.userId(user.strip()));
        }
        condition(where, values, "e.event_name = ?", eventName);
        condition(where, values, "e.destination = ?", destination);
        condition(where, values, "e.mapping = ?", mapping);
        if (present(outcome)) {
            if (!OUTCOMES.contains(outcome.strip())) {
                throw new IllegalArgumentException("outcome must be one of " + String.join(", ", OUTCOMES));
            }
            condition(where, values, OUTCOME + " = ?", outcome.strip());
        }
        if (present(from)) {
            condition(where, values, "e.logged_at >= ?", epochMillis("from", from));
        }
        if (present(to)) {
            condition(where, values, "e.logged_at < ?", epochMillis("to", to));
        }
        if (present(before)) {
            condition(where, values, "e.id < ?", number("before", before));
        }
        long pageSize = present(limit) ? number("limit", limit) : DEFAULT_LIMIT;
        if (pageSize < 1 || pageSize > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT);
        }
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode events = answer.putArray("events");
        try (Connection connection = database.connect();
             PreparedStatement sql = connection.prepareStatement("SELECT e.*, " + OUTCOME + " AS final_outcome,"
                     + " b.reason AS batch_reason, b.delivered_at, b.parent_payload_id"
                     + " FROM logged_event e LEFT JOIN logged_batch b ON b.payload_id = e.payload_id"
                     + where + " ORDER BY e.id DESC LIMIT " + (pageSize + 1))) {
            for (int i = 0; i < values.size(); i++) {
                sql.setObject(i + 1, values.get(i));
            }
            long lastId = 0;
            try (ResultSet rows = sql.executeQuery()) {
                while (rows.next()) {
                    if (events.size() == pageSize) {
                        answer.put("next", String.valueOf(lastId));
                        break;
                    }
                    lastId = rows.getLong("id");
                    events.add(event(rows));
                }
            }
            for (JsonNode event : events) {
                if (event.hasNonNull("payloadId")) {
                    ((ObjectNode) event).set("attempts", attempts(connection, event.get("payloadId").asText()));
                }
            }
        }
        return answer;
    }

    /** The answer to a search that is not understood: what was wrong with it. */
    public String refusal(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        return mapper.createObjectNode().put("message", cause.getMessage()).toString();
    }

    private ObjectNode event(ResultSet row) throws SQLException {
        ObjectNode event = mapper.createObjectNode();
        event.put("id", row.getLong("id"));
        event.put("loggedAt", time(row.getLong("logged_at")));
        event.put("receivedAt", time(row.getLong("received_at")));
        event.put("input", row.getString("input"));
        event.put("position", row.getString("position"));
        String[][] columns = {{"messageId", "message_id"}, {"type", "event_type"}, {"event", "event_name"},
            {"userId", "user_id"}, {"anonymousId", "anonymous_id"}, {"destination", "destination"},
            {"mapping", "mapping"}};
        for (String[] column : columns) {
            event.put(column[0], row.getString(column[1]));
        }
        event.put("outcome", row.getString("final_outcome"));
        String reason = row.getString("reason");
        if (reason != null) {
            event.put("reason", reason);
            event.put("detail", row.getString("detail"));
        } else if (row.getString("batch_reason") != null) {
            event.put("detail", row.getString("batch_reason"));
        }
        event.put("payloadId", row.getString("payload_id"));
        if (row.getString("parent_payload_id") != null) {
            event.put("splitFrom", row.getString("parent_payload_id"));
        }
        long deliveredAt = row.getLong("delivered_at");
        if (!row.wasNull()) {
            event.put("deliveredAt", time(deliveredAt));
        }
        event.set("segmentEvent", json(row.getString("segment_event")));
        event.set("launchDarklyEvent", json(row.getString("launchdarkly_event")));
        return event;
    }

    private ArrayNode attempts(Connection connection, String payloadId) throws SQLException {
        ArrayNode attempts = mapper.createArrayNode();
        try (PreparedStatement sql = connection.prepareStatement("SELECT attempted_at, status, latency_ms, error,"
                + " response_body FROM logged_attempt WHERE payload_id = ? ORDER BY id")) {
            sql.setString(1, payloadId);
            try (ResultSet rows = sql.executeQuery()) {
                while (rows.next()) {
                    ObjectNode attempt = attempts.addObject();
                    attempt.put("at", time(rows.getLong(1)));
                    int status = rows.getInt(2);
                    if (rows.wasNull()) {
                        attempt.putNull("status");
                    } else {
                        attempt.put("status", status);
                    }
                    attempt.put("latencyMs", rows.getLong(3));
                    if (rows.getString(4) != null) {
                        attempt.put("error", rows.getString(4));
                        attempt.put("responseBody", rows.getString(5));
                    }
                }
            }
        }
        return attempts;
    }

    private JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            // an unreadable record is stored as its text
            return mapper.getNodeFactory().textNode(text);
        }
    }

    private static void condition(StringBuilder where, List<Object> values, String condition, Object value) {
        if (value == null || value instanceof String text && !present(text)) {
            return;
        }
        where.append(" AND ").append(condition);
        values.add(value instanceof String text ? text.strip() : value);
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static long number(String name, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
        }
    }

    /** An ISO-8601 instant or epoch milliseconds. */
    private static long epochMillis(String name, String value) {
        try {
            return Instant.parse(value.strip()).toEpochMilli();
        } catch (RuntimeException notIso) {
            try {
                return Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be an ISO-8601 time (2026-11-25T10:00:00Z) or epoch"
                        + " milliseconds, was '" + value + "'");
            }
        }
    }

    private static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
