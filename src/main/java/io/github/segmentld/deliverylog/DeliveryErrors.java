package io.github.segmentld.deliverylog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.model.Rejection;
import org.apache.camel.Header;

/**
 * The errors of a time window, as Segment's Event Delivery table shows them: each reason with its code, what happened,
 * what to do, how many events (or requests) it cost, and up to {@link #SAMPLES} samples, each as what was sent, the
 * request to LaunchDarkly and its response where there was one. Events rejected (Segment's validation, unreadable
 * records), batches dead-lettered, and requests that failed (retried, so not lost) are the rows.
 */
public class DeliveryErrors {

    static final int SAMPLES = 10;

    private final DeliveryLogDatabase database;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();

    public DeliveryErrors(DeliveryLogDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** One row of the table, as it fills. */
    private final class Row {
        final ObjectNode json;
        final ArrayNode samples;

        Row(String code, String whatHappened, String whatToDo) {
            json = mapper.createObjectNode();
            json.put("code", code);
            json.put("whatHappened", whatHappened);
            json.put("whatToDo", whatToDo);
            json.put("count", 0);
            samples = json.putArray("samples");
        }

        void add(long count, JsonNode sent, JsonNode request, JsonNode response) {
            json.put("count", json.get("count").asLong() + count);
            if (samples.size() < SAMPLES) {
                ObjectNode sample = samples.addObject();
                sample.set("sent", sent);
                sample.set("request", request);
                sample.set("response", response);
            }
        }
    }

    /**
     * @param window one of {@link Window#LENGTHS}; the last 24 hours when not given
     * @throws IllegalArgumentException for a window it does not know
     */
    public ObjectNode errors(@Header("window") String window) throws SQLException {
        Window current = Window.of(window, clock);
        Map<String, Row> rows = new LinkedHashMap<>();
        try (Connection connection = database.connectForReading()) {
            rejected(connection, current.from(), current.to(), rows);
            deadLettered(connection, current.from(), current.to(), rows);
            failedRequests(connection, current.from(), current.to(), rows);
        }
        ObjectNode answer = mapper.createObjectNode();
        current.describe(answer);
        ArrayNode errors = answer.putArray("errors");
        rows.values().stream().sorted((a, b) -> Long.compare(b.json.get("count").asLong(), a.json.get("count").asLong()))
                .forEach(row -> errors.add(row.json));
        return answer;
    }

    /** Rejected events, a row per reason code and message. */
    private void rejected(Connection connection, long from, long to, Map<String, Row> rows) throws SQLException {
        RejectedEvents.each(connection, from, to, (group, line, detail) -> {
            String message = detail.path("detail").asText("");
            String code = line.reason();
            rows.computeIfAbsent(code + "\n" + message, key -> new Row(code, message, whatToDo(code)))
                    .add(1, detail.get("segmentEvent"), null, null);
        });
    }

    /** Dead-lettered batches, a row per reason, each sample one of their events. */
    private void deadLettered(Connection connection, long from, long to, Map<String, Row> rows) throws SQLException {
        try (PreparedStatement sql = connection.prepareStatement("SELECT g.payload_id, g.events, g.reason,"
                + " g.event_index, p.payload FROM logged_group g LEFT JOIN logged_payload p"
                + " ON p.payload_id = g.payload_id WHERE g.outcome = 'dead_lettered' AND g.outcome_at > ?"
                + " AND g.outcome_at <= ? ORDER BY g.id DESC")) {
            sql.setLong(1, from);
            sql.setLong(2, to);
            try (ResultSet batches = sql.executeQuery()) {
                while (batches.next()) {
                    String reason = batches.getString("reason");
                    Row row = rows.computeIfAbsent("dead_lettered\n" + reason, key -> new Row("dead_lettered",
                            reason, "Correct the cause (the destination's client-side ID or access token, or the"
                            + " events), then move the batch's file from the dead-letter folder into the inbox: it is"
                            + " sent again."));
                    EventLine[] lines = EventLine.parseAll(batches.getString("event_index"));
                    JsonNode payload = StoredJson.read(batches.getString("payload"));
                    JsonNode response = lastResponse(connection, batches.getString("payload_id"));
                    row.add(batches.getLong("events"), lines.length == 0 ? null : summary(lines[0]),
                            payload.path(0).isMissingNode() ? null : payload.get(0), response);
                }
            }
        }
    }

    /** Requests LaunchDarkly did not take (retried, so not lost), a row per status. */
    private void failedRequests(Connection connection, long from, long to, Map<String, Row> rows) throws SQLException {
        try (PreparedStatement sql = connection.prepareStatement("SELECT status, error, response_body"
                + " FROM logged_attempt WHERE (status IS NULL OR status < 200 OR status > 299)"
                + " AND attempted_at > ? AND attempted_at <= ? ORDER BY id DESC")) {
            sql.setLong(1, from);
            sql.setLong(2, to);
            try (ResultSet attempts = sql.executeQuery()) {
                while (attempts.next()) {
                    int status = attempts.getInt("status");
                    String code = attempts.wasNull() ? "no_answer" : "http_" + status;
                    String error = attempts.getString("error");
                    Row row = rows.computeIfAbsent(code, key -> new Row(code, "a request to LaunchDarkly failed: "
                            + error, "Nothing, if it passes: the batch is sent again (in line,"
                            + " then from its retry queue). If it lasts, check LaunchDarkly's status, the network,"
                            + " and the destination's client-side ID or access token."));
                    ObjectNode response = mapper.createObjectNode();
                    if (!code.equals("no_answer")) {
                        response.put("status", status);
                    }
                    response.put("error", error);
                    response.put("body", attempts.getString("response_body"));
                    row.add(1, null, null, response);
                }
            }
        }
    }

    private JsonNode lastResponse(Connection connection, String payloadId) throws SQLException {
        try (PreparedStatement sql = connection.prepareStatement("SELECT status, error, response_body FROM"
                + " logged_attempt WHERE payload_id = ? ORDER BY id DESC LIMIT 1")) {
            sql.setString(1, payloadId);
            try (ResultSet attempt = sql.executeQuery()) {
                if (!attempt.next()) {
                    return null;
                }
                ObjectNode response = mapper.createObjectNode();
                int status = attempt.getInt(1);
                if (!attempt.wasNull()) {
                    response.put("status", status);
                }
                response.put("error", attempt.getString(2));
                response.put("body", attempt.getString(3));
                return response;
            }
        }
    }

    /** What was sent, as the log keeps it for an event of a batch. */
    private ObjectNode summary(EventLine line) {
        return mapper.createObjectNode().put("messageId", line.messageId()).put("type", line.type())
                .put("event", line.event()).put("userId", line.userId()).put("anonymousId", line.anonymousId())
                .put("position", line.position());
    }

    private static String whatToDo(String code) {
        return switch (code == null ? "" : code) {
            case Rejection.VALIDATION -> "Send the field the message names from the source, or map it from another"
                    + " field in the mapping; the event is not sent again.";
            case Rejection.UNREADABLE_RECORD -> "Correct the record in its input and drop the corrected file into the"
                    + " inbox.";
            case Rejection.REFUSED_BY_API -> "Correct the client that sent it; Segment's Tracking API refuses it too.";
            default -> "Report it with the application's log around that time: it is a defect.";
        };
    }
}
