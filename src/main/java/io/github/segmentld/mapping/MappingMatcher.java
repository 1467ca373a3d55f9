package io.github.segmentld.mapping;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.observe.PipelineMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs each event of a chunk with every enabled mapping, of every enabled destination instance, whose trigger it
 * matches, grouped by mapping. Events the integrations object turns away and events that match no mapping (page,
 * screen and group calls with the presets) are counted as filtered, with the reason and the event type; nothing is
 * dropped without a count. An event replayed from a dead letter is matched against its own instance's mappings only.
 * A trigger that fails on an event (a defect) turns that event down for that mapping, with the failure, and the rest
 * of the chunk goes on.
 */
public class MappingMatcher {

    public static final String INTEGRATIONS_DISABLED = "integrations_disabled";
    public static final String NO_MATCHING_MAPPING = "no_matching_mapping";
    public static final String DESTINATION_NOT_CONFIGURED = "destination_not_configured";

    private static final Logger LOG = LoggerFactory.getLogger(MappingMatcher.class);

    private final List<Mapping> mappings;
    private final Set<String> destinations;
    private final PipelineMetrics metrics;

    /** @param mappings the mappings events are matched against; disabled ones are left out */
    public MappingMatcher(List<Mapping> mappings, PipelineMetrics metrics) {
        this.mappings = mappings.stream().filter(Mapping::enabled).toList();
        this.destinations = this.mappings.stream().map(Mapping::destination).collect(Collectors.toSet());
        this.metrics = metrics;
    }

    /** One group per mapping that matched events of the chunk, in the order of the mappings. */
    public List<MappedEvents> match(EventChunk chunk) {
        Map<Mapping, List<MappedEvent>> matched = new LinkedHashMap<>();
        Map<Mapping, List<TransformedEvents.Invalid>> turnedDown = new HashMap<>();
        Map<FilterReason, Integer> filtered = new HashMap<>();
        for (SegmentEvent event : chunk.events()) {
            ObjectNode json = event.json();
            String refused = refusal(event);
            if (refused != null) {
                filtered.merge(new FilterReason(refused, typeOf(json)), 1, Integer::sum);
                continue;
            }
            boolean any = false;
            for (Mapping mapping : mappings) {
                try {
                    if (!applies(mapping, event)) {
                        continue;
                    }
                } catch (RuntimeException defect) {
                    turnedDown.computeIfAbsent(mapping, m -> new ArrayList<>()).add(new TransformedEvents.Invalid(
                            new MappedEvent(event, mapping, chunk), Rejection.UNEXPECTED_ERROR,
                            "the trigger of the mapping failed on the event: " + defect));
                    any = true;
                    continue;
                }
                matched.computeIfAbsent(mapping, m -> new ArrayList<>()).add(new MappedEvent(event, mapping, chunk));
                any = true;
            }
            if (!any) {
                filtered.merge(new FilterReason(NO_MATCHING_MAPPING, typeOf(json)), 1, Integer::sum);
            }
        }
        metrics.received(chunk.events().size());
        filtered.forEach((why, count) -> metrics.filtered(why.reason(), why.type(), count));
        if (filtered.keySet().stream().anyMatch(why -> why.reason().equals(DESTINATION_NOT_CONFIGURED))) {
            LOG.warn("{}: events replayed from a dead letter of a destination instance that is not configured (or"
                    + " has no enabled mapping) were filtered", chunk.source().name());
        }
        List<MappedEvents> groups = new ArrayList<>(matched.size() + turnedDown.size());
        for (Mapping mapping : mappings) {
            List<MappedEvent> events = matched.getOrDefault(mapping, List.of());
            List<TransformedEvents.Invalid> failed = turnedDown.getOrDefault(mapping, List.of());
            if (!events.isEmpty()) {
                metrics.matched(mapping.destination(), mapping.name(), events.size());
            }
            if (!events.isEmpty() || !failed.isEmpty()) {
                groups.add(new MappedEvents(mapping, events, failed));
            }
        }
        return groups;
    }

    /**
     * Why no mapping takes the event, as {@link #match} counts it ({@code integrations_disabled},
     * {@code destination_not_configured}, {@code no_matching_mapping}); null when a mapping does.
     */
    public String whyFiltered(SegmentEvent event) {
        String refused = refusal(event);
        if (refused != null) {
            return refused;
        }
        return mappings.stream().anyMatch(mapping -> applies(mapping, event)) ? null : NO_MATCHING_MAPPING;
    }

    /** Why the event is for no mapping at all, before triggers are looked at; null when it may be for some. */
    private String refusal(SegmentEvent event) {
        if (!IntegrationsFilter.enabledFor(event.json())) {
            return INTEGRATIONS_DISABLED;
        }
        String only = event.destination();
        return only != null && !destinations.contains(only) ? DESTINATION_NOT_CONFIGURED : null;
    }

    private static boolean applies(Mapping mapping, SegmentEvent event) {
        String only = event.destination();
        return (only == null || only.equals(mapping.destination())) && mapping.trigger().test(event.json());
    }

    /** The event type as a metric tag: Segment's six types, anything else as "other" to keep the tag bounded. */
    private static String typeOf(ObjectNode event) {
        JsonNode type = event.get("type");
        return type != null && SegmentEvent.TYPES.contains(type.asText()) ? type.asText() : "other";
    }

    private record FilterReason(String reason, String type) {
    }
}
