package io.github.segmentld.actions;

import static io.github.segmentld.Json.object;
import static io.github.segmentld.Json.parse;
import static io.github.segmentld.mapping.ActionFixture.NOW;
import static io.github.segmentld.mapping.ActionFixture.mapped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.mapping.Mapping;
import io.github.segmentld.mapping.MappingCompiler;
import io.github.segmentld.mapping.SegmentValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdentifyContextTest {

    private static final String IDENTIFY = "{'type':'identify','userId':'user1234','anonymousId':'72d7bed1',"
            + "'traits':{'name':'Ada Lovelace','email':'ada@example.com','plan':'pro',"
            + "'address':{'city':'London','street':'St James Sq'}},'timestamp':'2022-03-30T17:24:58Z'}";

    private static Mapping mapping(String fields) {
        return MappingCompiler.compile("default", "custom", true, "type = \"identify\"", Actions.IDENTIFY_CONTEXT,
                object(fields));
    }

    private static JsonNode identify(Mapping mapping, String event) {
        return Actions.IDENTIFY_CONTEXT.perform(mapped(mapping, object(event))).json();
    }

    private static JsonNode identify(String event) {
        return identify(Actions.IDENTIFY_CONTEXT.preset("default"), event);
    }

    @Test
    void identifyBecomesAMultiContextOfTheKnownAndTheAnonymousContext() {
        JsonNode out = identify(IDENTIFY);

        assertThat(out.toString()).isEqualTo("{\"kind\":\"identify\",\"creationDate\":1648661098000,"
                + "\"context\":{\"kind\":\"multi\","
                + "\"user\":{\"key\":\"user1234\",\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"},"
                + "\"unauthenticatedUser\":{\"key\":\"72d7bed1\",\"anonymous\":true}}}");
    }

    @Test
    void withoutAnAnonymousIdTheKnownContextIsIdentifiedAlone() {
        JsonNode out = identify("{'type':'identify','userId':'u1','traits':{'name':'Ann','email':null}}");

        assertThat(out).isEqualTo(parse("{'kind':'identify','creationDate':" + NOW.toEpochMilli() + ","
                + "'context':{'kind':'user','key':'u1','name':'Ann'}}"));
    }

    @Test
    void withoutAUserIdTheEventIsRejectedWithSegmentsMessage() {
        String message = "The root value is missing the required field 'context_key'.";

        assertThatThrownBy(() -> identify("{'type':'identify','anonymousId':'a1','traits':{'name':'Ann'}}"))
                .isInstanceOf(SegmentValidationException.class).hasMessage(message);
        assertThatThrownBy(() -> identify("{'type':'identify','userId':'','traits':{}}")).hasMessage(message);
    }

    @Test
    void privateAttributesAreLeftOutAndNamedAsLaunchDarklysSdksNameThem() {
        ObjectNode event = object(IDENTIFY);
        Mapping mapping = mapping("""
                {'attributes': {'name': {'@path': '$.traits.name'}, 'email': {'@path': '$.traits.email'},
                                'address': {'@path': '$.traits.address'}, 'phone': {'@path': '$.traits.phone'}},
                 'private_attributes': ['/address/street', 'email', 'phone', '/address']}""");

        JsonNode out = Actions.IDENTIFY_CONTEXT.perform(mapped(mapping, event)).json();

        assertThat(out.at("/context/user")).isEqualTo(parse("""
                {'key':'user1234','name':'Ada Lovelace','_meta':{'redactedAttributes':['email','/address']}}"""));
        assertThat(event).as("the Segment event is left as it was").isEqualTo(object(IDENTIFY));
    }

    @Test
    void aPropertyWithinAnObjectAttributeIsRedactedInACopyOfIt() {
        ObjectNode event = object(IDENTIFY);
        Mapping mapping = mapping("{'attributes': {'@path': '$.traits'},"
                + " 'private_attributes': ['/address/street', 'plan']}");

        JsonNode out = Actions.IDENTIFY_CONTEXT.perform(mapped(mapping, event)).json();

        assertThat(out.at("/context/user")).isEqualTo(parse("""
                {'key':'user1234','name':'Ada Lovelace','email':'ada@example.com','address':{'city':'London'},
                 '_meta':{'redactedAttributes':['plan','/address/street']}}"""));
        assertThat(event).isEqualTo(object(IDENTIFY));
    }

    @Test
    void attributesOfTheContextsOwnFieldsAndNullsAreLeftOutAndANameBecomesAString() {
        JsonNode out = identify(mapping("{'attributes': {'@path': '$.traits'}, 'anonymous_key': null}"),
                "{'type':'identify','userId':'u1','traits':{'key':'k','kind':'org','anonymous':true,'_meta':{},"
                        + "'name':42,'age':null,'vip':true}}");

        assertThat(out.get("context")).isEqualTo(parse("{'kind':'user','key':'u1','name':'42','vip':true}"));
    }

    @Test
    void kindsAndKeysCanBeMapped() {
        JsonNode out = identify(mapping("""
                {'context_kind': 'customer', 'context_key': {'@path': '$.traits.email'},
                 'anonymous_kind': {'@path': '$.context.device.type'},
                 'anonymous_key': {'@path': '$.context.device.id'},
                 'attributes': null, 'timestamp': {'@literal': 1648661000000}}"""),
                "{'type':'identify','userId':'u1','traits':{'email':'ada@example.com'},"
                        + "'context':{'device':{'type':'device','id':42}}}");

        assertThat(out).isEqualTo(parse("{'kind':'identify','creationDate':1648661000000,'context':{'kind':'multi',"
                + "'customer':{'key':'ada@example.com'},'device':{'key':'42','anonymous':true}}}"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{'context_kind': {'@path': '$.traits.kind'}}        | Context Kind must be letters, digits, '.', '_' or"
                    + " '-', other than \"kind\" and \"multi\" but it was \"multi\".",
            "{'anonymous_kind': {'@path': '$.traits.space'}}     | Anonymous Context Kind must be letters, digits, '.',"
                    + " '_' or '-', other than \"kind\" and \"multi\" but it was \"a b\".",
            "{'anonymous_kind': 'user'}                          | Context Kind and Anonymous Context Kind must differ"
                    + " but both were \"user\".",
            "{'private_attributes': {'@path': '$.traits.refs'}}  | Private Attributes must be attribute names or paths"
                    + " such as \"/address/street\", other than kind, key, anonymous and _meta but it held \"/a//b\"."
                    + " Private Attributes must be attribute names or paths such as \"/address/street\", other than"
                    + " kind, key, anonymous and _meta but it held \"key\".",
            "{'private_attributes': {'@path': '$.traits.space'}} | Private Attributes must be a list of strings but it"
                    + " was a string.",
            "{'private_attributes': {'@path': '$.traits.mixed'}} | Private Attributes must be a list of strings but it"
                    + " was an array holding a number.",
            "{'attributes': {'name': {'@path': '$.traits'}}}     | The name attribute must be a string but it was an"
                    + " object."})
    void launchDarklysRulesForContextsAreSegmentValidationErrors(String fields, String message) {
        assertThatThrownBy(() -> identify(mapping(fields), "{'type':'identify','userId':'u1','anonymousId':'a1',"
                + "'traits':{'kind':'multi','space':'a b','refs':['/a//b','key','email'],'mixed':['a',1]}}"))
                .isInstanceOf(SegmentValidationException.class)
                .hasMessage(message);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{'context_kind': 'multi'}                   | field 'context_kind': Context Kind must be letters, digits,"
                    + " '.', '_' or '-', other than \"kind\" and \"multi\", and \"multi\" never is",
            "{'anonymous_kind': 'anonymous user'}        | field 'anonymous_kind': Anonymous Context Kind must be"
                    + " letters, digits, '.', '_' or '-', other than \"kind\" and \"multi\", and \"anonymous user\""
                    + " never is",
            "{'attributes': {'key': {'@path': '$.userId'}}} | field 'attributes': Context Attributes cannot set"
                    + " \"key\": kind, key, anonymous and _meta come from the other fields",
            "{'private_attributes': ['email', '/a/']}    | field 'private_attributes': Private Attributes must be"
                    + " attribute names or paths such as \"/address/street\", other than kind, key, anonymous and"
                    + " _meta, and \"/a/\" never is",
            "{'private_attributes': 'email'}             | field 'private_attributes': Private Attributes must be a"
                    + " list of strings, and \"email\" never is"})
    void whatNoEventCouldMakeValidIsRefusedWhenTheMappingIsCompiled(String fields, String message) {
        assertThatThrownBy(() -> mapping(fields)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void aPathMayEscapeSlashesAndTildesAsLaunchDarklysReferencesDo() {
        JsonNode out = identify(mapping("{'attributes': {'@path': '$.traits'}, 'private_attributes': ['/a~1b/c~0d']}"),
                "{'type':'identify','userId':'u1','traits':{'a/b':{'c~d':1,'e':2}}}");

        assertThat(out.get("context")).isEqualTo(parse("{'kind':'user','key':'u1','a/b':{'e':2},"
                + "'_meta':{'redactedAttributes':['/a~1b/c~0d']}}"));
    }
}
