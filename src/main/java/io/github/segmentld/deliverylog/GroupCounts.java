package io.github.segmentld.deliverylog;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A group's events counted by mapping, by type and event name, and by reason: what the overview adds up, so that it
 * reads a few numbers per group rather than every event's line. Written as JSON:
 * {@code {"mappings":{"default\tTrack Event":3},"types":{"track\tOrder Completed":3},"reasons":{}}} (destination and
 * mapping, type and event name, separated by a tab).
 */
final class GroupCounts {

    static final String MAPPINGS = "mappings";
    static final String TYPES = "types";
    static final String REASONS = "reasons";

    private final Map<String, Integer> mappings = new LinkedHashMap<>();
    private final Map<String, Integer> types = new LinkedHashMap<>();
    private final Map<String, Integer> reasons = new LinkedHashMap<>();

    void add(EventLine line) {
        if (line.mapping() != null) {
            mappings.merge(line.destination() + "\t" + line.mapping(), 1, Integer::sum);
        }
        types.merge(typeKey(line.type(), line.event()), 1, Integer::sum);
        if (line.reason() != null) {
            reasons.merge(line.reason(), 1, Integer::sum);
        }
    }

    /** The key of a type and event name in {@link #TYPES}. */
    static String typeKey(String type, String event) {
        return (type == null ? "" : type) + "\t" + (event == null ? "" : event);
    }

    String json(ObjectMapper mapper) {
        ObjectNode counts = mapper.createObjectNode();
        mappings.forEach(counts.putObject(MAPPINGS)::put);
        types.forEach(counts.putObject(TYPES)::put);
        reasons.forEach(counts.putObject(REASONS)::put);
        return counts.toString();
    }
}
