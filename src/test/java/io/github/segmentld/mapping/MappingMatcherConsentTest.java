package io.github.segmentld.mapping;

import static io.github.segmentld.Json.object;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.observe.PipelineMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The matcher applies each instance's consent rule to that instance alone, before its triggers. */
class MappingMatcherConsentTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<Mapping> mappings = new ArrayList<>();
    private final MappingMatcher matcher;

    MappingMatcherConsentTest() {
        mappings.addAll(Actions.presets("analytics"));
        mappings.addAll(Actions.presets("everything"));
        matcher = new MappingMatcher(mappings, Map.of("analytics", new ConsentRule(List.of("Analytics"), false)),
                new PipelineMetrics(registry));
    }

    private static SegmentEvent event(String json) {
        return new SegmentEvent(object(json), 1);
    }

    private static String track(String categoryPreferences) {
        return "{'type':'track','userId':'u1','event':'E','context':{'consent':{'categoryPreferences':"
                + categoryPreferences + "}}}";
    }

    private List<String> matched(SegmentEvent... events) {
        EventChunk chunk = new EventChunk(new InputSource("test", "test", "line", 0), 0, List.of(events));
        List<String> matched = new ArrayList<>();
        for (MappedEvents group : matcher.match(chunk)) {
            group.events().forEach(event -> matched.add(event.mapping().destination() + "/" + event.mapping().name()));
        }
        return matched;
    }

    private double filtered(String reason, String type) {
        Counter counter = registry.find("segment.events.filtered").tags("reason", reason, "type", type).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void anEventWithoutTheCategoryGoesOnlyToTheInstanceWithoutARule() {
        assertThat(matched(event(track("{'Analytics':true}"))))
                .containsExactly("analytics/Track Event", "everything/Track Event");
        assertThat(matched(event(track("{'Analytics':false}")))).containsExactly("everything/Track Event");
        assertThat(matched(event("{'type':'track','userId':'u1','event':'E'}")))
                .containsExactly("analytics/Track Event", "everything/Track Event");
        assertThat(filtered(ConsentRule.CONSENT_NOT_GRANTED, "track")).isEqualTo(1);
        assertThat(filtered(MappingMatcher.NO_MATCHING_MAPPING, "track")).isZero();
    }

    @Test
    void theLogIsToldWhichInstanceEachEventWasFilteredForAndWhy() {
        SegmentEvent refused = event(track("{'Analytics':false}"));
        SegmentEvent page = event("{'type':'page','userId':'u1','context':{'consent':{'categoryPreferences':{}}}}");
        SegmentEvent granted = event(track("{'Analytics':true}"));

        assertThat(matcher.whyFiltered(refused, true)).containsExactly(
                new MappingMatcher.Filtering("analytics", ConsentRule.CONSENT_NOT_GRANTED));
        // filtered by consent for one instance, and matching no mapping of the other
        assertThat(matcher.whyFiltered(page, false)).containsExactly(
                new MappingMatcher.Filtering("analytics", ConsentRule.CONSENT_NOT_GRANTED),
                new MappingMatcher.Filtering(null, MappingMatcher.NO_MATCHING_MAPPING));
        assertThat(matcher.whyFiltered(granted, true)).isEmpty();
        matched(page);
        assertThat(filtered(ConsentRule.CONSENT_NOT_GRANTED, "page")).isEqualTo(1);
        assertThat(filtered(MappingMatcher.NO_MATCHING_MAPPING, "page")).isEqualTo(1);
    }

    @Test
    void anEventStoppedForEveryInstanceItIsForIsFilteredForConsentOnly() {
        MappingMatcher strict = new MappingMatcher(Actions.presets("analytics"),
                Map.of("analytics", new ConsentRule(List.of("Analytics"), true)), new PipelineMetrics(registry));
        SegmentEvent page = event("{'type':'page','userId':'u1'}");
        ObjectNode replayed = object(track("{'Analytics':false}"));

        assertThat(strict.whyFiltered(page, false)).containsExactly(
                new MappingMatcher.Filtering("analytics", ConsentRule.CONSENT_MISSING));
        // a dead letter replayed for the instance without a rule is not held back by the other's
        assertThat(matcher.whyFiltered(new SegmentEvent(replayed, 1, "everything"), true)).isEmpty();
        assertThat(matcher.whyFiltered(new SegmentEvent(replayed, 1, "analytics"), false)).containsExactly(
                new MappingMatcher.Filtering("analytics", ConsentRule.CONSENT_NOT_GRANTED));
    }

    @Test
    void withoutRulesOnlyTheEventsNoMappingTookAreFiltered() {
        MappingMatcher plain = new MappingMatcher(mappings, new PipelineMetrics(registry));

        assertThat(plain.whyFiltered(event(track("{'Analytics':false}")), true)).isEmpty();
        assertThat(plain.whyFiltered(event("{'type':'page','userId':'u1'}"), false))
                .containsExactly(new MappingMatcher.Filtering(null, MappingMatcher.NO_MATCHING_MAPPING));
        assertThat(plain.whyFiltered(event("{'type':'track','integrations':{'All':false}}"), false))
                .containsExactly(new MappingMatcher.Filtering(null, MappingMatcher.INTEGRATIONS_DISABLED));
    }
}
