package io.github.segmentld.mapping;

import static io.github.segmentld.Json.object;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IntegrationsFilterTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{}                                                           | true",
            "{'integrations':{}}                                          | true",
            "{'integrations':{'All':false}}                               | false",
            "{'integrations':{'All':true}}                                | true",
            "{'integrations':{'LaunchDarkly':false}}                      | false",
            "{'integrations':{'LaunchDarkly (Actions)':false}}            | false",
            "{'integrations':{'LaunchDarkly (Actions) Destination':false}}| false",
            "{'integrations':{'All':false,'LaunchDarkly':true}}           | true",
            "{'integrations':{'All':false,'LaunchDarkly (Actions)':{'x':1}}} | true",
            "{'integrations':{'All':true,'LaunchDarkly':false}}           | false",
            "{'integrations':{'launchdarkly':false}}                      | true",
            "{'integrations':{'All':false,'launchdarkly':true}}           | false",
            "{'integrations':{'Amplitude':false}}                         | true"})
    void explicitEntryWinsThenAll(String event, boolean enabled) {
        assertThat(IntegrationsFilter.enabledFor(object(event))).isEqualTo(enabled);
    }
}
