package io.github.segmentld.actions;

import static io.github.segmentld.Json.object;
import static io.github.segmentld.Json.parse;
import static io.github.segmentld.mapping.ActionFixture.NOW;
import static io.github.segmentld.mapping.ActionFixture.mapped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.mapping.SegmentValidationException;
import org.junit.jupiter.api.Test;

class AliasUserTest {

    private final AliasUser transformer = Actions.ALIAS_USER;

    private JsonNode alias(String event) {
        return transformer.perform(mapped(Actions.ALIAS_USER.preset("default"), object(event))).json();
    }

    @Test
    void identifyLinksTheAnonymousIdToTheUserId() {
        JsonNode out = alias("{'type':'identify','userId':'user1234','anonymousId':'72d7bed1','timestamp':'2022-03-30T17:24:58Z'}");

        assertThat(out).isEqualTo(parse("{'kind':'alias','key':'user1234','previousKey':'72d7bed1','contextKind':'user',"
                + "'previousContextKind':'anonymousUser','creationDate':1648661098000}"));
        assertThat(out.toString()).isEqualTo("{\"kind\":\"alias\",\"key\":\"user1234\",\"previousKey\":\"72d7bed1\","
                + "\"contextKind\":\"user\",\"previousContextKind\":\"anonymousUser\",\"creationDate\":1648661098000}");
    }

    @Test
    void aliasPrefersPreviousIdOverAnonymousId() {
        JsonNode out = alias("{'type':'alias','userId':'u','previousId':'old','anonymousId':'anon'}");

        assertThat(out.get("previousKey").asText()).isEqualTo("old");
        assertThat(out.get("creationDate").asLong()).isEqualTo(NOW.toEpochMilli());
    }

    @Test
    void identifyWithoutAnonymousIdFailsWithSegmentsMessage() {
        assertThatThrownBy(() -> alias("{'type':'identify','userId':'u','traits':{}}"))
                .isInstanceOf(SegmentValidationException.class)
                .hasMessage("The root value is missing the required field 'previous_key'.");
    }

    @Test
    void missingUserIdFails() {
        assertThatThrownBy(() -> alias("{'type':'identify','anonymousId':'a'}"))
                .hasMessage("The root value is missing the required field 'user_key'.");
    }

    @Test
    void bothMissingAreReportedTogether() {
        assertThatThrownBy(() -> alias("{'type':'alias'}"))
                .hasMessage("The root value is missing the required field 'user_key'. "
                        + "The root value is missing the required field 'previous_key'.");
    }

    @Test
    void objectUserIdIsATypeErrorWithTheFieldLabel() {
        assertThatThrownBy(() -> alias("{'type':'identify','userId':{'id':1},'anonymousId':['a']}"))
                .hasMessage("User key must be a string but it was an object. "
                        + "Anonymous ID must be a string but it was an array.");
    }
}
