package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Identify calls as LaunchDarkly contexts, through the whole application, beside an instance left as Segment has it:
 * "aliases" (the presets as they are), "contexts" ({@code identify-with: contexts}) and "chosen" (a mapping of its own
 * with the attributes it chooses, one of them private). One application for the class: each test drops a file of its
 * own and reads what each instance received for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentifyContextContractTest extends ContractTestSupport {

    @Override
    protected void adjust(Properties properties) {
        String base = properties.getProperty("launchdarkly.events-base-url");
        properties.setProperty("launchdarkly.mappings-file", inbox.mappingsFile("""
                destinations:
                  - name: aliases
                    client-side-id: aliases-id
                    events-base-url: %s
                  - name: contexts
                    client-side-id: contexts-id
                    events-base-url: %s
                    identify-with: contexts
                  - name: chosen
                    client-side-id: chosen-id
                    events-base-url: %s
                    presets: false
                    mappings:
                      - name: Known customers
                        trigger: type = "identify"
                        action: Identify Context
                        fields:
                          attributes:
                            name: {"@path": "$.traits.name"}
                            email: {"@path": "$.traits.email"}
                            plan: {"@path": "$.traits.plan"}
                          private_attributes: [email]
                """.formatted(base, base, base)).toString());
    }

    @BeforeEach
    void forgetEarlierRequests() {
        LAUNCHDARKLY.acceptEverything();
    }

    /** The rejection records of one input, as "destination / mapping: reason". */
    private List<String> rejections(String input) {
        return TestInbox.list(inbox.rejected()).stream().flatMap(file -> TestInbox.lines(file).stream())
                .map(Json::read).filter(record -> record.path("input").asText().equals(input))
                .map(record -> record.path("destination").asText() + " / " + record.path("mapping").asText() + ": "
                        + record.path("reason").asText())
                .toList();
    }

    @Test
    void anIdentifyIsAMultiContextWhereChosenAndStaysAnAliasByDefault() {
        inbox.drop("signed-in.ndjson", """
                {"type":"identify","userId":"user1234","anonymousId":"72d7bed1","traits":{"name":"Ada Lovelace","email":"ada@example.com","plan":"pro"},"timestamp":"2022-03-30T17:24:58Z"}
                """);
        inbox.awaitDone("signed-in.ndjson");

        assertThat(received("aliases-id")).containsExactly(parse("""
                [{'kind':'alias','key':'user1234','previousKey':'72d7bed1','contextKind':'user',
                  'previousContextKind':'anonymousUser','creationDate':1648661098000}]"""));
        assertThat(received("contexts-id")).containsExactly(parse("""
                [{'kind':'identify','creationDate':1648661098000,
                  'context':{'kind':'multi','user':{'key':'user1234','name':'Ada Lovelace','email':'ada@example.com'},
                             'unauthenticatedUser':{'key':'72d7bed1','anonymous':true}}}]"""));
        assertThat(received("chosen-id")).containsExactly(parse("""
                [{'kind':'identify','creationDate':1648661098000,
                  'context':{'kind':'multi',
                             'user':{'key':'user1234','name':'Ada Lovelace','plan':'pro',
                                     '_meta':{'redactedAttributes':['email']}},
                             'unauthenticatedUser':{'key':'72d7bed1','anonymous':true}}}]"""));
        assertThat(LAUNCHDARKLY.requests()).hasSize(3);
        assertThat(rejections("signed-in.ndjson")).isEmpty();
    }

    @Test
    void withoutAnAnonymousIdTheKnownContextIsIdentifiedAlone() {
        inbox.drop("known.ndjson", """
                {"type":"identify","userId":"u2","traits":{"name":"Bo","email":"bo@example.com"},"timestamp":"2022-03-30T17:30:00Z"}
                """);
        inbox.awaitDone("known.ndjson");

        assertThat(received("contexts-id")).containsExactly(parse("""
                [{'kind':'identify','creationDate':1648661400000,
                  'context':{'kind':'user','key':'u2','name':'Bo','email':'bo@example.com'}}]"""));
        assertThat(received("chosen-id")).containsExactly(parse("""
                [{'kind':'identify','creationDate':1648661400000,
                  'context':{'kind':'user','key':'u2','name':'Bo','_meta':{'redactedAttributes':['email']}}}]"""));
        assertThat(received("aliases-id")).isEmpty();
        assertThat(rejections("known.ndjson")).containsExactly(
                "aliases / Alias User: The root value is missing the required field 'previous_key'.");
    }

    @Test
    void withoutAUserIdTheIdentifyIsRejectedWithSegmentsMessage() {
        inbox.drop("anonymous.ndjson", """
                {"type":"identify","anonymousId":"a3","traits":{"name":"Cy"},"timestamp":"2022-03-30T17:31:00Z"}
                """);
        inbox.awaitDone("anonymous.ndjson");

        assertThat(LAUNCHDARKLY.requests()).isEmpty();
        assertThat(rejections("anonymous.ndjson")).containsExactlyInAnyOrder(
                "aliases / Alias User: The root value is missing the required field 'user_key'.",
                "contexts / Identify Context: The root value is missing the required field 'context_key'.",
                "chosen / Known customers: The root value is missing the required field 'context_key'.");
    }

    @Test
    void aliasCallsStayAliasEventsWithIdentifyWithContexts() {
        inbox.drop("merged.ndjson", """
                {"type":"alias","userId":"u4","previousId":"old-4","timestamp":"2022-03-30T17:32:00Z"}
                """);
        inbox.awaitDone("merged.ndjson");

        JsonNode alias = parse("""
                [{'kind':'alias','key':'u4','previousKey':'old-4','contextKind':'user',
                  'previousContextKind':'anonymousUser','creationDate':1648661520000}]""");
        assertThat(received("aliases-id")).containsExactly(alias);
        assertThat(received("contexts-id")).containsExactly(alias);
        assertThat(received("chosen-id")).isEmpty();
    }
}
