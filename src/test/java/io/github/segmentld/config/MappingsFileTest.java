package io.github.segmentld.config;

import static io.github.segmentld.Json.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.github.segmentld.TestInbox;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.launchdarkly.StandInEndpoints;
import io.github.segmentld.mapping.ConsentRule;
import io.github.segmentld.mapping.InsertFunction;
import io.github.segmentld.mapping.Mapping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MappingsFileTest {

    private static final Map<String, String> PROPERTIES = Map.of("env:LD_STAGING", "staging-id", "events.relay", "http://127.0.0.1:8030");

    /** Resolves {{key}} from a fixed map, the way Camel's properties component does, and fails on unknown keys. */
    private static String placeholders(String text) {
        String resolved = text;
        for (Map.Entry<String, String> entry : PROPERTIES.entrySet()) {
            resolved = resolved.replace("{{" + entry.getKey() + "}}", entry.getValue());
        }
        if (resolved.contains("{{")) {
            throw new IllegalArgumentException("Property with key [" + resolved + "] not found");
        }
        return resolved;
    }

    private final MappingsFile reader = new MappingsFile(MappingsFileTest::placeholders,
            StandInEndpoints.at("http://127.0.0.1:8080", "stand-in-token"));

    private static Path write(String yaml) {
        try {
            Path file = TestInbox.create("mappings").work().resolve("mappings.yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void readsInstancesWithTheirSettingsAndMappingsPresetsFirst() {
        Path file = write("""
                destinations:
                  - name: production
                    client-side-id: prod-id
                    mappings:
                      - name: Order revenue
                        trigger: type = "track" and event = "Order Completed"
                        action: Track Event
                        fields:
                          event_name: revenue
                          metric_value: {"@path": "$.properties.total"}
                  - name: staging
                    client-side-id: "{{env:LD_STAGING}}"
                    events-base-url: "{{events.relay}}"
                    presets: false
                    enabled: false
                    mappings:
                      - name: Aliases
                        trigger: type = "alias"
                        action: Alias User
                        enabled: false
                """);

        var instances = reader.read(file);

        assertThat(instances).extracting(DestinationInstance::name).containsExactly("production", "staging");
        DestinationInstance production = instances.get(0);
        assertThat(production.enabled()).isTrue();
        assertThat(production.endpoint().eventsUrl()).isEqualTo("https://events.launchdarkly.com/events/bulk/prod-id");
        assertThat(production.mappings()).extracting(Mapping::name)
                .containsExactly("Alias User", "Track Event", "Order revenue");
        assertThat(production.mappings()).extracting(Mapping::destination).containsOnly("production");
        Mapping revenue = production.mappings().get(2);
        assertThat(revenue.trigger().test(object("{'type':'track','event':'Order Completed'}"))).isTrue();
        assertThat(revenue.fields().apply(object("{'type':'track','userId':'u','event':'Order Completed','properties':{'total':5}}")))
                .isEqualTo(object("{'context_kind':'user','user_key':'u','additional_context_keys':{},"
                        + "'event_name':'revenue','metric_value':5,'event_properties':{'total':5}}"));

        DestinationInstance staging = instances.get(1);
        assertThat(staging.enabled()).isFalse();
        assertThat(staging.endpoint().eventsUrl()).isEqualTo("http://127.0.0.1:8030/events/bulk/staging-id");
        assertThat(staging.mappings()).singleElement().satisfies(mapping -> {
            assertThat(mapping.action()).isEqualTo(Actions.ALIAS_USER);
            assertThat(mapping.enabled()).isFalse();
        });
    }

    @Test
    void identifyWithContextsSendsIdentifyCallsToIdentifyContextAndLeavesAliasCallsToAliasUser() {
        Path file = write("""
                destinations:
                  - name: contexts
                    client-side-id: id
                    identify-with: contexts
                  - name: aliases
                    client-side-id: id
                    identify-with: alias
                """);

        var instances = reader.read(file);

        DestinationInstance contexts = instances.get(0);
        assertThat(contexts.mappings()).extracting(Mapping::name)
                .containsExactly("Alias User", "Track Event", "Identify Context");
        assertThat(contexts.mappings()).extracting(mapping -> mapping.trigger().toString())
                .containsExactly("type = \"alias\"", "type = \"track\"", "type = \"identify\"");
        assertThat(contexts.mappings().get(2).action()).isEqualTo(Actions.IDENTIFY_CONTEXT);
        assertThat(instances.get(1).mappings()).extracting(mapping -> mapping.trigger().toString())
                .containsExactly("type = \"identify\" or type = \"alias\"", "type = \"track\"");
    }

    @Test
    void placeholdersAreLeftToTemplatesInFieldValues() {
        Path file = write("""
                destinations:
                  - name: default
                    client-side-id: id
                    presets: false
                    mappings:
                      - name: Plan
                        trigger: type = "identify"
                        action: Track Event
                        fields:
                          event_name: {"@template": "plan-{{traits.plan}}"}
                """);

        Mapping plan = reader.read(file).get(0).mappings().get(0);

        assertThat(plan.fields().apply(object("{'userId':'u','traits':{'plan':'pro'}}")).get("event_name").textValue())
                .isEqualTo("plan-pro");
    }

    @Test
    void anInstanceWithoutAClientSideIdPostsToTheStandIn() {
        var instance = reader.read(write("destinations:\n  - name: local\n")).get(0);

        assertThat(instance.endpoint().eventsUrl()).isEqualTo("http://127.0.0.1:8080/events/bulk/stand-in-local");
        assertThat(instance.mappings()).extracting(Mapping::name).containsExactly("Alias User", "Track Event");
    }

    @Test
    void fiftyMappingsWithThePresetsAreAllowedAndFiftyOneAreNot() {
        assertThat(reader.read(write(withMappings(48))).get(0).mappings()).hasSize(50);

        assertThatThrownBy(() -> reader.read(write(withMappings(49))))
                .hasMessageEndingWith("destination 'big': 51 mappings, more than the 50 a destination instance may hold"
                        + " (the presets count when they are on)");
    }

    private static String withMappings(int count) {
        return "destinations:\n  - name: big\n    client-side-id: id\n    mappings:\n"
                + IntStream.rangeClosed(1, count).mapToObj(i -> """
                      - name: mapping %d
                        trigger: event = "e%d"
                        action: Track Event
                """.formatted(i, i)).collect(Collectors.joining());
    }

    static Stream<Arguments> mappingMistakes() {
        return Stream.of(
                Arguments.of("action: Track Events",
                        "unknown action 'Track Events': the actions are Alias User, Track Event and Identify Context"),
                Arguments.of("action: Track Event\nfields: {revenue: 1}",
                        "unknown field 'revenue': Track Event has the fields context_kind, user_key,"
                                + " additional_context_keys, event_name, metric_value, event_properties, timestamp"),
                Arguments.of("action: Track Event\nfields: {event_name: null}",
                        "field 'event_name' is required and has no value (leave it out to use the default)"),
                Arguments.of("action: Alias User\nfields: {previous_key: ''}",
                        "field 'previous_key' is required and has no value (leave it out to use the default)"),
                Arguments.of("action: Track Event\nfields: {metric_value: lots}",
                        "field 'metric_value': Metric Value must be a number, and \"lots\" never is"),
                Arguments.of("action: Track Event\nfields: {event_properties: [1, 2]}",
                        "field 'event_properties': Event Properties must be an object, and [1,2] never is"),
                Arguments.of("action: Identify Context\nfields: {context_kind: multi}",
                        "field 'context_kind': Context Kind must be letters, digits, '.', '_' or '-', other than"
                                + " \"kind\" and \"multi\", and \"multi\" never is"),
                Arguments.of("action: Track Event\nfields: {event_name: {'@case': {operator: title, value: x}}}",
                        "field 'event_name': @case operator is \"lower\" or \"upper\", was \"title\""),
                Arguments.of("action: Track Event\nfields: {event_name: {'@jsonata': x}}",
                        "field 'event_name': unknown directive @jsonata"),
                Arguments.of("action: Track Event\ntrigers: x",
                        "unknown setting 'trigers' (known: action, enabled, fields, name, trigger)"),
                Arguments.of("action: Track Event\nenabled: maybe", "enabled must be true or false"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("mappingMistakes")
    void mistakesInAMappingNameTheFileTheInstanceAndTheMapping(String lines, String message) {
        Path file = write("""
                destinations:
                  - name: prod
                    client-side-id: id
                    mappings:
                      - name: M
                        trigger: type = "track"
                """ + lines.lines().map(line -> "        " + line + "\n").collect(Collectors.joining()));

        assertThatThrownBy(() -> reader.read(file)).isInstanceOf(IllegalStateException.class)
                .hasMessage("Mappings file " + file + ", destination 'prod', mapping 'M': " + message);
    }

    @Test
    void aTriggerSyntaxErrorNamesTheMappingAndThePosition() {
        Path file = write("""
                destinations:
                  - name: prod
                    client-side-id: id
                    mappings:
                      - name: Orders
                        trigger: type = "track" and event == "Order Completed"
                        action: Track Event
                """);

        assertThatThrownBy(() -> reader.read(file)).hasMessage("Mappings file " + file + ", destination 'prod',"
                + " mapping 'Orders': trigger: expected a value (a \"string\", a number, true, false or null) at position 27"
                + " of trigger: type = \"track\" and event == \"Order Completed\"");
    }

    static Stream<Arguments> instanceMistakes() {
        return Stream.of(
                Arguments.of("client-side-id: 'abc/def'",
                        "client-side-id is not a LaunchDarkly client-side ID (letters, digits, '.', '_' and '-' only)"),
                Arguments.of("client-side-id: id\nevents-host: https://events.launchdarkly.com",
                        "events-host must be a bare host name such as events.launchdarkly.com (no scheme, no path),"
                                + " was 'https://events.launchdarkly.com'"),
                Arguments.of("client-side-id: id\nevents-base-url: relay:8030",
                        "events-base-url must be an http or https URL, was 'relay:8030'"),
                Arguments.of("client-side-id: '{{env:LD_NOPE}}'",
                        "client-side-id: Property with key [{{env:LD_NOPE}}] not found"),
                Arguments.of("client-side-id: id\nenabled: yes please", "enabled must be true or false, was 'yes please'"),
                Arguments.of("clientSideId: id", "unknown setting 'clientSideId' (known: access-token, client-side-id,"
                        + " consent-categories, consent-missing, enabled, environment-key, events-base-url, events-host,"
                        + " identify-with, insert-function, mappings, name, presets, project-key, region, type)"),
                Arguments.of("client-side-id: id\nconsent-categories: Analytics", "consent-categories must be a list"
                        + " of consent category names, such as [Analytics], was \"Analytics\""),
                Arguments.of("client-side-id: id\nconsent-categories: [Analytics, '']", "consent-categories must be a"
                        + " list of consent category names, such as [Analytics] (a non-empty string each), and \"\" is not"),
                Arguments.of("client-side-id: id\nconsent-categories: [1]", "consent-categories must be a list of"
                        + " consent category names, such as [Analytics] (a non-empty string each), and 1 is not"),
                Arguments.of("client-side-id: id\nconsent-categories: []", "consent-categories lists no category"
                        + " (leave it out for an instance that consent does not filter)"),
                Arguments.of("client-side-id: id\nconsent-categories: [Analytics]\nconsent-missing: drop",
                        "consent-missing must be deliver or filter, was 'drop'"),
                Arguments.of("client-side-id: id\nconsent-missing: filter",
                        "consent-missing applies only with consent-categories, which is not set"),
                Arguments.of("client-side-id: id\npresets: false", "no mappings (presets: false and no mappings of its own)"),
                Arguments.of("client-side-id: id\nidentify-with: context",
                        "identify-with must be alias or contexts, was 'context'"),
                Arguments.of("client-side-id: id\npresets: false\nidentify-with: contexts",
                        "identify-with chooses the preset for identify calls, and presets is false (a mapping of its"
                                + " own with action: Identify Context does it instead)"),
                Arguments.of("client-side-id: id\nmappings: {name: x}", "mappings must be a list"),
                Arguments.of("client-side-id: id\ninsert-function: direct:enrich", "insert-function must name a route"
                        + " (direct: NAME) or hold an expression (groovy: ...), was \"direct:enrich\""),
                Arguments.of("client-side-id: id\ninsert-function: {timeout-ms: 100}", "insert-function must name a"
                        + " route (direct: NAME) or hold an expression (groovy: ...): it has neither"),
                Arguments.of("client-side-id: id\ninsert-function: {direct: enrich, groovy: body}", "insert-function"
                        + " must name a route (direct: NAME) or hold an expression (groovy: ...): it has both"),
                Arguments.of("client-side-id: id\ninsert-function: {direct: 'direct:enrich'}", "insert-function:"
                        + " direct must be the name of the route's direct endpoint (letters, digits, '.', '_', '-'; for"
                        + " from: direct:enrich-plan, direct: enrich-plan), was \"direct:enrich\""),
                Arguments.of("client-side-id: id\ninsert-function: {groovy: body, timeout-ms: 0}", "insert-function:"
                        + " timeout-ms must be a whole number of milliseconds from 1 to 60000, was 0"),
                Arguments.of("client-side-id: id\ninsert-function: {groovy: body, timeout: 10}", "insert-function:"
                        + " unknown setting 'timeout' (known: direct, groovy, timeout-ms)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("instanceMistakes")
    void mistakesInAnInstanceNameTheFileAndTheInstance(String lines, String message) {
        Path file = write("destinations:\n  - name: prod\n"
                + lines.lines().map(line -> "    " + line + "\n").collect(Collectors.joining()));

        assertThatThrownBy(() -> reader.read(file)).hasMessage("Mappings file " + file + ", destination 'prod': " + message);
    }

    @Test
    void anInsertFunctionIsARouteOrAnExpressionWithItsTimeLimit() {
        Path file = write("""
                destinations:
                  - name: enriched
                    client-side-id: e-id
                    insert-function:
                      direct: enrich-plan
                  - name: external
                    client-side-id: x-id
                    insert-function:
                      groovy: "body.userId?.startsWith('internal-') ? null : body"
                      timeout-ms: 250
                  - name: plain
                    client-side-id: p-id
                """);

        assertThat(reader.read(file)).extracting(DestinationInstance::insertFunction).containsExactly(
                new InsertFunction("enriched", InsertFunction.DIRECT, "enrich-plan", Duration.ofSeconds(1)),
                new InsertFunction("external", InsertFunction.GROOVY,
                        "body.userId?.startsWith('internal-') ? null : body", Duration.ofMillis(250)),
                null);
    }

    @Test
    void consentCategoriesAndWhatBecomesOfEventsWithoutConsentArePerInstance() {
        Path file = write("""
                destinations:
                  - name: analytics
                    client-side-id: a-id
                    consent-categories: [Analytics, C0002]
                  - name: strict
                    client-side-id: s-id
                    consent-categories:
                      - Analytics
                    consent-missing: filter
                  - name: everything
                    client-side-id: e-id
                """);

        var instances = reader.read(file);

        assertThat(instances).extracting(DestinationInstance::consent).containsExactly(
                new ConsentRule(List.of("Analytics", "C0002"), false), new ConsentRule(List.of("Analytics"), true),
                null);
        assertThat(new DestinationInstances(instances).consentRules()).containsOnlyKeys("analytics", "strict");
    }

    @Test
    void aMistypedFileNameSaysNotFoundWhereItLookedAndFromWhichWorkingDirectory() {
        Path mistyped = Path.of("mapings.yaml");

        assertThatThrownBy(() -> reader.read(mistyped)).hasMessage("Mappings file mapings.yaml not found: no file at "
                + Path.of("").toAbsolutePath().resolve("mapings.yaml") + " (working directory "
                + Path.of("").toAbsolutePath() + "); check launchdarkly.mappings-file");
    }

    @Test
    void fileWideMistakesNameTheFile() {
        Path notYaml = write("destinations: [\n");
        Path noList = write("instances:\n  - name: prod\n");
        Path sameNames = write("destinations:\n  - name: a\n  - name: a\n");
        Path duplicateMapping = write("destinations:\n  - name: a\n    mappings:\n"
                + "      - {name: Track Event, trigger: 'type = \"track\"', action: Track Event}\n");
        Path allDisabled = write("destinations:\n  - name: a\n    enabled: false\n");
        Path badName = write("destinations:\n  - name: my destination\n");

        assertThatThrownBy(() -> reader.read(notYaml)).hasMessageStartingWith("Mappings file " + notYaml + " cannot be read:");
        assertThatThrownBy(() -> reader.read(noList))
                .hasMessage("Mappings file " + noList + ": expected a list of destination instances under 'destinations:'");
        assertThatThrownBy(() -> reader.read(sameNames))
                .hasMessage("Mappings file " + sameNames + ": two destination instances are named 'a'");
        assertThatThrownBy(() -> reader.read(duplicateMapping)).hasMessage("Mappings file " + duplicateMapping
                + ", destination 'a': two mappings are named 'Track Event' (the presets are named after their actions)");
        assertThatThrownBy(() -> reader.read(allDisabled))
                .hasMessage("Mappings file " + allDisabled + ": every destination instance is disabled, nothing would be sent");
        assertThatThrownBy(() -> reader.read(badName)).hasMessage("Mappings file " + badName
                + ", destination number 1: name 'my destination' must be letters, digits, '.', '_' or '-'");
    }

    @Test
    void withoutAFileOneInstanceRunsThePresets() {
        DestinationInstance single = reader.single("default", "id", "events.eu.launchdarkly.com", "");

        assertThat(single.endpoint().eventsUrl()).isEqualTo("https://events.eu.launchdarkly.com/events/bulk/id");
        assertThat(single.mappings()).extracting(Mapping::name).containsExactly("Alias User", "Track Event");
        assertThatThrownBy(() -> reader.single("default", "id", "events.launchdarkly.com/path", ""))
                .hasMessageStartingWith("launchdarkly.events-host must be a bare host name");
        assertThatThrownBy(() -> reader.single("my destination", "id", "", ""))
                .hasMessage("launchdarkly.destination-name 'my destination' must be letters, digits, '.', '_' or '-'");
    }
}
