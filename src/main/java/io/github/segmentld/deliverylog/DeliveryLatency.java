package io.github.segmentld.deliverylog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Two times of a window's latest delivered events, kept apart because they answer different questions. The service's
 * latency: from when it read the event (took its chunk from the file, the spool segment or the Kafka records) to
 * LaunchDarkly's answer; how long the service took. The events' age: from the event's own {@code receivedAt} (or its
 * input's time when it has none) to the answer; how old the data was when LaunchDarkly got it, which for a backfill of
 * month-old events is a month, however fast the service was.
 */
final class DeliveryLatency {

    /** How many of the window's latest delivered events the percentiles are taken over. */
    static final int SAMPLE = 50_000;

    private final ObjectMapper mapper;
    private final long[] service = new long[SAMPLE];
    private final long[] age = new long[SAMPLE];
    private int services;
    private int ages;

    private DeliveryLatency(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Sets {@code latency} (the service's) and {@code eventAge} on the answer, for the groups logged in the window. */
    static void measure(Connection connection, long from, long to, ObjectMapper mapper, ObjectNode answer)
            throws SQLException {
        DeliveryLatency latency = new DeliveryLatency(mapper);
        latency.read(connection, from, to);
        answer.set("latency", latency.percentiles(latency.service, latency.services));
        answer.set("eventAge", latency.percentiles(latency.age, latency.ages));
    }

    private void read(Connection connection, long from, long to) throws SQLException {
        try (PreparedStatement sql = connection.prepareStatement("SELECT delivered_at, read_at, event_index"
                + " FROM logged_group WHERE created_at > ? AND created_at <= ? AND outcome = 'delivered'"
                + " ORDER BY id DESC")) {
            sql.setLong(1, from);
            sql.setLong(2, to);
            sql.setFetchSize(16);
            int seen = 0;
            try (ResultSet groups = sql.executeQuery()) {
                while (seen < SAMPLE && groups.next()) {
                    long deliveredAt = groups.getLong(1);
                    long readAt = groups.getLong(2);
                    // a batch logged before the log knew when its events were read has no service latency
                    boolean readKnown = !groups.wasNull();
                    for (EventLine line : EventLine.parseAll(groups.getString(3))) {
                        if (seen == SAMPLE) {
                            break;
                        }
                        seen++;
                        if (readKnown) {
                            service[services++] = Math.max(0, deliveredAt - readAt);
                        }
                        Long receivedAt = EventLine.epochMillis(line.receivedAt());
                        if (receivedAt != null) {
                            age[ages++] = Math.max(0, deliveredAt - receivedAt);
                        }
                    }
                }
            }
        }
    }

    private ObjectNode percentiles(long[] millis, int n) {
        ObjectNode percentiles = mapper.createObjectNode();
        percentiles.put("events", n);
        if (n > 0) {
            long[] sorted = Arrays.copyOf(millis, n);
            Arrays.sort(sorted);
            percentiles.put("p50Ms", percentile(sorted, 50));
            percentiles.put("p95Ms", percentile(sorted, 95));
            percentiles.put("p99Ms", percentile(sorted, 99));
        }
        return percentiles;
    }

    /** The nearest-rank percentile. */
    private static long percentile(long[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
