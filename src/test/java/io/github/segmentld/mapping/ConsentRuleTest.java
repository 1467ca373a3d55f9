package io.github.segmentld.mapping;

import static io.github.segmentld.Json.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConsentRuleTest {

    private static final ConsentRule ANALYTICS = new ConsentRule(List.of("Analytics"), false);
    private static final ConsentRule BOTH_STRICT = new ConsentRule(List.of("Analytics", "Advertising"), true);

    private static String preferences(String categoryPreferences) {
        return "{'type':'track','context':{'consent':{'categoryPreferences':" + categoryPreferences + "}}}";
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "delivered", value = {
            "{'Analytics':true}                        | delivered",
            "{'Analytics':true,'Advertising':false}    | delivered",
            "{'Analytics':false}                       | consent_not_granted",
            "{'Advertising':true}                      | consent_not_granted",
            "{}                                        | consent_not_granted",
            "{'analytics':true}                        | consent_not_granted",
            "{'ANALYTICS':true}                        | consent_not_granted",
            "{'Analytics':'true'}                      | consent_not_granted",
            "{'Analytics':1}                           | consent_not_granted",
            "{'Analytics':null}                        | consent_not_granted",
            "{'Analytics':{'granted':true}}            | consent_not_granted"})
    void eachCategoryMustBeTheBooleanTrueUnderItsExactName(String categoryPreferences, String reason) {
        assertThat(ANALYTICS.refusal(object(preferences(categoryPreferences)))).isEqualTo(reason);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "delivered", value = {
            "{'type':'track'}                                              | delivered",
            "{'type':'track','context':{}}                                 | delivered",
            "{'type':'track','context':{'consent':{}}}                     | delivered",
            "{'type':'track','context':{'consent':{'categoryPreferences':null}}}   | delivered",
            "{'type':'track','context':{'consent':{'categoryPreferences':'all'}}}  | delivered",
            "{'type':'track','context':'web'}                              | delivered"})
    void anEventWithoutAPreferencesObjectIsDeliveredByDefault(String event, String reason) {
        assertThat(ANALYTICS.refusal(object(event))).isEqualTo(reason);
        assertThat(ANALYTICS.whyNot(object(event))).isEmpty();
    }

    @Test
    void everyCategoryMustBeGrantedAndMissingPreferencesAreFilteredWhenTheInstanceSaysSo() {
        assertThat(BOTH_STRICT.refusal(object(preferences("{'Analytics':true,'Advertising':true}")))).isNull();
        assertThat(BOTH_STRICT.refusal(object(preferences("{'Analytics':true,'Advertising':false}"))))
                .isEqualTo(ConsentRule.CONSENT_NOT_GRANTED);
        assertThat(BOTH_STRICT.refusal(object("{'type':'track','context':{'consent':{}}}")))
                .isEqualTo(ConsentRule.CONSENT_MISSING);
    }

    @Test
    void whyNotNamesTheFirstCategoryNotGrantedAndWhatThePreferencesHoldForIt() {
        assertThat(BOTH_STRICT.whyNot(object(preferences("{'Analytics':true,'Advertising':true}")))).isEmpty();
        assertThat(BOTH_STRICT.whyNot(object(preferences("{'Analytics':true,'Advertising':false}")))).isEqualTo(
                "consent category 'Advertising' is not granted: context.consent.categoryPreferences holds false for"
                        + " it, not true");
        assertThat(BOTH_STRICT.whyNot(object(preferences("{'Analytics':'true'}")))).isEqualTo(
                "consent category 'Analytics' is not granted: context.consent.categoryPreferences holds \"true\" for"
                        + " it, not true");
        assertThat(BOTH_STRICT.whyNot(object(preferences("{'Advertising':true}")))).isEqualTo(
                "consent category 'Analytics' is not granted: context.consent.categoryPreferences does not hold it");
        assertThat(BOTH_STRICT.whyNot(object("{'type':'track'}"))).isEqualTo("the event has no consent preferences"
                + " (context.consent.categoryPreferences) and the destination filters such events (consent-missing:"
                + " filter)");
    }

    @Test
    void aRuleNamesAtLeastOneCategory() {
        assertThatThrownBy(() -> new ConsentRule(List.of(), false)).isInstanceOf(IllegalArgumentException.class);
    }
}
