package io.github.segmentld.actions;

import static io.github.segmentld.Json.object;
import static io.github.segmentld.Json.parse;
import static io.github.segmentld.mapping.ActionFixture.NOW;
import static io.github.segmentld.mapping.ActionFixture.mapped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.mapping.MappedEvent;
import io.github.segmentld.mapping.MappedEvents;
import io.github.segmentld.mapping.Mapping;
import io.github.segmentld.mapping.MappingCompiler;
import io.github.segmentld.mapping.SegmentValidationException;
import io.github.segmentld.mapping.TransformedEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrackEventTest {

    private final TrackEvent transformer = Actions.TRACK_EVENT;

    /** A Track Event mapping whose fields are the given literals (the others keep their defaults). */
    private static Mapping custom(String fields) {
        return MappingCompiler.compile("default", "custom", true, "type = \"track\"", Actions.TRACK_EVENT, object(fields));
    }

    private JsonNode track(String event) {
        return transformer.perform(mapped(Actions.TRACK_EVENT.preset("default"), object(event))).json();
    }

    @Test
    void contractExampleBecomesTheExactCustomEvent() {
        JsonNode out = track("{'type':'track','userId':'user1234','anonymousId':'72d7bed1-4f42-4f2f-8955-72677340546b',"
                + "'event':'Test Event','properties':{'revenue':123.456,'plan':'pro'},'timestamp':'2022-03-30T17:24:58Z'}");

        assertThat(out).isEqualTo(parse("{'kind':'custom','key':'Test Event',"
                + "'contextKeys':{'unauthenticatedUser':'72d7bed1-4f42-4f2f-8955-72677340546b','user':'user1234'},"
                + "'metricValue':123.456,'data':{'revenue':123.456,'plan':'pro'},'creationDate':1648661098000}"));
        assertThat(out.toString()).startsWith("{\"kind\":\"custom\",\"key\":\"Test Event\",\"contextKeys\":");
    }

    @Test
    void contextKeyFallsBackToAnonymousIdWithoutUserId() {
        JsonNode out = track("{'type':'track','anonymousId':'anon-1','event':'E','timestamp':'2022-03-30T17:24:58Z'}");

        assertThat(out.get("contextKeys")).isEqualTo(parse("{'unauthenticatedUser':'anon-1','user':'anon-1'}"));
    }

    @Test
    void nullUserIdDoesNotExistSoAnonymousIdIsUsed() {
        JsonNode out = track("{'type':'track','userId':null,'anonymousId':'anon-1','event':'E'}");

        assertThat(out.path("contextKeys").path("user").asText()).isEqualTo("anon-1");
    }

    @Test
    void missingAnonymousIdLeavesTheAdditionalKeyOut() {
        JsonNode out = track("{'type':'track','userId':'u1','event':'E'}");

        assertThat(out.get("contextKeys")).isEqualTo(parse("{'user':'u1'}"));
    }

    @Test
    void additionalContextKeysAreTurnedIntoStrings() {
        JsonNode out = track("{'type':'track','userId':'u1','anonymousId':12345,'event':'E'}");

        assertThat(out.get("contextKeys")).isEqualTo(parse("{'unauthenticatedUser':'12345','user':'u1'}"));
    }

    @Test
    void mainContextKeyWinsAClashWithAnAdditionalKey() {
        Mapping clashing = custom("{'context_kind':'user','user_key':'main',"
                + "'additional_context_keys':{'user':'other','org':'acme'},'event_name':'E'}");

        JsonNode out = transformer.perform(mapped(clashing, object("{}"))).json();

        assertThat(out.get("contextKeys")).isEqualTo(parse("{'user':'main','org':'acme'}"));
    }

    @Test
    void emptyContextKindDefaultsToUser() {
        Mapping mapping = custom("{'context_kind':'','user_key':'k','event_name':'E'}");

        assertThat(transformer.perform(mapped(mapping, object("{}"))).json().get("contextKeys"))
                .isEqualTo(parse("{'user':'k'}"));
    }

    @Test
    void customContextKindNamesTheMainKey() {
        Mapping mapping = custom("{'context_kind':'organization','user_key':'acme','event_name':'E'}");

        assertThat(transformer.perform(mapped(mapping, object("{}"))).json().get("contextKeys"))
                .isEqualTo(parse("{'organization':'acme'}"));
    }

    @Test
    void revenueIsPreferredOverValue() {
        JsonNode out = track("{'type':'track','userId':'u','event':'E','properties':{'revenue':10,'value':20}}");

        assertThat(out.get("metricValue")).isEqualTo(parse("10"));
    }

    @Test
    void valueIsUsedWithoutRevenue() {
        JsonNode out = track("{'type':'track','userId':'u','event':'E','properties':{'value':2.5}}");

        assertThat(out.get("metricValue")).isEqualTo(parse("2.5"));
    }

    @Test
    void nullRevenueDoesNotExistSoValueIsUsed() {
        JsonNode out = track("{'type':'track','userId':'u','event':'E','properties':{'revenue':null,'value':7}}");

        assertThat(out.get("metricValue")).isEqualTo(parse("7"));
    }

    @ParameterizedTest
    @CsvSource({"'\"49.90\"', 49.9", "'\"12\"', 12", "'\" 3 \"', 3", "'\"1e3\"', 1000", "'\"-0.5\"', -0.5"})
    void numericStringBecomesANumber(String revenue, String expected) {
        JsonNode out = track("{'type':'track','userId':'u','event':'E','properties':{'revenue':" + revenue.replace('"', '\'') + "}}");

        assertThat(out.get("metricValue").isNumber()).isTrue();
        assertThat(out.get("metricValue").decimalValue()).isEqualByComparingTo(expected);
    }

    @Test
    void noRevenueAndNoValueMeansNoMetricValue() {
        JsonNode out = track("{'type':'track','userId':'u','event':'E','properties':{'plan':'pro'}}");

        assertThat(out.has("metricValue")).isFalse();
        assertThat(out.get("data")).isEqualTo(parse("{'plan':'pro'}"));
    }

    @Test
    void emptyStringRevenueIsDroppedLikeSegmentDoes() {
        JsonNode out = track("{'type':'track','userId':'u','event':'E','properties':{'revenue':''}}");

        assertThat(out.has("metricValue")).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"abc\"      | Metric Value must be a number but it was a string.",
            "true         | Metric Value must be a number but it was a boolean.",
            "{'a':1}      | Metric Value must be a number but it was an object.",
            "[1,2]        | Metric Value must be a number but it was an array."})
    void nonNumericMetricValueIsAValidationError(String revenue, String message) {
        ObjectNode event = object("{'type':'track','userId':'u','event':'E','properties':{'revenue':" + revenue + "}}");

        assertThatThrownBy(() -> transformer.perform(mapped(Actions.TRACK_EVENT.preset("default"), event)))
                .isInstanceOf(SegmentValidationException.class)
                .hasMessage(message);
    }

    @Test
    void missingPropertiesBecomeEmptyData() {
        JsonNode out = track("{'type':'track','userId':'u','event':'E'}");

        assertThat(out.get("data")).isEqualTo(parse("{}"));
    }

    @Test
    void nonObjectPropertiesAreAValidationError() {
        ObjectNode event = object("{'type':'track','userId':'u','event':'E','properties':'flat'}");

        assertThatThrownBy(() -> transformer.perform(mapped(Actions.TRACK_EVENT.preset("default"), event)))
                .hasMessage("Event Properties must be an object but it was a string.");
    }

    @Test
    void missingEventNameIsRequired() {
        ObjectNode event = object("{'type':'track','userId':'u'}");

        assertThatThrownBy(() -> transformer.perform(mapped(Actions.TRACK_EVENT.preset("default"), event)))
                .isInstanceOf(SegmentValidationException.class)
                .hasMessage("The root value is missing the required field 'event_name'.");
    }

    @Test
    void missingContextKeyIsRequired() {
        ObjectNode event = object("{'type':'track','event':'E'}");

        assertThatThrownBy(() -> transformer.perform(mapped(Actions.TRACK_EVENT.preset("default"), event)))
                .hasMessage("The root value is missing the required field 'user_key'.");
    }

    @Test
    void emptyUserIdExistsSoTheContextKeyIsEmptyAndMissing() {
        ObjectNode event = object("{'type':'track','userId':'','anonymousId':'anon','event':'E'}");

        assertThatThrownBy(() -> transformer.perform(mapped(Actions.TRACK_EVENT.preset("default"), event)))
                .hasMessage("The root value is missing the required field 'user_key'.");
    }

    @Test
    void severalErrorsAreJoinedWithASpaceMissingFieldsFirst() {
        ObjectNode event = object("{'type':'track','properties':{'revenue':'lots'}}");

        assertThatThrownBy(() -> transformer.perform(mapped(Actions.TRACK_EVENT.preset("default"), event)))
                .hasMessage("The root value is missing the required field 'user_key'. "
                        + "The root value is missing the required field 'event_name'. "
                        + "Metric Value must be a number but it was a string.");
    }

    @Test
    void objectEventNameIsATypeError() {
        ObjectNode event = object("{'type':'track','userId':'u','event':{'name':'x'}}");

        assertThatThrownBy(() -> transformer.perform(mapped(Actions.TRACK_EVENT.preset("default"), event)))
                .hasMessage("Event Name must be a string but it was an object.");
    }

    @Test
    void numericUserIdIsCoercedToAString() {
        JsonNode out = track("{'type':'track','userId':42,'event':'E'}");

        assertThat(out.path("contextKeys").get("user")).isEqualTo(parse("'42'"));
    }

    @ParameterizedTest
    @CsvSource({
            "\"2022-03-30T17:24:58Z\", 1648661098000",
            "\"2022-03-30T17:24:58.123Z\", 1648661098123",
            "\"2022-03-30T19:24:58.5+02:00\", 1648661098500",
            "\"2022-03-30T17:24:58\", 1648661098000",
            "1648661098000, 1648661098000"})
    void timestampsBecomeEpochMilliseconds(String timestamp, long expected) {
        JsonNode out = track("{'type':'track','userId':'u','event':'E','timestamp':" + timestamp + "}");

        assertThat(out.get("creationDate").asLong()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"\"\"", "\"not a date\"", "null", "true", "\"+292278995-01-01T00:00:00Z\"",
            "\"-292278995-01-01T00:00:00\"", "\"+292278995-01-01\"", "1e999", "-1e999",
            "123456789012345678901234567890", "1.5e19"})
    void missingOrUnreadableTimestampIsTheTimeTheInputArrived(String timestamp) {
        JsonNode out = track("{'type':'track','userId':'u','event':'E','timestamp':" + timestamp + "}");

        assertThat(out.get("creationDate").asLong()).isEqualTo(NOW.toEpochMilli());
    }

    @Test
    void absentTimestampIsTheTimeTheInputArrived() {
        JsonNode out = track("{'type':'track','userId':'u','event':'E'}");

        assertThat(out.get("creationDate").asLong()).isEqualTo(NOW.toEpochMilli());
    }

    @Test
    void anEventTheActionCannotConvertIsTurnedDownAloneWithTheReason() {
        Mapping mapping = Actions.TRACK_EVENT.preset("default");
        MappedEvent good = mapped(mapping, object("{'type':'track','userId':'u','event':'Good'}"));
        MappedEvent broken = mapped(mapping, object("{'type':'track','userId':'u','event':'Broken'}"));

        TransformedEvents out = TransformedEvents.apply(new MappedEvents(mapping, List.of(broken, good), List.of()), event -> {
            if (event == broken) {
                throw new ArithmeticException("long overflow");
            }
            return transformer.perform(event);
        });

        assertThat(out.launchDarklyEvents()).extracting(e -> e.json().path("key").asText()).containsExactly("Good");
        assertThat(out.invalid()).singleElement().satisfies(invalid -> {
            assertThat(invalid.event()).isSameAs(broken.event());
            assertThat(invalid.kind()).isEqualTo("unexpected_error");
            assertThat(invalid.reason()).isEqualTo("the event cannot be converted: java.lang.ArithmeticException: long overflow");
        });
    }
}
