package io.github.segmentld.deliverylog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Header;

/**
 * Delivery over time, for the delivery page's chart: the events of a window delivered, failed (waiting in a retry
 * queue, or dead-lettered) and filtered, per minute of the clock, or per hour for a window longer than
 * {@link #MINUTES_UP_TO}. Each event counts once, in the minute or hour its group was logged (a batch when it was first
 * sent or held back, filtered events when their chunk settled), with the outcome it has now: the same events as the overview's
 * funnel, so that the bars add up to its numbers. The buckets follow the clock (10:42, 10:43…), so the first and last
 * cover part of theirs; every bucket of the window is listed, those without events too.
 */
public class DeliveryTimeline {

    /** Windows up to this long are counted per minute (at most 361 bars), longer ones per hour (at most 337). */
    static final Duration MINUTES_UP_TO = Duration.ofHours(6);

    /** The outcomes counted, as the log names them, and as the answer names them. */
    private static final List<String> OUTCOMES = List.of("delivered", "retry_pending", "dead_lettered",
            LoggedGroup.FILTERED);
    private static final List<String> NAMES = List.of("delivered", "retryPending", "deadLettered", "filtered");

    private final DeliveryLogDatabase database;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();

    public DeliveryTimeline(DeliveryLogDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /**
     * @param window one of {@link Window#LENGTHS}; the last 24 hours when not given
     * @throws IllegalArgumentException for a window it does not know
     */
    public ObjectNode timeline(@Header("window") String window) throws SQLException {
        Window current = Window.of(window, clock);
        long bucket = (current.to() - current.from() > MINUTES_UP_TO.toMillis() ? Duration.ofHours(1)
                : Duration.ofMinutes(1)).toMillis();
        // the window holds the groups logged after from and at or before to
        long first = (current.from() + 1) / bucket;
        long[][] counts = new long[(int) (current.to() / bucket - first + 1)][OUTCOMES.size()];
        try (Connection connection = database.connectForReading();
             PreparedStatement sql = connection.prepareStatement(countQuery(bucket))) {
            sql.setLong(1, current.from());
            sql.setLong(2, current.to());
            try (ResultSet rows = sql.executeQuery()) {
                while (rows.next()) {
                    counts[(int) (rows.getLong(1) - first)][OUTCOMES.indexOf(rows.getString(2))] += rows.getLong(3);
                }
            }
        }
        ObjectNode answer = mapper.createObjectNode();
        current.describe(answer);
        answer.put("bucketSeconds", bucket / 1000);
        ArrayNode buckets = answer.putArray("buckets");
        for (int i = 0; i < counts.length; i++) {
            ObjectNode counted = buckets.addObject().put("at", Instant.ofEpochMilli((first + i) * bucket).toString());
            for (int outcome = 0; outcome < NAMES.size(); outcome++) {
                counted.put(NAMES.get(outcome), counts[i][outcome]);
            }
        }
        return answer;
    }

    /**
     * The events per bucket and outcome of the groups logged in a window ({@code created_at} after the first parameter,
     * at or before the second), found through the created_at index. The bucket's length and the outcomes are this
     * class's constants, never a caller's text; the division is an integer one in SQLite and PostgreSQL alike.
     */
    static String countQuery(long bucketMillis) {
        return "SELECT created_at / " + bucketMillis + ", outcome, SUM(events) FROM logged_group"
                + " WHERE created_at > ? AND created_at <= ? AND outcome IN ('" + String.join("', '", OUTCOMES) + "')"
                + " GROUP BY created_at / " + bucketMillis + ", outcome";
    }
}
