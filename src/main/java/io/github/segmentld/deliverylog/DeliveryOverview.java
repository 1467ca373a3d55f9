package io.github.segmentld.deliverylog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.model.Rejection;
import org.apache.camel.Header;

/**
 * The delivery overview of a time window, as Segment's Delivery Overview shows it: received, failed on ingest,
 * filtered (by reason), then per destination and mapping the events rejected, in flight, waiting in the retry queue,
 * dead-lettered and delivered; the events by type and name; each beside the window before. With the service's latency
 * for the latest delivered events and, apart, their age ({@link DeliveryLatency}).
 */
public class DeliveryOverview {

    private final DeliveryLogDatabase database;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();

    public DeliveryOverview(DeliveryLogDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /**
     * @param window one of {@link Window#LENGTHS}; the last 24 hours when not given
     * @throws IllegalArgumentException for a window it does not know
     */
    public ObjectNode overview(@Header("window") String window) throws SQLException {
        Window current = Window.of(window, clock);
        Window previous = current.previous();
        ObjectNode answer = mapper.createObjectNode();
        current.describe(answer);
        try (Connection connection = database.connectForReading()) {
            answer.set("current", funnel(connection, current.from(), current.to()));
            answer.set("previous", funnel(connection, previous.from(), previous.to()));
            DeliveryLatency.measure(connection, current.from(), current.to(), mapper, answer);
        }
        return answer;
    }

    private ObjectNode funnel(Connection connection, long from, long to) throws SQLException {
        ObjectNode funnel = mapper.createObjectNode();
        long received = 0;
        long failedOnIngest = 0;
        ObjectNode filtered = mapper.createObjectNode();
        ObjectNode destinations = mapper.createObjectNode();
        Map<String, Long> types = new LinkedHashMap<>();
        try (PreparedStatement sql = connection.prepareStatement("SELECT kind, destination, outcome, events, counts"
                + " FROM logged_group WHERE created_at > ? AND created_at <= ? AND outcome <> 'split'")) {
            sql.setLong(1, from);
            sql.setLong(2, to);
            try (ResultSet groups = sql.executeQuery()) {
                while (groups.next()) {
                    String kind = groups.getString("kind");
                    JsonNode counts = StoredJson.read(groups.getString("counts"));
                    if (LoggedGroup.RECEIVED.equals(kind)) {
                        received += groups.getLong("events");
                        continue;
                    }
                    counts.path(GroupCounts.TYPES).fields().forEachRemaining(count ->
                            types.merge(count.getKey(), count.getValue().asLong(), Long::sum));
                    if (LoggedGroup.FILTERED.equals(kind)) {
                        counts.path(GroupCounts.REASONS).fields().forEachRemaining(reason ->
                                filtered.put(reason.getKey(), filtered.path(reason.getKey()).asLong()
                                        + reason.getValue().asLong()));
                    } else if (LoggedGroup.REJECTED.equals(kind)) {
                        JsonNode reasons = counts.path(GroupCounts.REASONS);
                        failedOnIngest += reasons.path(Rejection.UNREADABLE_RECORD).asLong()
                                + reasons.path(Rejection.REFUSED_BY_API).asLong();
                        // an event the HTTP source refused was received, though it never reached a chunk
                        received += reasons.path(Rejection.REFUSED_BY_API).asLong();
                        addToMappings(destinations, counts, "rejected");
                    } else {
                        addToMappings(destinations, counts, stage(groups.getString("outcome")));
                    }
                }
            }
        }
        funnel.put("received", received);
        funnel.put("failedOnIngest", failedOnIngest);
        funnel.set("filtered", filtered);
        funnel.set("destinations", destinations);
        ArrayNode byType = funnel.putArray("types");
        types.forEach((key, events) -> {
            String[] typeAndEvent = key.split("\t", 2);
            byType.addObject().put("type", typeAndEvent[0]).put("event", typeAndEvent[1]).put("events", events);
        });
        return funnel;
    }

    /** The funnel stage of a batch's outcome. */
    private static String stage(String outcome) {
        return switch (outcome) {
            case "retry_pending" -> "retryPending";
            case "dead_lettered" -> "deadLettered";
            default -> outcome;
        };
    }

    /** Adds a group's events, counted by destination and mapping, to the funnel's stage. */
    private static void addToMappings(ObjectNode destinations, JsonNode counts, String stage) {
        for (Iterator<Map.Entry<String, JsonNode>> it = counts.path(GroupCounts.MAPPINGS).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> count = it.next();
            String[] destinationAndMapping = count.getKey().split("\t", 2);
            ObjectNode stages = child(child(destinations, destinationAndMapping[0]), destinationAndMapping[1]);
            stages.put(stage, stages.path(stage).asLong() + count.getValue().asLong());
        }
    }

    private static ObjectNode child(ObjectNode parent, String name) {
        return parent.get(name) instanceof ObjectNode child ? child : parent.putObject(name);
    }
}
