package io.github.segmentld.mapping;

import static io.github.segmentld.Json.object;
import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FieldValueTest {

    private static final ObjectNode EVENT = object("{'type':'track','event':'Order Completed','userId':'U-42',"
            + "'anonymousId':null,'properties':{'total':99.5,'plan':'Pro Annual','empty':'','items':[{'sku':'A1'},{'sku':'B2'}],"
            + "'odd key':'yes'},'context':{'locale':'en-GB'}}");

    private static JsonNode eval(String fieldValue) {
        return FieldValue.compile(parse(fieldValue)).apply(EVENT);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "'literal'                                                     | 'literal'",
            "12                                                            | 12",
            "{'@literal':{'@path':'$.userId'}}                             | {'@path':'$.userId'}",
            "{'@path':'$.userId'}                                          | 'U-42'",
            "{'@path':'$.properties.total'}                                | 99.5",
            "{'@path':'$.properties.items[1].sku'}                         | 'B2'",
            "{'@path':'$.anonymousId'}                                     | null",
            "{'@template':'{{properties.plan}} for {{userId}}'}            | 'Pro Annual for U-42'",
            "{'@template':'{{properties.missing}}-{{ userId }}'}           | '-U-42'",
            "{'@case':{'operator':'lower','value':{'@path':'$.userId'}}}   | 'u-42'",
            "{'@case':{'operator':'upper','value':'en-gb'}}                | 'EN-GB'",
            "{'@case':{'operator':'upper','value':{'@path':'$.properties.total'}}} | 99.5",
            "{'@replace':{'pattern':' ','replacement':'_','value':{'@path':'$.properties.plan'}}} | 'Pro_Annual'",
            "{'@replace':{'pattern':'o','replacement':'0','global':false,'value':'foo boo'}}     | 'f0o boo'",
            "{'@replace':{'pattern':'PRO','replacement':'basic','ignorecase':true,'value':'Pro pro'}} | 'basic basic'",
            "{'@replace':{'pattern':'.','replacement':'','value':'a.b.c'}}  | 'abc'",
            "{'@if':{'exists':{'@path':'$.userId'},'then':'known','else':'anonymous'}}          | 'known'",
            "{'@if':{'exists':{'@path':'$.anonymousId'},'then':'known','else':'anonymous'}}     | 'anonymous'",
            "{'@if':{'blank':{'@path':'$.properties.empty'},'then':'blank','else':'set'}}       | 'blank'",
            "{'@if':{'blank':{'@path':'$.properties.plan'},'then':'blank','else':'set'}}        | 'set'",
            "{'@merge':{'objects':[{'a':1,'b':1},{'b':2}],'direction':'right'}}                | {'a':1,'b':2}",
            "{'@merge':{'objects':[{'a':1,'b':1},{'b':2}],'direction':'left'}}                 | {'a':1,'b':1}",
            "{'@merge':{'objects':[{'@path':'$.context'},{'plan':{'@path':'$.properties.plan'}}]}} | {'locale':'en-GB','plan':'Pro Annual'}",
            "{'org':{'@path':'$.userId'},'gone':{'@path':'$.nothing'},'fixed':'x'}              | {'org':'U-42','fixed':'x'}"})
    void directivesResolveAgainstTheEvent(String fieldValue, String expected) {
        assertThat(eval(fieldValue)).isEqualTo(parse(expected));
    }

    @Test
    void aPathMayQuoteAKeyInBrackets() {
        ObjectNode bracketed = JsonNodeFactory.instance.objectNode().put("@path", "$.properties['odd key']");

        assertThat(FieldValue.compile(bracketed).apply(EVENT)).isEqualTo(parse("'yes'"));
    }

    @Test
    void aPathToNothingIsMissingSoTheFieldIsLeftOut() {
        assertThat(eval("{'@path':'$.properties.nothing.deeper'}").isMissingNode()).isTrue();
        assertThat(eval("{'@if':{'exists':{'@path':'$.nothing'},'then':'x'}}").isMissingNode()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{'@paths':'$.userId'}                                 | unknown directive @paths",
            "{'@path':'userId'}                                    | a @path starts with $, was 'userId'",
            "{'@path':'$.a[x]'}                                    | cannot read @path '$.a[x]' at position 4",
            "{'@path':'$.userId','@literal':1}                     | a directive object holds one directive, found 2 keys",
            "{'@if':{'then':'x'}}                                  | @if needs exactly one of \"exists\" or \"blank\"",
            "{'@case':{'operator':'title','value':'x'}}            | @case operator is \"lower\" or \"upper\", was \"title\"",
            "{'@merge':{'objects':{}}}                             | @merge needs an \"objects\" array",
            "{'@template':12}                                      | @template must be a string"})
    void mistakesAreCaughtWhenCompiled(String fieldValue, String message) {
        assertThatThrownBy(() -> FieldValue.compile(parse(fieldValue)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
