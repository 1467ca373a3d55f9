package io.github.segmentld.mapping;

import static io.github.segmentld.Json.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TriggerTest {

    private static final ObjectNode ORDER = object("{'type':'track','event':'Order Completed','userId':'u-42',"
            + "'properties':{'total':99.5,'items':3,'coupon':null,'vip':true,'plan':'pro-annual'},"
            + "'traits':{'plan':'free'},'context':{'locale':'en-GB'}}");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "type = \"track\"                                      | true",
            "type = \"identify\"                                   | false",
            "type != \"identify\"                                  | true",
            "event = \"Order Completed\"                           | true",
            "properties.total = 99.5                              | true",
            "properties.items = 3                                 | true",
            "properties.items != 3                                | false",
            "properties.vip = true                                | true",
            "properties.vip = false                               | false",
            "properties.coupon = null                             | true",
            "properties.missing = null                            | true",
            "userId != null                                       | true",
            "name = null                                          | true",
            "properties.total > 99                                | true",
            "properties.total >= 99.5                             | true",
            "properties.total < 99.5                              | false",
            "properties.total <= 100                              | true",
            "properties.plan > 1                                  | false",
            "contains(event, \"Order\")                           | true",
            "!contains(event, \"Order\")                          | false",
            "contains(properties.plan, \"annual\")                | true",
            "match(event, \"Order*\")                             | true",
            "match(event, \"*Completed\")                         | true",
            "match(event, \"*Started\")                           | false",
            "!match(event, \"*Started\")                          | true",
            "match(properties.total, \"9*\")                      | false",
            "traits.plan = \"free\"                               | true",
            "context.locale = \"en-GB\"                           | true",
            "type = \"identify\" or type = \"track\"              | true",
            "type = \"track\" and event = \"Checkout Started\"    | false"})
    void operatorsCompareTheEventsFields(String trigger, boolean matches) {
        assertThat(Trigger.parse(trigger).test(ORDER)).isEqualTo(matches);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            // and binds tighter than or: true or (false and false)
            "type = \"track\" or type = \"page\" and event = \"x\"                                    | true",
            "(type = \"track\" or type = \"page\") and event = \"x\"                                  | false",
            "type = \"track\" and (event = \"Order Completed\" or event = \"Checkout Started\")       | true",
            "type = \"page\" and (event = \"Order Completed\" or event = \"Checkout Started\")        | false",
            "(type = \"page\" or (userId = \"u-42\" and !contains(event, \"Refund\")))                | true"})
    void andBindsTighterThanOrAndParenthesesGroup(String trigger, boolean matches) {
        assertThat(Trigger.parse(trigger).test(ORDER)).isEqualTo(matches);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "type = track                           | expected a value (a \"string\", a number, true, false or null) at position 8",
            "type == \"track\"                      | expected a value (a \"string\", a number, true, false or null) at position 7",
            "type = \"track\" and                   | expected a field or condition at position 19",
            "(type = \"track\"                      | expected ')' at position 16",
            "type = \"track\" or or                 | expected an operator (=, !=, <, <=, >, >=) at position 21",
            "contains(event \"x\")                  | expected ',' at position 16",
            "properties.total > \"big\"             | '>' compares numbers at position 20",
            "!type = \"track\"                      | '!' only negates contains(...) or match(...) at position 1",
            "type = \"track                         | unterminated string at position 14",
            "type = \"track\" event = \"E\"         | unexpected 'event = \"E\"' at position 16"})
    void syntaxErrorsNameThePosition(String trigger, String message) {
        assertThatThrownBy(() -> Trigger.parse(trigger))
                .isInstanceOf(TriggerSyntaxException.class)
                .hasMessage(message + " of trigger: " + trigger);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "type = \"track\"                                  | ''",
            "type = \"identify\"                               | type = \"identify\" is false: type is \"track\"",
            "properties.total > 100                            | properties.total > 100 is false: properties.total is 99.5",
            "type = \"track\" and traits.tier = \"gold\"       | traits.tier = \"gold\" is false: traits.tier is missing",
            "type = \"page\" or !contains(event, \"Order\")    | type = \"page\" is false: type is \"track\"; !contains(event, \"Order\") is false: event is \"Order Completed\"",
            "(type = \"track\" and event = \"x\") or name = \"y\" | event = \"x\" is false: event is \"Order Completed\"; name = \"y\" is false: name is missing"})
    void whyNotNamesTheFailedConditionsAndTheValuesTheEventHas(String trigger, String whyNot) {
        assertThat(Trigger.parse(trigger).whyNot(ORDER)).isEqualTo(whyNot);
    }
}
