package io.github.segmentld.deliverylog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** The outcomes a search may ask for: a batch's for the events it holds, or filtered, or rejected. */
    public static final List<String> OUTCOMES = List.of("delivered", "sending", "retry_pending", "dead_lettered",
            "split", LoggedGroup.FILTERED, LoggedGroup.REJECTED);
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    private static final Pattern CURSOR = Pattern.compile("(\\d+):(\\d+)");

    private final DeliveryLogDatabase database;
    private final Redaction redaction;
    private final ObjectMapper mapper = new ObjectMapper();

    public DeliveryLogQueries(DeliveryLogDatabase database, Redaction redaction) {
        this.database = database;
        this.redaction = redaction;
    }

    /** What a search asks for; null for a criterion not given. */
    private record Criteria(String messageId, String user, String event, String destination, String mapping,
                            String outcome) {

        boolean accepts(EventLine line, String lineOutcome) {
            return (messageId == null || messageId.equals(line.messageId()))
                    && (user == null || user.equals(line.userId()) || user.equals(line.anonymousId()))
                    && (event == null || event.equals(line.event()))
                    && (destination == null || destination.equals(line.destination()))
                    && (mapping == null || mapping.equals(line.mapping()))
                    && (outcome == null || outcome.equals(lineOutcome));
        }
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
        String wanted = present(outcome) ? outcome.strip() : null;
        if (wanted != null && !OUTCOMES.contains(wanted)) {
            throw new IllegalArgumentException("outcome must be one of " + String.join(", ", OUTCOMES));
        }
        Criteria criteria = new Criteria(given(messageId), present(user) ? redaction.userId(user.strip()) : null,
                given(eventName), given(destination), given(mapping), wanted);
        long pageSize = present(limit) ? number("limit", limit) : DEFAULT_LIMIT;
        if (pageSize < 1 || pageSize > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT);
        }
        long beforeGroup = Long.MAX_VALUE;
        int beforeLine = Integer.MAX_VALUE;
        if (present(before)) {
            Matcher cursor = CURSOR.matcher(before.strip());
            if (!cursor.matches()) {
                throw new IllegalArgumentException("before must be the next of a page, such as 1234:56");
            }
            beforeGroup = Long.parseLong(cursor.group(1));
            beforeLine = Integer.parseInt(cursor.group(2));
        }
        // The groups that may hold a match, newest first: the lines of each are then matched exactly.
        StringBuilder where = new StringBuilder(" WHERE id <= ?");
        List<Object> values = new ArrayList<>(List.of(beforeGroup));
        if (present(from)) {
            where.append(" AND created_at >= ?");
            values.add(epochMillis("from", from));
        }
        if (present(to)) {
            where.append(" AND created_at < ?");
            values.add(epochMillis("to", to));
        }
        if (wanted != null) {
            where.append(" AND outcome = ?");
            values.add(wanted);
        }
        for (String term : new String[] {criteria.messageId(), criteria.user(), criteria.event()}) {
            if (term != null) {
                where.append(" AND event_index LIKE ? ESCAPE '!'");
                values.add("%" + EventLine.clean(term).replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
            }
        }
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode events = answer.putArray("events");
        try (Connection connection = database.connectForReading();
             PreparedStatement sql = connection.prepareStatement("SELECT id, kind, payload_id, parent_payload_id,"
                     + " created_at, outcome, reason, delivered_at, input, event_index, details FROM logged_group"
                     + where + " ORDER BY id DESC")) {
            for (int i = 0; i < values.size(); i++) {
                sql.setObject(i + 1, values.get(i));
            }
            sql.setFetchSize(16);
            Map<String, JsonNode> payloads = new HashMap<>();
            try (ResultSet groups = sql.executeQuery()) {
                collect:
                while (groups.next()) {
                    long id = groups.getLong("id");
                    EventLine[] lines = EventLine.parseAll(groups.getString("event_index"));
                    int last = id == beforeGroup ? Math.min(beforeLine, lines.length) - 1 : lines.length - 1;
                    for (int i = last; i >= 0; i--) {
                        if (!criteria.accepts(lines[i], groups.getString("outcome"))) {
                            continue;
                        }
                        if (events.size() == pageSize) {
                            answer.put("next", id + ":" + (i + 1));
                            break collect;
                        }
                        events.add(event(connection, groups, id, i, lines[i], payloads));
                    }
                }
            }
        }
        return answer;
    }

    /** The answer to a search that is not understood: what was wrong with it. */
    public String refusal(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        return mapper.createObjectNode().put("message", cause.getMessage()).toString();
    }

    private ObjectNode event(Connection connection, ResultSet group, long id, int index, EventLine line,
                             Map<String, JsonNode> payloads) throws SQLException {
        ObjectNode event = mapper.createObjectNode();
        event.put("id", id + ":" + index);
        event.put("loggedAt", time(group.getLong("created_at")));
        event.put("receivedAt", receivedAt(line.receivedAt()));
        event.put("input", group.getString("input"));
        event.put("position", line.position());
        event.put("messageId", line.messageId());
        event.put("type", line.type());
        event.put("event", line.event());
        event.put("userId", line.userId());
        event.put("anonymousId", line.anonymousId());
        event.put("destination", line.destination());
        event.put("mapping", line.mapping());
        event.put("outcome", group.getString("outcome"));
        String kind = group.getString("kind");
        if (LoggedGroup.BATCH.equals(kind)) {
            String payloadId = group.getString("payload_id");
            if (group.getString("reason") != null) {
                event.put("detail", group.getString("reason"));
            }
            event.put("payloadId", payloadId);
            if (group.getString("parent_payload_id") != null) {
                event.put("splitFrom", group.getString("parent_payload_id"));
            }
            long deliveredAt = group.getLong("delivered_at");
            if (!group.wasNull()) {
                event.put("deliveredAt", time(deliveredAt));
            }
            event.putNull("segmentEvent");
            JsonNode payload = payloads.get(payloadId);
            if (payload == null) {
                payload = payload(connection, payloadId);
                payloads.put(payloadId, payload);
            }
            event.set("launchDarklyEvent", payload.get(index));
            event.set("attempts", attempts(connection, payloadId));
            return event;
        }
        event.put("reason", line.reason());
        if (LoggedGroup.FILTERED.equals(kind)) {
            event.put("detail", LogRows.filteredDetail(line.reason(), line));
            event.putNull("segmentEvent");
        } else {
            JsonNode detail = StoredJson.read(group.getString("details")).path(index);
            event.put("detail", detail.path("detail").asText(null));
            event.set("segmentEvent", detail.get("segmentEvent"));
        }
        event.putNull("launchDarklyEvent");
        return event;
    }

    private JsonNode payload(Connection connection, String payloadId) throws SQLException {
        try (PreparedStatement sql = connection.prepareStatement(
                "SELECT payload FROM logged_payload WHERE payload_id = ?")) {
            sql.setString(1, payloadId);
            try (ResultSet row = sql.executeQuery()) {
                return StoredJson.read(row.next() ? row.getString(1) : null);
            }
        }
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

    private static String given(String value) {
        return present(value) ? value.strip() : null;
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
    static long epochMillis(String name, String value) {
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

    /** A line's receivedAt as an ISO-8601 time, or as the event had it when it cannot be read. */
    private static String receivedAt(String text) {
        Long millis = EventLine.epochMillis(text);
        return millis == null ? text : time(millis);
    }

    private static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
