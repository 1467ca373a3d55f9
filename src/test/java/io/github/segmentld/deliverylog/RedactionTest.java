package io.github.segmentld.deliverylog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.Json;
import org.junit.jupiter.api.Test;

class RedactionTest {

    private final Redaction on = new Redaction(true);

    @Test
    void aSegmentEventKeepsNeitherPropertiesNorTraitsAndItsUserIdsAsHashes() {
        ObjectNode event = (ObjectNode) Json.parse("{'type':'identify','userId':'u-1','anonymousId':'a-1',"
                + "'previousId':'p-1','traits':{'email':'x@y.z'},'properties':{'plan':'pro'},"
                + "'context':{'traits':{'name':'N'},'ip':'1.2.3.4'}}");

        assertThat(on.segmentEvent(event)).isEqualTo(Json.parse("{'type':'identify','userId':'" + on.userId("u-1")
                + "','anonymousId':'" + on.userId("a-1") + "','previousId':'" + on.userId("p-1")
                + "','context':{'ip':'1.2.3.4'}}"));
        assertThat(event.has("traits")).as("the event itself is left as it is").isTrue();
    }

    @Test
    void aLaunchDarklyEventKeepsNoDataAndItsKeysAsHashes() {
        assertThat(on.launchDarklyEvent((ObjectNode) Json.parse("{'kind':'custom','key':'Order','contextKeys':"
                + "{'user':'u-1','unauthenticatedUser':'a-1'},'data':{'total':3},'metricValue':3}")))
                .isEqualTo(Json.parse("{'kind':'custom','key':'Order','contextKeys':{'user':'" + on.userId("u-1")
                        + "','unauthenticatedUser':'" + on.userId("a-1") + "'},'metricValue':3}"));
        assertThat(on.launchDarklyEvent((ObjectNode) Json.parse("{'kind':'alias','key':'u-1','previousKey':'a-1'}")))
                .isEqualTo(Json.parse("{'kind':'alias','key':'" + on.userId("u-1") + "','previousKey':'"
                        + on.userId("a-1") + "'}"));
    }

    @Test
    void anIdentifyEventKeepsOfEachContextItsKindAndAnonymousMarkAndItsKeyAsAHash() {
        String hashed = on.userId("u-1");

        assertThat(on.launchDarklyEvent((ObjectNode) Json.parse("{'kind':'identify','creationDate':1,'context':"
                + "{'kind':'multi','user':{'key':'u-1','email':'x@y.z','_meta':{'redactedAttributes':['name']}},"
                + "'unauthenticatedUser':{'key':'a-1','anonymous':true}}}")))
                .isEqualTo(Json.parse("{'kind':'identify','creationDate':1,'context':{'kind':'multi',"
                        + "'user':{'key':'" + hashed + "'},'unauthenticatedUser':{'key':'" + on.userId("a-1")
                        + "','anonymous':true}}}"));
        assertThat(on.launchDarklyEvent((ObjectNode) Json.parse("{'kind':'identify','creationDate':1,'context':"
                + "{'kind':'user','key':'u-1','name':'Ann'}}")))
                .isEqualTo(Json.parse("{'kind':'identify','creationDate':1,'context':{'kind':'user','key':'" + hashed
                        + "'}}"));
    }

    @Test
    void aHashIsTheSameForTheSameIdAndNothingChangesWhenOff() {
        assertThat(on.userId("u-1")).isEqualTo(new Redaction(true).userId("u-1")).isNotEqualTo(on.userId("u-2"))
                .startsWith("sha256:");
        Redaction off = new Redaction(false);
        assertThat(off.userId("u-1")).isEqualTo("u-1");
        ObjectNode event = (ObjectNode) Json.parse("{'userId':'u-1','properties':{'a':1}}");
        assertThat(off.segmentEvent(event)).isSameAs(event);
    }
}
