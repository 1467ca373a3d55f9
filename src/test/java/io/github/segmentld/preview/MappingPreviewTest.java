package io.github.segmentld.preview;

import static io.github.segmentld.Json.object;
import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.config.DestinationInstance;
import io.github.segmentld.ingest.RefusedRequestException;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.mapping.ConsentRule;
import io.github.segmentld.mapping.MappingCompiler;
import io.github.segmentld.mapping.ActionFixture;
import org.junit.jupiter.api.Test;

class MappingPreviewTest {

    private static final DestinationInstance PRODUCTION = new DestinationInstance("production", true,
            EventsEndpoint.of("production", "abcdef123456", null, null), Actions.presets("production"));
    private static final DestinationInstance STAGING = new DestinationInstance("staging", false,
            EventsEndpoint.of("staging", "staging-id", null, "http://127.0.0.1:8030"), List.of(
            MappingCompiler.compile("staging", "Revenue", true, "type = \"track\"", Actions.TRACK_EVENT,
                    object("{'metric_value': {'@path': '$.properties.plan'}}")),
            MappingCompiler.compile("staging", "Old", false, "type = \"track\"", Actions.TRACK_EVENT, object("{}"))));

    private final MappingPreview preview = new MappingPreview(List.of(PRODUCTION, STAGING), Json.MAPPER,
            ActionFixture.CLOCK);

    private JsonNode previewOf(String body) {
        return json(preview.previewJson(body.replace('\'', '"').getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void showsEachMappingMatchedOrNotWithItsFieldsAndEventsOrErrorsPerInstance() {
        JsonNode report = previewOf("{'type':'track','userId':'u1','event':'Upgrade','properties':{'plan':'pro'},"
                + "'timestamp':'2022-03-30T17:24:58Z'}");

        assertThat(report.get("destinations")).isEqualTo(json("""
                [{"destination":"production","enabled":true,"url":"https://events.launchdarkly.com/events/bulk/…456",
                  "mappings":[
                    {"mapping":"Alias User","action":"Alias User","trigger":"type = \\"identify\\" or type = \\"alias\\"",
                     "matched":false,
                     "reason":"type = \\"identify\\" is false: type is \\"track\\"; type = \\"alias\\" is false: type is \\"track\\""},
                    {"mapping":"Track Event","action":"Track Event","trigger":"type = \\"track\\"","matched":true,
                     "fields":{"context_kind":"user","user_key":"u1","additional_context_keys":{},"event_name":"Upgrade",
                               "event_properties":{"plan":"pro"},"timestamp":"2022-03-30T17:24:58Z"},
                     "launchDarklyEvent":{"kind":"custom","key":"Upgrade","contextKeys":{"user":"u1"},"data":{"plan":"pro"},
                                          "creationDate":1648661098000}}],
                  "events":[{"kind":"custom","key":"Upgrade","contextKeys":{"user":"u1"},"data":{"plan":"pro"},
                             "creationDate":1648661098000}]},
                 {"destination":"staging","enabled":false,"url":"http://127.0.0.1:8030/events/bulk/…id",
                  "mappings":[
                    {"mapping":"Revenue","action":"Track Event","trigger":"type = \\"track\\"","matched":true,
                     "fields":{"context_kind":"user","user_key":"u1","additional_context_keys":{},"event_name":"Upgrade",
                               "metric_value":"pro","event_properties":{"plan":"pro"},"timestamp":"2022-03-30T17:24:58Z"},
                     "error":"Metric Value must be a number but it was a string."},
                    {"mapping":"Old","action":"Track Event","trigger":"type = \\"track\\"","matched":false,
                     "reason":"the mapping is disabled"}],
                  "events":[]}]"""));
        assertThat(report.get("event")).isEqualTo(parse("{'type':'track','userId':'u1','event':'Upgrade',"
                + "'properties':{'plan':'pro'},'timestamp':'2022-03-30T17:24:58Z'}"));
    }

    @Test
    void withIdentifyWithContextsAnIdentifyIsShownGoingToIdentifyContextAndNotToAliasUser() {
        DestinationInstance contexts = new DestinationInstance("contexts", true,
                EventsEndpoint.of("contexts", "abcdef123456", null, null), Actions.contextPresets("contexts"));
        MappingPreview contextsPreview = new MappingPreview(List.of(contexts), Json.MAPPER, ActionFixture.CLOCK);

        JsonNode report = json(contextsPreview.previewJson(("{'type':'identify','userId':'u1','anonymousId':'a1',"
                + "'traits':{'name':'Ann'},'timestamp':'2022-03-30T17:24:58Z'}").replace('\'', '"')
                .getBytes(StandardCharsets.UTF_8)));

        assertThat(report.at("/destinations/0/mappings")).isEqualTo(json("""
                [{"mapping":"Alias User","action":"Alias User","trigger":"type = \\"alias\\"","matched":false,
                  "reason":"type = \\"alias\\" is false: type is \\"identify\\""},
                 {"mapping":"Track Event","action":"Track Event","trigger":"type = \\"track\\"","matched":false,
                  "reason":"type = \\"track\\" is false: type is \\"identify\\""},
                 {"mapping":"Identify Context","action":"Identify Context","trigger":"type = \\"identify\\"",
                  "matched":true,
                  "fields":{"context_kind":"user","context_key":"u1","anonymous_kind":"unauthenticatedUser",
                            "anonymous_key":"a1","attributes":{"name":"Ann"},"private_attributes":[],
                            "timestamp":"2022-03-30T17:24:58Z"},
                  "launchDarklyEvent":{"kind":"identify","creationDate":1648661098000,"context":{"kind":"multi",
                                       "user":{"key":"u1","name":"Ann"},
                                       "unauthenticatedUser":{"key":"a1","anonymous":true}}}}]"""));
        assertThat(report.at("/destinations/0/events")).isEqualTo(json("""
                [{"kind":"identify","creationDate":1648661098000,"context":{"kind":"multi",
                  "user":{"key":"u1","name":"Ann"},"unauthenticatedUser":{"key":"a1","anonymous":true}}}]"""));
    }

    @Test
    void anEventTheIntegrationsObjectTurnsAwayMatchesNothing() {
        JsonNode report = previewOf("{'type':'track','userId':'u1','event':'E','integrations':{'LaunchDarkly (Actions)':false}}");

        JsonNode trackEvent = report.at("/destinations/0/mappings/1");
        assertThat(trackEvent.get("matched").booleanValue()).isFalse();
        assertThat(trackEvent.get("reason").textValue()).isEqualTo("the event's integrations object turns LaunchDarkly off");
        assertThat(report.at("/destinations/0/events")).isEmpty();
    }

    @Test
    void anInstanceWhoseConsentCategoryIsNotGrantedSaysWhichOneStoppedTheEvent() {
        DestinationInstance analytics = new DestinationInstance("analytics", true,
                EventsEndpoint.of("analytics", "analytics-id", null, null), Actions.presets("analytics"),
                new ConsentRule(List.of("Analytics", "Advertising"), false));
        MappingPreview withConsent = new MappingPreview(List.of(analytics, PRODUCTION), Json.MAPPER, ActionFixture.CLOCK);
        String event = "{'type':'track','userId':'u1','event':'E','timestamp':'2022-03-30T17:24:58Z',"
                + "'context':{'consent':{'categoryPreferences':{'Analytics':true,'Advertising':false}}}}";

        JsonNode report = json(withConsent.previewJson(event.replace('\'', '"').getBytes(StandardCharsets.UTF_8)));

        String why = "consent category 'Advertising' is not granted: context.consent.categoryPreferences holds false"
                + " for it, not true";
        assertThat(report.at("/destinations/0/consent")).isEqualTo(json("""
                {"categories":["Analytics","Advertising"],"missing":"deliver","allowed":false,
                 "filtered":"consent_not_granted","reason":"%s"}""".formatted(why)));
        assertThat(report.at("/destinations/0/mappings")).extracting(mapping -> mapping.get("reason").textValue())
                .containsExactly(why, why);
        assertThat(report.at("/destinations/0/events")).isEmpty();
        // the instance without consent categories is not filtered by them
        assertThat(report.at("/destinations/1").has("consent")).isFalse();
        assertThat(report.at("/destinations/1/events")).isEqualTo(json("""
                [{"kind":"custom","key":"E","contextKeys":{"user":"u1"},"data":{},"creationDate":1648661098000}]"""));
    }

    @Test
    void arraysAndBatchObjectsArePreviewedEventByEvent() {
        JsonNode array = previewOf("[{'type':'alias','userId':'u1','previousId':'a1'},{'type':'page','userId':'u1'}]");
        JsonNode batch = previewOf("{'batch':[{'type':'identify','userId':'u1'}],'context':{'ip':'1.2.3.4'}}");

        assertThat(array).hasSize(2);
        assertThat(array.at("/0/destinations/0/events/0/kind").textValue()).isEqualTo("alias");
        assertThat(array.at("/1/destinations/0/events")).isEmpty();
        assertThat(batch).hasSize(1);
        assertThat(batch.at("/0/event/context/ip").textValue()).isEqualTo("1.2.3.4");
        assertThat(batch.at("/0/destinations/0/mappings/0/error").textValue())
                .isEqualTo("The root value is missing the required field 'previous_key'.");
    }

    @Test
    void whatIsNotAnEventIsABadRequest() {
        assertThatThrownBy(() -> previewOf("{'type':"))
                .isInstanceOf(RefusedRequestException.class).hasMessageStartingWith("The body is not JSON:")
                .extracting("status").isEqualTo(400);
        assertThatThrownBy(() -> previewOf("[1]"))
                .hasMessage("Every item of the array must be a Segment event (a JSON object)");
        assertThatThrownBy(() -> previewOf("\"track\""))
                .hasMessage("Preview a Segment event (a JSON object), an array of events or a batch object");
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
