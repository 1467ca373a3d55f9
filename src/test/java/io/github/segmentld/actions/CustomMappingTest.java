package io.github.segmentld.actions;

import static io.github.segmentld.Json.object;
import static io.github.segmentld.Json.parse;
import static io.github.segmentld.mapping.ActionFixture.mapped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.mapping.Action;
import io.github.segmentld.mapping.Mapping;
import io.github.segmentld.mapping.MappingCompiler;
import io.github.segmentld.mapping.SegmentValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Custom mappings end to end: field values given in a mapping, then Segment's validation and coercion, then the action. */
class CustomMappingTest {

    private static final String ORDER = "{'type':'track','userId':'u-42','anonymousId':'a-1','event':'Order Completed',"
            + "'properties':{'total':'99.50','plan':'Pro','sku':'ab-ab-ab','order':{'id':'o-7'}},"
            + "'context':{'device':{'id':'d-9'}},'timestamp':'2022-03-30T17:24:58Z'}";

    private final TrackEvent track = Actions.TRACK_EVENT;
    private final AliasUser alias = Actions.ALIAS_USER;

    private static Mapping mapping(Action action, String fields) {
        return MappingCompiler.compile("default", "custom", true, "type = \"track\"", action, object(fields));
    }

    private JsonNode track(String fields, String event) {
        return track.perform(mapped(mapping(Actions.TRACK_EVENT, fields), object(event))).json();
    }

    @Test
    void directivesShapeTheTrackEvent() {
        JsonNode out = track("""
                {'event_name': {'@template': 'order-{{properties.plan}}'},
                 'metric_value': {'@path': '$.properties.total'},
                 'context_kind': {'@case': {'operator': 'lower', 'value': 'Customer'}},
                 'additional_context_keys': {'device': {'@path': '$.context.device.id'}, 'missing': {'@path': '$.nope'}},
                 'event_properties': {'@merge': {'objects': [{'@path': '$.properties.order'}, {'sku': {'@replace':
                     {'pattern': '-', 'replacement': '', 'value': {'@path': '$.properties.sku'}}}}], 'direction': 'right'}}}""",
                ORDER);

        assertThat(out).isEqualTo(parse("""
                {'kind':'custom','key':'order-Pro','contextKeys':{'device':'d-9','customer':'u-42'},
                 'metricValue':99.5,'data':{'id':'o-7','sku':'ababab'},'creationDate':1648661098000}"""));
    }

    @Test
    void directivesShapeTheAliasEvent() {
        Mapping mapping = mapping(Actions.ALIAS_USER, """
                {'user_key': {'@case': {'operator': 'upper', 'value': {'@path': '$.userId'}}},
                 'previous_key': {'@template': 'legacy:{{properties.order.id}}'},
                 'timestamp': {'@literal': 1648661000000}}""");

        assertThat(alias.perform(mapped(mapping, object(ORDER))).json()).isEqualTo(parse("""
                {'kind':'alias','key':'U-42','previousKey':'legacy:o-7','contextKind':'user',
                 'previousContextKind':'anonymousUser','creationDate':1648661000000}"""));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "{'metric_value': {'@path': '$.properties.plan'}}      | Metric Value must be a number but it was a string.",
            "{'metric_value': {'@path': '$.properties.order'}}     | Metric Value must be a number but it was an object.",
            "{'event_name': {'@path': '$.properties.order'}}       | Event Name must be a string but it was an object.",
            "{'event_name': {'@path': '$.nope'}}                   | The root value is missing the required field 'event_name'.",
            "{'event_name': {'@template': '{{nope}}'}}             | The root value is missing the required field 'event_name'.",
            "{'user_key': {'@path': '$.nope'}, 'event_properties': {'@path': '$.event'}} | The root value is missing the required field 'user_key'. Event Properties must be an object but it was a string.",
            "{'additional_context_keys': {'@path': '$.event'}}     | Additional Context Keys must be an object but it was a string."})
    void segmentsValidationMessagesForCustomFields(String fields, String message) {
        assertThatThrownBy(() -> track(fields, ORDER))
                .isInstanceOf(SegmentValidationException.class)
                .hasMessage(message);
    }

    @Test
    void numbersAndBooleansBecomeStringsForStringFields() {
        JsonNode out = track("{'event_name': {'@path': '$.properties.n'}, 'user_key': true}",
                "{'type':'track','properties':{'n':42}}");

        assertThat(out.get("key").textValue()).isEqualTo("42");
        assertThat(out.get("contextKeys")).isEqualTo(parse("{'user':'true'}"));
    }

    @Test
    void anOptionalFieldSetToNullIsLeftOut() {
        JsonNode out = track("{'metric_value': null, 'additional_context_keys': null}", ORDER);

        assertThat(out.has("metricValue")).isFalse();
        assertThat(out.get("contextKeys")).isEqualTo(parse("{'user':'u-42'}"));
    }
}
