package io.github.segmentld.mapping;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.ingest.EventChunk;
import io.github.segmentld.ingest.SegmentEvent;
import io.github.segmentld.observe.PipelineMetrics;

/**
 * Pairs each event of a chunk with every mapping whose trigger it matches, grouped by mapping. Events the integrations object turns away
 * and events that match no mapping (page, screen and group calls with the presets) are counted as filtered, with the
 * reason and the event type; nothing is dropped without a count.
 */
public class MappingMatcher {

    static final String INTEGRATIONS_DISABLED = "integrations_disabled";
    static final String NO_MATCHING_MAPPING = "no_matching_mapping";

    private final List<Mapping> mappings;
    private final PipelineMetrics metrics;

    public MappingMatcher(List<Mapping> mappings, PipelineMetrics metrics) {
        this.mappings = List.copyOf(mappings);
        this.metrics = metrics;
    }

    /** One group per mapping that matched events of the chunk, in the order of the mappings. */
    public List<MappedEvents> match(EventChunk chunk) {
        Map<Mapping, List<MappedEvent>> matched = new LinkedHashMap<>();
        Map<FilterReason, Integer> filtered = new HashMap<>();
        for (SegmentEvent event : chunk.events()) {
            ObjectNode json = event.json();
            if (!IntegrationsFilter.enabledFor(json)) {
                filtered.merge(new FilterReason(INTEGRATIONS_DISABLED, typeOf(json)), 1, Integer::sum);
                continue;
            }
            boolean any = false;
            for (Mapping mapping : mappings) {
                if (mapping.trigger().test(json)) {
                    matched.computeIfAbsent(mapping, m -> new ArrayList<>()).add(new MappedEvent(event, mapping, chunk));
                    any = true;
                }
            }
            if (!any) {
                filtered.merge(new FilterReason(NO_MATCHING_MAPPING, typeOf(json)), 1, Integer::sum);
            }
        }
        metrics.received(chunk.events().size());
        filtered.forEach((why, count) -> metrics.filtered(why.reason(), why.type(), count));
        List<MappedEvents> groups = new ArrayList<>(matched.size());
        matched.forEach((mapping, events) -> groups.add(new MappedEvents(mapping, events)));
        return groups;
    }

    /** The event type as a metric tag: Segment's six types, anything else as "other" to keep the tag bounded. */
    private static String typeOf(ObjectNode event) {
        JsonNode type = event.get("type");
        return type != null && SegmentEvent.TYPES.contains(type.asText()) ? type.asText() : "other";
    }

    private record FilterReason(String reason, String type) {
    }
}
