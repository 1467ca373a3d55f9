package io.github.segmentld.mapping;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 * dropped without a count. An instance's consent rule is applied before its mappings' triggers, as Segment applies
 * consent before a destination's mappings: an event it stops is filtered for that instance alone (counted once per
 * instance), and may still go to the others. Then each instance's insert function runs on the event (a copy): its
 * mappings' triggers and fields see what it returns; when it returns nothing the event is filtered for that instance,
 * and when it fails the event is rejected for that instance, with why. An event replayed from a dead letter is
 * matched against its own instance's mappings only. A trigger that fails on an event (a defect) turns that event down
 * for that mapping, with the failure, and the rest of the chunk goes on.
 */
public class MappingMatcher {

    /** The exchange property that holds the matcher of the mappings version a chunk is mapped by. */
    public static final String PROPERTY = "mappingMatcher";
    public static final String INTEGRATIONS_DISABLED = "integrations_disabled";
    public static final String NO_MATCHING_MAPPING = "no_matching_mapping";
    public static final String DESTINATION_NOT_CONFIGURED = "destination_not_configured";

    private static final Logger LOG = LoggerFactory.getLogger(MappingMatcher.class);

    private final List<Mapping> mappings;
    private final Set<String> destinations;
    /** The consent rules of the instances that have enabled mappings and a rule. */
    private final Map<String, ConsentRule> consent;
    private final InsertFunctions functions;
    /** The instances with enabled mappings and an insert function, in the order of their mappings. */
    private final List<String> withFunction;
    private final PipelineMetrics metrics;

    /** @param mappings the mappings events are matched against; disabled ones are left out */
    public MappingMatcher(List<Mapping> mappings, PipelineMetrics metrics) {
        this(mappings, Map.of(), metrics);
    }

    /**
     * @param mappings the mappings events are matched against; disabled ones are left out
     * @param consent  the consent rule of each destination instance that has one, by instance name
     */
    public MappingMatcher(List<Mapping> mappings, Map<String, ConsentRule> consent, PipelineMetrics metrics) {
        this(mappings, consent, InsertFunctions.NONE, metrics);
    }

    /**
     * @param mappings  the mappings events are matched against; disabled ones are left out
     * @param consent   the consent rule of each destination instance that has one, by instance name
     * @param functions the insert functions of the destination instances
     */
    public MappingMatcher(List<Mapping> mappings, Map<String, ConsentRule> consent, InsertFunctions functions,
                          PipelineMetrics metrics) {
        this.mappings = mappings.stream().filter(Mapping::enabled).toList();
        this.destinations = this.mappings.stream().map(Mapping::destination).collect(Collectors.toSet());
        this.consent = new LinkedHashMap<>();
        consent.forEach((destination, rule) -> {
            if (destinations.contains(destination)) {
                this.consent.put(destination, rule);
            }
        });
        this.functions = functions;
        this.withFunction = this.mappings.stream().map(Mapping::destination).distinct()
                .filter(destination -> functions.of(destination) != null).toList();
        this.metrics = metrics;
    }

    /**
     * An event filtered for one destination instance, or for every one, and why.
     *
     * @param destination the instance it is filtered for; for a reason that holds for every instance, the one instance
     *                    the event was replayed for, else null
     * @param reason      the reason code, as the filtered counter is tagged
     */
    public record Filtering(String destination, String reason) {
    }

    /**
     * One group per mapping that matched (or failed on) events of the chunk, in the order of their first event, and
     * what the insert functions made of the events.
     */
    public MatchedChunk match(EventChunk chunk) {
        InsertedEvents inserted = withFunction.isEmpty() ? InsertedEvents.NONE : new InsertedEvents();
        Map<Mapping, List<MappedEvent>> matched = new HashMap<>();
        Map<Mapping, List<TransformedEvents.Invalid>> turnedDown = new HashMap<>();
        Set<Mapping> order = new LinkedHashSet<>();
        Map<FilterReason, Integer> filtered = new HashMap<>();
        for (SegmentEvent event : chunk.events()) {
            ObjectNode json = event.json();
            String refused = refusal(event);
            if (refused != null) {
                filtered.merge(new FilterReason(refused, typeOf(json)), 1, Integer::sum);
                continue;
            }
            Map<String, String> stopped = stopped(event, inserted, true);
            stopped.values().forEach(reason -> filtered.merge(new FilterReason(reason, typeOf(json)), 1, Integer::sum));
            boolean any = false;
            for (Mapping mapping : mappings) {
                if (stopped.containsKey(mapping.destination())) {
                    continue;
                }
                if (failed(event, mapping.destination(), inserted)) {
                    any = true; // rejected for that instance, with the chunk's rejections
                    continue;
                }
                ObjectNode seen = inserted.json(event, mapping.destination());
                try {
                    if (!applies(mapping, event, seen)) {
                        continue;
                    }
                } catch (RuntimeException defect) {
                    order.add(mapping);
                    turnedDown.computeIfAbsent(mapping, m -> new ArrayList<>()).add(new TransformedEvents.Invalid(
                            new MappedEvent(event, mapping, chunk), Rejection.UNEXPECTED_ERROR,
                            "the trigger of the mapping failed on the event: " + defect));
                    any = true;
                    continue;
                }
                order.add(mapping);
                matched.computeIfAbsent(mapping, m -> new ArrayList<>())
                        .add(new MappedEvent(event, mapping, chunk, seen));
                any = true;
            }
            if (!any && considered(event, stopped)) {
                filtered.merge(new FilterReason(NO_MATCHING_MAPPING, typeOf(json)), 1, Integer::sum);
            }
        }
        metrics.received(chunk.events().size());
        filtered.forEach((why, count) -> metrics.filtered(why.reason(), why.type(), count));
        if (filtered.keySet().stream().anyMatch(why -> why.reason().equals(DESTINATION_NOT_CONFIGURED))) {
            LOG.warn("{}: events replayed from a dead letter of a destination instance that is not configured (or"
                    + " has no enabled mapping) were filtered", chunk.source().name());
        }
        List<MappedEvents> groups = new ArrayList<>(order.size());
        for (Mapping mapping : order) {
            List<MappedEvent> events = matched.getOrDefault(mapping, List.of());
            List<TransformedEvents.Invalid> failed = turnedDown.getOrDefault(mapping, List.of());
            if (!events.isEmpty()) {
                metrics.matched(mapping.destination(), mapping.name(), events.size());
            }
            groups.add(new MappedEvents(mapping, events, failed));
        }
        return new MatchedChunk(groups, inserted);
    }

    /** Why the event is filtered, no insert function having run on its chunk. */
    public List<Filtering> whyFiltered(SegmentEvent event, boolean taken) {
        return whyFiltered(event, taken, InsertedEvents.NONE);
    }

    /**
     * Why the event is filtered, as {@link #match} counts it: for every instance ({@code integrations_disabled},
     * {@code destination_not_configured}, {@code no_matching_mapping}), or for each instance whose consent rule stops
     * it ({@code consent_not_granted}, {@code consent_missing}) or whose insert function returned nothing for it
     * ({@code insert_function}); empty when it is filtered for none.
     *
     * @param taken    whether a mapping took the event, or an insert function failed on it (then only the consent
     *                 rules and the insert functions can have filtered it)
     * @param inserted what the insert functions made of the chunk's events, as {@link #match} recorded it: functions
     *                 are not run again
     */
    public List<Filtering> whyFiltered(SegmentEvent event, boolean taken, InsertedEvents inserted) {
        if (taken && consent.isEmpty() && inserted.isEmpty()) {
            return List.of();
        }
        String refused = refusal(event);
        if (refused != null) {
            return List.of(new Filtering(event.destination(), refused));
        }
        Map<String, String> stopped = stopped(event, inserted, false);
        List<Filtering> why = new ArrayList<>(stopped.size() + 1);
        stopped.forEach((destination, reason) -> why.add(new Filtering(destination, reason)));
        if (!taken && considered(event, stopped) && mappings.stream().noneMatch(mapping ->
                !stopped.containsKey(mapping.destination())
                        && applies(mapping, event, inserted.json(event, mapping.destination())))) {
            why.add(new Filtering(event.destination(), NO_MATCHING_MAPPING));
        }
        return why;
    }

    /**
     * The instances the event is stopped for, with the reason: their consent rules, then their insert functions, run
     * now on the event and recorded in {@code inserted} ({@code run}), or as {@code inserted} recorded them.
     */
    private Map<String, String> stopped(SegmentEvent event, InsertedEvents inserted, boolean run) {
        Map<String, String> stopped = consentRefusals(event);
        if (withFunction.isEmpty()) {
            return stopped;
        }
        Map<String, String> all = new LinkedHashMap<>(stopped);
        for (String destination : withFunction) {
            if (all.containsKey(destination) || (event.destination() != null
                    && !event.destination().equals(destination))) {
                continue;
            }
            InsertOutcome outcome = run ? functions.apply(destination, event.json())
                    : inserted.outcome(event, destination);
            if (run) {
                inserted.add(event, destination, outcome);
            }
            if (outcome != null && outcome.filtered()) {
                all.put(destination, InsertOutcome.INSERT_FUNCTION);
            }
        }
        return all;
    }

    private static boolean failed(SegmentEvent event, String destination, InsertedEvents inserted) {
        InsertOutcome outcome = inserted.outcome(event, destination);
        return outcome != null && outcome.failed();
    }

    /** The instances whose consent rule stops the event, with the reason; empty (and free) without rules. */
    private Map<String, String> consentRefusals(SegmentEvent event) {
        if (consent.isEmpty()) {
            return Map.of();
        }
        Map<String, String> stopped = new LinkedHashMap<>(4);
        consent.forEach((destination, rule) -> {
            if (event.destination() == null || event.destination().equals(destination)) {
                String reason = rule.refusal(event.json());
                if (reason != null) {
                    stopped.put(destination, reason);
                }
            }
        });
        return stopped;
    }

    /** Whether mappings were tried on the event: consent did not stop it for every instance it is for. */
    private boolean considered(SegmentEvent event, Map<String, String> stopped) {
        return stopped.isEmpty() || stopped.size() < (event.destination() == null ? destinations.size() : 1);
    }

    /** Why the event is for no mapping at all, before triggers are looked at; null when it may be for some. */
    private String refusal(SegmentEvent event) {
        if (!IntegrationsFilter.enabledFor(event.json())) {
            return INTEGRATIONS_DISABLED;
        }
        String only = event.destination();
        return only != null && !destinations.contains(only) ? DESTINATION_NOT_CONFIGURED : null;
    }

    /** @param json the event as the mapping's instance sees it */
    private static boolean applies(Mapping mapping, SegmentEvent event, ObjectNode json) {
        String only = event.destination();
        return (only == null || only.equals(mapping.destination())) && mapping.trigger().test(json);
    }

    /** The event type as a metric tag: Segment's six types, anything else as "other" to keep the tag bounded. */
    private static String typeOf(ObjectNode event) {
        JsonNode type = event.get("type");
        return type != null && SegmentEvent.TYPES.contains(type.asText()) ? type.asText() : "other";
    }

    private record FilterReason(String reason, String type) {
    }
}
